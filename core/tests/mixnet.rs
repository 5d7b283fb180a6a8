//! The mixnet path: verifiable shuffles (completeness, soundness, tampering), mix chains,
//! threshold decryption of the shuffled rows, and the IRV / STV counts.

use ostracon::ballot::{EncryptedBallot, PlaintextBallot};
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::dlog::DlogTable;
use ostracon::election::{Election, Parameters};
use ostracon::elgamal::{Ciphertext, EncryptionKey, Nonce, SecretKey};
use ostracon::group::Point;
use ostracon::keyceremony::{
    Announcement, CeremonyParams, EncryptedShare, KeyShare, Outcome, PublicCeremony, Trustee,
};
use ostracon::manifest::{Contest, ContestOption, Manifest, VoteRule};
use ostracon::mixnet::count::{self, Action, VOTE_SCALE};
use ostracon::mixnet::shuffle::{self, ShuffleProof};
use ostracon::mixnet::{self, encoding};
use ostracon::mixnet::{
    decryption_context, mix_context, verify_chain, MixError, MixList, MixStep, MixedBallot,
    ShuffleGenerators, ShuffleWitness,
};
use ostracon::threshold::{self, PartialDecryption, ThresholdError};
use ostracon::transcript::ProofContext;
use ostracon::{Error, ProofKind};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use sha2::Digest;

const DOMAIN: &[u8] = b"test election base hash";

fn election_ctx() -> ProofContext {
    ProofContext::new(DOMAIN)
}

struct Fixture {
    sk: SecretKey,
    ek: EncryptionKey,
    gens: ShuffleGenerators,
    rng: StdRng,
}

fn fixture(seed: u64, rows: usize) -> Fixture {
    let mut rng = StdRng::seed_from_u64(seed);
    let sk = SecretKey::random(&mut rng);
    let ek = sk.public_key().precompute();
    Fixture {
        sk,
        ek,
        gens: ShuffleGenerators::derive(DOMAIN, rows),
        rng,
    }
}

/// Rows `i` of width `w` encrypting `values(i, k) = 10·i + k`.
fn rows(f: &mut Fixture, n: usize, w: usize) -> (Vec<Ciphertext>, Vec<Vec<u64>>) {
    let plain: Vec<Vec<u64>> = (0..n)
        .map(|i| (0..w).map(|k| (10 * i + k) as u64).collect())
        .collect();
    let cts = plain
        .iter()
        .flatten()
        .map(|&v| f.ek.encrypt(v, &Nonce::random(&mut f.rng)))
        .collect();
    (cts, plain)
}

fn decrypt_rows(f: &Fixture, cts: &[Ciphertext], w: usize) -> Vec<Vec<u64>> {
    let table = DlogTable::new(1 << 10);
    cts.chunks(w)
        .map(|row| {
            row.iter()
                .map(|ct| {
                    table
                        .find(&f.sk.decrypt_to_point(&ct.raw()), 1 << 16)
                        .unwrap()
                })
                .collect()
        })
        .collect()
}

fn ctx0() -> ProofContext {
    mix_context(&election_ctx(), 0, 0)
}

#[test]
fn shuffle_is_complete_and_preserves_the_rows() {
    for (n, w) in [(1, 1), (2, 1), (7, 1), (5, 3), (16, 2)] {
        let mut f = fixture(n as u64 * 31 + w as u64, 16);
        let (input, plain) = rows(&mut f, n, w);
        let witness = ShuffleWitness::random(n, w, &mut f.rng);
        let (output, proof) =
            shuffle::shuffle(&ctx0(), &f.ek, &f.gens, &input, w, &witness, &mut f.rng).unwrap();
        shuffle::verify(
            &ctx0(),
            f.ek.public_key(),
            &f.gens,
            &input,
            &output,
            w,
            &proof,
            &mut f.rng,
        )
        .unwrap();
        // Output row i decrypts to input row π(i); every ciphertext is re-randomised.
        let out_plain = decrypt_rows(&f, &output, w);
        for (i, &p) in witness.permutation().iter().enumerate() {
            assert_eq!(out_plain[i], plain[p as usize]);
        }
        for (a, b) in input.iter().zip(&output) {
            assert_ne!(a, b);
        }
        // Encoding round trip.
        let bytes = proof.to_bytes();
        assert_eq!(bytes.len(), ShuffleProof::encoded_len(n, w));
        assert_eq!(ShuffleProof::from_bytes(&bytes).unwrap(), proof);
        // The digest a mixer signs is SHA-512 of exactly that encoding.
        let want: [u8; 64] = sha2::Sha512::digest(&bytes).into();
        assert_eq!(proof.digest(), want);
        let json = serde_json::to_string(&proof).unwrap();
        assert_eq!(serde_json::from_str::<ShuffleProof>(&json).unwrap(), proof);
    }
}

/// A valid shuffle of 6 rows × 2 for the soundness tests.
struct Valid {
    f: Fixture,
    input: Vec<Ciphertext>,
    output: Vec<Ciphertext>,
    proof: ShuffleProof,
}

const W: usize = 2;

fn valid(seed: u64) -> Valid {
    let mut f = fixture(seed, 8);
    let (input, _) = rows(&mut f, 6, W);
    let witness = ShuffleWitness::random(6, W, &mut f.rng);
    let (output, proof) =
        shuffle::shuffle(&ctx0(), &f.ek, &f.gens, &input, W, &witness, &mut f.rng).unwrap();
    Valid {
        f,
        input,
        output,
        proof,
    }
}

fn check(
    v: &mut Valid,
    input: &[Ciphertext],
    output: &[Ciphertext],
    proof: &ShuffleProof,
) -> Result<(), MixError> {
    shuffle::verify(
        &ctx0(),
        v.f.ek.public_key(),
        &v.f.gens,
        input,
        output,
        W,
        proof,
        &mut v.f.rng,
    )
}

fn add_zero(v: &mut Valid, ct: &Ciphertext) -> Ciphertext {
    // A re-encryption of the same plaintext: still not what the proof speaks of.
    let zero = v.f.ek.encrypt(0, &Nonce::random(&mut v.f.rng));
    (ct.raw() + zero.raw()).to_ciphertext()
}

#[test]
fn altered_output_is_rejected() {
    let mut v = valid(1);
    let (input, output, proof) = (v.input.clone(), v.output.clone(), v.proof.clone());
    check(&mut v, &input, &output, &proof).unwrap();

    // One ciphertext replaced by an encryption of another value.
    let mut bad = output.clone();
    bad[3] = v.f.ek.encrypt(999, &Nonce::random(&mut v.f.rng));
    assert_eq!(
        check(&mut v, &input, &bad, &proof),
        Err(MixError::InvalidShuffle)
    );

    // One ciphertext re-randomised after the proof was made.
    let mut bad = output.clone();
    bad[0] = add_zero(&mut v, &output[0]);
    assert_eq!(
        check(&mut v, &input, &bad, &proof),
        Err(MixError::InvalidShuffle)
    );

    // One row dropped and another duplicated.
    let mut bad = output.clone();
    bad[2 * W..3 * W].copy_from_slice(&output[..W]);
    assert_eq!(
        check(&mut v, &input, &bad, &proof),
        Err(MixError::InvalidShuffle)
    );

    // Two ciphertexts of one row swapped (a row is shuffled as a whole).
    let mut bad = output.clone();
    bad.swap(0, 1);
    assert_eq!(
        check(&mut v, &input, &bad, &proof),
        Err(MixError::InvalidShuffle)
    );

    // Rows permuted further after the proof.
    let mut bad = output.clone();
    bad.rotate_left(W);
    assert_eq!(
        check(&mut v, &input, &bad, &proof),
        Err(MixError::InvalidShuffle)
    );

    // A row missing altogether.
    let short = &output[..output.len() - W];
    assert!(matches!(
        check(&mut v, &input, short, &proof),
        Err(MixError::Shape { .. })
    ));
}

#[test]
fn proof_does_not_transfer_to_another_input_or_context() {
    let mut v = valid(2);
    let (input, output, proof) = (v.input.clone(), v.output.clone(), v.proof.clone());
    // A different input list (one ciphertext re-randomised).
    let mut other = input.clone();
    other[5] = add_zero(&mut v, &input[5]);
    assert_eq!(
        check(&mut v, &other, &output, &proof),
        Err(MixError::InvalidShuffle)
    );
    // Another step of the chain, another contest, another election.
    for ctx in [
        mix_context(&election_ctx(), 0, 1),
        mix_context(&election_ctx(), 1, 0),
        mix_context(&ProofContext::new(b"another election"), 0, 0),
    ] {
        let r = shuffle::verify(
            &ctx,
            v.f.ek.public_key(),
            &v.f.gens,
            &input,
            &output,
            W,
            &proof,
            &mut v.f.rng,
        );
        assert_eq!(r, Err(MixError::InvalidShuffle));
    }
    // Another key.
    let other_key = SecretKey::random(&mut v.f.rng).public_key();
    let r = shuffle::verify(
        &ctx0(),
        &other_key,
        &v.f.gens,
        &input,
        &output,
        W,
        &proof,
        &mut v.f.rng,
    );
    assert_eq!(r, Err(MixError::InvalidShuffle));
    // Other generators (another election's domain).
    let gens = ShuffleGenerators::derive(b"another election", 8);
    let r = shuffle::verify(
        &ctx0(),
        v.f.ek.public_key(),
        &gens,
        &input,
        &output,
        W,
        &proof,
        &mut v.f.rng,
    );
    assert_eq!(r, Err(MixError::InvalidShuffle));
}

type Mutation = Box<dyn Fn(&mut ShuffleProof)>;

#[test]
fn every_proof_element_is_bound() {
    let mut v = valid(3);
    let (input, output, proof) = (v.input.clone(), v.output.clone(), v.proof.clone());
    let p = Point::new(ostracon::group::generator_g());
    let mutations: Vec<(&str, Mutation)> = vec![
        ("commitment", Box::new(move |q| q.commitments[1] = p)),
        ("chain", Box::new(move |q| q.chain[4] = p)),
        ("t1", Box::new(move |q| q.t[0] = p)),
        ("t2", Box::new(move |q| q.t[1] = p)),
        ("t3", Box::new(move |q| q.t[2] = p)),
        ("t4.A", Box::new(move |q| q.t4[1][0] = p)),
        ("t4.B", Box::new(move |q| q.t4[0][1] = p)),
        ("t_hat", Box::new(move |q| q.t_hat[5] = p)),
        ("s1", Box::new(|q| q.s[0] += Scalar::ONE)),
        ("s2", Box::new(|q| q.s[1] += Scalar::ONE)),
        ("s3", Box::new(|q| q.s[2] += Scalar::ONE)),
        ("s4", Box::new(|q| q.s4[1] += Scalar::ONE)),
        ("s_hat", Box::new(|q| q.s_hat[0] += Scalar::ONE)),
        ("s_prime", Box::new(|q| q.s_prime[3] += Scalar::ONE)),
        ("swapped s_prime", Box::new(|q| q.s_prime.swap(0, 1))),
    ];
    for (name, mutate) in mutations {
        let mut bad = proof.clone();
        mutate(&mut bad);
        assert_eq!(
            check(&mut v, &input, &output, &bad),
            Err(MixError::InvalidShuffle),
            "{name}"
        );
    }
    // Every byte of the encoding: a flip either fails to decode or fails to verify.
    let bytes = proof.to_bytes();
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        if let Ok(bad) = ShuffleProof::from_bytes(&b) {
            assert!(check(&mut v, &input, &output, &bad).is_err(), "byte {i}");
        }
    }
    assert!(ShuffleProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(ShuffleProof::from_bytes(&longer).is_err());
    assert!(ShuffleProof::from_bytes(&[]).is_err());
}

#[test]
fn a_shuffle_of_a_different_list_does_not_verify() {
    // A correct proof for list A, presented with list B as input.
    let mut v = valid(4);
    let (input_b, _) = rows(&mut v.f, 6, W);
    let output = v.output.clone();
    let proof = v.proof.clone();
    assert_eq!(
        check(&mut v, &input_b, &output, &proof),
        Err(MixError::InvalidShuffle)
    );
}

#[test]
fn witness_and_shapes_are_checked() {
    assert_eq!(
        ShuffleWitness::new(vec![0, 0, 1], vec![Scalar::ONE; 3]).unwrap_err(),
        MixError::NotAPermutation
    );
    assert_eq!(
        ShuffleWitness::new(vec![0, 3, 1], vec![Scalar::ONE; 3]).unwrap_err(),
        MixError::NotAPermutation
    );
    assert!(ShuffleWitness::new(vec![0, 2, 1], vec![Scalar::ONE; 4]).is_err());
    let mut f = fixture(5, 4);
    let (input, _) = rows(&mut f, 5, 1);
    let w = ShuffleWitness::random(5, 1, &mut f.rng);
    // Generators for 4 rows cannot prove 5.
    assert!(matches!(
        shuffle::shuffle(&ctx0(), &f.ek, &f.gens, &input, 1, &w, &mut f.rng),
        Err(MixError::Generators { needed: 5, have: 4 })
    ));
    // Width that does not divide the list.
    let gens = ShuffleGenerators::derive(DOMAIN, 8);
    assert!(matches!(
        shuffle::shuffle(&ctx0(), &f.ek, &gens, &input, 2, &w, &mut f.rng),
        Err(MixError::Shape { .. })
    ));
    assert!(matches!(
        shuffle::shuffle(&ctx0(), &f.ek, &gens, &[], 1, &w, &mut f.rng),
        Err(MixError::Shape { .. })
    ));
    // A chosen witness gives the chosen permutation.
    let chosen = ShuffleWitness::new(vec![4, 3, 2, 1, 0], vec![Scalar::from(7u8); 5]).unwrap();
    let (out, proof) =
        shuffle::shuffle(&ctx0(), &f.ek, &gens, &input, 1, &chosen, &mut f.rng).unwrap();
    shuffle::verify(
        &ctx0(),
        f.ek.public_key(),
        &gens,
        &input,
        &out,
        1,
        &proof,
        &mut f.rng,
    )
    .unwrap();
    let plain = decrypt_rows(&f, &out, 1);
    assert_eq!(plain, [[40], [30], [20], [10], [0]]);
    assert!(format!("{chosen:?}").contains("redacted"));
}

#[test]
fn generators_are_hashed_from_public_labels() {
    let a = ShuffleGenerators::derive(DOMAIN, 4);
    let b = ShuffleGenerators::derive(DOMAIN, 9);
    assert_eq!(a.rows(), 4);
    // Hᵢ does not depend on the number of rows: a proof made with generators for 9 rows
    // verifies with generators for exactly its rows, and vice versa.
    let mut f = fixture(6, 9);
    let (input, _) = rows(&mut f, 4, 1);
    let w = ShuffleWitness::random(4, 1, &mut f.rng);
    let (out, proof) = shuffle::shuffle(&ctx0(), &f.ek, &b, &input, 1, &w, &mut f.rng).unwrap();
    shuffle::verify(
        &ctx0(),
        f.ek.public_key(),
        &a,
        &input,
        &out,
        1,
        &proof,
        &mut f.rng,
    )
    .unwrap();
}

/// A one-trustee ceremony's fixture: its key share, whose secret is the fixture's
/// decryption key, and its verification share.
fn trustee_fixture(seed: u64, rows: usize) -> (Fixture, KeyShare, Vec<Point>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (ceremony, mut keys) = ceremony(1, 1, &mut rng);
    let key = keys.remove(0);
    let sk = SecretKey::from_scalar(*key.secret().as_scalar());
    assert_eq!(&sk.public_key(), ceremony.joint_key());
    let f = Fixture {
        ek: sk.public_key().precompute(),
        sk,
        gens: ShuffleGenerators::derive(DOMAIN, rows),
        rng,
    };
    (f, key, ceremony.verification_shares())
}

#[test]
fn mix_chain_verifies_and_names_the_bad_step() {
    let (mut f, key, shares) = trustee_fixture(7, 10);
    let w = 3;
    let (input, plain) = rows(&mut f, 10, w);
    let mut steps = Vec::new();
    for step in 0..3u32 {
        let prev = steps.last().map_or(&input, |s: &MixStep| &s.output).clone();
        steps.push(
            MixStep::run(
                &election_ctx(),
                0,
                step,
                &key,
                &f.ek,
                &f.gens,
                &prev,
                w,
                &mut f.rng,
            )
            .unwrap(),
        );
    }
    let last = verify_chain(
        &election_ctx(),
        0,
        f.ek.public_key(),
        &shares,
        &f.gens,
        &input,
        w,
        &steps,
        &mut f.rng,
    )
    .unwrap();
    let mut got = decrypt_rows(&f, last, w);
    let mut want = plain.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    // No steps: the input is the output.
    let none = verify_chain(
        &election_ctx(),
        0,
        f.ek.public_key(),
        &shares,
        &f.gens,
        &input,
        w,
        &[],
        &mut f.rng,
    )
    .unwrap();
    assert_eq!(none, &input[..]);
    // Steps out of order: step 0 now claims to shuffle the board's rows into step 1's output.
    let mut swapped = steps.clone();
    swapped.swap(1, 2);
    let err = verify_chain(
        &election_ctx(),
        0,
        f.ek.public_key(),
        &shares,
        &f.gens,
        &input,
        w,
        &swapped,
        &mut f.rng,
    )
    .unwrap_err();
    assert!(
        matches!(err, MixError::InvalidStep { step: 1, .. }),
        "{err}"
    );
    assert_eq!(err.code(), "mix.invalid_step");
    assert_eq!(
        Error::from(err),
        Error::Proof(ostracon::ProofError {
            kind: ProofKind::Shuffle,
            index: Some(1)
        })
    );
    // A step dropped.
    let dropped = vec![steps[0].clone(), steps[2].clone()];
    assert!(matches!(
        verify_chain(
            &election_ctx(),
            0,
            f.ek.public_key(),
            &shares,
            &f.gens,
            &input,
            w,
            &dropped,
            &mut f.rng
        ),
        Err(MixError::InvalidStep { step: 1, .. })
    ));
    // Steps serialise (JSON) and come back identical.
    let json = serde_json::to_string(&steps).unwrap();
    assert_eq!(serde_json::from_str::<Vec<MixStep>>(&json).unwrap(), steps);
}

/// The key shares of a fresh honest ceremony.
fn ceremony_keys(n: u32, t: u32, seed: u64) -> Vec<KeyShare> {
    ceremony(n, t, &mut StdRng::seed_from_u64(seed)).1
}

/// An honest `t`-of-`n` ceremony through the message API.
fn ceremony(n: u32, t: u32, rng: &mut StdRng) -> (PublicCeremony, Vec<KeyShare>) {
    let params = CeremonyParams::new(n, t, [0x44; 32]).unwrap();
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

/// Ranked ballots through the whole path: encode, encrypt, three trustees mix, any three
/// of five decrypt with proofs, decode, count.
#[test]
fn ranked_election_through_mixnet_and_threshold_decryption() {
    let mut rng = StdRng::seed_from_u64(8);
    let (ceremony, keys) = ceremony(5, 3, &mut rng);
    let ek = ceremony.joint_key().precompute();
    let options = 4;
    let rankings: Vec<Vec<u32>> = vec![
        vec![0, 1],
        vec![0, 2, 1],
        vec![1, 0],
        vec![1, 2],
        vec![2, 1, 0, 3],
        vec![2, 1],
        vec![3],
        vec![],
        vec![0],
    ];
    let mut input = Vec::new();
    for r in &rankings {
        for v in encoding::encode_ranking(r, options).unwrap() {
            input.push(ek.encrypt(v, &Nonce::random(&mut rng)));
        }
    }
    let gens = ShuffleGenerators::derive(DOMAIN, rankings.len());
    let mut steps: Vec<MixStep> = Vec::new();
    for (step, mixer) in [1u32, 2, 4].into_iter().enumerate() {
        let prev = steps.last().map_or(&input, |s| &s.output).clone();
        steps.push(
            MixStep::run(
                &election_ctx(),
                2,
                step as u32,
                &keys[mixer as usize - 1],
                &ek,
                &gens,
                &prev,
                options,
                &mut rng,
            )
            .unwrap(),
        );
    }
    let shares = ceremony.verification_shares();
    let last = verify_chain(
        &election_ctx(),
        2,
        ceremony.joint_key(),
        &shares,
        &gens,
        &input,
        options,
        &steps,
        &mut rng,
    )
    .unwrap()
    .to_vec();
    assert_eq!(mixnet::distinct_mixers(steps.iter().map(|s| s.mixer)), 3);
    // Each step is the named trustee's: relabelled, re-signed by another trustee, with
    // another step's signature, or naming no trustee, it is refused at its position.
    let refuse = |steps: &[MixStep], rng: &mut StdRng| {
        verify_chain(
            &election_ctx(),
            2,
            ceremony.joint_key(),
            &shares,
            &gens,
            &input,
            options,
            steps,
            rng,
        )
        .unwrap_err()
    };
    let mut relabelled = steps.clone();
    relabelled[1].mixer = 3;
    let err = refuse(&relabelled, &mut rng);
    assert!(
        matches!(&err, MixError::InvalidStep { step: 1, reason }
            if **reason == MixError::InvalidSignature { mixer: 3 }),
        "{err}"
    );
    assert!(err.to_string().contains("not signed by trustee 3"), "{err}");
    let mut moved = steps.clone();
    moved[2].signature = steps[1].signature;
    assert!(matches!(
        refuse(&moved, &mut rng),
        MixError::InvalidStep { step: 2, reason } if *reason == MixError::InvalidSignature { mixer: 4 }
    ));
    for nobody in [0, 6, u32::MAX] {
        let mut stranger = steps.clone();
        stranger[0].mixer = nobody;
        assert!(matches!(
            refuse(&stranger, &mut rng),
            MixError::InvalidStep { step: 0, reason } if *reason == MixError::UnknownMixer { mixer: nobody }
        ));
    }
    // A key share of another election does not shuffle this one.
    let other = ceremony_keys(3, 2, 99);
    assert_eq!(
        MixStep::run(
            &election_ctx(),
            2,
            3,
            &other[0],
            &ek,
            &gens,
            &last,
            options,
            &mut rng
        ),
        Err(MixError::ForeignKeyShare)
    );
    let dctx = election_ctx().bind(b"mixnet decryption", b"contest 2");
    let partials: Vec<PartialDecryption> = [&keys[0], &keys[2], &keys[4]]
        .iter()
        .map(|k| PartialDecryption::from_key_share(&dctx, k, &last, &mut rng))
        .collect();
    let points = threshold::decrypt(&dctx, &ceremony, &last, &partials, &mut rng).unwrap();
    let table = DlogTable::new(64);
    let values: Vec<u64> = points
        .iter()
        .map(|p| table.find(p, options as u64 + 1).unwrap())
        .collect();
    let mut decoded: Vec<Vec<u32>> = values
        .chunks(options)
        .map(|row| encoding::decode_ranking(row, options).unwrap())
        .collect();
    let mut want = rankings.clone();
    decoded.sort();
    want.sort();
    assert_eq!(decoded, want);
    // IRV: first preferences 0:3, 1:2, 2:2, 3:1 (8 non-blank). 3 is eliminated
    // (exhausts), then 1 vs 2 tie at 2 with equal history → 2 (listed last) is
    // eliminated: its ballots go to 1 → 0:3, 1:4 of 7 → 1 wins.
    let result = count::irv(&decoded, options);
    assert_eq!(result.elected, [1]);
    assert_eq!(result.blank, 1);
    assert_eq!(result.ballots, 8);
}

#[test]
fn irv_hand_checked() {
    // 5 options; 21 ballots.
    let mut ballots = Vec::new();
    ballots.extend(std::iter::repeat_n(vec![0, 1, 2], 8));
    ballots.extend(std::iter::repeat_n(vec![1, 2, 0], 5));
    ballots.extend(std::iter::repeat_n(vec![2, 1, 0], 4));
    ballots.extend(std::iter::repeat_n(vec![3, 2], 3));
    ballots.extend(std::iter::repeat_n(vec![4], 1));
    let c = count::irv(&ballots, 5);
    // Round 1: 8 5 4 3 1 → eliminate 4 (exhausts). Round 2: 8 5 4 3 0, 20 live →
    // eliminate 3 → 2 gets 3. Round 3: 8 5 7 → eliminate 1 → 2 gets 5. Round 4: 8 vs
    // 12 → 2 wins with 12 of 20.
    assert_eq!(c.elected, [2]);
    let actions: Vec<&Action> = c.rounds.iter().map(|r| &r.action).collect();
    assert_eq!(
        actions,
        [
            &Action::Eliminated { option: 4 },
            &Action::Eliminated { option: 3 },
            &Action::Eliminated { option: 1 },
            &Action::Elected { options: vec![2] },
        ]
    );
    assert_eq!(c.rounds[0].tallies, [8, 5, 4, 3, 1]);
    assert_eq!(c.rounds[1].exhausted, 1);
    assert_eq!(c.rounds[3].tallies, [8, 0, 12, 0, 0]);
    // A first-round majority wins at once.
    let c = count::irv(&[vec![0], vec![0], vec![1]], 2);
    assert_eq!(c.elected, [0]);
    assert_eq!(c.rounds.len(), 1);
    // Nobody votes: no winner after everyone is eliminated... or the last one standing.
    let c = count::irv(&[vec![], vec![]], 3);
    assert_eq!(c.blank, 2);
    assert!(c.elected.len() <= 1);
    // Tie broken by the earlier round: 1 and 2 tie in round 2 but 2 had fewer in round 1.
    let mut b = Vec::new();
    b.extend(std::iter::repeat_n(vec![0], 5));
    b.extend(std::iter::repeat_n(vec![1], 3));
    b.extend(std::iter::repeat_n(vec![2], 2));
    b.extend(std::iter::repeat_n(vec![3, 2], 1));
    let c = count::irv(&b, 4);
    assert_eq!(c.rounds[0].action, Action::Eliminated { option: 3 });
    assert_eq!(c.rounds[1].tallies, [5, 3, 3, 0]);
    assert_eq!(c.rounds[1].action, Action::Eliminated { option: 2 });
}

#[test]
fn stv_hand_checked() {
    // 3 seats, 4 options, 20 ballots: quota ⌊20/4⌋ + 1 = 6.
    let mut b = Vec::new();
    b.extend(std::iter::repeat_n(vec![0, 1], 10));
    b.extend(std::iter::repeat_n(vec![2], 4));
    b.extend(std::iter::repeat_n(vec![3], 3));
    b.extend(std::iter::repeat_n(vec![1, 3], 3));
    let c = count::stv(&b, 4, 3);
    assert_eq!(c.quota, 6 * VOTE_SCALE);
    // Round 1: 0 has 10 ≥ 6 → elected. Round 2: surplus 4 of 10 moves to 1 at 0.4 each:
    // 1 has 3 + 4 = 7 → elected (round 3), surplus 1 of 7 → 3 gets 3/7·... and 1's
    // other ballots exhaust. Then 2 (4) vs 3 (3 + ~0.43): 3 is eliminated, 2 is
    // elected as the last continuing option.
    assert_eq!(c.rounds[0].action, Action::Elected { options: vec![0] });
    assert_eq!(c.rounds[1].action, Action::Surplus { option: 0 });
    assert_eq!(c.rounds[2].tallies[1], 7 * VOTE_SCALE);
    assert_eq!(c.rounds[2].action, Action::Elected { options: vec![1] });
    assert_eq!(c.elected, [0, 1, 2]);
    // Elected options show the quota they keep once their surplus moved.
    assert_eq!(c.rounds[2].tallies[0], 6 * VOTE_SCALE);
    // Nothing is created: every round's total is the ballots minus what rounding lost.
    for r in &c.rounds {
        let total: u64 = r.tallies.iter().sum::<u64>() + r.exhausted;
        assert!(
            total <= 20 * VOTE_SCALE && total + c.lost >= 20 * VOTE_SCALE,
            "{r:?}"
        );
    }
    // One seat: STV elects the IRV winner here.
    let mut b = Vec::new();
    b.extend(std::iter::repeat_n(vec![0, 1, 2], 8));
    b.extend(std::iter::repeat_n(vec![1, 2, 0], 5));
    b.extend(std::iter::repeat_n(vec![2, 1, 0], 4));
    b.extend(std::iter::repeat_n(vec![3, 2], 3));
    b.extend(std::iter::repeat_n(vec![4], 1));
    assert_eq!(count::stv(&b, 5, 1).elected, count::irv(&b, 5).elected);
    // Seats as many as options: all elected.
    assert_eq!(count::stv(&[vec![1]], 2, 2).elected.len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Completeness over sizes and widths; the output is a permutation of the input's
    /// plaintext rows.
    #[test]
    fn shuffle_complete_over_sizes(n in 1usize..7, w in 1usize..4, seed in any::<u64>()) {
        let mut f = fixture(seed, 7);
        let (input, plain) = rows(&mut f, n, w);
        let witness = ShuffleWitness::random(n, w, &mut f.rng);
        let (output, proof) = shuffle::shuffle(&ctx0(), &f.ek, &f.gens, &input, w, &witness, &mut f.rng).unwrap();
        prop_assert!(shuffle::verify(&ctx0(), f.ek.public_key(), &f.gens, &input, &output, w, &proof, &mut f.rng).is_ok());
        let mut got = decrypt_rows(&f, &output, w);
        let mut want = plain;
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
    }

    /// Soundness against one altered ciphertext anywhere in the output.
    #[test]
    fn one_altered_ciphertext_is_caught(n in 2usize..6, w in 1usize..3, pos in any::<prop::sample::Index>(), seed in any::<u64>()) {
        let mut f = fixture(seed, 6);
        let (input, _) = rows(&mut f, n, w);
        let witness = ShuffleWitness::random(n, w, &mut f.rng);
        let (mut output, proof) = shuffle::shuffle(&ctx0(), &f.ek, &f.gens, &input, w, &witness, &mut f.rng).unwrap();
        let i = pos.index(output.len());
        let one = f.ek.encrypt(1, &Nonce::from_scalar(Scalar::ZERO));
        output[i] = (output[i].raw() + one.raw()).to_ciphertext();
        prop_assert_eq!(
            shuffle::verify(&ctx0(), f.ek.public_key(), &f.gens, &input, &output, w, &proof, &mut f.rng),
            Err(MixError::InvalidShuffle)
        );
    }

    /// Decoders never panic and reject what they cannot read.
    #[test]
    fn proof_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = ShuffleProof::from_bytes(&bytes);
    }

    /// Ranking encoding round-trips; IRV and STV never panic and elect at most the seats.
    #[test]
    fn counts_are_total(ballots in prop::collection::vec(prop::collection::vec(0u32..6, 0..6), 0..40), seats in 1u32..4) {
        let rankings: Vec<Vec<u32>> = ballots
            .iter()
            .map(|b| {
                let mut seen = Vec::new();
                for &o in b { if !seen.contains(&o) { seen.push(o) } }
                seen
            })
            .collect();
        for r in &rankings {
            let row = encoding::encode_ranking(r, 6).unwrap();
            prop_assert_eq!(&encoding::decode_ranking(&row, 6).unwrap(), r);
        }
        let c = count::irv(&rankings, 6);
        prop_assert!(c.elected.len() <= 1);
        let s = count::stv(&rankings, 6, seats);
        prop_assert!(s.elected.len() <= seats as usize);
        let mut dedup = s.elected.clone();
        dedup.sort();
        dedup.dedup();
        prop_assert_eq!(dedup.len(), s.elected.len());
        if rankings.iter().any(|r| !r.is_empty()) {
            prop_assert_eq!(c.elected.len(), 1);
            prop_assert_eq!(s.elected.len(), seats as usize);
        }
    }
}

/// An election with an approval, a ranked and a write-in contest, its 2-of-3 ceremony
/// and the trustees' key shares.
fn mixnet_election(rng: &mut StdRng) -> (Election, PublicCeremony, Vec<KeyShare>) {
    let (ceremony, keys) = ceremony(3, 2, rng);
    let contest = |id: &str, n: usize, rule: VoteRule| Contest {
        id: id.into(),
        title: id.into(),
        options: (0..n)
            .map(|i| ContestOption {
                id: format!("{id}-{i}"),
                label: format!("{id} {i}"),
            })
            .collect(),
        rule,
    };
    let manifest = Manifest {
        election_id: "mix-list".into(),
        title: "Mix list".into(),
        contests: vec![
            contest("mayor", 3, VoteRule::Approval { min: 0, max: 1 }),
            contest("ranked", 3, VoteRule::Ranked { seats: 1 }),
            contest("write-in", 1, VoteRule::WriteIn { max_len: 5 }),
        ],
    };
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    let params = Parameters::new(3, 2);
    let election = Election::new(manifest, params, commitments).unwrap();
    (election, ceremony, keys)
}

/// `MixList` keeps the record's order rules (rows, then shuffles, then decryptions),
/// verifies each shuffle at its position and each decryption against the final list,
/// refuses every alteration with its own error, and decrypts to the ballots cast.
#[test]
fn mix_list_keeps_the_order_and_refuses_every_alteration() {
    let mut rng = StdRng::seed_from_u64(21);
    let (election, ceremony, keys) = mixnet_election(&mut rng);
    let lists = MixList::for_manifest(election.manifest());
    assert_eq!(
        lists.iter().map(MixList::contest).collect::<Vec<_>>(),
        [1, 2]
    );
    let texts = ["Zoë", "", "Ada", "Zoë", "Bo"];
    let ballots: Vec<EncryptedBallot> = (0..5u32)
        .map(|i| {
            let p = PlaintextBallot::new()
                .with("mayor", vec![u64::from(i % 2), 0, 0])
                .with_ranking("ranked", &[i % 3, (i + 1) % 3])
                .with_write_in("write-in", texts[i as usize]);
            election
                .encrypt_ballot(&format!("b{i}"), &p, None, &mut rng)
                .unwrap()
                .0
        })
        .collect();
    let fill = |mut l: MixList| {
        for b in &ballots {
            l.push_ballot(b).unwrap();
        }
        l
    };
    let mut mixer = fill(MixList::new(1, 3));
    let mut checker = fill(MixList::new(1, 3));
    assert_eq!(mixer.row_count(), 5);
    let gens = ShuffleGenerators::derive(election.base_hash(), 5);

    // A row of the wrong width, or of a contest the ballot lacks, is a shape error.
    let short = &ballots[0].contests[1].selections[..2];
    assert!(matches!(
        MixList::new(1, 3).push_row(short),
        Err(MixError::Shape { .. })
    ));
    assert!(matches!(
        MixList::new(7, 3).push_ballot(&ballots[0]),
        Err(MixError::Shape { .. })
    ));
    // Nothing to shuffle in an empty list.
    assert_eq!(
        MixList::new(1, 3).mix(&election, &keys[0], &gens, &mut rng),
        Err(MixError::EmptyList)
    );
    // No decryption before a shuffle: it would reveal each voter's ranking.
    assert_eq!(
        checker.partial_decryption(&election, &keys[0], false, &mut rng),
        Err(MixError::NotMixed)
    );
    let early = PartialDecryption::from_key_share(
        &decryption_context(&election.decryption_context(), 1),
        &keys[0],
        checker.rows(),
        &mut rng,
    );
    assert_eq!(
        checker.add_decryption(&election, &ceremony, early, &mut rng),
        Err(MixError::NotMixed)
    );

    // Two shuffles, each verified at its position.
    let first = mixer.mix(&election, &keys[0], &gens, &mut rng).unwrap();
    let second = mixer.mix(&election, &keys[2], &gens, &mut rng).unwrap();
    assert_eq!(mixer.steps(), 2);
    // Rows come before the first shuffle.
    assert_eq!(mixer.push_ballot(&ballots[0]), Err(MixError::InputClosed));
    // The second shuffle is not a first one, and an altered first one fails.
    let refused = checker
        .clone()
        .push_step(&election, &gens, second.clone(), &mut rng);
    assert!(matches!(
        refused,
        Err(MixError::InvalidStep { step: 0, .. })
    ));
    let mut swapped = first.clone();
    swapped.output.swap(0, 3);
    let refused = checker
        .clone()
        .push_step(&election, &gens, swapped, &mut rng);
    assert!(matches!(
        refused,
        Err(MixError::InvalidStep { step: 0, .. })
    ));
    checker
        .push_step(&election, &gens, first.clone(), &mut rng)
        .unwrap();
    // Replaying the first shuffle as the second fails (position and input are bound).
    let refused = checker
        .clone()
        .push_step(&election, &gens, first.clone(), &mut rng);
    assert!(matches!(
        refused,
        Err(MixError::InvalidStep { step: 1, .. })
    ));
    checker
        .push_step(&election, &gens, second.clone(), &mut rng)
        .unwrap();
    assert_eq!(checker.rows(), mixer.rows());

    assert_eq!(checker.mixers(), [1, 3]);
    assert!(checker.is_mixed_by(3) && !checker.is_mixed_by(2));
    // A trustee that requires its own shuffle refuses a list it did not shuffle.
    assert_eq!(
        mixer.partial_decryption(&election, &keys[1], true, &mut rng),
        Err(MixError::NotMixedBy { trustee: 2 })
    );
    // Decryptions of the final list.
    let d1 = mixer
        .partial_decryption(&election, &keys[0], false, &mut rng)
        .unwrap();
    let d3 = mixer
        .partial_decryption(&election, &keys[2], false, &mut rng)
        .unwrap();
    let mut stranger = d1.clone();
    stranger.trustee = 9;
    assert_eq!(
        checker.add_decryption(&election, &ceremony, stranger, &mut rng),
        Err(MixError::Decryption(ThresholdError::UnknownTrustee {
            trustee: 9
        }))
    );
    let mut impostor = d1.clone();
    impostor.trustee = 2;
    assert!(matches!(
        checker.add_decryption(&election, &ceremony, impostor, &mut rng),
        Err(MixError::Decryption(ThresholdError::InvalidProof {
            trustee: 2,
            ..
        }))
    ));
    // A decryption of the list before the last shuffle does not verify.
    let mut stale = fill(MixList::new(1, 3));
    stale.push_step(&election, &gens, first, &mut rng).unwrap();
    // (An honest trustee does not decrypt a list one trustee shuffled.)
    assert_eq!(
        stale.partial_decryption(&election, &keys[1], false, &mut rng),
        Err(MixError::TooFewMixers {
            distinct: 1,
            required: 2
        })
    );
    let old = PartialDecryption::from_key_share(
        &decryption_context(&election.decryption_context(), 1),
        &keys[1],
        stale.rows(),
        &mut rng,
    );
    assert!(matches!(
        checker.add_decryption(&election, &ceremony, old, &mut rng),
        Err(MixError::Decryption(ThresholdError::InvalidProof {
            trustee: 2,
            ..
        }))
    ));
    checker
        .add_decryption(&election, &ceremony, d1.clone(), &mut rng)
        .unwrap();
    assert!(!checker.is_ready(election.parameters()));
    assert!(matches!(
        checker.result(&election, &DlogTable::default()),
        Err(MixError::Decryption(ThresholdError::TooFewPartials {
            needed: 2,
            found: 1
        }))
    ));
    // No shuffle once decryption has begun.
    let third = mixer
        .clone()
        .mix(&election, &keys[1], &gens, &mut rng)
        .unwrap();
    assert_eq!(
        checker.clone().push_step(&election, &gens, third, &mut rng),
        Err(MixError::AfterDecryption)
    );
    checker
        .add_decryption(&election, &ceremony, d3.clone(), &mut rng)
        .unwrap();
    assert!(checker.is_ready(election.parameters()));
    assert!(checker.is_decrypted_by(1) && checker.is_decrypted_by(3));
    assert!(!checker.is_decrypted_by(2));

    // The result is that of the rankings cast.
    let result = checker.result(&election, &DlogTable::default()).unwrap();
    let mut want: Vec<Vec<u32>> = (0..5u32).map(|i| vec![i % 3, (i + 1) % 3]).collect();
    want.sort();
    let got: Vec<Vec<u32>> = result
        .ballots
        .iter()
        .map(|b| match b {
            MixedBallot::Ranking(r) => r.clone(),
            other => panic!("not a ranking: {other:?}"),
        })
        .collect();
    assert_eq!(got, want);
    assert!(result.count.is_some());

    // Restoring stored steps and decryptions gives the same list.
    let mut restored = fill(MixList::new(1, 3));
    let mut again = fill(MixList::new(1, 3));
    let s1 = again.mix(&election, &keys[0], &gens, &mut rng).unwrap();
    restored.restore_step(s1);
    assert_eq!(restored, again);
    restored.restore_decryption(d1.clone());
    restored.restore_decryption(d1);
    assert_eq!(restored.partials().len(), 1);
}

/// The write-in list decrypts to the texts cast; a list with no counted ballot is
/// ready with no shuffle and no decryption, and its result is empty.
#[test]
fn mix_list_write_ins_and_empty_lists() {
    let mut rng = StdRng::seed_from_u64(22);
    let (election, ceremony, keys) = mixnet_election(&mut rng);
    let texts = ["Zoë", "", "Ada", "Zoë"];
    let mut list = MixList::for_manifest(election.manifest()).remove(1);
    assert_eq!(list.contest(), 2);
    for (i, t) in texts.iter().enumerate() {
        let p = PlaintextBallot::new().with_write_in("write-in", t);
        let (b, _) = election
            .encrypt_ballot(&format!("w{i}"), &p, None, &mut rng)
            .unwrap();
        list.push_ballot(&b).unwrap();
    }
    let gens = ShuffleGenerators::derive(election.base_hash(), texts.len());
    let step = list.mix(&election, &keys[1], &gens, &mut rng).unwrap();
    // One trustee's shuffle is not enough (t = 2): it could undo its own permutation.
    assert_eq!(
        list.partial_decryption(&election, &keys[1], false, &mut rng),
        Err(MixError::TooFewMixers {
            distinct: 1,
            required: 2
        })
    );
    list.mix(&election, &keys[2], &gens, &mut rng).unwrap();
    let mut checker = MixList::for_manifest(election.manifest()).remove(1);
    for i in 0..texts.len() {
        let w = checker.width();
        checker.push_row(&step.output[i * w..(i + 1) * w]).unwrap();
    }
    // A list holding the first shuffle's output as its input is not that shuffle's input.
    assert!(matches!(
        checker
            .clone()
            .push_step(&election, &gens, step.clone(), &mut rng),
        Err(MixError::InvalidStep { step: 0, .. })
    ));
    for k in [&keys[1], &keys[2]] {
        let d = list
            .partial_decryption(&election, k, false, &mut rng)
            .unwrap();
        list.add_decryption(&election, &ceremony, d, &mut rng)
            .unwrap();
    }
    let result = list.result(&election, &DlogTable::default()).unwrap();
    assert_eq!(
        result.texts,
        [("Zoë".to_string(), 2), ("Ada".to_string(), 1)]
    );
    assert_eq!(result.ballots.len(), 4);

    let empty = MixList::for_manifest(election.manifest()).remove(0);
    assert!(empty.is_ready(election.parameters()));
    let r = empty.result(&election, &DlogTable::default()).unwrap();
    assert!(r.ballots.is_empty());
    assert_eq!(r.contest, "ranked");
    // A list whose index or width is not the manifest's contest has no result.
    assert!(matches!(
        MixList::new(0, 3).result(&election, &DlogTable::default()),
        Err(MixError::Shape { .. })
    ));
}
