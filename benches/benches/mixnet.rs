//! Mixnet benchmarks: shuffle + proof and verification of `N` rows of width `w`, on one
//! thread and on two (rayon pools of that size).
//!
//! `OSTRACON_BENCH_MIX_LARGE=1` adds the 10,000-row cases (several seconds each).

use criterion::{criterion_group, criterion_main, Criterion};
use ostracon::elgamal::{Ciphertext, Nonce};
use ostracon::mixnet::shuffle::{self, ShuffleProof};
use ostracon::mixnet::{mix_context, ShuffleGenerators, ShuffleWitness};
use ostracon::transcript::ProofContext;
use ostracon_benches::{key, rng};

struct Case {
    input: Vec<Ciphertext>,
    output: Vec<Ciphertext>,
    proof: ShuffleProof,
    gens: ShuffleGenerators,
    width: usize,
}

fn ctx() -> ProofContext {
    mix_context(&ProofContext::new(b"bench"), 0, 0)
}

fn case(rows: usize, width: usize) -> Case {
    let (_, ek) = key(3);
    let mut r = rng(7);
    let input: Vec<Ciphertext> = (0..rows * width)
        .map(|i| ek.encrypt(i as u64 % 5, &Nonce::random(&mut r)))
        .collect();
    let gens = ShuffleGenerators::derive(b"bench", rows);
    let w = ShuffleWitness::random(rows, width, &mut r);
    let (output, proof) =
        shuffle::shuffle(&ctx(), &ek, &gens, &input, width, &w, &mut r).expect("shuffle");
    Case {
        input,
        output,
        proof,
        gens,
        width,
    }
}

fn bench_mixnet(c: &mut Criterion) {
    let (_, ek) = key(3);
    let mut sizes = vec![(1000, 1), (1000, 5)];
    if std::env::var_os("OSTRACON_BENCH_MIX_LARGE").is_some() {
        sizes.push((10_000, 1));
    }
    let mut group = c.benchmark_group("mixnet");
    group.sample_size(10);
    for (rows, width) in sizes {
        let cs = case(rows, width);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let tag = format!("{rows}x{width}/{threads}t");
            let mut r = rng(9);
            group.bench_function(format!("shuffle+prove/{tag}"), |b| {
                b.iter(|| {
                    pool.install(|| {
                        let w = ShuffleWitness::random(rows, width, &mut r);
                        shuffle::shuffle(&ctx(), &ek, &cs.gens, &cs.input, cs.width, &w, &mut r)
                            .expect("shuffle")
                    })
                })
            });
            group.bench_function(format!("verify/{tag}"), |b| {
                b.iter(|| {
                    pool.install(|| {
                        shuffle::verify(
                            &ctx(),
                            ek.public_key(),
                            &cs.gens,
                            &cs.input,
                            &cs.output,
                            cs.width,
                            &cs.proof,
                            &mut r,
                        )
                        .expect("verify")
                    })
                })
            });
            group.bench_function(format!("decode proof/{tag}"), |b| {
                let bytes = cs.proof.to_bytes();
                b.iter(|| pool.install(|| ShuffleProof::from_bytes(&bytes).expect("decode")))
            });
            group.bench_function(format!("generators/{tag}"), |b| {
                b.iter(|| pool.install(|| ShuffleGenerators::derive(b"bench", rows)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_mixnet);
criterion_main!(benches);
