//! One named regression test per known attack on voting cryptography.

mod common;

use ostracon::ballot::{EncryptedBallot, PlaintextBallot, SelectionProofs};
use ostracon::board::{self, Board, Submission, Voter, VoterRegistry};
use ostracon::curve25519_dalek::ristretto::RistrettoPoint;
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::election::{Election, ElectionDocument, Parameters};
use ostracon::elgamal::{Ciphertext, Nonce, PublicKey, SecretKey};
use ostracon::group::{self, Point};
use ostracon::manifest::{Contest, ContestOption, Manifest, VoteRule};
use ostracon::proofs::{
    Base, DisjunctiveProof, DleqProof, DleqStatement, SchnorrProof, WellFormedProof,
};
use ostracon::tally::TallyAccumulator;
use ostracon::transcript::ProofContext;
use ostracon::{labels, BallotErrorKind, DecodeErrorKind, Error};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sha2::Sha512;

fn manifest() -> Manifest {
    let opts = |n: usize| {
        (0..n)
            .map(|i| ContestOption {
                id: format!("o{i}"),
                label: format!("Option {i}"),
            })
            .collect()
    };
    Manifest {
        election_id: "hardening".into(),
        title: "Hardening".into(),
        contests: vec![
            Contest {
                id: "chair".into(),
                title: "Chair".into(),
                options: opts(3),
                rule: VoteRule::Approval { min: 1, max: 1 },
            },
            Contest {
                id: "score".into(),
                title: "Score".into(),
                options: opts(2),
                rule: VoteRule::Score { max: 100 },
            },
        ],
    }
}

fn election() -> (Election, SecretKey) {
    common::one_trustee_election(manifest(), 1, false)
}

/// The same election with a registry whose voters must sign.
fn signing_election() -> (Election, SecretKey) {
    common::one_trustee_election(manifest(), 1, true)
}

fn plaintext(choice: usize) -> PlaintextBallot {
    PlaintextBallot::new()
        .with("chair", (0..3).map(|o| u64::from(o == choice)).collect())
        .with("score", vec![42, 7])
}

fn ballot(e: &Election, id: &str, seed: u64) -> (EncryptedBallot, ostracon::ballot::BallotOpening) {
    e.encrypt_ballot(
        id,
        &plaintext(seed as usize % 3),
        None,
        &mut StdRng::seed_from_u64(seed),
    )
    .unwrap()
}

fn other_point(k: u64) -> Point {
    Point::new(group::generator_g() * Scalar::from(k))
}

/// Weak Fiat–Shamir (the Helios attack): if a statement element were missing from the
/// transcript, a prover could pick it after the challenge. Changing any element of any
/// proof's statement, or its context, must change the challenge and fail verification.
#[test]
fn weak_fiat_shamir_every_statement_element_changes_the_challenge() {
    let mut r = StdRng::seed_from_u64(2);
    let ctx = ProofContext::new(b"base hash");
    let contexts = [
        ProofContext::new(b"another base hash"),
        ctx.clone().bind(labels::BALLOT, b"b1"),
        ctx.clone().bind_u64(labels::CONTEST, 0),
        ctx.clone().bind_u64(labels::OPTION, 0),
    ];
    let p = other_point(99);

    // Schnorr: base, public point, context.
    let x = Scalar::random(&mut r);
    let xp = Point::new(group::generator_h().point() * x);
    let s = SchnorrProof::prove(&ctx, Base::H, &x, &xp, &mut r);
    let c0 = s.challenge(&ctx, Base::H, &xp);
    s.verify(&ctx, Base::H, &xp).unwrap();
    assert_ne!(s.challenge(&ctx, Base::G, &xp), c0);
    assert_ne!(s.challenge(&ctx, Base::H, &p), c0);
    assert!(s.verify(&ctx, Base::G, &xp).is_err());
    assert!(s.verify(&ctx, Base::H, &p).is_err());
    for other in &contexts {
        assert_ne!(s.challenge(other, Base::H, &xp), c0);
        assert!(s.verify(other, Base::H, &xp).is_err());
    }

    // DLEQ: all four statement points.
    let a = other_point(5);
    let st = DleqStatement {
        base1: *group::generator_h(),
        public1: xp,
        base2: a,
        public2: Point::new(a.point() * x),
    };
    let d = DleqProof::prove(&ctx, &st, &x, &mut r);
    d.verify(&ctx, &st).unwrap();
    let c0 = d.challenge(&ctx, &st);
    for changed in [
        DleqStatement { base1: p, ..st },
        DleqStatement { public1: p, ..st },
        DleqStatement { base2: p, ..st },
        DleqStatement { public2: p, ..st },
    ] {
        assert_ne!(d.challenge(&ctx, &changed), c0);
        assert!(d.verify(&ctx, &changed).is_err());
    }
    for other in &contexts {
        assert!(d.verify(other, &st).is_err());
    }

    // Disjunctive and well-formedness: the key and both ciphertext components.
    let sk = SecretKey::random(&mut r);
    let ek = sk.public_key().precompute();
    let pk = *ek.public_key();
    let other_key = PublicKey::from_point(p).unwrap();
    let n = Nonce::random(&mut r);
    let (ct, dj) = DisjunctiveProof::encrypt_and_prove(&ctx, &ek, 1, 1, &n, &mut r).unwrap();
    let wf = WellFormedProof::prove(&ctx, &ek, &ct, &Scalar::ONE, &n, &mut r);
    dj.verify(&ctx, &pk, &ct, 1).unwrap();
    wf.verify(&ctx, &pk, &ct).unwrap();
    let (cd, cw) = (dj.challenge(&ctx, &pk, &ct), wf.challenge(&ctx, &pk, &ct));
    let cts = [Ciphertext { a: p, ..ct }, Ciphertext { b: p, ..ct }];
    for c in &cts {
        assert_ne!(dj.challenge(&ctx, &pk, c), cd);
        assert_ne!(wf.challenge(&ctx, &pk, c), cw);
        assert!(dj.verify(&ctx, &pk, c, 1).is_err());
        assert!(wf.verify(&ctx, &pk, c).is_err());
    }
    assert_ne!(dj.challenge(&ctx, &other_key, &ct), cd);
    assert_ne!(wf.challenge(&ctx, &other_key, &ct), cw);
    assert!(dj.verify(&ctx, &other_key, &ct, 1).is_err());
    assert!(wf.verify(&ctx, &other_key, &ct).is_err());
    // The bound L is in the transcript too.
    assert!(dj.verify(&ctx, &pk, &ct, 2).is_err());
    for other in &contexts {
        assert!(dj.verify(other, &pk, &ct, 1).is_err());
        assert!(wf.verify(other, &pk, &ct).is_err());
    }
}

/// Ballot copying: proofs are bound to the ballot id, contest and option, so a valid
/// ballot's content presented under another id, or an option's ciphertext and proof
/// moved to another option, fails validation.
#[test]
fn ballot_copying_proof_moved_to_another_ballot_id_fails() {
    let (e, _) = election();
    let (b, _) = ballot(&e, "alice-ballot", 3);
    e.validate_ballot(&b).unwrap();

    let mut copy = b.clone();
    copy.ballot_id = "mallory-ballot".into();
    let err = e.validate_ballot(&copy).unwrap_err();
    assert_eq!(err.code(), "ballot.proof");

    // Swap options 0 and 1 of the first contest, proofs included.
    let mut swapped = b.clone();
    let c = &mut swapped.contests[0];
    c.selections.swap(0, 1);
    if let SelectionProofs::Disjunctive(ps) = &mut c.selection_proofs {
        ps.swap(0, 1);
    } else {
        panic!("approval contests use disjunctive proofs");
    }
    assert_eq!(
        e.validate_ballot(&swapped).unwrap_err().code(),
        "ballot.proof"
    );

    // The same ballot under another election fails too (base hash in every context).
    let (other, _) = {
        let sk = SecretKey::random(&mut StdRng::seed_from_u64(77));
        let e2 = Election::new(
            manifest(),
            Parameters::new(1, 1),
            vec![vec![*sk.public_key().point()]],
        )
        .unwrap();
        (e2, sk)
    };
    let mut moved = b.clone();
    moved.election = *other.base_hash();
    assert_eq!(
        other.validate_ballot(&moved).unwrap_err().code(),
        "ballot.proof"
    );
}

/// Trapdoored generators: whoever chose `H` with a known `log_G H` could open
/// commitments to any value. `H` is recomputed from its public label, and no input
/// (election document, record) can supply a generator.
#[test]
fn trapdoored_generators_are_recomputed_from_public_labels() {
    let h = RistrettoPoint::hash_from_bytes::<Sha512>(labels::GENERATOR_H);
    assert_eq!(*group::generator_h().point(), h);
    assert_eq!(group::derive_generator_h(), h);
    assert_eq!(
        group::generator_g(),
        ostracon::curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT
    );

    // An election document naming its own generator is refused outright.
    let (e, _) = election();
    let mut doc: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    doc["generator_h"] = serde_json::Value::String(ostracon::hex::encode(
        &(group::generator_g() * Scalar::from(3u8))
            .compress()
            .to_bytes(),
    ));
    let err = Election::from_json(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    // The document has no field for a generator at all.
    let fields: serde_json::Value = serde_json::to_value(e.to_document()).unwrap();
    for k in fields.as_object().unwrap().keys() {
        assert!(!k.contains("generator"), "field {k}");
    }
    let _: ElectionDocument = serde_json::from_value(fields).unwrap();

    // The election key is bound to H: a document whose key is not the sum of the
    // commitments (e.g. K chosen as a multiple of G) is refused.
    let mut doc: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    doc["joint_key"] = serde_json::Value::String(ostracon::hex::encode(
        &(group::generator_g() * Scalar::from(3u8))
            .compress()
            .to_bytes(),
    ));
    assert!(Election::from_json(doc.to_string().as_bytes()).is_err());
}

/// Non-canonical encodings and identity points: each object has exactly one encoding
/// (so tracking codes and hashes are unambiguous), and the identity is refused where it
/// would void security (keys, commitments).
#[test]
fn non_canonical_encodings_and_identity_points_are_rejected() {
    let (e, _) = election();
    let (b, _) = ballot(&e, "b-canon", 4);
    let bytes = b.to_bytes();

    // A ciphertext component replaced by a non-canonical encoding of a field element.
    let a0 = b.contests[0].selections[0].a.to_bytes();
    let at = bytes.windows(32).position(|w| w == a0).unwrap();
    let mut bad = bytes.clone();
    bad[at..at + 32].copy_from_slice(&[0xff; 32]);
    let err = EncryptedBallot::from_bytes(&bad).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::InvalidPoint);

    // A proof response replaced by the same residue plus ℓ.
    let SelectionProofs::Disjunctive(ps) = &b.contests[0].selection_proofs else {
        panic!("disjunctive expected");
    };
    let pb = ps[0].to_bytes();
    let last = &pb[pb.len() - 32..];
    let at = bytes.windows(32).position(|w| w == last).unwrap();
    let s = Scalar::from_canonical_bytes(last.try_into().unwrap()).unwrap();
    let ell = {
        let mut l = (-Scalar::ONE).to_bytes();
        l[0] += 1;
        l
    };
    let mut unreduced = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s.as_bytes()[i]) + u16::from(ell[i]) + carry;
        unreduced[i] = v as u8;
        carry = v >> 8;
    }
    let mut bad = bytes.clone();
    bad[at..at + 32].copy_from_slice(&unreduced);
    let err = EncryptedBallot::from_bytes(&bad).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::NonCanonicalScalar);

    // Identity: refused as a public key; an identity ciphertext component fails proofs.
    assert_eq!(
        PublicKey::from_bytes(&[0u8; 32]).unwrap_err().kind,
        DecodeErrorKind::IdentityPoint
    );
    let mut idb = b.clone();
    idb.contests[0].selections[0].a = Point::decode(&[0u8; 32], "p").unwrap();
    assert_eq!(e.validate_ballot(&idb).unwrap_err().code(), "ballot.proof");
    // An election whose trustee commitment is the identity cannot be built.
    let err = Election::new(
        manifest(),
        Parameters::new(1, 1),
        vec![vec![Point::decode(&[0u8; 32], "p").unwrap()]],
    )
    .unwrap_err();
    assert!(matches!(err, Error::Decode(d) if d.kind == DecodeErrorKind::IdentityPoint));
}

/// The garbage-ciphertext tally DoS: one ballot whose ciphertext encrypts a huge value
/// (or no small value at all) would make the whole tally undecryptable. Such a ballot
/// never passes validation, so it never reaches the tally.
#[test]
fn garbage_ciphertext_tally_dos_is_refused() {
    let (e, _) = election();
    let (b, _) = ballot(&e, "b-dos", 5);
    let ek = e.encryption_key();
    // A score encrypting 2^40 with the range proof kept.
    let mut huge = b.clone();
    huge.contests[1].selections[0] = ek.encrypt(1 << 40, &Nonce::from_scalar(Scalar::from(9u8)));
    assert_eq!(e.validate_ballot(&huge).unwrap_err().code(), "ballot.proof");
    // A ciphertext that is no encryption of a small value: a random B.
    let mut garbage = b.clone();
    garbage.contests[0].selections[1].b = other_point(0xdead_beef);
    assert_eq!(
        e.validate_ballot(&garbage).unwrap_err().code(),
        "ballot.proof"
    );
    // The board refuses both; the tally of what it accepted decrypts.
    let mut board = Board::new(&e, None);
    let cast = || Submission::Cast {
        voter: None,
        signature: None,
    };
    assert!(board.submit(huge, cast()).is_err());
    assert!(board.submit(garbage, cast()).is_err());
    let entry = board.submit(b.clone(), cast()).unwrap();
    let mut acc = TallyAccumulator::new(&e);
    acc.add(&entry.ballot, 1).unwrap();
    assert_eq!(board.len(), 1);
}

/// Replayed challenged ballots: a challenged ballot's nonces are public, so it must
/// never be counted; casting it afterwards (or challenging it again) is refused.
#[test]
fn replayed_challenged_ballot_is_refused() {
    let (e, _) = election();
    let (b, opening) = ballot(&e, "b-audit", 6);
    let mut board = Board::new(&e, None);
    let entry = board
        .submit(b.clone(), Submission::Challenge(opening.clone()))
        .unwrap();
    assert!(!board.is_counted(&entry));
    let err = board
        .submit(
            b.clone(),
            Submission::Cast {
                voter: None,
                signature: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, BallotErrorKind::DuplicateCode);
    let err = board
        .submit(b.clone(), Submission::Challenge(opening))
        .unwrap_err();
    assert_eq!(err.kind, BallotErrorKind::DuplicateCode);
    // The same content under a fresh id is a different ballot whose proofs fail.
    let mut renamed = b;
    renamed.ballot_id = "b-audit-again".into();
    assert_eq!(
        board
            .submit(
                renamed,
                Submission::Cast {
                    voter: None,
                    signature: None
                }
            )
            .unwrap_err()
            .code(),
        "ballot.proof"
    );
    assert_eq!(board.len(), 1);
}

/// Ballot stuffing: when the election requires voter signatures, the board accepts no
/// ballot without a valid signature of a registered voter over its tracking code.
#[test]
fn ballot_stuffing_without_voter_signature_is_refused() {
    let (e, _) = signing_election();
    let mut r = StdRng::seed_from_u64(8);
    let alice = board::generate_voter_key(&mut r);
    let bob = board::generate_voter_key(&mut r);
    let mut reg = VoterRegistry::new();
    reg.insert(
        "alice",
        Voter {
            key: Some(alice.verifying_key()),
            weight: 1,
        },
    );
    reg.insert(
        "bob",
        Voter {
            key: Some(bob.verifying_key()),
            weight: 1,
        },
    );
    let mut board = Board::new(&e, Some(reg));
    let (b, _) = ballot(&e, "b-stuff", 9);
    let code = b.tracking_code();
    let submit = |board: &mut Board<'_>, voter: Option<&str>, sig: Option<[u8; 64]>| {
        board
            .submit(
                b.clone(),
                Submission::Cast {
                    voter: voter.map(Into::into),
                    signature: sig,
                },
            )
            .map_err(|e| e.kind)
    };
    assert_eq!(
        submit(&mut board, None, None).unwrap_err(),
        BallotErrorKind::MissingSignature
    );
    assert_eq!(
        submit(&mut board, Some("alice"), None).unwrap_err(),
        BallotErrorKind::MissingSignature
    );
    let by_bob = board::sign_ballot(&bob, &e, &code, "alice");
    assert_eq!(
        submit(&mut board, Some("alice"), Some(by_bob)).unwrap_err(),
        BallotErrorKind::BadSignature
    );
    // A signature for another voter id does not transfer.
    let for_bob = board::sign_ballot(&alice, &e, &code, "bob");
    assert_eq!(
        submit(&mut board, Some("alice"), Some(for_bob)).unwrap_err(),
        BallotErrorKind::BadSignature
    );
    let ghost = board::sign_ballot(&alice, &e, &code, "ghost");
    assert_eq!(
        submit(&mut board, Some("ghost"), Some(ghost)).unwrap_err(),
        BallotErrorKind::UnknownVoter
    );
    assert_eq!(board.len(), 0);
    let good = board::sign_ballot(&alice, &e, &code, "alice");
    submit(&mut board, Some("alice"), Some(good)).unwrap();
    assert_eq!(board.len(), 1);
}

/// Voter ids are 1 to 256 bytes in a registry (and so in every counted entry): a record
/// cannot carry a registry whose ids no submission could name.
#[test]
fn voter_ids_are_bounded_in_the_registry_and_the_board() {
    use ostracon::record::{RecordItem, VoterRecord, Voters};
    let voter = |id: String| Voters {
        voters: vec![VoterRecord {
            id,
            weight: 1,
            key: None,
        }],
    };
    assert!(voter("v".repeat(256)).to_registry().is_ok());
    for bad in [String::new(), "v".repeat(257)] {
        let err = voter(bad.clone()).to_registry().unwrap_err();
        assert_eq!(err.code(), "decode.invalid_value", "{} bytes", bad.len());
    }
    // A board entry whose voter id is too long does not decode.
    let (e, _) = election();
    let (b, _) = ballot(&e, "b-long", 3);
    let mut board = Board::new(&e, None);
    let entry = board
        .submit(
            b,
            Submission::Cast {
                voter: None,
                signature: None,
            },
        )
        .unwrap();
    let mut long = entry.clone();
    if let ostracon::board::EntryKind::Cast { voter, .. } = &mut long.kind {
        *voter = Some("v".repeat(257));
    }
    let frame = RecordItem::Entry(long).payload();
    assert!(RecordItem::from_payload(3, &frame).is_err());
    let ok = RecordItem::Entry(entry).payload();
    assert!(RecordItem::from_payload(3, &ok).is_ok());
}
