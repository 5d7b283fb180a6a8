//! Core cryptography benchmarks (issue targets in `benches/RESULTS.md`).
//!
//! `OSTRACON_BENCH_BATCH` sets the number of proofs in the batched-verification
//! benchmark (default 10,000; RESULTS.md reports 100,000).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::dlog::DlogTable;
use ostracon::elgamal::Nonce;
use ostracon::group;
use ostracon::proofs::batch;
use ostracon::proofs::{DisjunctiveProof, RangeProof};
use ostracon_benches::{decode_selections, encoded_selections, key, option_context, rng};

fn elgamal(c: &mut Criterion) {
    let (_, ek) = key(1);
    let mut r = rng(2);
    let mut g = c.benchmark_group("elgamal");
    g.bench_function("encrypt (table for K)", |b| {
        b.iter_batched(
            || Nonce::random(&mut r),
            |n| ek.encrypt(1, &n),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("precompute K table", |b| {
        b.iter(|| ek.public_key().precompute())
    });
    g.finish();
}

fn disjunctive(c: &mut Criterion) {
    let (_, ek) = key(3);
    let pk = *ek.public_key();
    let mut r = rng(4);
    let ctx = option_context(0);
    let mut g = c.benchmark_group("disjunctive 0/1");
    g.bench_function("encrypt + prove", |b| {
        b.iter_batched(
            || Nonce::random(&mut r),
            |n| {
                DisjunctiveProof::encrypt_and_prove(&ctx, &ek, 1, 1, &n, &mut rng(5))
                    .expect("in range")
            },
            BatchSize::SmallInput,
        )
    });
    let enc = encoded_selections(&ek, 1);
    let (ct, proof) = decode_selections(&enc).remove(0);
    g.bench_function("verify alone", |b| {
        b.iter(|| proof.verify(&ctx, &pk, &ct, 1).expect("valid"))
    });
    g.bench_function("decode + verify alone", |b| {
        b.iter(|| {
            let (ct, p) = decode_selections(&enc).remove(0);
            p.verify(&ctx, &pk, &ct, 1).expect("valid")
        })
    });
    g.finish();

    let n: usize = std::env::var("OSTRACON_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let enc = encoded_selections(&ek, n);
    let ctxs: Vec<_> = (0..n as u64).map(option_context).collect();
    let decoded = decode_selections(&enc);
    let mut g = c.benchmark_group(format!("disjunctive 0/1 batch of {n}"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    fn items<'a>(
        d: &'a [(ostracon::elgamal::Ciphertext, DisjunctiveProof)],
        ctxs: &'a [ostracon::transcript::ProofContext],
        pk: &'a ostracon::elgamal::PublicKey,
    ) -> Vec<ostracon::proofs::disjunctive::DisjunctiveItem<'a>> {
        d.iter()
            .zip(ctxs)
            .map(|((ct, p), c)| p.item(c, pk, ct, 1))
            .collect()
    }
    g.bench_function("verify, 1 thread", |b| {
        let it = items(&decoded, &ctxs, &pk);
        b.iter(|| assert!(batch::failing_sequential(&it, &mut rng(6)).is_empty()))
    });
    g.bench_function("decode + verify, 1 thread", |b| {
        b.iter(|| {
            let d = decode_selections(&enc);
            assert!(batch::failing_sequential(&items(&d, &ctxs, &pk), &mut rng(6)).is_empty())
        })
    });
    g.bench_function("verify, rayon", |b| {
        let it = items(&decoded, &ctxs, &pk);
        b.iter(|| assert!(batch::failing(&it, &mut rng(6)).is_empty()))
    });
    // One garbage proof (another option's, so it answers another statement) among the
    // valid ones: the bisection names it for a few extra MSMs.
    let mut one_bad = decoded.clone();
    one_bad[n / 2].1 = decoded[0].1.clone();
    g.bench_function("verify, 1 thread, one of them bad", |b| {
        let it = items(&one_bad, &ctxs, &pk);
        b.iter(|| assert_eq!(batch::failing_sequential(&it, &mut rng(6)), [n / 2]))
    });
    g.finish();
}

fn range(c: &mut Criterion) {
    let (_, ek) = key(7);
    let pk = *ek.public_key();
    let mut r = rng(8);
    let ctx = option_context(0);
    let v = 3_000_000_000u64;
    let nonce = Nonce::random(&mut r);
    let ct = ek.encrypt(v, &nonce);
    let hi = u64::from(u32::MAX);
    let mut g = c.benchmark_group("range 32-bit (bulletproof + well-formedness)");
    g.sample_size(20);
    g.bench_function("prove", |b| {
        b.iter(|| {
            RangeProof::prove(&ctx, &ek, &[ct], &[v], &[&nonce], 0, hi, &mut r).expect("in range")
        })
    });
    let proof =
        RangeProof::prove(&ctx, &ek, &[ct], &[v], &[&nonce], 0, hi, &mut r).expect("in range");
    g.bench_function("verify", |b| {
        b.iter(|| {
            proof
                .verify(&ctx, &pk, &[ct], 0, hi, &mut r)
                .expect("valid")
        })
    });
    g.finish();
}

fn dlog(c: &mut Criterion) {
    let mut g = c.benchmark_group("dlog");
    g.sample_size(10);
    g.bench_function("build table 2^16", |b| b.iter(|| DlogTable::new(1 << 16)));
    let t = DlogTable::new(1 << 16);
    let p6 = &Scalar::from(999_999u64) * group::table_g();
    g.bench_function("find 999,999 (bound 10^6)", |b| {
        b.iter(|| t.find(&p6, 1_000_000).expect("found"))
    });
    let worst = u64::from(u32::MAX) - 1;
    let p32 = &Scalar::from(worst) * group::table_g();
    g.bench_function("find 2^32-2 (bound 2^32)", |b| {
        b.iter(|| t.find(&p32, 1 << 32).expect("found"))
    });
    g.finish();
}

criterion_group!(benches, elgamal, disjunctive, range, dlog);
criterion_main!(benches);
