//! The native figure of the Kotlin benchmark: encrypting a ballot of one approval
//! contest with 10 options (choose up to 3), in a release build, median of N after a
//! warm-up, measured two ways: the core called directly, and the binding's Rust
//! function (what Kotlin calls, minus JNA).
//!
//! ```sh
//! cargo run --release -p ostracon-ffi --example bench_encrypt -- [N] [WARMUP]   # 200 1000
//! ```
//!
//! Each sample is timed twice: wall clock, and the CPU time of the calling thread
//! (`CLOCK_THREAD_CPUTIME_ID`, as Java's `ThreadMXBean` reads it), which a loaded
//! machine disturbs much less. Prints one line of JSON: `{"core_us": …, "core_cpu_us": …,
//! "ffi_rust_us": …, "ffi_rust_cpu_us": …, "n": …, "warmup": …}` (medians, µs).

#[path = "../tests/common/mod.rs"]
mod common;

use std::env;
use std::time::Instant;

use ostracon::ballot::PlaintextBallot;
use rand_core::OsRng;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// CPU time of this thread so far, in µs (`CLOCK_THREAD_CPUTIME_ID`, what Java's
/// `ThreadMXBean.getCurrentThreadCpuTime` reads too).
fn thread_cpu_us() -> f64 {
    cpu_time::ThreadTime::now().as_duration().as_secs_f64() * 1e6
}

/// Medians of (wall, thread CPU) in µs.
fn time<F: FnMut(usize)>(n: usize, warmup: usize, mut f: F) -> (f64, f64) {
    for i in 0..warmup {
        f(i);
    }
    let (wall, cpu) = (0..n)
        .map(|i| {
            let c = thread_cpu_us();
            let t = Instant::now();
            f(warmup + i);
            let wall = t.elapsed().as_secs_f64() * 1e6;
            (wall, thread_cpu_us() - c)
        })
        .unzip();
    (median(wall), median(cpu))
}

fn main() {
    let mut args = env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a count"));
    let n = args.next().unwrap_or(200);
    let warmup = args.next().unwrap_or(1000);
    let election = common::bench_election();
    let plaintext: PlaintextBallot = serde_json::from_str(common::BENCH_PLAINTEXT).unwrap();
    let ffi = ostracon_ffi::Election::from_json(election.to_json()).unwrap();

    let (core_us, core_cpu_us) = time(n, warmup, |i| {
        let id = format!("bench-{i}");
        let (ballot, _opening) = election
            .encrypt_ballot(&id, &plaintext, None, &mut OsRng)
            .unwrap();
        std::hint::black_box(ballot);
    });
    // As the Kotlin benchmark does it: encrypt, read the code, release.
    let (ffi_rust_us, ffi_rust_cpu_us) = time(n, warmup, |i| {
        let ballot = ffi
            .encrypt_ballot(format!("bench-{i}"), common::BENCH_PLAINTEXT.into(), None)
            .unwrap();
        std::hint::black_box(ballot.tracking_code_hex());
    });
    println!(
        "{{\"core_us\": {core_us:.1}, \"core_cpu_us\": {core_cpu_us:.1}, \"ffi_rust_us\": {ffi_rust_us:.1}, \"ffi_rust_cpu_us\": {ffi_rust_cpu_us:.1}, \"n\": {n}, \"warmup\": {warmup}}}"
    );
}
