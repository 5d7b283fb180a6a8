//! The binding's Rust-side tests: the booth flow through the exported API, the error
//! mapping (variant, stable code, where), and untrusted input that must give an error,
//! never a panic. The same flow runs in Kotlin (bindings/ffi/kotlin).

mod common;

use std::sync::Arc;

use ostracon::ballot::{BallotOpening, EncryptedBallot as CoreBallot};
use ostracon::board::{Board, SigningKey, Submission, Voter, VoterRegistry};
use ostracon_ffi::{BallotState, Election, OstraconError, VoterKey};

fn demo() -> Arc<Election> {
    Election::from_json(common::demo_election().to_json()).expect("demo election loads")
}

#[test]
fn booth_flow_challenge_then_cast_again() {
    let election = demo();
    let ballot = election
        .encrypt_ballot("b-1".into(), common::DEMO_PLAINTEXT.into(), None)
        .unwrap();
    assert_eq!(ballot.state(), BallotState::Pending);
    assert_eq!(ballot.ballot_id(), "b-1");
    let human = ballot.tracking_code();
    assert_eq!(human.len(), 19);
    assert_eq!(human.matches('-').count(), 3);

    // Challenge: the opening verifies and reveals the choices.
    let opening = ballot.challenge().unwrap();
    assert_eq!(ballot.state(), BallotState::Challenged);
    assert_eq!(
        ballot.challenge().unwrap(),
        opening,
        "challenge() is repeatable"
    );
    let check = election
        .verify_opening(ballot.to_bytes(), opening.clone())
        .unwrap();
    assert_eq!(check.tracking_code, human);
    assert_eq!(check.tracking_code_hex, ballot.tracking_code_hex());
    assert_eq!(check.choices["board"], vec![1, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
    assert_eq!(check.choices["projects"], vec![7, 10]);

    // A challenged ballot can never be cast.
    let err = ballot.cast(None, None).unwrap_err();
    assert!(
        matches!(err, OstraconError::InvalidBallot { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "ballot.already_used");

    // The voter encrypts again and casts, signing as a registered voter.
    let again = election
        .encrypt_ballot("b-2".into(), common::DEMO_PLAINTEXT.into(), None)
        .unwrap();
    assert_ne!(again.tracking_code_hex(), ballot.tracking_code_hex());
    let key = VoterKey::from_seed(common::VOTER_SEED.to_vec()).unwrap();
    let cast = again
        .cast(Some(common::VOTER.into()), Some(key.clone()))
        .unwrap();
    assert_eq!(again.state(), BallotState::Cast);
    assert_eq!(cast.ballot, again.to_bytes());
    assert_eq!(cast.tracking_code_hex, again.tracking_code_hex());
    assert_eq!(cast.voter.as_deref(), Some(common::VOTER));
    assert_eq!(cast.signature.as_ref().map(String::len), Some(128));
    // cast() may be retried; challenge() is refused once cast.
    assert_eq!(
        again.cast(Some(common::VOTER.into()), Some(key)).unwrap(),
        cast
    );
    assert_eq!(again.challenge().unwrap_err().code(), "ballot.already_used");

    // The core's ballot box accepts both, as the Kotlin test's Rust checker does.
    let core = common::demo_election();
    let mut registry = VoterRegistry::new();
    registry.insert(
        common::VOTER,
        Voter {
            key: Some(SigningKey::from_bytes(&common::VOTER_SEED).verifying_key()),
            weight: 1,
        },
    );
    let mut board = Board::new(&core, Some(registry));
    let opening: BallotOpening = serde_json::from_str(&opening).unwrap();
    board
        .submit(
            CoreBallot::from_bytes(&ballot.to_bytes()).unwrap(),
            Submission::Challenge(opening),
        )
        .unwrap();
    let sig: [u8; 64] = ostracon::hex::decode(cast.signature.as_deref().unwrap(), "signature")
        .unwrap()
        .try_into()
        .unwrap();
    let entry = board
        .submit(
            CoreBallot::from_bytes(&cast.ballot).unwrap(),
            Submission::Cast {
                voter: cast.voter.clone(),
                signature: Some(sig),
            },
        )
        .unwrap();
    assert!(board.is_counted(&entry));
    assert_eq!(entry.tracking_code.to_hex(), cast.tracking_code_hex);
}

#[test]
fn precomputed_ballots_encrypt_once() {
    let election = demo();
    let pre = election.precompute_ballot("pre-1".into()).unwrap();
    assert_eq!(pre.ballot_id(), "pre-1");
    assert!(!pre.is_used());
    assert!(!format!("{pre:?}").contains("master"));
    let ballot = election
        .encrypt_precomputed(Arc::clone(&pre), common::DEMO_PLAINTEXT.into(), None)
        .unwrap();
    assert!(pre.is_used());
    assert_eq!(ballot.ballot_id(), "pre-1");
    let check = election.validate_ballot(ballot.to_bytes()).unwrap();
    assert_eq!(check.tracking_code_hex, ballot.tracking_code_hex());
    let opened = election
        .verify_opening(ballot.to_bytes(), ballot.challenge().unwrap())
        .unwrap();
    assert_eq!(opened.choices["board"], vec![1, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
    let err = election
        .encrypt_precomputed(pre, common::DEMO_PLAINTEXT.into(), None)
        .unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    assert!(err.to_string().contains("already used"), "{err}");
    // Another election's precomputation is refused.
    let other = Election::from_json(common::bench_election().to_json()).unwrap();
    let foreign = other.precompute_ballot("x".into()).unwrap();
    let err = election
        .encrypt_precomputed(foreign, common::DEMO_PLAINTEXT.into(), None)
        .unwrap_err();
    assert!(err.to_string().contains("another election"), "{err}");
}

#[test]
fn validate_and_serialize() {
    let election = demo();
    let ballot = election
        .encrypt_ballot("b-1".into(), common::DEMO_PLAINTEXT.into(), None)
        .unwrap();
    let check = election.validate_ballot(ballot.to_bytes()).unwrap();
    assert_eq!(check.ballot_id, "b-1");
    assert_eq!(check.tracking_code, ballot.tracking_code());
    assert_eq!(check.tracking_code_hex, ballot.tracking_code_hex());
    // JSON form: the canonical bytes as a hex string.
    let json = ballot.to_json().unwrap();
    assert_eq!(
        json,
        format!("\"{}\"", ostracon::hex::encode(&ballot.to_bytes()))
    );
    // Chaining to a previous code changes the ballot and its code.
    let chained = election
        .encrypt_ballot(
            "b-2".into(),
            common::DEMO_PLAINTEXT.into(),
            Some(ballot.tracking_code_hex()),
        )
        .unwrap();
    election.validate_ballot(chained.to_bytes()).unwrap();
    // The election round-trips.
    let again = Election::from_json(election.to_json()).unwrap();
    assert_eq!(again.base_hash(), election.base_hash());
    assert!(election.manifest_json().contains("\"board\""));
    assert_eq!(
        election
            .check_selection(common::DEMO_PLAINTEXT.into())
            .unwrap()[1],
        vec![1, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    );
}

#[test]
fn errors_carry_variant_code_and_where() {
    let election = demo();
    // A selection that breaks the rule: the contest is named.
    let err = election
        .check_selection(r#"{"chair":[1,0,0,0],"board":[1,1,1,1,0,0,0,0,0,0]}"#.into())
        .unwrap_err();
    match &err {
        OstraconError::InvalidSelection {
            code,
            detail,
            contest,
            ..
        } => {
            assert_eq!(code, "selection.invalid");
            assert_eq!(contest.as_deref(), Some("board"));
            // The rule is named; the voter's own count is not echoed.
            assert!(
                detail.contains("'board'") && detail.contains("between 0 and 3"),
                "{detail}"
            );
            assert!(!detail.contains('4'), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    let err = election
        .encrypt_ballot("b".into(), r#"{"nope":[1]}"#.into(), None)
        .unwrap_err();
    assert_eq!(err.code(), "selection.invalid");
    // Malformed JSON, empty ballot id, bad previous code.
    let err = election.check_selection("{".into()).unwrap_err();
    assert!(matches!(err, OstraconError::InvalidInput { .. }));
    assert!(
        err.detail()
            .starts_with("invalid input: plaintext ballot JSON"),
        "{err}"
    );
    let err = election
        .encrypt_ballot(String::new(), common::DEMO_PLAINTEXT.into(), None)
        .unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    let err = election
        .encrypt_ballot("b".into(), common::DEMO_PLAINTEXT.into(), Some("zz".into()))
        .unwrap_err();
    assert!(matches!(err, OstraconError::Decode { .. }));
    assert_eq!(err.code(), "decode.invalid_hex");
    // A ballot for another election.
    let other = Election::from_json(common::bench_election().to_json()).unwrap();
    let b = other
        .encrypt_ballot("b".into(), common::BENCH_PLAINTEXT.into(), None)
        .unwrap();
    let err = election.validate_ballot(b.to_bytes()).unwrap_err();
    match &err {
        OstraconError::InvalidBallot { code, ballot, .. } => {
            assert_eq!(code, "ballot.wrong_election");
            assert_eq!(ballot.as_deref(), Some("b"));
        }
        other => panic!("{other:?}"),
    }
    // An opening that does not match its ballot.
    let b1 = election
        .encrypt_ballot("b1".into(), common::DEMO_PLAINTEXT.into(), None)
        .unwrap();
    let b2 = election
        .encrypt_ballot("b2".into(), common::DEMO_PLAINTEXT.into(), None)
        .unwrap();
    let err = election
        .verify_opening(b1.to_bytes(), b2.challenge().unwrap())
        .unwrap_err();
    assert_eq!(err.code(), "ballot.bad_opening");
    assert!(matches!(err, OstraconError::InvalidBallot { ref contest, .. } if contest.is_some()));
    // Keys and elections.
    assert_eq!(
        VoterKey::from_seed(vec![1; 31]).err().unwrap().code(),
        "input.invalid"
    );
    let key = VoterKey::generate();
    assert_eq!(key.public_key().len(), 64);
    assert_eq!(
        b1.cast(None, Some(key)).unwrap_err().code(),
        "input.invalid"
    );
    assert_eq!(
        b1.state(),
        BallotState::Pending,
        "a refused cast changes nothing"
    );
    let err = Election::from_json("{}".into()).err().unwrap();
    assert_eq!(err.code(), "input.invalid");
    // Display: detail, then the code.
    assert!(err.to_string().ends_with("(input.invalid)"));
}

/// Untrusted bytes and text give errors, never panics: every truncation and many
/// single-bit flips of a valid ballot, and junk documents.
#[test]
fn untrusted_input_never_panics() {
    let election = demo();
    let ballot = election
        .encrypt_ballot("b-1".into(), common::DEMO_PLAINTEXT.into(), None)
        .unwrap();
    let bytes = ballot.to_bytes();
    for n in 0..bytes.len() {
        let err = election.validate_ballot(bytes[..n].to_vec()).unwrap_err();
        assert!(err.code().starts_with("decode."), "{err}");
    }
    let mut extended = bytes.clone();
    extended.push(0);
    assert_eq!(
        election.validate_ballot(extended).unwrap_err().code(),
        "decode.trailing_bytes"
    );
    for i in (0..bytes.len()).step_by(7) {
        let mut flipped = bytes.clone();
        flipped[i] ^= 1 << (i % 8);
        assert!(
            election.validate_ballot(flipped).is_err(),
            "bit flip at byte {i} accepted"
        );
    }
    let opening = ballot.challenge().unwrap();
    for junk in [
        "",
        "null",
        "[]",
        "{\"master_nonce\":\"00\"}",
        &opening[..opening.len() / 2],
    ] {
        assert!(election.verify_opening(bytes.clone(), junk.into()).is_err());
        assert!(election.check_selection(junk.into()).is_err() || junk == "{}");
        assert!(Election::from_json(junk.into()).is_err());
    }
    assert!(election
        .check_selection(
            r#"{"board":[18446744073709551615,18446744073709551615,0,0,0,0,0,0,0,0]}"#.into()
        )
        .is_err());
}
