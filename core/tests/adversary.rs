//! The trust model, tried as each dishonest role would (docs/security.md, "Threat model"):
//! one test per role and capability, each showing the attack refused by the verifier or
//! by the honest party, with the error or check that names it.

use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::verify_items;
use ostracon::elgamal::{Nonce, SecretKey};
use ostracon::proofs::batch::{self, BatchItem, Msm};
use ostracon::proofs::disjunctive::DisjunctiveProof;
use ostracon::record::RecordItem;
use ostracon::simulation::{self, Config};
use ostracon::transcript::ProofContext;
use ostracon::verify::{self, Report};
use rand::rngs::StdRng;
use rand::SeedableRng;

fn record() -> Vec<RecordItem> {
    let mut items = Vec::new();
    simulation::run(&Config::demo(12, 7), &mut |item| {
        items.push(item);
        Ok(())
    })
    .unwrap();
    items
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
