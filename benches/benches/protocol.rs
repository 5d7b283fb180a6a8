//! Election protocol benchmarks: ballot encryption and validation, threshold
//! decryption, and the choice between disjunctive proofs and bulletproofs.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ostracon::ballot::PlaintextBallot;
use ostracon::election::{ceremony_context, Election, Parameters};
use ostracon::elgamal::Nonce;
use ostracon::keyceremony::CeremonyParams;
use ostracon::manifest::{Contest, ContestOption, Manifest, VoteRule};
use ostracon::proofs::{DisjunctiveProof, RangeProof};
use ostracon::simulation::run_ceremony;
use ostracon::threshold::{self, PartialDecryption};
use ostracon_benches::{key, option_context, rng};

/// One contest: approval of up to 3 among 10 options.
fn approval_manifest(options: usize) -> Manifest {
    Manifest {
        election_id: "bench".into(),
        title: String::new(),
        contests: vec![Contest {
            id: "council".into(),
            title: String::new(),
            options: (0..options)
                .map(|i| ContestOption {
                    id: format!("o{i}"),
                    label: String::new(),
                })
                .collect(),
            rule: VoteRule::Approval { min: 0, max: 3 },
        }],
    }
}

fn election(
    manifest: Manifest,
    n: u32,
    t: u32,
) -> (
    Election,
    Vec<ostracon::keyceremony::KeyShare>,
    ostracon::keyceremony::PublicCeremony,
) {
    let params = Parameters::new(n, t);
    let cp = CeremonyParams::new(n, t, ceremony_context(&manifest, &params)).expect("params");
    let (ceremony, _, keys) = run_ceremony(cp, &mut rng(1)).expect("ceremony");
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    (
        Election::new(manifest, params, commitments).expect("election"),
        keys,
        ceremony,
    )
}

fn ballots(c: &mut Criterion) {
    let (e, _, _) = election(approval_manifest(10), 1, 1);
    let p = PlaintextBallot::new().with("council", vec![1, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
    let mut r = rng(2);
    let mut g = c.benchmark_group("ballot: 10-option approval, up to 3");
    g.bench_function("encrypt with all proofs", |b| {
        b.iter(|| {
            e.encrypt_ballot("ballot-1", &p, None, &mut r)
                .expect("valid")
        })
    });
    g.bench_function("precompute (before the choices)", |b| {
        b.iter(|| e.precompute_ballot("ballot-1", &mut r).expect("valid"))
    });
    g.bench_function("encrypt precomputed (after the choices)", |b| {
        b.iter_batched(
            || e.precompute_ballot("ballot-1", &mut rng(3)).expect("valid"),
            |pre| {
                e.encrypt_precomputed(pre, &p, None, &mut rng(4))
                    .expect("valid")
            },
            BatchSize::SmallInput,
        )
    });
    let (ballot, _) = e
        .encrypt_ballot("ballot-1", &p, None, &mut r)
        .expect("valid");
    let bytes = ballot.to_bytes();
    g.bench_function("validate (decode + all proofs), 1 thread", |b| {
        b.iter(|| {
            let bl = ostracon::ballot::EncryptedBallot::from_bytes(&bytes).expect("decodes");
            e.validate_ballot(&bl).expect("valid")
        })
    });
    g.finish();
    let n = 512;
    let many: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            e.encrypt_ballot(&format!("b{i}"), &p, None, &mut r)
                .expect("valid")
                .0
                .to_bytes()
        })
        .collect();
    let mut g = c.benchmark_group(format!("ballot: validate {n} (decode + batch), both cores"));
    g.sample_size(10);
    g.throughput(criterion::Throughput::Elements(n as u64));
    g.bench_function("validate_ballots", |b| {
        b.iter(|| {
            use rayon::prelude::*;
            let decoded: Vec<_> = many
                .par_iter()
                .map(|x| ostracon::ballot::EncryptedBallot::from_bytes(x).expect("decodes"))
                .collect();
            assert!(e
                .validate_ballots(&decoded, &mut rng(3))
                .iter()
                .all(Result::is_ok))
        })
    });
    g.finish();
}

fn decryption(c: &mut Criterion) {
    let (e, keys, ceremony) = election(approval_manifest(100), 5, 3);
    let mut r = rng(4);
    let p = PlaintextBallot::new().with(
        "council",
        (0..100).map(|i| u64::from(i % 40 == 0)).collect(),
    );
    let mut acc = ostracon::tally::TallyAccumulator::new(&e);
    for i in 0..20 {
        acc.add(
            &e.encrypt_ballot(&format!("b{i}"), &p, None, &mut r)
                .expect("valid")
                .0,
            1,
        )
        .expect("shape");
    }
    let tally = acc.finish();
    let flat = tally.flat();
    let ctx = e.decryption_context();
    let table = ostracon::dlog::DlogTable::new(1 << 10);
    let mut g = c.benchmark_group("threshold decryption, 100-option tally, 3 of 5");
    g.sample_size(10);
    g.bench_function("3 partial decryptions + verify + combine + dlog", |b| {
        b.iter(|| {
            let partials: Vec<PartialDecryption> = keys[..3]
                .iter()
                .map(|k| PartialDecryption::from_key_share(&ctx, k, &flat, &mut r))
                .collect();
            let pts =
                threshold::decrypt(&ctx, &ceremony, &flat, &partials, &mut r).expect("decrypts");
            pts.iter()
                .map(|p| table.find(p, 21).expect("small"))
                .sum::<u64>()
        })
    });
    g.finish();
}

/// Disjunctive proof over 0..=L against a bulletproof over [0, L], per value.
fn proof_choice(c: &mut Criterion) {
    let (_, ek) = key(5);
    let pk = *ek.public_key();
    let ctx = option_context(0);
    let mut r = rng(6);
    let mut g = c.benchmark_group("proof choice");
    g.sample_size(20);
    for l in [1u64, 4, 8, 16] {
        let nonce = Nonce::random(&mut r);
        g.bench_function(format!("disjunctive L={l}: encrypt + prove"), |b| {
            b.iter_batched(
                || Nonce::random(&mut r),
                |n| {
                    DisjunctiveProof::encrypt_and_prove(&ctx, &ek, 1, l, &n, &mut rng(7))
                        .expect("ok")
                },
                BatchSize::SmallInput,
            )
        });
        let (ct, p) =
            DisjunctiveProof::encrypt_and_prove(&ctx, &ek, 1, l, &nonce, &mut r).expect("ok");
        g.bench_function(format!("disjunctive L={l}: verify"), |b| {
            b.iter(|| p.verify(&ctx, &pk, &ct, l).expect("valid"))
        });
    }
    for hi in [16u64, 255] {
        let nonce = Nonce::random(&mut r);
        let ct = ek.encrypt(3, &nonce);
        g.bench_function(format!("bulletproof [0,{hi}]: prove"), |b| {
            b.iter(|| {
                RangeProof::prove(&ctx, &ek, &[ct], &[3], &[&nonce], 0, hi, &mut r).expect("ok")
            })
        });
        let p = RangeProof::prove(&ctx, &ek, &[ct], &[3], &[&nonce], 0, hi, &mut r).expect("ok");
        g.bench_function(format!("bulletproof [0,{hi}]: verify"), |b| {
            b.iter(|| p.verify(&ctx, &pk, &[ct], 0, hi, &mut r).expect("valid"))
        });
    }
    g.finish();
}

criterion_group!(benches, ballots, decryption, proof_choice);
criterion_main!(benches);
