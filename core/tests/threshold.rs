//! Threshold decryption: partial decryptions, their proofs, Lagrange combination.

use std::time::Instant;

use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::dlog::DlogTable;
use ostracon::elgamal::{Ciphertext, Nonce, RawCiphertext};
use ostracon::group::{self, Point};
use ostracon::keyceremony::{
    Announcement, CeremonyParams, EncryptedShare, KeyShare, Outcome, PublicCeremony, Trustee,
};
use ostracon::threshold::{self, lagrange_coefficient, PartialDecryption, ThresholdError};
use ostracon::transcript::ProofContext;
use ostracon::{Error, ProofKind};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// An honest `t`-of-`n` ceremony through the message API.
fn ceremony(n: u32, t: u32, rng: &mut StdRng) -> (PublicCeremony, Vec<KeyShare>) {
    let params = CeremonyParams::new(n, t, [0x33; 32]).unwrap();
    let mut trustees: Vec<Trustee> = (1..=n)
        .map(|i| Trustee::new(params, i, rng).unwrap())
        .collect();
    let anns: Vec<Announcement> = trustees.iter().map(|t| t.announcement().clone()).collect();
    let all: Vec<EncryptedShare> = trustees
        .iter_mut()
        .flat_map(|t| t.receive_announcements(&anns, rng).unwrap())
        .collect();
    let keys = trustees
        .iter_mut()
        .map(|t| {
            let inbox: Vec<EncryptedShare> =
                all.iter().filter(|s| s.to == t.index()).copied().collect();
            match t.receive_shares(&inbox, rng).unwrap() {
                Outcome::Finished(k) => *k,
                Outcome::Complaints(c) => panic!("complaints: {c:?}"),
            }
        })
        .collect();
    (PublicCeremony::verify(params, anns, rng).unwrap(), keys)
}

fn ctx() -> ProofContext {
    ProofContext::new(b"election base hash").bind(b"tally", b"contest-0")
}

/// A tally of `m` options with `values[k] = 3k + 1` votes, encrypted under `K`.
fn tally(ceremony: &PublicCeremony, m: usize, rng: &mut StdRng) -> (Vec<Ciphertext>, Vec<u64>) {
    let ek = ceremony.joint_key().precompute();
    let values: Vec<u64> = (0..m as u64).map(|k| 3 * k + 1).collect();
    let cts = values
        .iter()
        .map(|&v| ek.encrypt(v, &Nonce::random(rng)))
        .collect();
    (cts, values)
}

fn vg(v: u64) -> ostracon::curve25519_dalek::ristretto::RistrettoPoint {
    Scalar::from(v) * group::generator_g()
}

struct Setup {
    ceremony: PublicCeremony,
    keys: Vec<KeyShare>,
    cts: Vec<Ciphertext>,
    values: Vec<u64>,
    partials: Vec<PartialDecryption>,
    rng: StdRng,
}

fn setup(m: usize, seed: u64) -> Setup {
    let mut rng = StdRng::seed_from_u64(seed);
    let (ceremony, keys) = ceremony(5, 3, &mut rng);
    let (cts, values) = tally(&ceremony, m, &mut rng);
    let partials = keys
        .iter()
        .map(|k| PartialDecryption::from_key_share(&ctx(), k, &cts, &mut rng))
        .collect();
    Setup {
        ceremony,
        keys,
        cts,
        values,
        partials,
        rng,
    }
}

#[test]
fn honest_partials_verify_and_combine() {
    let mut s = setup(8, 1);
    for (p, key) in s.partials.iter().zip(&s.keys) {
        p.verify(&ctx(), key.public_share(), &s.cts, &mut s.rng)
            .unwrap();
        // The constructor from a bare secret share gives the same shares.
        let bare =
            PartialDecryption::new(&ctx(), key.index(), key.secret(), &s.cts, &mut s.rng).unwrap();
        assert_eq!(bare.shares, p.shares);
        bare.verify(&ctx(), key.public_share(), &s.cts, &mut s.rng)
            .unwrap();
    }
    let want: Vec<_> = s.values.iter().map(|&v| vg(v)).collect();
    // Exactly t, more than t (the lowest t indices are used), any order.
    let five: Vec<_> = s.partials.iter().rev().cloned().collect();
    for set in [&s.partials[..3], &s.partials[2..], &five[..], &five[1..]] {
        assert_eq!(
            threshold::decrypt(&ctx(), &s.ceremony, &s.cts, set, &mut s.rng).unwrap(),
            want
        );
        assert_eq!(threshold::combine(3, &s.cts, set).unwrap(), want);
    }
    // With more than t, combination uses the t lowest indices: a garbage partial of
    // trustee 5 is not even looked at by `combine` (but `decrypt` refuses it).
    let mut junk = five.clone();
    junk[0].shares[0] = *group::generator_h();
    assert_eq!(threshold::combine(3, &s.cts, &junk).unwrap(), want);
    assert!(threshold::decrypt(&ctx(), &s.ceremony, &s.cts, &junk, &mut s.rng).is_err());
    // Wrong partials give wrong points: t − 1 partials with threshold t − 1.
    let wrong = threshold::combine(2, &s.cts, &s.partials[..2]).unwrap();
    assert!(wrong.iter().zip(&want).all(|(a, b)| a != b));
    // Plaintexts by discrete log.
    let table = DlogTable::new(1 << 6);
    let got: Vec<u64> = want
        .iter()
        .map(|p| table.find(p, 1 << 10).unwrap())
        .collect();
    assert_eq!(got, s.values);
}

#[test]
fn a_forged_share_is_attributed_to_its_trustee_and_ciphertext() {
    let mut s = setup(8, 2);
    let mut forged = s.partials[1].clone();
    forged.shares[6] = Point::new(forged.shares[6].point() + group::generator_g());
    let expected = ThresholdError::InvalidProof {
        trustee: 2,
        ciphertext: 6,
    };
    assert_eq!(
        forged
            .verify(&ctx(), s.keys[1].public_share(), &s.cts, &mut s.rng)
            .unwrap_err(),
        expected
    );
    // All failures, for verifiers that report every one.
    let mut twice = forged.clone();
    twice.shares[2] = Point::new(twice.shares[2].point() - group::generator_g());
    assert_eq!(
        twice
            .failing(&ctx(), s.keys[1].public_share(), &s.cts, &mut s.rng)
            .unwrap(),
        [2, 6]
    );
    assert!(s.partials[1]
        .failing(&ctx(), s.keys[1].public_share(), &s.cts, &mut s.rng)
        .unwrap()
        .is_empty());
    let set = [s.partials[0].clone(), forged, s.partials[2].clone()];
    assert_eq!(
        threshold::decrypt(&ctx(), &s.ceremony, &s.cts, &set, &mut s.rng).unwrap_err(),
        expected
    );
    // Unchecked, the forgery shifts the plaintext: that is what the proofs prevent.
    let shifted = threshold::combine(3, &s.cts, &set).unwrap();
    assert_ne!(shifted[6], vg(s.values[6]));
    assert_eq!(shifted[5], vg(s.values[5]));
    let e: Error = expected.into();
    assert_eq!(e.code(), "proof.invalid");
    assert!(matches!(e, Error::Proof(p) if p.kind == ProofKind::Dleq && p.index == Some(6)));
}

#[test]
fn proofs_are_bound_to_context_trustee_position_and_key() {
    let mut s = setup(4, 3);
    let p = &s.partials[0];
    let x1 = s.keys[0].public_share();
    // Another election / tally.
    let other = ProofContext::new(b"another election").bind(b"tally", b"contest-0");
    assert_eq!(
        p.verify(&other, x1, &s.cts, &mut s.rng).unwrap_err(),
        ThresholdError::InvalidProof {
            trustee: 1,
            ciphertext: 0
        }
    );
    // Another trustee's verification share.
    assert!(p
        .verify(&ctx(), s.keys[1].public_share(), &s.cts, &mut s.rng)
        .is_err());
    // Relabelled as another trustee.
    let mut relabelled = p.clone();
    relabelled.trustee = 4;
    assert!(threshold::decrypt(
        &ctx(),
        &s.ceremony,
        &s.cts,
        &[relabelled, s.partials[1].clone(), s.partials[2].clone()],
        &mut s.rng
    )
    .is_err());
    // Swapped positions.
    let mut swapped = p.clone();
    swapped.shares.swap(0, 1);
    swapped.proofs.swap(0, 1);
    let mut cts = s.cts.clone();
    cts.swap(0, 1);
    assert!(swapped.verify(&ctx(), x1, &cts, &mut s.rng).is_err());
}

#[test]
fn malformed_sets_are_errors() {
    let mut s = setup(3, 4);
    let p = &s.partials;
    assert_eq!(
        threshold::combine(3, &s.cts, &[p[0].clone(), p[1].clone(), p[0].clone()]).unwrap_err(),
        ThresholdError::DuplicateIndex { trustee: 1 }
    );
    assert_eq!(
        threshold::decrypt(
            &ctx(),
            &s.ceremony,
            &s.cts,
            &[p[2].clone(), p[1].clone(), p[2].clone()],
            &mut s.rng
        )
        .unwrap_err(),
        ThresholdError::DuplicateIndex { trustee: 3 }
    );
    assert_eq!(
        threshold::combine(3, &s.cts, &p[..2]).unwrap_err(),
        ThresholdError::TooFewPartials {
            needed: 3,
            found: 2
        }
    );
    assert_eq!(
        threshold::combine(0, &s.cts, &p[..2]).unwrap_err(),
        ThresholdError::InvalidThreshold
    );
    let mut zero = p[0].clone();
    zero.trustee = 0;
    assert_eq!(
        threshold::combine(1, &s.cts, &[zero]).unwrap_err(),
        ThresholdError::ZeroIndex
    );
    let mut six = p[0].clone();
    six.trustee = 6;
    assert_eq!(
        threshold::decrypt(&ctx(), &s.ceremony, &s.cts, &[six], &mut s.rng).unwrap_err(),
        ThresholdError::UnknownTrustee { trustee: 6 }
    );
    let mut short = p[1].clone();
    short.proofs.pop();
    assert_eq!(
        threshold::decrypt(
            &ctx(),
            &s.ceremony,
            &s.cts,
            &[p[0].clone(), short, p[2].clone()],
            &mut s.rng
        )
        .unwrap_err(),
        ThresholdError::LengthMismatch {
            trustee: 2,
            expected: 3,
            shares: 3,
            proofs: 2
        }
    );
    assert_eq!(
        threshold::combine(3, &s.cts[..2], &p[..3]).unwrap_err(),
        ThresholdError::LengthMismatch {
            trustee: 1,
            expected: 2,
            shares: 3,
            proofs: 3
        }
    );
    assert_eq!(
        PartialDecryption::new(&ctx(), 0, s.keys[0].secret(), &s.cts, &mut s.rng).unwrap_err(),
        ThresholdError::ZeroIndex
    );
}

#[test]
fn lagrange_coefficients() {
    // λ₁ over {1, 2} = 2/(2−1) = 2; λ₂ = 1/(1−2) = −1.
    assert_eq!(lagrange_coefficient(1, &[1, 2]).unwrap(), Scalar::from(2u8));
    assert_eq!(lagrange_coefficient(2, &[1, 2]).unwrap(), -Scalar::ONE);
    // They sum to 1 (they interpolate the constant polynomial 1).
    let set = [2u32, 5, 7, 11];
    let sum: Scalar = set
        .iter()
        .map(|&i| lagrange_coefficient(i, &set).unwrap())
        .sum();
    assert_eq!(sum, Scalar::ONE);
    assert_eq!(
        lagrange_coefficient(1, &[1, 2, 1]).unwrap_err(),
        ThresholdError::DuplicateIndex { trustee: 1 }
    );
    assert_eq!(
        lagrange_coefficient(1, &[0, 1]).unwrap_err(),
        ThresholdError::ZeroIndex
    );
    assert_eq!(
        lagrange_coefficient(3, &[1, 2]).unwrap_err(),
        ThresholdError::NotInSet { trustee: 3 }
    );
}

#[test]
fn homomorphic_tally_decrypts() {
    // Ballots added up, then threshold-decrypted: the use the module exists for.
    let mut rng = StdRng::seed_from_u64(5);
    let (ceremony, keys) = ceremony(3, 2, &mut rng);
    let ek = ceremony.joint_key().precompute();
    let ballots = [1u64, 0, 1, 1, 0, 1];
    let sum: RawCiphertext = ballots
        .iter()
        .map(|&v| ek.encrypt(v, &Nonce::random(&mut rng)).raw())
        .sum();
    let cts = [sum.to_ciphertext()];
    let partials: Vec<_> = keys[1..]
        .iter()
        .map(|k| PartialDecryption::from_key_share(&ctx(), k, &cts, &mut rng))
        .collect();
    let points = threshold::decrypt(&ctx(), &ceremony, &cts, &partials, &mut rng).unwrap();
    assert_eq!(points, [vg(4)]);
}

#[test]
fn encoding_is_strict_and_canonical() {
    let s = setup(3, 6);
    let p = &s.partials[2];
    let bytes = p.to_bytes();
    assert_eq!(bytes.len(), 12 + 128 * 3);
    assert_eq!(PartialDecryption::from_bytes(&bytes).unwrap(), *p);
    for len in 0..bytes.len() {
        assert!(
            PartialDecryption::from_bytes(&bytes[..len]).is_err(),
            "{len}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(PartialDecryption::from_bytes(&longer).is_err());
    // A huge count is refused without allocating for it.
    let mut huge = bytes.clone();
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(PartialDecryption::from_bytes(&huge).is_err());
    let json = serde_json::to_string(p).unwrap();
    assert_eq!(
        serde_json::from_str::<PartialDecryption>(&json).unwrap(),
        *p
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(p) = PartialDecryption::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes(), bytes);
        }
    }

    #[test]
    fn decoder_never_panics_on_mutations(pos in any::<usize>(), byte in any::<u8>()) {
        let mut bytes = setup_bytes().to_vec();
        let pos = pos % bytes.len();
        bytes[pos] = byte;
        if let Ok(p) = PartialDecryption::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes(), bytes);
        }
    }
}

fn setup_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| setup(2, 7).partials[0].to_bytes())
}

/// Threshold decryption of a 100-option tally by 3 of 5 trustees: partial decryptions
/// (each trustee's, done in parallel in reality), verification of all proofs,
/// combination and discrete logs. The 50 ms target applies to release builds:
/// `cargo test --release -p ostracon --test threshold -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release mode"]
fn timing_100_option_tally_3_of_5() {
    let mut rng = StdRng::seed_from_u64(99);
    let (ceremony, keys) = ceremony(5, 3, &mut rng);
    let (cts, values) = tally(&ceremony, 100, &mut rng);
    let table = DlogTable::new(1 << 10);
    let runs = 7;
    // partials, verify + combine (decrypt), combine alone, dlog, total
    let mut best = [f64::MAX; 5];
    for _ in 0..runs {
        let t0 = Instant::now();
        let partials: Vec<_> = [&keys[0], &keys[2], &keys[4]]
            .iter()
            .map(|k| PartialDecryption::from_key_share(&ctx(), k, &cts, &mut rng))
            .collect();
        let t1 = Instant::now();
        let pts = threshold::decrypt(&ctx(), &ceremony, &cts, &partials, &mut rng).unwrap();
        let t2 = Instant::now();
        let again = threshold::combine(3, &cts, &partials).unwrap();
        let t3 = Instant::now();
        let got: Vec<u64> = pts
            .iter()
            .map(|p| table.find(p, 1 << 10).unwrap())
            .collect();
        let t4 = Instant::now();
        assert_eq!(got, values);
        assert_eq!(again, pts);
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        let r = [
            ms(t0, t1),
            ms(t1, t2),
            ms(t2, t3),
            ms(t3, t4),
            ms(t0, t2) + ms(t3, t4),
        ];
        for (b, x) in best.iter_mut().zip(r) {
            *b = b.min(x);
        }
    }
    println!(
        "100 options, 3 of 5 (best of {runs}): 3 partial decryptions {:.1} ms, \
         verify 300 proofs + combine {:.1} ms (combine alone {:.1} ms), dlog {:.1} ms, \
         total {:.1} ms",
        best[0], best[1], best[2], best[3], best[4]
    );
    if !cfg!(debug_assertions) {
        assert!(
            best[3] <= 50.0,
            "threshold decryption took {:.1} ms",
            best[3]
        );
    }
}
