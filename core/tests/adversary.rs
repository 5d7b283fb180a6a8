//! The trust model, tried as each dishonest role would (docs/security.md, "Threat model"):
//! one test per role and capability, each showing the attack refused by the verifier or
//! by the honest party, with the error or check that names it.

use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::verify_items;
use ostracon::ballot::EncryptedBallot;
use ostracon::board::{Board, Submission};
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::election::{Election, Parameters};
use ostracon::elgamal::{Nonce, SecretKey};
use ostracon::group::Point;
use ostracon::keyceremony::KeyShare;
use ostracon::mixnet::{
    self, shuffle, MixError, MixList, MixStep, ShuffleGenerators, ShuffleWitness,
};
use ostracon::proofs::batch::{self, BatchItem, Msm};
use ostracon::proofs::disjunctive::DisjunctiveProof;
use ostracon::proofs::schnorr::{Base, SchnorrProof};
use ostracon::record::RecordItem;
use ostracon::simulation::{self, Config};
use ostracon::transcript::ProofContext;
use ostracon::verify::{self, Prepass, Report};
use ostracon::BallotErrorKind;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn record() -> Vec<RecordItem> {
    record_of(&Config::demo(12, 7))
}

fn record_of(config: &Config) -> Vec<RecordItem> {
    let mut items = Vec::new();
    simulation::run(config, &mut |item| {
        items.push(item);
        Ok(())
    })
    .unwrap();
    items
}

/// The same trustees' keys in an open election (anyone may cast, unsigned).
fn open_twin(election: &Election) -> Election {
    let p = election.parameters();
    Election::new(
        election.manifest().clone(),
        Parameters::new(p.trustees, p.threshold),
        election.commitments().to_vec(),
    )
    .unwrap()
}

type TallyRows = Vec<Vec<ostracon::elgamal::Ciphertext>>;
type Mutation = Box<dyn Fn(&mut TallyRows)>;

fn with_tally(items: &[RecordItem], mutate: impl Fn(&mut TallyRows)) -> Report {
    let mut items = items.to_vec();
    for i in &mut items {
        if let RecordItem::Tally(t) = i {
            mutate(&mut t.contests);
        }
    }
    verify_items(&items)
}

/// Board/host: a tally with an extra option or an extra contest (a shape the manifest
/// does not have) fails the tally check and stops there; the verifier neither panics
/// nor decrypts or reports results for it.
#[test]
fn board_tally_of_another_shape_fails_the_tally_check_without_panicking() {
    let items = record();
    assert!(verify_items(&items).is_ok());
    let mutations: [(&str, Mutation); 4] = [
        (
            "extra option",
            Box::new(|c| {
                let extra = c[0][0];
                c[0].push(extra);
            }),
        ),
        (
            "missing option",
            Box::new(|c| {
                c[0].pop();
            }),
        ),
        (
            "extra contest",
            Box::new(|c| {
                let extra = c[0].clone();
                c.push(extra);
            }),
        ),
        (
            "missing contest",
            Box::new(|c| {
                c.pop();
            }),
        ),
    ];
    for (what, mutate) in mutations {
        let report = with_tally(&items, mutate);
        assert!(!report.is_ok(), "{what}");
        assert!(
            report.failed_checks().contains(&verify::TALLY),
            "{what}: {:?}",
            report.failed_checks()
        );
        assert!(
            report.results.is_none(),
            "{what}: results reported for a misshapen tally"
        );
    }
}

/// Counts the work a batch check does on its items.
struct Counted<'a, T> {
    item: T,
    singles: &'a AtomicUsize,
    folds: &'a AtomicUsize,
}

impl<T: BatchItem> BatchItem for Counted<'_, T> {
    const KIND: ostracon::ProofKind = T::KIND;
    fn points(&self) -> usize {
        self.item.points()
    }
    fn verify_single(&self) -> bool {
        self.singles.fetch_add(1, Ordering::Relaxed);
        self.item.verify_single()
    }
    fn shared(&self) -> Option<&ostracon::group::Point> {
        self.item.shared()
    }
    fn add_to(&self, msm: &mut Msm, rng: &mut rand_chacha::ChaCha20Rng) -> bool {
        self.folds.fetch_add(1, Ordering::Relaxed);
        self.item.add_to(msm, rng)
    }
}

/// Voter: one garbage proof in a batch of `n` (a ballot box validates thousands at once)
/// must not make every proof of the batch be verified again alone. The bad proof is
/// named, at most a handful of proofs are verified singly, and every other proof is
/// weighted and hashed once (the halves are checked from the equations already folded).
#[test]
fn voter_one_garbage_proof_costs_the_batch_a_bounded_amount() {
    let mut rng = StdRng::seed_from_u64(8);
    let key = SecretKey::random(&mut rng).public_key().precompute();
    let pk = *key.public_key();
    let n = 400usize;
    let ctxs: Vec<ProofContext> = (0..n as u64)
        .map(|i| ProofContext::new(b"adversary").bind_u64(b"option", i))
        .collect();
    let mut proofs: Vec<_> = ctxs
        .iter()
        .map(|c| {
            let nonce = Nonce::random(&mut rng);
            DisjunctiveProof::encrypt_and_prove(c, &key, 1, 1, &nonce, &mut rng).unwrap()
        })
        .collect();
    for bad in [0, 137, n - 1] {
        let good = proofs[bad].1.clone();
        proofs[bad].1 = proofs[(bad + 1) % n].1.clone();
        let (singles, folds) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let items: Vec<_> = proofs
            .iter()
            .zip(&ctxs)
            .map(|((ct, p), c)| Counted {
                item: p.item(c, &pk, ct, 1),
                singles: &singles,
                folds: &folds,
            })
            .collect();
        assert_eq!(batch::failing(&items, &mut rng), [bad]);
        let (singles, folds) = (singles.into_inner(), folds.into_inner());
        assert!(
            singles <= 4,
            "bad proof {bad}: {singles} single verifications"
        );
        assert!(
            folds <= n + singles,
            "bad proof {bad}: {folds} proofs folded for {n}"
        );
        proofs[bad].1 = good;
    }
}

// ---------------------------------------------------------------------------------
// The mixnet: who may shuffle, and how many.

/// The simulated election of `items` and its trustees' key shares, reproduced from the
/// simulation's seed (its key ceremony is the first use of its seeded RNG).
fn election_and_keys(items: &[RecordItem], seed: u64) -> (Election, Vec<KeyShare>) {
    let Some(RecordItem::Header(h)) = items.first() else {
        panic!("no header")
    };
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (ceremony, transcript, keys) =
        simulation::run_ceremony(h.ceremony.params, &mut rng).unwrap();
    assert_eq!(transcript, h.ceremony, "not the simulation's ceremony");
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    let election = Election::new(h.manifest.clone(), h.parameters, commitments).unwrap();
    (election, keys)
}

/// The first ranked or write-in contest's list, filled with the counted ballots' rows
/// (the input of its first shuffle).
fn mix_input(items: &[RecordItem], election: &Election) -> MixList {
    let mut pre = Prepass::new();
    for i in items {
        if let RecordItem::Entry(e) = i {
            pre.note(e);
        }
    }
    let mut list = MixList::for_manifest(election.manifest()).remove(0);
    for i in items {
        if let RecordItem::Entry(e) = i {
            if pre.is_counted(e) {
                list.push_ballot(&e.ballot).unwrap();
            }
        }
    }
    assert!(list.row_count() > 0);
    list
}

/// `items` with the chain of `contest` replaced by `steps` (and its list decryptions,
/// which belonged to the old chain, dropped).
fn with_chain(items: &[RecordItem], contest: u32, steps: Vec<MixStep>) -> Vec<RecordItem> {
    let mut out = Vec::new();
    let mut steps = Some(steps);
    for i in items {
        match i {
            RecordItem::Mix { contest: c, .. } if *c == contest => {
                for step in steps.take().unwrap_or_default() {
                    out.push(RecordItem::Mix { contest, step });
                }
            }
            RecordItem::MixDecryption { contest: c, .. } if *c == contest => {}
            other => out.push(other.clone()),
        }
    }
    out
}

/// The reasons check 21 gave.
fn chain_failures(report: &Report) -> Vec<String> {
    report
        .failures
        .iter()
        .filter(|f| f.check == verify::MIX_CHAIN)
        .map(|f| f.reason.clone())
        .collect()
}

/// Host: the host makes the only shuffle of a contest, with a permutation it knows,
/// and labels it as a trustee's (or as nobody's). It cannot sign as a trustee: the
/// verifier fails check 21 naming the signature, and no honest trustee takes the step.
#[test]
fn host_as_the_only_mixer_is_refused() {
    let items = record();
    let (election, _) = election_and_keys(&items, 7);
    let input = mix_input(&items, &election);
    let contest = input.contest();
    let gens = ShuffleGenerators::derive(election.base_hash(), input.row_count());
    let mut rng = StdRng::seed_from_u64(3);
    let witness = ShuffleWitness::random(input.row_count(), input.width(), &mut rng);
    let ctx = mixnet::mix_context(&election.context(), contest, 0);
    let (output, proof) = shuffle::shuffle(
        &ctx,
        election.encryption_key(),
        &gens,
        input.rows(),
        input.width(),
        &witness,
        &mut rng,
    )
    .unwrap();
    // The shuffle proof itself is valid: the host did shuffle.
    shuffle::verify(
        &ctx,
        election.joint_key(),
        &gens,
        input.rows(),
        &output,
        input.width(),
        &proof,
        &mut rng,
    )
    .unwrap();
    let host = Scalar::random(&mut rng);
    for mixer in [1u32, 0, 6] {
        let sctx = mixnet::signature_context(
            &election.context(),
            contest,
            0,
            mixer,
            input.rows(),
            &output,
            &proof,
        );
        let public = Point::new(host * ostracon::group::generator_h().point());
        let step = MixStep {
            mixer,
            output: output.clone(),
            proof: proof.clone(),
            signature: SchnorrProof::prove(&sctx, Base::H, &host, &public, &mut rng),
        };
        let report = verify_items(&with_chain(&items, contest, vec![step.clone()]));
        let reasons = chain_failures(&report);
        let want = if mixer == 1 {
            "not signed by trustee 1"
        } else {
            "is not a trustee of this election"
        };
        assert!(
            reasons.iter().any(|r| r.contains(want)),
            "mixer {mixer}: {reasons:?}"
        );
        assert!(!report.is_ok());
        let id = &election.manifest().contests[contest as usize].id;
        assert!(
            report
                .results
                .as_ref()
                .is_none_or(|r| r.mixnet.iter().all(|m| &m.contest != id)),
            "a result for a list nobody may decrypt"
        );
        // An honest trustee following the chain refuses the step.
        let err = input
            .clone()
            .push_step(&election, &gens, step, &mut rng)
            .unwrap_err();
        let MixError::InvalidStep { step: 0, reason } = &err else {
            panic!("{err}")
        };
        assert!(matches!(
            **reason,
            MixError::InvalidSignature { mixer: 1 } | MixError::UnknownMixer { .. }
        ));
    }
}

/// One mixer: a trustee's step relabelled as another trustee's fails its signature; a
/// trustee that re-signs another's step as its own takes that trustee's place, so the
/// chain has fewer distinct mixers and is refused.
#[test]
fn mixer_passing_as_another_trustee_is_refused() {
    let items = record();
    let (election, keys) = election_and_keys(&items, 7);
    let input = mix_input(&items, &election);
    let contest = input.contest();
    let honest: Vec<MixStep> = items
        .iter()
        .filter_map(|i| match i {
            RecordItem::Mix { contest: c, step } if *c == contest => Some(step.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        honest.iter().map(|s| s.mixer).collect::<Vec<_>>(),
        [1, 3, 5]
    );
    // Relabelled: trustee 3's step claimed by trustee 2.
    let mut relabelled = honest.clone();
    relabelled[1].mixer = 2;
    let reasons = chain_failures(&verify_items(&with_chain(&items, contest, relabelled)));
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("mix step 1: the step is not signed by trustee 2")),
        "{reasons:?}"
    );
    // Re-signed: trustee 1 signs trustee 3's step as its own.
    let mut stolen = honest.clone();
    let before = &honest[0].output;
    let sctx = mixnet::signature_context(
        &election.context(),
        contest,
        1,
        1,
        before,
        &stolen[1].output,
        &stolen[1].proof,
    );
    let mut rng = StdRng::seed_from_u64(4);
    stolen[1].mixer = 1;
    stolen[1].signature = SchnorrProof::prove(
        &sctx,
        Base::H,
        keys[0].secret().as_scalar(),
        keys[0].public_share(),
        &mut rng,
    );
    let reasons = chain_failures(&verify_items(&with_chain(&items, contest, stolen)));
    assert_eq!(
        reasons,
        ["shuffled by 2 distinct trustee(s), 3 required: the other shufflers could undo the permutation"]
    );
}

/// Up to t−1 trustees: a chain shuffled by fewer than `t` distinct trustees (each step
/// valid and signed) is refused by the verifier, and the honest trustees do not decrypt
/// it; `t` distinct trustees suffice.
#[test]
fn fewer_than_t_distinct_mixers_are_refused() {
    let items = record();
    let (election, keys) = election_and_keys(&items, 7);
    assert_eq!(election.parameters().mixers(), 3);
    let input = mix_input(&items, &election);
    let contest = input.contest();
    let gens = ShuffleGenerators::derive(election.base_hash(), input.row_count());
    let mut rng = StdRng::seed_from_u64(5);
    for (mixers, distinct) in [
        (vec![1u32, 1, 1], 1usize),
        (vec![1, 3, 1], 2),
        (vec![2, 4, 2, 4], 2),
    ] {
        let mut list = input.clone();
        let steps: Vec<MixStep> = mixers
            .iter()
            .map(|&m| {
                list.mix(&election, &keys[m as usize - 1], &gens, &mut rng)
                    .unwrap()
            })
            .collect();
        let reasons = chain_failures(&verify_items(&with_chain(&items, contest, steps)));
        assert_eq!(
            reasons,
            [format!("shuffled by {distinct} distinct trustee(s), 3 required: the other shufflers could undo the permutation")],
            "{mixers:?}"
        );
        // No honest trustee decrypts it, not even one that shuffled.
        for k in &keys {
            assert_eq!(
                list.partial_decryption(&election, k, false, &mut rng),
                Err(MixError::TooFewMixers {
                    distinct,
                    required: 3
                })
            );
        }
    }
    // Three distinct trustees, whichever they are, are enough.
    let mut list = input.clone();
    let steps: Vec<MixStep> = [2u32, 4, 5]
        .iter()
        .map(|&m| {
            list.mix(&election, &keys[m as usize - 1], &gens, &mut rng)
                .unwrap()
        })
        .collect();
    let report = verify_items(&with_chain(&items, contest, steps));
    assert!(chain_failures(&report).is_empty(), "{:?}", report.failures);
    assert!(list
        .partial_decryption(&election, &keys[0], false, &mut rng)
        .is_ok());
    assert_eq!(
        list.partial_decryption(&election, &keys[0], true, &mut rng),
        Err(MixError::NotMixedBy { trustee: 1 })
    );
}

// ---------------------------------------------------------------------------------
// The network.

/// Network: an attacker who sees a submission re-issues it (same id, ciphertexts and
/// proofs) under another valid `previous_code`, to race it in and have the voter's own
/// refused as a duplicate id. The proofs are bound to the code the ballot was made with:
/// the copy fails them (singly and in a batch), and the voter's ballot goes in.
#[test]
fn network_reissuing_a_ballot_under_another_previous_code_is_refused() {
    let items = record();
    let (signed, _) = election_and_keys(&items, 7);
    // In an open election (anyone may cast, unsigned), only the proofs stand between
    // the copy and the board.
    let election = open_twin(&signed);
    let mut rng = StdRng::seed_from_u64(8);
    let mut board = Board::new(&election, None);
    let plaintext = simulation::random_plaintext(election.manifest(), &mut rng);
    let (first, _) = election
        .encrypt_ballot("first", &plaintext, None, &mut rng)
        .unwrap();
    let first = board
        .submit(
            first,
            Submission::Cast {
                voter: None,
                signature: None,
            },
        )
        .unwrap();
    for previous in [None, Some(first.tracking_code)] {
        let (ballot, _) = election
            .encrypt_ballot("seen", &plaintext, previous, &mut rng)
            .unwrap();
        let other = match previous {
            None => Some(first.tracking_code),
            Some(_) => None,
        };
        let copy = EncryptedBallot {
            previous_code: other,
            ..ballot.clone()
        };
        assert_ne!(copy.tracking_code(), ballot.tracking_code());
        let err = election.validate_ballot(&copy).unwrap_err();
        assert!(
            matches!(err.kind, BallotErrorKind::Proof(_)),
            "{previous:?}: {err}"
        );
        let batch = election.validate_ballots(&[copy.clone(), ballot.clone()], &mut rng);
        assert!(matches!(
            &batch[0],
            Err(e) if matches!(e.kind, BallotErrorKind::Proof(_))
        ));
        assert!(batch[1].is_ok());
        let cast = || Submission::Cast {
            voter: None,
            signature: None,
        };
        let mut b = board.clone();
        assert!(b.submit(copy, cast()).is_err());
        b.submit(ballot, cast()).unwrap();
    }
}

// ---------------------------------------------------------------------------------
// Weights in mixnet contests.

/// Board/host and voters: in an election with ranked or write-in contests a weight-0
/// voter has no row (no say), and a weight above 1 is refused by the board and by the
/// verifier (a mixed row cannot carry a weight without revealing whose it is).
#[test]
fn weights_in_mixnet_contests_are_zero_or_one_and_weight_zero_has_no_row() {
    let config = Config {
        weights: true,
        ..Config::demo(12, 9)
    };
    let mut items = Vec::new();
    let outcome = simulation::run(&config, &mut |item| {
        items.push(item);
        Ok(())
    })
    .unwrap();
    let report = verify_items(&items);
    assert!(report.is_ok(), "{}", report.summary());
    assert_eq!(outcome.results, outcome.expected);
    // Rows: exactly the counted ballots of weight 1.
    let counted_weight_1 = {
        let mut pre = Prepass::new();
        for i in &items {
            if let RecordItem::Entry(e) = i {
                pre.note(e);
            }
        }
        items
            .iter()
            .filter(|i| match i {
                RecordItem::Entry(e) => {
                    pre.is_counted(e)
                        && matches!(e.kind, ostracon::board::EntryKind::Cast { weight: 1, .. })
                }
                _ => false,
            })
            .count()
    };
    let zero = items
        .iter()
        .filter(|i| {
            matches!(i, RecordItem::Entry(e)
            if matches!(e.kind, ostracon::board::EntryKind::Cast { weight: 0, .. }))
        })
        .count();
    assert!(zero > 0, "the demo has weight-0 voters");
    let results = report.results.as_ref().unwrap();
    for m in &results.mixnet {
        assert_eq!(m.ballots.len(), counted_weight_1, "contest {}", m.contest);
    }
    // A registry weight of 2 is refused at the board...
    let (election, _) = election_and_keys(&record(), 7);
    let mut rng = StdRng::seed_from_u64(10);
    let heavy = ostracon::board::generate_voter_key(&mut rng);
    let mut registry = ostracon::board::VoterRegistry::new();
    registry.insert(
        "heavy",
        ostracon::board::Voter {
            key: Some(heavy.verifying_key()),
            weight: 2,
        },
    );
    let mut board = Board::new(&election, Some(registry));
    let p = simulation::random_plaintext(election.manifest(), &mut rng);
    let (ballot, _) = election.encrypt_ballot("h", &p, None, &mut rng).unwrap();
    let signature =
        ostracon::board::sign_ballot(&heavy, &election, &ballot.tracking_code(), "heavy");
    let err = board
        .submit(
            ballot,
            Submission::Cast {
                voter: Some("heavy".into()),
                signature: Some(signature),
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, BallotErrorKind::WeightNotAllowed { weight: 2 });
    assert_eq!(err.code(), "ballot.weight_not_allowed");
    // ...and by the verifier, on a record whose registry and entry say 2.
    let mut forged = items.clone();
    let mut who = None;
    for i in &mut forged {
        if let RecordItem::Entry(e) = i {
            if let ostracon::board::EntryKind::Cast {
                voter: Some(v),
                weight,
                ..
            } = &mut e.kind
            {
                if who.is_none() || who.as_ref() == Some(v) {
                    who = Some(v.clone());
                    *weight = 2;
                }
            }
        }
    }
    for i in &mut forged {
        if let RecordItem::Voters(vs) = i {
            for v in &mut vs.voters {
                if Some(&v.id) == who.as_ref() {
                    v.weight = 2;
                }
            }
        }
    }
    let report = verify_items(&forged);
    assert!(
        report.failures.iter().any(|f| f
            .reason
            .contains("with ranked or write-in contests a voter's weight is 0 or 1")),
        "{}",
        report.summary()
    );
}

// ---------------------------------------------------------------------------------
// The voter registry: committed by the election or attested by t trustees.

/// The failures of check 6 (the registry is the one the election commits).
fn registry_failures(report: &Report) -> Vec<String> {
    report
        .failures
        .iter()
        .filter(|f| f.check == 6)
        .map(|f| f.reason.clone())
        .collect()
}

type RegistryEdit = Box<dyn Fn(&mut ostracon::record::Voters)>;

/// Asserts that `items` fail check 6 with a reason containing `reason`.
fn assert_registry_refused(items: &[RecordItem], reason: &str) {
    let f = registry_failures(&verify_items(items));
    assert!(f.iter().any(|r| r.contains(reason)), "{reason}: {f:?}");
}

/// The record with its registry edited by `edit` (the attestations left as they are).
fn with_voters(
    items: &[RecordItem],
    edit: impl Fn(&mut ostracon::record::Voters),
) -> Vec<RecordItem> {
    let mut items = items.to_vec();
    for i in &mut items {
        if let RecordItem::Voters(v) = i {
            edit(v);
        }
    }
    items
}

/// Board/host: clearing `require_signatures` (to add unsigned ballots for abstainers)
/// changes the election's parameters, so its ceremony context: the record no longer
/// belongs to the ceremony (check 3), without any fingerprint published out of band.
#[test]
fn board_clearing_require_signatures_is_refused() {
    let items = record();
    assert!(verify_items(&items).is_ok());
    let mut forged = items.clone();
    if let Some(RecordItem::Header(h)) = forged.first_mut() {
        assert!(h.parameters.require_signatures);
        h.parameters.require_signatures = false;
    }
    let report = verify_items(&forged);
    assert!(report.failed_checks().contains(&3), "{}", report.summary());
}

/// Board/host: a voter's key swapped for one the board holds, or a weight raised, in the
/// registry it exports. The trustees attested another registry: check 6 fails, naming
/// the attesting trustee, with no `--expect-registry` given.
#[test]
fn board_swapping_a_key_or_raising_a_weight_in_the_registry_is_refused() {
    let items = record();
    let mut rng = StdRng::seed_from_u64(11);
    let board_key = ostracon::board::generate_voter_key(&mut rng);
    let edits: [(&str, RegistryEdit); 4] = [
        (
            "key swapped",
            Box::new(move |v| {
                v.voters[3].key = Some(ostracon::hex::encode(board_key.verifying_key().as_bytes()))
            }),
        ),
        ("weight raised", Box::new(|v| v.voters[3].weight = 5)),
        (
            "voter added",
            Box::new(|v| {
                let mut extra = v.voters[0].clone();
                extra.id = "voter-stuffed".into();
                v.voters.push(extra);
            }),
        ),
        ("voter removed", Box::new(|v| drop(v.voters.remove(2)))),
    ];
    for (what, edit) in edits {
        eprintln!("{what}");
        assert_registry_refused(
            &with_voters(&items, edit),
            "attestation is over another registry",
        );
    }
}

/// Board with up to t − 1 trustees: a new registry attested by fewer than `t`
/// trustees (their attestations are valid, there are just too few), or the
/// attestations dropped, or one attestation repeated to make up the count.
#[test]
fn a_registry_attested_by_fewer_than_t_trustees_is_refused() {
    let items = record();
    let (election, keys) = election_and_keys(&items, 7);
    let mut rng = StdRng::seed_from_u64(12);
    let mut forged: Vec<RecordItem> = items
        .iter()
        .filter(|i| !matches!(i, RecordItem::RegistryAttestation(_)))
        .cloned()
        .collect();
    let mut voters = None;
    for i in &mut forged {
        if let RecordItem::Voters(v) = i {
            v.voters[1].weight = 3;
            voters = Some(v.clone());
        }
    }
    let voters = voters.unwrap();
    let at = forged
        .iter()
        .position(|i| matches!(i, RecordItem::Voters(_)))
        .unwrap()
        + 1;
    // t − 1 = 2 colluding trustees sign the forged registry.
    let sigs: Vec<_> = keys[..2]
        .iter()
        .map(|k| {
            ostracon::registry::RegistryAttestation::sign(&election, &voters, k, &mut rng).unwrap()
        })
        .collect();
    let mut two = forged.clone();
    for (k, a) in sigs.iter().enumerate() {
        two.insert(at + k, RecordItem::RegistryAttestation(a.clone()));
    }
    assert_registry_refused(&two, "attested by 2 distinct trustees; 3 are required");
    // One of them repeated: refused as a duplicate, not counted twice.
    let mut dup = two.clone();
    dup.insert(at + 2, RecordItem::RegistryAttestation(sigs[0].clone()));
    assert_registry_refused(&dup, "attested the registry twice");
    // None at all.
    assert_registry_refused(&forged, "attested by 0 distinct trustees");
    // With a third trustee the forged registry is the election's: t trustees vouch for it.
    let mut three = two.clone();
    three.insert(
        at + 2,
        RecordItem::RegistryAttestation(
            ostracon::registry::RegistryAttestation::sign(&election, &voters, &keys[2], &mut rng)
                .unwrap(),
        ),
    );
    assert!(registry_failures(&verify_items(&three)).is_empty());
}

/// Board/host: an attestation moved from another election (same trustee index, another
/// base hash) or made by someone without the trustee's key share.
#[test]
fn a_replayed_or_forged_registry_attestation_is_refused() {
    let items = record();
    let other = record_of(&Config::demo(12, 8));
    // The other election has the same voter ids but other keys: take its registry
    // and its attestations together.
    let foreign: Vec<RecordItem> = other
        .iter()
        .filter(|i| {
            matches!(
                i,
                RecordItem::Voters(_) | RecordItem::RegistryAttestation(_)
            )
        })
        .cloned()
        .collect();
    let mut replayed: Vec<RecordItem> = items
        .iter()
        .filter(|i| {
            !matches!(
                i,
                RecordItem::Voters(_) | RecordItem::RegistryAttestation(_)
            )
        })
        .cloned()
        .collect();
    for (k, i) in foreign.into_iter().enumerate() {
        replayed.insert(1 + k, i);
    }
    assert_registry_refused(&replayed, "registry attestation does not verify");
    // A signature by a key that is not trustee 1's share.
    let mut forged = items.clone();
    let (election, _) = election_and_keys(&items, 7);
    for i in &mut forged {
        if let RecordItem::RegistryAttestation(a) = i {
            if a.trustee == 1 {
                let x = Scalar::from(12345u64);
                let public = Point::new(ostracon::group::generator_h().point() * x);
                let ctx = ostracon::registry::attestation_context(&election, &a.registry, 1);
                a.signature =
                    SchnorrProof::prove(&ctx, Base::H, &x, &public, &mut StdRng::seed_from_u64(3));
            }
        }
    }
    assert_registry_refused(&forged, "trustee 1's registry attestation does not verify");
}

/// Board/host: the registry dropped from the record (so that unsigned, anonymous ballots
/// pass), or a registry slipped into an open election.
#[test]
fn a_missing_or_unannounced_registry_is_refused() {
    let items = record();
    let dropped: Vec<RecordItem> = items
        .iter()
        .filter(|i| {
            !matches!(
                i,
                RecordItem::Voters(_) | RecordItem::RegistryAttestation(_)
            )
        })
        .cloned()
        .collect();
    let report = verify_items(&dropped);
    assert!(
        registry_failures(&report)
            .iter()
            .any(|r| r.contains("none was given")),
        "{}",
        report.summary()
    );
    // A registry offered to an open election (the ballot box's opening, or a record).
    let (signed, _) = election_and_keys(&items, 7);
    let open = open_twin(&signed);
    let voters = items
        .iter()
        .find_map(|i| match i {
            RecordItem::Voters(v) => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    let err = ostracon::registry::open_registry(&open, Some(&voters), &[]).unwrap_err();
    assert_eq!(err.code(), "registry.unannounced");
    let err = ostracon::registry::open_registry(&signed, None, &[]).unwrap_err();
    assert_eq!(err.code(), "registry.missing");
    // An election whose registry is fixed before the ceremony: the fingerprint must match.
    let fixed = record_of(&Config {
        fixed_registry: true,
        ..Config::demo(12, 7)
    });
    assert!(verify_items(&fixed).is_ok());
    assert_registry_refused(
        &with_voters(&fixed, |r| r.voters[0].weight = 4),
        "is not the one the election fixes",
    );
}

// ---------------------------------------------------------------------------------
// Forks.

/// Board/host: asking a trustee to decrypt two versions of the board (one ballot more,
/// or the same board with another tally) would reveal the ballot by the difference of
/// the two results. The trustee's pins refuse the second version; the same request
/// again is fine.
#[test]
fn a_trustee_asked_to_decrypt_a_fork_refuses() {
    use ostracon::pins::{DecryptionPins, PinError};
    let items = record();
    let (election, _) = election_and_keys(&items, 7);
    let (board, tally) = items.iter().fold((None, None), |(b, t), i| match i {
        RecordItem::Board(s) => (Some(*s), t),
        RecordItem::Tally(x) => (b, Some(x.clone())),
        _ => (b, t),
    });
    let (board, tally) = (board.unwrap(), tally.unwrap());
    let base = *election.base_hash();
    let mut pins = DecryptionPins::new(&base);
    pins.pin_tally(&base, board.count, &board.head, &tally)
        .unwrap();
    // Asked again for the same: allowed (a lost partial decryption re-sent).
    pins.pin_tally(&base, board.count, &board.head, &tally)
        .unwrap();
    // The fork: one entry more, another head and another tally.
    let mut forked_tally = tally.clone();
    forked_tally.ballots += 1;
    forked_tally.contests[0][0] = forked_tally.contests[0][1];
    let mut head = board.head;
    head[0] ^= 1;
    let err = pins
        .pin_tally(&base, board.count + 1, &head, &forked_tally)
        .unwrap_err();
    assert!(matches!(err, PinError::OtherBoard { count, .. } if count == board.count));
    assert_eq!(err.code(), "pin.other_board");
    // The same board with another tally.
    let err = pins
        .pin_tally(&base, board.count, &board.head, &forked_tally)
        .unwrap_err();
    assert_eq!(err, PinError::OtherTally);
    // And the pins of one election are not another's.
    let err = DecryptionPins::new(&[0; 32])
        .pin_tally(&base, board.count, &board.head, &tally)
        .unwrap_err();
    assert_eq!(err, PinError::OtherElection);
}
