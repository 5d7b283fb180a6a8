//! Regression tests for miscompilations seen in this crate's release builds.
//!
//! rustc 1.77 to 1.96 (rust-lang/rust#155241): MIR GVN gave two equal aggregates moved
//! into two calls the same memory, although the first callee had mutated its argument
//! in place. Two `MixList`s filled by the same closure then shared one heap buffer: the
//! second list began with the first one's rows, the first read freed memory once the
//! second grew, and dropping both freed the buffer twice. The workspace compiles through
//! `scripts/rustc-wrapper`, which turns the pass off on those compilers; these tests
//! abort (`double free or corruption`) in a release build without it. They run in the
//! release profile in `scripts/test-all` (step `release`) and under valgrind (step
//! `memcheck`).

use ostracon::elgamal::{Ciphertext, Nonce, SecretKey};
use ostracon::mixnet::MixList;
use rand::rngs::StdRng;
use rand::SeedableRng;

fn rows(n: u64, width: u64) -> Vec<Vec<Ciphertext>> {
    let mut rng = StdRng::seed_from_u64(21);
    let key = SecretKey::random(&mut rng).public_key().precompute();
    (0..n)
        .map(|i| {
            (0..width)
                .map(|k| key.encrypt(i + k, &Nonce::random(&mut rng)))
                .collect()
        })
        .collect()
}

/// The reduced form of the mixnet test that aborted: one closure fills two fresh lists.
#[test]
fn two_lists_filled_by_one_closure_stay_apart() {
    let rows = rows(5, 3);
    let fill = |mut list: MixList| {
        for row in &rows {
            list.push_row(row).unwrap();
        }
        list
    };
    let mixer = fill(MixList::new(1, 3));
    let checker = fill(MixList::new(1, 3));
    assert_eq!(mixer.row_count(), 5);
    assert_eq!(
        checker.row_count(),
        5,
        "the second list began with the first one's rows"
    );
    assert_ne!(mixer.rows().as_ptr(), checker.rows().as_ptr());
    assert_eq!(mixer.rows(), checker.rows());
    assert_eq!(mixer.rows(), rows.concat());
}

/// The same with a plain `Vec` through `FnOnce` (the upstream reproduction's shape).
#[test]
fn two_fresh_vectors_through_fn_once_stay_empty() {
    fn with(f: impl FnOnce(Vec<u64>) -> usize) -> usize {
        f(Vec::new())
    }
    let grown = with(|mut v| {
        v.resize(64, 1);
        v.len()
    });
    let fresh = with(|v| v.len());
    assert_eq!((grown, fresh), (64, 0));
}
