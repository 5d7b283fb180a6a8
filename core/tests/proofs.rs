//! Completeness, soundness-by-tampering and batch ≡ single for every proof.

use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::elgamal::{Ciphertext, EncryptionKey, Nonce, PublicKey, SecretKey};
use ostracon::group::{self, Point};
use ostracon::proofs::batch::{self, BatchItem};
use ostracon::proofs::{
    Base, DisjunctiveProof, DleqProof, DleqStatement, RangeProof, SchnorrProof, WellFormedProof,
};
use ostracon::transcript::ProofContext;
use ostracon::{DecodeErrorKind, Error, ProofKind};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn setup(seed: u64) -> (SecretKey, EncryptionKey, StdRng) {
    let mut rng = rng(seed);
    let sk = SecretKey::random(&mut rng);
    let ek = sk.public_key().precompute();
    (sk, ek, rng)
}

fn ctx() -> ProofContext {
    ProofContext::new(b"election base hash")
        .bind(b"ballot", b"b-1")
        .bind_u64(b"contest", 0)
        .bind_u64(b"option", 2)
}

/// Every single-byte change of `bytes` is rejected: by the decoder, or by `verify`.
fn assert_every_byte_matters(bytes: &[u8], mut accepts: impl FnMut(&[u8]) -> bool) {
    for i in 0..bytes.len() {
        for bit in [0x01u8, 0x80] {
            let mut b = bytes.to_vec();
            b[i] ^= bit;
            assert!(
                !accepts(&b),
                "flipping bit {bit:#x} of byte {i} was accepted"
            );
        }
    }
    assert!(
        !accepts(&bytes[..bytes.len() - 1]),
        "truncated proof accepted"
    );
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert!(!accepts(&longer), "proof with a trailing byte accepted");
}

#[test]
fn schnorr_complete_and_tamper_evident() {
    let mut r = rng(1);
    let x = Scalar::random(&mut r);
    let public = Point::new(&x * group::table_h());
    let proof = SchnorrProof::prove(&ctx(), Base::H, &x, &public, &mut r);
    proof.verify(&ctx(), Base::H, &public).unwrap();
    // Wrong base, wrong public, wrong context.
    assert!(proof.verify(&ctx(), Base::G, &public).is_err());
    assert!(proof.verify(&ctx(), Base::H, group::generator_h()).is_err());
    assert!(proof
        .verify(&ctx().bind(b"x", b"y"), Base::H, &public)
        .is_err());
    assert!(proof
        .verify(&ProofContext::new(b"other election"), Base::H, &public)
        .is_err());
    assert_every_byte_matters(&proof.to_bytes(), |b| {
        SchnorrProof::from_bytes(b).is_ok_and(|p| p.verify(&ctx(), Base::H, &public).is_ok())
    });
    // Base G works too.
    let pg = Point::new(&x * group::table_g());
    SchnorrProof::prove(&ctx(), Base::G, &x, &pg, &mut r)
        .verify(&ctx(), Base::G, &pg)
        .unwrap();
}

#[test]
fn dleq_complete_and_tamper_evident() {
    let (sk, ek, mut r) = setup(2);
    let (ct, _) = ek.encrypt_with_rng(5, &mut r);
    let share = sk.public_key();
    let m = Point::new(ct.a.point() * sk.as_scalar());
    let st = DleqStatement {
        base1: *group::generator_h(),
        public1: *share.point(),
        base2: ct.a,
        public2: m,
    };
    let proof = DleqProof::prove(&ctx(), &st, sk.as_scalar(), &mut r);
    proof.verify(&ctx(), &st).unwrap();
    let wrong_m = DleqStatement {
        public2: Point::new(m.point() + group::generator_g()),
        ..st
    };
    assert!(proof.verify(&ctx(), &wrong_m).is_err());
    let swapped = DleqStatement { base2: ct.b, ..st };
    assert!(proof.verify(&ctx(), &swapped).is_err());
    assert!(proof.verify(&ctx().bind_u64(b"trustee", 3), &st).is_err());
    assert_every_byte_matters(&proof.to_bytes(), |b| {
        DleqProof::from_bytes(b).is_ok_and(|p| p.verify(&ctx(), &st).is_ok())
    });
}

#[test]
fn disjunctive_complete_for_every_value_and_tamper_evident() {
    let (_, ek, mut r) = setup(3);
    let key = *ek.public_key();
    for max in [0u64, 1, 2, 5] {
        for v in 0..=max {
            let nonce = Nonce::random(&mut r);
            let (ct, proof) =
                DisjunctiveProof::encrypt_and_prove(&ctx(), &ek, v, max, &nonce, &mut r).unwrap();
            assert_eq!(ct, ek.encrypt(v, &nonce));
            proof.verify(&ctx(), &key, &ct, max).unwrap();
            assert_eq!(proof.to_bytes().len(), DisjunctiveProof::encoded_len(max));
            // The proof says nothing about other bounds, ciphertexts or contexts.
            assert!(proof.verify(&ctx(), &key, &ct, max + 1).is_err());
            let other = ek.encrypt(v, &Nonce::random(&mut r));
            assert!(proof.verify(&ctx(), &key, &other, max).is_err());
            assert!(proof
                .verify(&ctx().bind_u64(b"option", 3), &key, &ct, max)
                .is_err());
            let p2 = DisjunctiveProof::prove(&ctx(), &ek, &ct, v, max, &nonce, &mut r).unwrap();
            p2.verify(&ctx(), &key, &ct, max).unwrap();
        }
    }
    let nonce = Nonce::random(&mut r);
    let (ct, proof) =
        DisjunctiveProof::encrypt_and_prove(&ctx(), &ek, 1, 1, &nonce, &mut r).unwrap();
    assert_every_byte_matters(&proof.to_bytes(), |b| {
        DisjunctiveProof::from_bytes(b).is_ok_and(|p| p.verify(&ctx(), &key, &ct, 1).is_ok())
    });
    // Swapping A and B, or using another key, fails.
    let swapped = Ciphertext { a: ct.b, b: ct.a };
    assert!(proof.verify(&ctx(), &key, &swapped, 1).is_err());
    let other_key = SecretKey::random(&mut r).public_key();
    assert!(proof.verify(&ctx(), &other_key, &ct, 1).is_err());
}

#[test]
fn disjunctive_refuses_out_of_range_plaintexts() {
    let (_, ek, mut r) = setup(4);
    let nonce = Nonce::random(&mut r);
    let e = DisjunctiveProof::encrypt_and_prove(&ctx(), &ek, 2, 1, &nonce, &mut r).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    assert!(DisjunctiveProof::encrypt_and_prove(&ctx(), &ek, 1, 0, &nonce, &mut r).is_err());
    assert!(DisjunctiveProof::encrypt_and_prove(&ctx(), &ek, 0, 2000, &nonce, &mut r).is_err());
    // A ciphertext of 2 with a "proof" made as if it were 1 does not verify.
    let ct2 = ek.encrypt(2, &nonce);
    let forged = DisjunctiveProof::prove(&ctx(), &ek, &ct2, 1, 1, &nonce, &mut r).unwrap();
    assert!(forged.verify(&ctx(), ek.public_key(), &ct2, 1).is_err());
}

#[test]
fn wellformed_complete_and_tamper_evident() {
    let (_, ek, mut r) = setup(5);
    let nonce = Nonce::random(&mut r);
    let ct = ek.encrypt(1234, &nonce);
    let key = *ek.public_key();
    let proof = WellFormedProof::prove(&ctx(), &ek, &ct, &Scalar::from(1234u64), &nonce, &mut r);
    proof.verify(&ctx(), &key, &ct).unwrap();
    assert_every_byte_matters(&proof.to_bytes(), |b| {
        WellFormedProof::from_bytes(b).is_ok_and(|p| p.verify(&ctx(), &key, &ct).is_ok())
    });
    let other = ek.encrypt(1234, &Nonce::random(&mut r));
    assert!(proof.verify(&ctx(), &key, &other).is_err());
}

/// The "garbage ciphertext": `A = r₁·H`, `B = v·G + r₂·K` with `r₁ ≠ r₂`. Its `B` carries
/// a valid bulletproof, but it cannot be decrypted; the well-formedness proof refuses it.
#[test]
fn garbage_ciphertext_rejected_despite_valid_bulletproof() {
    let (sk, ek, mut r) = setup(6);
    let key = *ek.public_key();
    let (r1, r2) = (Nonce::random(&mut r), Nonce::random(&mut r));
    let good = ek.encrypt(7, &r2);
    let garbage = Ciphertext {
        a: Point::new(r1.as_scalar() * group::table_h()),
        b: good.b,
    };
    // The bulletproof alone would accept it: B opens to 7 with blinding r₂.
    let honest = RangeProof::prove(&ctx(), &ek, &[good], &[7], &[&r2], 0, 100, &mut r).unwrap();
    honest
        .verify(&ctx(), &key, &[good], 0, 100, &mut r)
        .unwrap();
    // For the garbage ciphertext, a prover knows (7, r₂) for B but no r for both A and B.
    for nonce in [&r1, &r2] {
        let p = RangeProof::prove(&ctx(), &ek, &[garbage], &[7], &[nonce], 0, 100, &mut r).unwrap();
        let kind = p
            .verify(&ctx(), &key, &[garbage], 0, 100, &mut r)
            .unwrap_err()
            .kind;
        if std::ptr::eq(nonce, &r2) {
            // The bulletproof is fine; only the well-formedness proof catches it.
            assert_eq!(kind, ProofKind::WellFormed);
        } else {
            assert!(matches!(kind, ProofKind::WellFormed | ProofKind::Range));
        }
        let wf = WellFormedProof::prove(&ctx(), &ek, &garbage, &Scalar::from(7u8), nonce, &mut r);
        assert!(wf.verify(&ctx(), &key, &garbage).is_err());
    }
    // And indeed it decrypts to garbage.
    let dec = sk.decrypt_to_point(&garbage.raw());
    assert_ne!(dec, Scalar::from(7u8) * group::generator_g());
}

#[test]
fn range_proof_complete_aggregated_and_tamper_evident() {
    let (_, ek, mut r) = setup(7);
    let key = *ek.public_key();
    let values = [0u64, 3, 10, 7, 10];
    let nonces: Vec<Nonce> = values.iter().map(|_| Nonce::random(&mut r)).collect();
    let cts: Vec<Ciphertext> = values
        .iter()
        .zip(&nonces)
        .map(|(v, n)| ek.encrypt(*v, n))
        .collect();
    let nrefs: Vec<&Nonce> = nonces.iter().collect();
    let proof = RangeProof::prove(&ctx(), &ek, &cts, &values, &nrefs, 0, 10, &mut r).unwrap();
    proof.verify(&ctx(), &key, &cts, 0, 10, &mut r).unwrap();
    let bytes = proof.to_bytes();
    assert_eq!(RangeProof::from_bytes(&bytes).unwrap(), proof);
    // Narrower range, other ciphertexts, other context: rejected.
    assert!(proof.verify(&ctx(), &key, &cts, 0, 9, &mut r).is_err());
    assert!(proof.verify(&ctx(), &key, &cts, 1, 10, &mut r).is_err());
    assert!(proof
        .verify(&ctx(), &key, &cts[..4], 0, 10, &mut r)
        .is_err());
    let mut swapped = cts.clone();
    swapped.swap(0, 1);
    assert!(proof.verify(&ctx(), &key, &swapped, 0, 10, &mut r).is_err());
    assert!(proof
        .verify(&ctx().bind(b"ballot", b"b-2"), &key, &cts, 0, 10, &mut r)
        .is_err());
    // Every byte matters (sampled: bulletproof bytes are many).
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 1;
        let ok = RangeProof::from_bytes(&b)
            .is_ok_and(|p| p.verify(&ctx(), &key, &cts, 0, 10, &mut r).is_ok());
        assert!(!ok, "flipped byte {i} accepted");
    }
    // Out-of-range plaintexts are refused before proving.
    let e =
        RangeProof::prove(&ctx(), &ek, &cts[..1], &[11], &nrefs[..1], 0, 10, &mut r).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)));
    // Exact power-of-two widths and offsets.
    let ct = ek.encrypt(300, &nonces[0]);
    RangeProof::prove(&ctx(), &ek, &[ct], &[300], &nrefs[..1], 45, 300, &mut r)
        .unwrap()
        .verify(&ctx(), &key, &[ct], 45, 300, &mut r)
        .unwrap();
    // A 32-bit proof.
    let big = u64::from(u32::MAX);
    let ct = ek.encrypt(big, &nonces[1]);
    RangeProof::prove(&ctx(), &ek, &[ct], &[big], &nrefs[1..2], 0, big, &mut r)
        .unwrap()
        .verify(&ctx(), &key, &[ct], 0, big, &mut r)
        .unwrap();
}

#[test]
fn decoders_name_the_problem() {
    let e = SchnorrProof::from_bytes(&[0u8; 63]).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::Truncated { offset: 32 });
    assert_eq!(e.code(), "decode.truncated");
    let mut b = [0u8; 64];
    b[32..].copy_from_slice(&[0xff; 32]);
    assert_eq!(
        SchnorrProof::from_bytes(&b).unwrap_err().kind,
        DecodeErrorKind::NonCanonicalScalar
    );
    b[..32].copy_from_slice(&[0xff; 32]);
    assert_eq!(
        SchnorrProof::from_bytes(&b).unwrap_err().kind,
        DecodeErrorKind::InvalidPoint
    );
    assert_eq!(
        DisjunctiveProof::from_bytes(&[0u8; 225]).unwrap_err().kind,
        DecodeErrorKind::WrongLength {
            expected: 224,
            found: 225
        }
    );
    assert!(matches!(
        Ciphertext::from_bytes(&[0u8; 65]).unwrap_err().kind,
        DecodeErrorKind::WrongLength { .. }
    ));
    assert_eq!(
        PublicKey::from_bytes(&[0u8; 32]).unwrap_err().kind,
        DecodeErrorKind::IdentityPoint
    );
    assert!(RangeProof::from_bytes(&[]).is_err());
    assert!(RangeProof::from_bytes(&[0, 0, 0, 0]).is_err());
}

#[test]
fn serde_json_round_trips() {
    let (_, ek, mut r) = setup(8);
    let nonce = Nonce::random(&mut r);
    let (ct, proof) =
        DisjunctiveProof::encrypt_and_prove(&ctx(), &ek, 1, 1, &nonce, &mut r).unwrap();
    let js = serde_json::to_string(&(ct, &proof)).unwrap();
    let (ct2, proof2): (Ciphertext, DisjunctiveProof) = serde_json::from_str(&js).unwrap();
    assert_eq!((ct, &proof), (ct2, &proof2));
    // A non-canonical scalar inside the hex is refused by serde too.
    let bad = js.replace(
        &ostracon::hex::encode(&proof.to_bytes()[192..224]),
        &"ff".repeat(32),
    );
    assert!(serde_json::from_str::<(Ciphertext, DisjunctiveProof)>(&bad).is_err());
}

/// Makes `n` valid 0/1 disjunctive proofs.
fn disjunctive_batch(
    ek: &EncryptionKey,
    n: usize,
    r: &mut StdRng,
) -> Vec<(ProofContext, Ciphertext, DisjunctiveProof)> {
    (0..n)
        .map(|i| {
            let c = ctx().bind_u64(b"i", i as u64);
            let nonce = Nonce::random(r);
            let (ct, p) =
                DisjunctiveProof::encrypt_and_prove(&c, ek, (i % 2) as u64, 1, &nonce, r).unwrap();
            (c, ct, p)
        })
        .collect()
}

#[test]
fn batch_names_every_bad_proof() {
    let (_, ek, mut r) = setup(9);
    let key = *ek.public_key();
    let mut set = disjunctive_batch(&ek, 40, &mut r);
    // Corrupt proofs 3 and 17 in different ways: another ciphertext, another context.
    set[3].1 = ek.encrypt(0, &Nonce::random(&mut r));
    set[17].0 = ctx().bind_u64(b"i", 999);
    let items: Vec<_> = set
        .iter()
        .map(|(c, ct, p)| p.item(c, &key, ct, 1))
        .collect();
    assert_eq!(batch::failing(&items, &mut r), vec![3, 17]);
    assert_eq!(batch::failing_sequential(&items, &mut r), vec![3, 17]);
    let e = batch::verify(&items, &mut r).unwrap_err();
    assert_eq!((e.kind, e.index), (ProofKind::Disjunctive, Some(3)));
    assert!(batch::verify(&items[4..17], &mut r).is_ok());
}

#[test]
fn batches_of_each_kind() {
    let (sk, ek, mut r) = setup(10);
    let key = *ek.public_key();
    // Schnorr
    let xs: Vec<Scalar> = (0..8).map(|_| Scalar::random(&mut r)).collect();
    let pubs: Vec<Point> = xs
        .iter()
        .map(|x| Point::new(x * group::table_h()))
        .collect();
    let c = ctx();
    let proofs: Vec<SchnorrProof> = xs
        .iter()
        .zip(&pubs)
        .map(|(x, p)| SchnorrProof::prove(&c, Base::H, x, p, &mut r))
        .collect();
    let mut items: Vec<_> = proofs
        .iter()
        .zip(&pubs)
        .map(|(p, x)| p.item(&c, Base::H, x))
        .collect();
    assert!(batch::verify(&items, &mut r).is_ok());
    items[5].public = &pubs[4];
    assert_eq!(batch::failing(&items, &mut r), vec![5]);
    // DLEQ
    let cts: Vec<Ciphertext> = (0..6).map(|v| ek.encrypt_with_rng(v, &mut r).0).collect();
    let sts: Vec<DleqStatement> = cts
        .iter()
        .map(|ct| DleqStatement {
            base1: *group::generator_h(),
            public1: *key.point(),
            base2: ct.a,
            public2: Point::new(ct.a.point() * sk.as_scalar()),
        })
        .collect();
    let dps: Vec<DleqProof> = sts
        .iter()
        .map(|s| DleqProof::prove(&c, s, sk.as_scalar(), &mut r))
        .collect();
    let mut ditems: Vec<_> = dps.iter().zip(&sts).map(|(p, s)| p.item(&c, s)).collect();
    assert!(batch::verify(&ditems, &mut r).is_ok());
    ditems[0].statement = &sts[1];
    ditems[1].statement = &sts[0];
    assert_eq!(batch::failing(&ditems, &mut r), vec![0, 1]);
    // Well-formedness
    let nonces: Vec<Nonce> = (0..6).map(|_| Nonce::random(&mut r)).collect();
    let wcts: Vec<Ciphertext> = nonces
        .iter()
        .enumerate()
        .map(|(v, n)| ek.encrypt(v as u64, n))
        .collect();
    let wps: Vec<WellFormedProof> = wcts
        .iter()
        .zip(&nonces)
        .enumerate()
        .map(|(v, (ct, n))| WellFormedProof::prove(&c, &ek, ct, &Scalar::from(v as u64), n, &mut r))
        .collect();
    let mut witems: Vec<_> = wps
        .iter()
        .zip(&wcts)
        .map(|(p, ct)| p.item(&c, &key, ct))
        .collect();
    assert!(batch::verify(&witems, &mut r).is_ok());
    witems[2].ct = &wcts[3];
    assert_eq!(batch::failing(&witems, &mut r), vec![2]);
    // Items that disagree on the key are still verified correctly, one by one.
    let other = SecretKey::random(&mut r).public_key();
    witems[2].ct = &wcts[2];
    witems[4].key = &other;
    assert_eq!(batch::failing(&witems, &mut r), vec![4]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn homomorphism_and_decryption(a in 0u64..1_000_000, b in 0u64..1_000_000, w in 0u64..1000, seed: u64) {
        let (sk, ek, mut r) = setup(seed);
        let (ca, _) = ek.encrypt_with_rng(a, &mut r);
        let (cb, _) = ek.encrypt_with_rng(b, &mut r);
        let table = ostracon::dlog::DlogTable::new(1 << 10);
        let sum = ca.raw() + cb.raw();
        prop_assert_eq!(table.find(&sk.decrypt_to_point(&sum), 1 << 21).unwrap(), a + b);
        let diff = sum - cb.raw();
        prop_assert_eq!(table.find(&sk.decrypt_to_point(&diff), 1 << 21).unwrap(), a);
        let weighted = ca.raw().scale(w);
        prop_assert_eq!(table.find(&sk.decrypt_to_point(&weighted), 1 << 30).unwrap(), a * w);
        prop_assert_eq!(Ciphertext::from_bytes(&ca.to_bytes()).unwrap(), ca);
        prop_assert_eq!(sum.to_ciphertext().raw(), sum);
    }

    #[test]
    fn disjunctive_completeness_and_batch_equals_single(max in 1u64..6, seed: u64, corrupt in proptest::option::of(0usize..6), how in 0u8..3) {
        let (_, ek, mut r) = setup(seed);
        let key = *ek.public_key();
        let mut set: Vec<_> = (0..6u64).map(|i| {
            let c = ctx().bind_u64(b"i", i);
            let nonce = Nonce::random(&mut r);
            let v = (i * 7 + seed) % (max + 1);
            let (ct, p) = DisjunctiveProof::encrypt_and_prove(&c, &ek, v, max, &nonce, &mut r).unwrap();
            (c, ct, p)
        }).collect();
        if let Some(i) = corrupt {
            match how {
                0 => { let mut b = set[i].2.to_bytes(); b[40] ^= 4; if let Ok(p) = DisjunctiveProof::from_bytes(&b) { set[i].2 = p } else { set[i].1 = ek.encrypt(0, &Nonce::random(&mut r)) } }
                1 => set[i].1 = ek.encrypt(max + 1, &Nonce::random(&mut r)),
                _ => set[i].0 = ctx().bind_u64(b"i", 100),
            }
        }
        let items: Vec<_> = set.iter().map(|(c, ct, p)| p.item(c, &key, ct, max)).collect();
        let singles: Vec<usize> = items.iter().enumerate().filter(|(_, it)| !it.verify_single()).map(|(i, _)| i).collect();
        prop_assert_eq!(&batch::failing(&items, &mut r), &singles);
        prop_assert_eq!(&batch::failing_sequential(&items, &mut r), &singles);
        prop_assert_eq!(singles, corrupt.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn wellformed_and_schnorr_completeness(v: u64, seed: u64) {
        let (_, ek, mut r) = setup(seed);
        let nonce = Nonce::random(&mut r);
        let ct = ek.encrypt(v, &nonce);
        let p = WellFormedProof::prove(&ctx(), &ek, &ct, &Scalar::from(v), &nonce, &mut r);
        prop_assert!(p.verify(&ctx(), ek.public_key(), &ct).is_ok());
        prop_assert_eq!(WellFormedProof::from_bytes(&p.to_bytes()).unwrap(), p);
        let x = Scalar::random(&mut r);
        let pk = Point::new(&x * group::table_g());
        let s = SchnorrProof::prove(&ctx(), Base::G, &x, &pk, &mut r);
        prop_assert!(s.verify(&ctx(), Base::G, &pk).is_ok());
        prop_assert_eq!(SchnorrProof::from_bytes(&s.to_bytes()).unwrap(), s);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = SchnorrProof::from_bytes(&bytes);
        let _ = DleqProof::from_bytes(&bytes);
        let _ = DisjunctiveProof::from_bytes(&bytes);
        let _ = WellFormedProof::from_bytes(&bytes);
        let _ = RangeProof::from_bytes(&bytes);
        let _ = Ciphertext::from_bytes(&bytes);
        let _ = PublicKey::from_bytes(&bytes);
        let _ = Point::decode(&bytes, "p");
        if let Ok(p) = DisjunctiveProof::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes(), bytes);
        }
    }
}
