//! Ballots, the board and the tally, with a single-trustee key (the ceremony and
//! threshold decryption have their own tests; full elections are in `election.rs`).

mod common;

use ostracon::ballot::{
    verify_opening, EncryptedBallot, PlaintextBallot, SelectionProofs, TotalProof, TrackingCode,
};
use ostracon::board::{self, Board, EntryKind, Submission, Voter, VoterRegistry};
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::dlog::DlogTable;
use ostracon::election::Election;
use ostracon::elgamal::{RawCiphertext, SecretKey};
use ostracon::group::{self, Point};
use ostracon::manifest::{Contest, ContestOption, Manifest, VoteRule};
use ostracon::tally::TallyAccumulator;
use ostracon::{BallotErrorKind, Error, ProofKind};
use rand::rngs::StdRng;
use rand::SeedableRng;

fn options(n: usize) -> Vec<ContestOption> {
    (0..n)
        .map(|i| ContestOption {
            id: format!("opt{i}"),
            label: format!("Option {i}"),
        })
        .collect()
}

fn contest(id: &str, n: usize, rule: VoteRule) -> Contest {
    Contest {
        id: id.into(),
        title: id.into(),
        options: options(n),
        rule,
    }
}

pub fn manifest() -> Manifest {
    Manifest {
        election_id: "test-election".into(),
        title: "Test".into(),
        contests: vec![
            contest("mayor", 4, VoteRule::Approval { min: 1, max: 1 }),
            contest("council", 10, VoteRule::Approval { min: 0, max: 3 }),
            contest(
                "budget",
                3,
                VoteRule::Cumulative {
                    per_option: 5,
                    min: 0,
                    max: 6,
                },
            ),
            contest("score", 2, VoteRule::Score { max: 100 }),
            contest(
                "big-cumulative",
                3,
                VoteRule::Cumulative {
                    per_option: 50,
                    min: 10,
                    max: 100,
                },
            ),
            contest("ranked", 3, VoteRule::Ranked { seats: 1 }),
            contest("write-in", 1, VoteRule::WriteIn { max_len: 11 }),
        ],
    }
}

/// An election with one trustee whose secret we know.
fn election(seed: u64) -> (Election, SecretKey) {
    common::one_trustee_election(manifest(), seed, false)
}

/// The same election with a registry whose voters must sign.
fn signing_election(seed: u64) -> (Election, SecretKey) {
    common::one_trustee_election(manifest(), seed, true)
}

fn plaintext(i: u64) -> PlaintextBallot {
    PlaintextBallot::new()
        .with("mayor", (0..4).map(|o| u64::from(o == i % 4)).collect())
        .with(
            "council",
            (0..10)
                .map(|o| u64::from(o == i % 10 || o == (i + 3) % 10))
                .collect(),
        )
        .with("budget", vec![i % 3, 2, 1])
        .with("score", vec![i % 101, 100 - i % 101])
        .with("big-cumulative", vec![10 + i % 40, 0, 5])
        .with_ranking("ranked", &[(i % 3) as u32, ((i + 1) % 3) as u32])
        .with_write_in("write-in", ["Zoë", "", "Ada Byron"][i as usize % 3])
}

fn decrypt(sk: &SecretKey, b: &EncryptedBallot, table: &DlogTable) -> Vec<Vec<u64>> {
    b.contests
        .iter()
        .map(|c| {
            c.selections
                .iter()
                .map(|ct| {
                    table
                        .find(&sk.decrypt_to_point(&ct.raw()), 1 << 20)
                        .unwrap()
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_rule_encrypts_validates_and_decrypts() {
    let (e, sk) = election(1);
    let mut r = StdRng::seed_from_u64(2);
    let table = DlogTable::new(1 << 8);
    for i in 0..3 {
        let p = plaintext(i);
        let (b, opening) = e
            .encrypt_ballot(&format!("b{i}"), &p, None, &mut r)
            .unwrap();
        let code = e.validate_ballot(&b).unwrap();
        assert_eq!(code, b.tracking_code());
        let expected = e.check_selection(&p).unwrap();
        assert_eq!(decrypt(&sk, &b, &table), expected);
        assert_eq!(opening.selections, expected);
        assert_eq!(opening.plaintext(&e).0.get("budget"), p.0.get("budget"));
        // Proof kinds follow the plan: CDS for 0/1, bulletproofs for scores.
        assert!(matches!(
            b.contests[1].selection_proofs,
            SelectionProofs::Disjunctive(_)
        ));
        assert!(b.contests[1].total_proof.is_some());
        assert!(matches!(
            b.contests[3].selection_proofs,
            SelectionProofs::Range(_)
        ));
        assert!(matches!(
            b.contests[4].total_proof,
            Some(TotalProof::Range(_))
        ));
        // Ranked: one CDS proof per rank over 0..=3; write-in: 6 chunks, one bulletproof.
        assert_eq!(b.contests[5].selections.len(), 3);
        assert!(matches!(
            b.contests[5].selection_proofs,
            SelectionProofs::Disjunctive(_)
        ));
        assert_eq!(b.contests[6].selections.len(), 6);
        assert!(matches!(
            b.contests[6].selection_proofs,
            SelectionProofs::Range(_)
        ));
        // The opening gives back the ranking and the text as they were given.
        let back = opening.plaintext(&e);
        assert_eq!(back.0.get("ranked"), p.0.get("ranked"));
        assert_eq!(back.0.get("write-in"), p.0.get("write-in"));
        // Encodings round-trip, in binary and JSON.
        let bytes = b.to_bytes();
        assert_eq!(EncryptedBallot::from_bytes(&bytes).unwrap(), b);
        let js = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<EncryptedBallot>(&js).unwrap(), b);
        verify_opening(&e, &b, &opening).unwrap();
    }
}

#[test]
fn selections_breaking_rules_are_refused_naming_the_contest() {
    let (e, _) = election(3);
    let mut r = StdRng::seed_from_u64(4);
    let cases = [
        (
            plaintext(0).with("mayor", vec![1, 1, 0, 0]),
            "mayor",
            "selections must total between 1 and 1",
            "2 selections",
        ),
        (
            plaintext(0).with("mayor", vec![0, 0, 0, 0]),
            "mayor",
            "between 1 and 1",
            "0 selections",
        ),
        (
            plaintext(0).with("council", vec![1; 10]),
            "council",
            "selections must total between",
            "10 selections",
        ),
        (
            plaintext(0).with("council", vec![2, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            "council",
            "over the maximum of 1",
            "has 2",
        ),
        (
            plaintext(0).with("budget", vec![6, 0, 0]),
            "budget",
            "over the maximum of 5",
            "6",
        ),
        (
            plaintext(0).with("budget", vec![5, 1, 1]),
            "budget",
            "points must total between",
            "7 points",
        ),
        (
            plaintext(0).with("score", vec![101, 0]),
            "score",
            "over the maximum of 100",
            "101",
        ),
        (
            plaintext(0).with("score", vec![1]),
            "score",
            "1 values given for 2 options",
            "\u{0}",
        ),
        (
            plaintext(0).with("nope", vec![1]),
            "nope",
            "no such contest",
            "\u{0}",
        ),
    ];
    // Each error names the contest and the rule, never the values (it may reach a log).
    for (p, contest, msg, leak) in cases {
        match e.encrypt_ballot("x", &p, None, &mut r).unwrap_err() {
            Error::InvalidSelection { contest: c, reason } => {
                assert_eq!(c, contest);
                assert!(reason.contains(msg), "{reason} does not contain {msg}");
                assert!(!reason.contains(leak), "{reason} shows the vote ({leak})");
            }
            other => panic!("unexpected {other}"),
        }
    }
    // Ranked and write-in contests: bad rankings and texts are refused naming the contest.
    let bad_mixnet = [
        (
            plaintext(0).with("ranked", vec![1, 1]),
            "ranked",
            "ranked twice",
            "option 1",
        ),
        (
            plaintext(0).with("ranked", vec![3]),
            "ranked",
            "does not exist",
            "option 3",
        ),
        (
            plaintext(0).with("ranked", vec![0, 1, 2, 0]),
            "ranked",
            "more preferences than",
            "4 preferences",
        ),
        (
            plaintext(0).with("ranked", vec![1 << 40]),
            "ranked",
            "does not exist",
            "1099511627776",
        ),
        (
            plaintext(0).with_write_in("write-in", "far too long a name"),
            "write-in",
            "longer than 11 bytes",
            "19",
        ),
        (
            plaintext(0).with("write-in", vec![0xff]),
            "write-in",
            "UTF-8",
            "255",
        ),
        (
            plaintext(0).with("write-in", vec![300]),
            "write-in",
            "not a byte",
            "300",
        ),
        (
            plaintext(0).with("write-in", vec![97, 0]),
            "write-in",
            "NUL",
            "97",
        ),
    ];
    for (p, contest, msg, leak) in bad_mixnet {
        match e.encrypt_ballot("x", &p, None, &mut r).unwrap_err() {
            Error::InvalidSelection { contest: c, reason } => {
                assert_eq!(c, contest);
                assert!(reason.contains(msg), "{reason} does not contain {msg}");
                assert!(!reason.contains(leak), "{reason} shows the vote ({leak})");
            }
            other => panic!("unexpected {other}"),
        }
    }
    // Leaving them out is a blank (an all-zero row).
    let blank = PlaintextBallot::new()
        .with("mayor", vec![1, 0, 0, 0])
        .with("big-cumulative", vec![10, 0, 0]);
    let rows = e.check_selection(&blank).unwrap();
    assert_eq!(rows[5], [0, 0, 0]);
    assert_eq!(rows[6], [0; 6]);
}

#[test]
fn tampered_ballots_are_refused_with_the_right_error() {
    let (e, _) = election(5);
    let mut r = StdRng::seed_from_u64(6);
    let (b, _) = e
        .encrypt_ballot("ballot-1", &plaintext(1), None, &mut r)
        .unwrap();
    // Proofs copied to another ballot id.
    let mut copied = b.clone();
    copied.ballot_id = "ballot-2".into();
    let err = e.validate_ballot(&copied).unwrap_err();
    assert!(matches!(err.kind, BallotErrorKind::Proof(_)), "{err}");
    // Two selections swapped between options.
    let mut swapped = b.clone();
    swapped.contests[1].selections.swap(0, 1);
    let err = e.validate_ballot(&swapped).unwrap_err();
    assert_eq!(err.kind, BallotErrorKind::Proof(ProofKind::Disjunctive));
    assert_eq!(err.contest.as_deref(), Some("council"));
    assert_eq!(err.option.as_deref(), Some("opt0"));
    // A ciphertext moved from one contest to another.
    let mut moved = b.clone();
    moved.contests[0].selections[0] = b.contests[1].selections[0];
    let err = e.validate_ballot(&moved).unwrap_err();
    assert_eq!(
        (err.contest.as_deref(), err.option.as_deref()),
        (Some("mayor"), Some("opt0"))
    );
    // A contest total that lies: replace one selection with an encryption of 1 (with
    // a valid 0/1 proof from another ballot it would fail its own proof first, so
    // swap the total proof instead).
    let (b2, _) = e
        .encrypt_ballot("ballot-1", &plaintext(2), None, &mut r)
        .unwrap();
    let mut lying = b.clone();
    lying.contests[1].total_proof = b2.contests[1].total_proof.clone();
    let err = e.validate_ballot(&lying).unwrap_err();
    assert_eq!(err.option.as_deref(), Some("(total)"));
    // Range proof of another ballot.
    let mut range = b.clone();
    range.contests[3].selection_proofs = b2.contests[3].selection_proofs.clone();
    let err = e.validate_ballot(&range).unwrap_err();
    assert!(
        matches!(
            err.kind,
            BallotErrorKind::Proof(ProofKind::Range | ProofKind::WellFormed)
        ),
        "{err}"
    );
    assert_eq!(err.contest.as_deref(), Some("score"));
    // Missing contest, wrong election, wrong proof kind.
    let mut short = b.clone();
    short.contests.pop();
    assert!(matches!(
        e.validate_ballot(&short).unwrap_err().kind,
        BallotErrorKind::Malformed(_)
    ));
    let mut other = b.clone();
    other.election[0] ^= 1;
    assert_eq!(
        e.validate_ballot(&other).unwrap_err().kind,
        BallotErrorKind::WrongElection
    );
    let mut kind = b.clone();
    kind.contests[3].selection_proofs = b.contests[1].selection_proofs.clone();
    assert!(matches!(
        e.validate_ballot(&kind).unwrap_err().kind,
        BallotErrorKind::Malformed(_)
    ));
    // Every byte of the encoding matters (sampled): decode error or validation error.
    let bytes = b.to_bytes();
    for i in (0..bytes.len()).step_by(97) {
        let mut t = bytes.clone();
        t[i] ^= 0x10;
        let ok = EncryptedBallot::from_bytes(&t).is_ok_and(|x| e.validate_ballot(&x).is_ok());
        assert!(!ok, "byte {i} flipped and still valid");
    }
    assert!(EncryptedBallot::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut long = bytes.clone();
    long.push(0);
    assert!(EncryptedBallot::from_bytes(&long).is_err());
}

#[test]
fn batch_validation_names_each_bad_ballot() {
    let (e, _) = election(7);
    let mut r = StdRng::seed_from_u64(8);
    let mut ballots: Vec<EncryptedBallot> = (0..12)
        .map(|i| {
            e.encrypt_ballot(&format!("b{i}"), &plaintext(i), None, &mut r)
                .unwrap()
                .0
        })
        .collect();
    ballots[4].contests[0].selections.swap(0, 3);
    ballots[9].ballot_id = "b99".into();
    let results = e.validate_ballots(&ballots, &mut r);
    for (i, res) in results.iter().enumerate() {
        assert_eq!(res.is_err(), i == 4 || i == 9, "ballot {i}: {res:?}");
        if let Ok(code) = res {
            assert_eq!(*code, ballots[i].tracking_code());
        }
    }
}

#[test]
fn tracking_codes() {
    let (e, _) = election(9);
    let mut r = StdRng::seed_from_u64(10);
    let (b, _) = e.encrypt_ballot("b", &plaintext(0), None, &mut r).unwrap();
    let code = b.tracking_code();
    let human = code.human();
    assert_eq!(human.len(), 19);
    assert!(human
        .chars()
        .all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    assert!(code.matches_human(&human.to_lowercase().replace('-', " ")));
    // The human form parses back to the code's first 10 bytes, read leniently.
    assert_eq!(TrackingCode::parse_human(&human).unwrap(), code.0[..10]);
    let lenient = human.replace('0', "o").replace('1', "l").to_lowercase();
    assert_eq!(TrackingCode::parse_human(&lenient).unwrap(), code.0[..10]);
    for bad in [
        "",
        &human[..18],                         // 15 symbols
        &format!("{human}0"),                 // 17 symbols
        &human.replacen(&human[..1], "U", 1), // U is not a symbol
        "ABCD-EFGH-JKMN-PQR!",
    ] {
        assert_eq!(
            TrackingCode::parse_human(bad).unwrap_err().code(),
            "decode.invalid_value",
            "{bad:?}"
        );
        assert!(!code.matches_human(bad));
    }
    assert_eq!(TrackingCode::from_hex(&code.to_hex()).unwrap(), code);
    // Chained device codes change the code.
    let (b2, _) = e
        .encrypt_ballot("b", &plaintext(0), Some(code), &mut r)
        .unwrap();
    assert_eq!(b2.previous_code, Some(code));
    assert_ne!(b2.tracking_code(), code);
    e.validate_ballot(&b2).unwrap();
}

#[test]
fn challenge_openings() {
    let (e, _) = election(11);
    let mut r = StdRng::seed_from_u64(12);
    let master = [7u8; 32];
    let (b, opening) = e
        .encrypt_ballot_with_nonce("b", &plaintext(3), None, &master, &mut r)
        .unwrap();
    verify_opening(&e, &b, &opening).unwrap();
    // Same master nonce, same ciphertexts.
    let (again, _) = e
        .encrypt_ballot_with_nonce("b", &plaintext(3), None, &master, &mut r)
        .unwrap();
    assert_eq!(again.contests[0].selections, b.contests[0].selections);
    // An opening claiming another plaintext, or another nonce, fails.
    let mut lie = opening.clone();
    lie.selections[0] = vec![1, 0, 0, 0];
    let err = verify_opening(&e, &b, &lie).unwrap_err();
    assert_eq!(err.contest.as_deref(), Some("mayor"));
    let mut wrong = opening.clone();
    wrong.master_nonce[0] ^= 1;
    assert!(verify_opening(&e, &b, &wrong).is_err());
    assert!(format!("{opening:?}").contains("redacted"));
}

#[test]
fn board_accepts_refuses_and_chains() {
    let (e, _) = signing_election(13);
    let mut r = StdRng::seed_from_u64(14);
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
            // (This election has ranked contests: weights are 0 or 1.)
            weight: 0,
        },
    );
    let mut board = Board::new(&e, Some(reg));
    let genesis = *board.head();
    let cast =
        |b: &EncryptedBallot, who: &str, key: &ostracon::board::SigningKey| Submission::Cast {
            voter: Some(who.into()),
            signature: Some(board::sign_ballot(key, &e, &b.tracking_code(), who)),
        };
    let (b1, _) = e.encrypt_ballot("b1", &plaintext(1), None, &mut r).unwrap();
    let s1 = cast(&b1, "alice", &alice);
    let entry1 = board.submit(b1.clone(), s1.clone()).unwrap();
    assert_eq!(entry1.position, 0);
    assert_eq!(
        entry1.head,
        board::next_head(&genesis, 0, &entry1.tracking_code, &entry1.kind)
    );
    // Replay: same ballot again.
    assert_eq!(
        board.submit(b1.clone(), s1).unwrap_err().kind,
        BallotErrorKind::DuplicateCode
    );
    // Unsigned, badly signed, unknown voter, someone else's signature.
    let (b2, o2) = e.encrypt_ballot("b2", &plaintext(2), None, &mut r).unwrap();
    let unsigned = Submission::Cast {
        voter: Some("alice".into()),
        signature: None,
    };
    assert_eq!(
        board.submit(b2.clone(), unsigned).unwrap_err().kind,
        BallotErrorKind::MissingSignature
    );
    let anonymous = Submission::Cast {
        voter: None,
        signature: None,
    };
    assert_eq!(
        board.submit(b2.clone(), anonymous).unwrap_err().kind,
        BallotErrorKind::MissingSignature
    );
    let forged = Submission::Cast {
        voter: Some("alice".into()),
        signature: Some(board::sign_ballot(&bob, &e, &b2.tracking_code(), "alice")),
    };
    assert_eq!(
        board.submit(b2.clone(), forged).unwrap_err().kind,
        BallotErrorKind::BadSignature
    );
    let stranger = Submission::Cast {
        voter: Some("carol".into()),
        signature: Some([0; 64]),
    };
    assert_eq!(
        board.submit(b2.clone(), stranger).unwrap_err().kind,
        BallotErrorKind::UnknownVoter
    );
    // A signature over another ballot's code.
    let stolen = Submission::Cast {
        voter: Some("alice".into()),
        signature: Some(board::sign_ballot(&alice, &e, &b1.tracking_code(), "alice")),
    };
    assert_eq!(
        board.submit(b2.clone(), stolen).unwrap_err().kind,
        BallotErrorKind::BadSignature
    );
    assert_eq!(board.len(), 1, "nothing refused was appended");
    // Challenge b2, then try to cast it: refused.
    let entry2 = board
        .submit(b2.clone(), Submission::Challenge(o2.clone()))
        .unwrap();
    assert!(!board.is_counted(&entry2));
    assert_eq!(
        board
            .submit(b2.clone(), cast(&b2, "alice", &alice))
            .unwrap_err()
            .kind,
        BallotErrorKind::DuplicateCode
    );
    // A challenge with a wrong opening is refused.
    let (b3, o3) = e.encrypt_ballot("b3", &plaintext(3), None, &mut r).unwrap();
    let mut bad = o3.clone();
    bad.master_nonce[1] ^= 1;
    assert!(matches!(
        board
            .submit(b3.clone(), Submission::Challenge(bad))
            .unwrap_err()
            .kind,
        BallotErrorKind::BadOpening(_)
    ));
    // Revote: alice casts again; only the latest counts.
    let entry3 = board
        .submit(b3.clone(), cast(&b3, "alice", &alice))
        .unwrap();
    assert!(board.is_counted(&entry3));
    assert!(!board.is_counted(&entry1));
    // Same ballot id, fresh encryption: refused as a duplicate id.
    let (b3bis, _) = e.encrypt_ballot("b3", &plaintext(3), None, &mut r).unwrap();
    assert_eq!(
        board
            .submit(b3bis.clone(), cast(&b3bis, "bob", &bob))
            .unwrap_err()
            .kind,
        BallotErrorKind::DuplicateId
    );
    let (b4, _) = e.encrypt_ballot("b4", &plaintext(4), None, &mut r).unwrap();
    let entry4 = board.submit(b4.clone(), cast(&b4, "bob", &bob)).unwrap();
    assert!(matches!(entry4.kind, EntryKind::Cast { weight: 0, .. }));
    // The chain links every entry.
    let mut head = genesis;
    for en in [&entry1, &entry2, &entry3, &entry4] {
        head = board::next_head(&head, en.position, &en.tracking_code, &en.kind);
        assert_eq!(head, en.head);
    }
    assert_eq!(&head, board.head());
    // Entries round-trip through JSON.
    let js = serde_json::to_string(&entry2).unwrap();
    assert_eq!(
        serde_json::from_str::<ostracon::board::BoardEntry>(&js).unwrap(),
        entry2
    );
}

#[test]
fn board_batch_submission() {
    let (e, _) = election(15);
    let mut r = StdRng::seed_from_u64(16);
    let mut board = Board::new(&e, None);
    let mut subs: Vec<_> = (0..8)
        .map(|i| {
            (
                e.encrypt_ballot(&format!("b{i}"), &plaintext(i), None, &mut r)
                    .unwrap()
                    .0,
                Submission::Cast {
                    voter: None,
                    signature: None,
                },
            )
        })
        .collect();
    subs[5].0.contests[1].selections.swap(2, 3);
    let dup = subs[2].clone();
    subs.push(dup);
    let res = board.submit_batch(subs, &mut r);
    let ok: Vec<bool> = res.iter().map(Result::is_ok).collect();
    assert_eq!(ok, [true, true, true, true, true, false, true, true, false]);
    assert_eq!(
        res[8].as_ref().unwrap_err().kind,
        BallotErrorKind::DuplicateCode
    );
    assert_eq!(board.len(), 7);
    // Without a registry, voter ids (which would let anyone supersede anyone) are refused.
    let (b, _) = e
        .encrypt_ballot("claimed", &plaintext(1), None, &mut r)
        .unwrap();
    let claim = Submission::Cast {
        voter: Some("alice".into()),
        signature: None,
    };
    assert_eq!(
        board.submit(b, claim).unwrap_err().kind,
        BallotErrorKind::UnknownVoter
    );
}

#[test]
fn weighted_tally_in_shards() {
    let (e, sk) = election(17);
    let mut r = StdRng::seed_from_u64(18);
    let table = DlogTable::new(1 << 10);
    let weights = [1u64, 1, 5, 2, 1, 5];
    let ballots: Vec<_> = (0..6)
        .map(|i| {
            e.encrypt_ballot(&format!("b{i}"), &plaintext(i), None, &mut r)
                .unwrap()
                .0
        })
        .collect();
    let mut whole = TallyAccumulator::new(&e);
    let mut shard_a = TallyAccumulator::new(&e);
    let mut shard_b = TallyAccumulator::new(&e);
    let mut expected = vec![vec![0u64; 0]; e.manifest().contests.len()];
    for (c, contest) in e.manifest().contests.iter().enumerate() {
        expected[c] = vec![
            0;
            if contest.rule.is_homomorphic() {
                contest.options.len()
            } else {
                0
            }
        ];
    }
    for (i, (b, w)) in ballots.iter().zip(weights).enumerate() {
        whole.add(b, w).unwrap();
        if i % 2 == 0 {
            shard_a.add(b, w).unwrap()
        } else {
            shard_b.add(b, w).unwrap()
        }
        for (c, vals) in e
            .check_selection(&plaintext(i as u64))
            .unwrap()
            .iter()
            .enumerate()
        {
            for (o, v) in vals.iter().enumerate() {
                if let Some(x) = expected[c].get_mut(o) {
                    *x += v * w;
                }
            }
        }
    }
    shard_b.merge(&shard_a).unwrap();
    assert_eq!(shard_b.sums(), whole.sums());
    let tally = whole.finish();
    assert_eq!((tally.ballots, tally.total_weight), (6, 15));
    for (c, cts) in tally.contests.iter().enumerate() {
        let got: Vec<u64> = cts
            .iter()
            .map(|ct| {
                table
                    .find(&sk.decrypt_to_point(&ct.raw()), tally.bound(&e, c))
                    .unwrap()
            })
            .collect();
        assert_eq!(got, expected[c], "contest {c}");
    }
    // Sanity of the helper types.
    assert_eq!(
        RawCiphertext::zero().to_ciphertext().raw(),
        RawCiphertext::zero()
    );
    let _ = Point::new(Scalar::ONE * group::generator_g());
}

#[test]
fn submissions_round_trip_check_append_and_restore() {
    use ostracon::board::{check_submissions, BallotSubmission};
    let (e, _) = election(21);
    let mut r = StdRng::seed_from_u64(22);
    let (b0, _) = e.encrypt_ballot("s0", &plaintext(0), None, &mut r).unwrap();
    let (b1, opening) = e.encrypt_ballot("s1", &plaintext(1), None, &mut r).unwrap();
    let subs = vec![
        BallotSubmission {
            ballot: b0,
            submission: Submission::Cast {
                voter: None,
                signature: None,
            },
        },
        BallotSubmission {
            ballot: b1,
            submission: Submission::Challenge(opening),
        },
    ];
    // Both wire forms round-trip exactly; trailing bytes and unknown fields are refused.
    for s in &subs {
        let bytes = s.to_bytes();
        assert_eq!(&BallotSubmission::from_bytes(&bytes).unwrap(), s);
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(BallotSubmission::from_bytes(&longer).is_err());
        assert!(BallotSubmission::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let json = serde_json::to_string(s).unwrap();
        assert_eq!(&serde_json::from_str::<BallotSubmission>(&json).unwrap(), s);
        let extra = json.replacen('{', "{\"extra\":1,", 1);
        assert!(serde_json::from_str::<BallotSubmission>(&extra).is_err());
    }
    // The encoded form keeps the ballot's bytes: the same tracking code and record
    // payload as encoding again.
    for s in &subs {
        let enc = board::EncodedSubmission::from_bytes(&s.to_bytes()).unwrap();
        assert_eq!(enc.submission(), s);
        assert_eq!(enc.ballot_bytes(), &s.ballot.to_bytes()[..]);
        assert_eq!(board::EncodedSubmission::from(s.clone()), enc);
    }
    let json = serde_json::to_value(&subs[1]).unwrap();
    assert_eq!(json["action"], "challenge");
    let mut bad = json.clone();
    bad["voter"] = "alice".into();
    assert!(serde_json::from_value::<BallotSubmission>(bad).is_err());

    // Check, append, and a duplicate refused at append time.
    let mut board = Board::new(&e, None);
    let checked = check_submissions(&e, None, subs.clone(), &mut r);
    let entries: Vec<_> = checked
        .into_iter()
        .map(|c| {
            let c = c.unwrap();
            let bytes = c.ballot_bytes().to_vec();
            let e = board.append_checked(c).unwrap();
            assert_eq!(
                ostracon::record::entry_payload(e.position, &e.kind, &bytes, &e.head),
                ostracon::record::RecordItem::Entry(e.clone()).payload()
            );
            e
        })
        .collect();
    let again = check_submissions(&e, None, subs[..1].to_vec(), &mut r);
    let again = again.into_iter().next().unwrap().unwrap();
    assert_eq!(
        board.append_checked(again).unwrap_err().kind,
        BallotErrorKind::DuplicateCode
    );

    // A board rebuilt from the stored entries has the same head; a broken chain, a gap
    // or a repeat is refused.
    let mut rebuilt = Board::new(&e, None);
    for en in &entries {
        let kind = EntryKind::from_bytes(&en.kind.to_bytes()).unwrap();
        rebuilt
            .restore(
                en.position,
                &en.ballot.ballot_id,
                &en.tracking_code,
                &kind,
                &en.head,
            )
            .unwrap();
    }
    assert_eq!(rebuilt.head(), board.head());
    assert_eq!(rebuilt.len(), 2);
    let mut fresh = Board::new(&e, None);
    let en = &entries[1];
    assert!(fresh
        .restore(
            1,
            &en.ballot.ballot_id,
            &en.tracking_code,
            &en.kind,
            &en.head
        )
        .is_err());
    let en = &entries[0];
    assert!(fresh
        .restore(
            0,
            &en.ballot.ballot_id,
            &en.tracking_code,
            &en.kind,
            &[0; 32]
        )
        .is_err());
}

/// A precomputed ballot encrypts every rule (0/1 and `0..=L` proofs from the
/// precomputation, bulletproofs as usual) to a ballot that validates, decrypts to the
/// choices and opens; its ciphertexts are those of `encrypt_ballot_with_nonce` with the
/// same master nonce. A precomputation serves one ballot of its own election.
#[test]
fn precomputed_ballots_validate_decrypt_and_open() {
    let (e, sk) = election(31);
    let mut r = StdRng::seed_from_u64(32);
    let table = DlogTable::new(1 << 8);
    for i in 0..6 {
        let p = plaintext(i);
        let pre = e.precompute_ballot(&format!("pre-{i}"), &mut r).unwrap();
        assert_eq!(pre.ballot_id(), format!("pre-{i}"));
        let (b, opening) = e.encrypt_precomputed(pre, &p, None, &mut r).unwrap();
        assert_eq!(b.ballot_id, format!("pre-{i}"));
        assert_eq!(e.validate_ballot(&b).unwrap(), b.tracking_code());
        let expected = e.check_selection(&p).unwrap();
        assert_eq!(decrypt(&sk, &b, &table), expected);
        verify_opening(&e, &b, &opening).unwrap();
        let (online, _) = e
            .encrypt_ballot_with_nonce(&b.ballot_id, &p, None, &opening.master_nonce, &mut r)
            .unwrap();
        for (x, y) in b.contests.iter().zip(&online.contests) {
            assert_eq!(x.selections, y.selections);
        }
        // Fresh proofs: the precomputed ones are not those made online.
        assert_ne!(
            b.contests[0].selection_proofs,
            online.contests[0].selection_proofs
        );
    }
    // Another election's precomputation is refused; so is a bad id.
    let (other, _) = election(33);
    let pre = other.precompute_ballot("x", &mut r).unwrap();
    let err = e
        .encrypt_precomputed(pre, &plaintext(0), None, &mut r)
        .unwrap_err();
    assert!(err.to_string().contains("another election"), "{err}");
    assert!(e.precompute_ballot("", &mut r).is_err());
    // Choices that break the rules are refused as online.
    let pre = e.precompute_ballot("bad", &mut r).unwrap();
    let bad = plaintext(0).with("mayor", vec![1, 1, 0, 0]);
    assert!(e.encrypt_precomputed(pre, &bad, None, &mut r).is_err());
    // Debug shows the id, never the master nonce.
    let pre = e.precompute_ballot("dbg", &mut r).unwrap();
    let dbg = format!("{pre:?}");
    let (_, opening) = e
        .encrypt_precomputed(pre, &plaintext(1), None, &mut r)
        .unwrap();
    let hex: String = opening
        .master_nonce
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let array = format!("{:?}", opening.master_nonce);
    assert!(dbg.contains("dbg"), "{dbg}");
    assert!(
        !dbg.contains(&hex[..16]) && !dbg.contains(&array[1..20]),
        "{dbg}"
    );
}
