//! Timing of the paths that see a vote: encrypting `v = 0` must cost what encrypting the
//! largest value costs. Each case times batches of both values alternately and compares
//! the fastest batch of each (the minimum is what load on the machine cannot inflate), so
//! the test reads a ratio, never an absolute time. A data-dependent shortcut (as the
//! former `v ∈ {0, 1}` case of encryption, about 1.5×) fails it. The tests of this file
//! run one at a time (they would time each other otherwise), and a comparison is
//! measured again up to `ATTEMPTS` times before it fails: load from other processes can
//! slow one value's every batch once, but a shortcut is there at every attempt.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use ostracon::elgamal::{EncryptionKey, Nonce, SecretKey};
use ostracon::proofs::disjunctive::DisjunctiveProof;
use ostracon::transcript::ProofContext;
use rand::rngs::StdRng;
use rand::SeedableRng;

const ROUNDS: usize = 25;
const LIMIT: f64 = 1.25;
const ATTEMPTS: usize = 3;

/// Held by each test while it measures.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The fastest of `ROUNDS` batches of `run(value)` for each value, alternating.
fn fastest(values: [u64; 2], batch: usize, mut run: impl FnMut(u64)) -> [Duration; 2] {
    let mut best = [Duration::MAX; 2];
    for _ in 0..ROUNDS {
        for (slot, &v) in values.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..batch {
                run(v);
            }
            best[slot] = best[slot].min(start.elapsed());
        }
    }
    best
}

/// Measures `values` with [`fastest`] until their ratio is below `LIMIT`, at most
/// `ATTEMPTS` times; fails with the last measurement.
fn assert_alike(what: &str, values: [u64; 2], batch: usize, mut run: impl FnMut(u64)) {
    let mut last = (0.0, [Duration::ZERO; 2]);
    for _ in 0..ATTEMPTS {
        let best = fastest(values, batch, &mut run);
        let (a, b) = (best[0].as_secs_f64(), best[1].as_secs_f64());
        let ratio = a.max(b) / a.min(b);
        if ratio < LIMIT {
            return;
        }
        last = (ratio, best);
    }
    let (ratio, best) = last;
    panic!(
        "{what}: v = {} took {:?}, v = {} took {:?} per batch (ratio {ratio:.2} ≥ {LIMIT}, {ATTEMPTS} attempts)",
        values[0], best[0], values[1], best[1]
    );
}

fn key() -> (EncryptionKey, StdRng) {
    let mut rng = StdRng::seed_from_u64(5);
    let key = SecretKey::random(&mut rng).public_key().precompute();
    (key, rng)
}

#[test]
fn encryption_time_does_not_depend_on_the_value() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (key, mut rng) = key();
    let nonce = Nonce::random(&mut rng);
    for values in [[0, 1], [0, 10], [1, 10], [0, u64::from(u32::MAX)]] {
        assert_alike("ElGamal encryption", values, 40, |v| {
            std::hint::black_box(key.encrypt(std::hint::black_box(v), &nonce));
        });
    }
}

#[test]
fn disjunctive_prover_time_does_not_depend_on_the_value() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (key, mut rng) = key();
    let ctx = ProofContext::new(b"timing");
    let nonce = Nonce::random(&mut rng);
    for (max, values) in [(1, [0, 1]), (10, [0, 10]), (10, [3, 10])] {
        let mut prover_rng = StdRng::seed_from_u64(9);
        assert_alike(&format!("0..={max} CDS encrypt + prove"), values, 8, |v| {
            let out =
                DisjunctiveProof::encrypt_and_prove(&ctx, &key, v, max, &nonce, &mut prover_rng);
            std::hint::black_box(out.unwrap());
        });
    }
}
