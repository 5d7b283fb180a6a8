//! Batch verification: many proofs, one multiscalar multiplication.
//!
//! Every verification equation of every proof in a batch is written as a linear
//! combination of points that must be the identity. Each equation is multiplied by an
//! independent random 128-bit weight and all are summed into one multiscalar
//! multiplication (MSM); the sum is the identity for valid proofs, and for any invalid
//! one it is the identity with probability at most 2⁻¹²⁸.
//!
//! Equations name the fixed generators `G` and `H` and one per-batch shared point (the
//! election key `K`) by coefficient, so those cost one MSM term per chunk rather than per
//! proof. Batches are cut into chunks of about [`CHUNK_POINTS`] points (the MSM's cost per
//! point stops falling there), and with the `std` feature the chunks run in parallel on
//! rayon.
//!
//! When a batch fails it is halved, and each half checked again from the equations
//! already weighted, until the parts are small enough to verify each proof alone (see
//! `check_part`): the failure names the proofs that are bad for `O(k·log n)` MSMs of
//! shrinking size for `k` bad proofs in `n`. Single and batch verification check the same equations and so accept the same
//! inputs.

use alloc::vec::Vec;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRngCore, SeedableRng};

use crate::error::{ProofError, ProofKind};
use crate::group::{self, Point};
use crate::labels;
use crate::transcript::{ProofContext, TranscriptExt};

/// Target number of MSM points per chunk.
pub const CHUNK_POINTS: usize = 16_384;

/// An accumulating verification equation `Σ sᵢ·Pᵢ = 0`.
#[derive(Default)]
pub struct Msm {
    g: Scalar,
    h: Scalar,
    shared: Scalar,
    shared_point: Option<RistrettoPoint>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
}

impl Msm {
    /// An empty equation whose shared point is `shared` (e.g. the election key).
    pub fn new(shared: Option<RistrettoPoint>, capacity: usize) -> Self {
        Self {
            shared_point: shared,
            scalars: Vec::with_capacity(capacity),
            points: Vec::with_capacity(capacity),
            ..Self::default()
        }
    }

    /// Adds `s·G`.
    pub fn add_g(&mut self, s: Scalar) {
        self.g += s;
    }

    /// Adds `s·H`.
    pub fn add_h(&mut self, s: Scalar) {
        self.h += s;
    }

    /// Adds `s·S` for the shared point `S`.
    pub fn add_shared(&mut self, s: Scalar) {
        self.shared += s;
    }

    /// Adds `s·P`.
    pub fn add(&mut self, s: Scalar, p: RistrettoPoint) {
        self.scalars.push(s);
        self.points.push(p);
    }

    /// Number of variable points so far.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether no variable point was added.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Whether the accumulated combination is the identity.
    pub fn is_identity(&self) -> bool {
        let h = *group::generator_h().point();
        let fixed_s = [self.g, self.h];
        let fixed_p = [group::generator_g(), h];
        let shared = self.shared_point.map(|p| (self.shared, p));
        let sum = RistrettoPoint::vartime_multiscalar_mul(
            self.scalars
                .iter()
                .chain(fixed_s.iter())
                .chain(shared.iter().map(|(s, _)| s)),
            self.points
                .iter()
                .chain(fixed_p.iter())
                .chain(shared.iter().map(|(_, p)| p)),
        );
        sum.is_identity()
    }
}

/// A random 128-bit weight.
pub fn weight(rng: &mut impl CryptoRngCore) -> Scalar {
    let mut b = [0u8; 32];
    rng.fill_bytes(&mut b[..16]);
    Scalar::from_bytes_mod_order(b)
}

/// Verifies one item with a single MSM, its equations combined with weights derived by
/// hashing the whole item (context, statement and proof, responses included).
///
/// Like Fiat–Shamir challenges, weights the prover cannot predict before fixing the
/// proof make this as sound as random weights (error ≤ 2⁻¹²⁸ per attempt), while staying
/// deterministic. One MSM of all the proof's points is far cheaper than one per equation.
pub fn verify_combined<T: BatchItem>(item: &T, seed: [u8; 32]) -> bool {
    let mut rng = ChaCha20Rng::from_seed(seed);
    let mut msm = Msm::new(item.shared().map(|p| *p.point()), item.points());
    item.add_to(&mut msm, &mut rng) && msm.is_identity()
}

/// [`verify_combined`] for a proof about a ciphertext under the election key (the
/// disjunctive and well-formedness proofs): the weights hash the key, the ciphertext
/// and the proof's encoding.
pub fn verify_ciphertext_proof<T: BatchItem>(
    item: &T,
    ctx: &ProofContext,
    key: &crate::elgamal::PublicKey,
    ct: &crate::elgamal::Ciphertext,
    proof: &[u8],
) -> bool {
    verify_combined(item, weight_seed(ctx, &[key.point(), &ct.a, &ct.b], proof))
}

/// The seed of [`verify_combined`]'s weights: a transcript over the context, the
/// statement's points and the proof's encoding.
pub fn weight_seed(ctx: &ProofContext, statement: &[&Point], proof: &[u8]) -> [u8; 32] {
    let mut t = ctx.transcript();
    t.append_message(labels::DOMAIN_SEPARATOR, labels::VERIFICATION_WEIGHTS);
    for p in statement {
        t.append_point(labels::STATEMENT, p);
    }
    t.append_message(labels::PROOF, proof);
    let mut seed = [0u8; 32];
    t.challenge_bytes(labels::SEED, &mut seed);
    seed
}

/// A proof statement that can be verified alone or folded into a batch equation.
pub trait BatchItem: Sync {
    /// The kind of proof, for errors.
    const KIND: ProofKind;

    /// Number of variable MSM points this item adds (for chunking).
    fn points(&self) -> usize;

    /// Verifies this item alone.
    fn verify_single(&self) -> bool;

    /// The point this item folds in with [`Msm::add_shared`] (e.g. the election key), if
    /// any. Items batched together must agree on it; otherwise each is verified alone.
    fn shared(&self) -> Option<&Point> {
        None
    }

    /// Adds this item's equations, each multiplied by a fresh weight from `rng`.
    /// Returns `false` if the item is already known to be invalid (e.g. a malformed
    /// statement), in which case the batch fails.
    fn add_to(&self, msm: &mut Msm, rng: &mut ChaCha20Rng) -> bool;
}

/// Verifies a batch of proofs; on failure returns the index of the first bad proof.
pub fn verify<T: BatchItem>(items: &[T], rng: &mut impl CryptoRngCore) -> Result<(), ProofError> {
    match failing(items, rng).first() {
        None => Ok(()),
        Some(&i) => Err(ProofError::at(T::KIND, i)),
    }
}

/// The shared point of a batch, `None` when items disagree on it.
fn uniform_shared<T: BatchItem>(items: &[T]) -> Option<Option<RistrettoPoint>> {
    let first = items.first().and_then(BatchItem::shared);
    if items.iter().all(|i| i.shared() == first) {
        Some(first.map(|p| *p.point()))
    } else {
        None
    }
}

/// Indices of the items that fail single verification.
fn singles<T: BatchItem>(items: &[T]) -> Vec<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.verify_single())
        .map(|(i, _)| i)
        .collect()
}

fn chunk_len<T: BatchItem>(items: &[T]) -> (usize, usize) {
    let per_item = items
        .iter()
        .map(BatchItem::points)
        .max()
        .unwrap_or(1)
        .max(1);
    (per_item, (CHUNK_POINTS / per_item).max(1))
}

/// A failing part of at most this many items is verified item by item.
const BISECT_MIN: usize = 4;

/// One chunk's equations, weighted once, with what each item contributed, so that the
/// sum over any run of items is one MSM over a slice (no item is hashed or weighted
/// twice).
struct Folded {
    msm: Msm,
    /// `ends[i]`: the number of variable points after item `i`.
    ends: Vec<usize>,
    /// Prefix sums of the items' `G`, `H` and shared-point scalars (`fixed[0]` = 0).
    fixed: Vec<[Scalar; 3]>,
}

impl Folded {
    /// Folds every item of `part`. Items whose `add_to` refuses them contribute nothing
    /// (their partial terms are rolled back) and are returned, to be verified alone.
    fn new<T: BatchItem>(
        part: &[T],
        per_item: usize,
        shared: Option<RistrettoPoint>,
        rng: &mut ChaCha20Rng,
    ) -> (Self, Vec<usize>) {
        let mut msm = Msm::new(shared, part.len() * per_item);
        let mut ends = Vec::with_capacity(part.len());
        let mut fixed = Vec::with_capacity(part.len() + 1);
        fixed.push([Scalar::ZERO; 3]);
        let mut refused = Vec::new();
        for (i, item) in part.iter().enumerate() {
            let (len, before) = (msm.len(), [msm.g, msm.h, msm.shared]);
            if !item.add_to(&mut msm, rng) {
                msm.scalars.truncate(len);
                msm.points.truncate(len);
                [msm.g, msm.h, msm.shared] = before;
                refused.push(i);
            }
            ends.push(msm.len());
            fixed.push([msm.g, msm.h, msm.shared]);
        }
        (Self { msm, ends, fixed }, refused)
    }

    /// `Σ` of the equations of items `range`.
    fn sum(&self, range: core::ops::Range<usize>) -> RistrettoPoint {
        let from = if range.start == 0 {
            0
        } else {
            self.ends[range.start - 1]
        };
        let to = if range.end == 0 {
            0
        } else {
            self.ends[range.end - 1]
        };
        let (a, b) = (&self.fixed[range.start], &self.fixed[range.end]);
        let fixed_s = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        let h = *group::generator_h().point();
        let shared = self.msm.shared_point.map(|p| (fixed_s[2], p));
        RistrettoPoint::vartime_multiscalar_mul(
            self.msm.scalars[from..to]
                .iter()
                .chain(&fixed_s[..2])
                .chain(shared.iter().map(|(s, _)| s)),
            self.msm.points[from..to]
                .iter()
                .chain([group::generator_g(), h].iter())
                .chain(shared.iter().map(|(_, p)| p)),
        )
    }
}

/// Checks one chunk with one MSM; on failure, names its bad items (offset by `first`).
///
/// A failing chunk is halved: the first half's sum is one MSM over its slice of the
/// already weighted equations, and the second half's is the chunk's sum minus it (the
/// sums are linear), down to [`BISECT_MIN`] items, which are verified alone. One bad
/// proof among `n` then costs MSMs over `n/2 + n/4 + …` points beyond the batch itself,
/// rather than `n` single verifications; `k` bad ones `O(k·log n)` MSMs. Weights are
/// random and fixed before any sum is taken, so a part containing a bad proof sums to
/// the identity with probability at most 2⁻¹²⁸. The leaves are single verifications, so
/// what is named bad is exactly what single verification refuses.
fn check_part<T: BatchItem>(
    part: &[T],
    first: usize,
    per_item: usize,
    shared: Option<RistrettoPoint>,
    rng: &mut ChaCha20Rng,
) -> Vec<usize> {
    let (folded, refused) = Folded::new(part, per_item, shared, rng);
    let mut bad: Vec<usize> = refused
        .into_iter()
        .filter(|&i| !part[i].verify_single())
        .collect();
    let total = folded.sum(0..part.len());
    bisect(part, &folded, 0..part.len(), total, &mut bad);
    bad.sort_unstable();
    bad.dedup();
    bad.into_iter().map(|i| first + i).collect()
}

/// [`check_part`]'s recursion over the items `range`, whose equations sum to `sum`.
fn bisect<T: BatchItem>(
    part: &[T],
    folded: &Folded,
    range: core::ops::Range<usize>,
    sum: RistrettoPoint,
    bad: &mut Vec<usize>,
) {
    if range.is_empty() || sum.is_identity() {
        return;
    }
    if range.len() <= BISECT_MIN {
        bad.extend(range.filter(|&i| !part[i].verify_single()));
        return;
    }
    let mid = range.start + range.len() / 2;
    let left = folded.sum(range.start..mid);
    bisect(part, folded, range.start..mid, left, bad);
    bisect(part, folded, mid..range.end, sum - left, bad);
}

/// Verifies a batch and returns the indices of every bad proof (empty when all are
/// valid). With the `std` feature, chunks are verified in parallel.
pub fn failing<T: BatchItem>(items: &[T], rng: &mut impl CryptoRngCore) -> Vec<usize> {
    #[cfg(feature = "std")]
    {
        use rayon::prelude::*;
        let Some(shared) = uniform_shared(items) else {
            return singles(items);
        };
        let (per_item, chunk) = chunk_len(items);
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        items
            .par_chunks(chunk)
            .enumerate()
            .flat_map_iter(|(ci, part)| {
                let mut rng = ChaCha20Rng::from_seed(seed);
                rng.set_stream(ci as u64);
                check_part(part, ci * chunk, per_item, shared, &mut rng)
            })
            .collect()
    }
    #[cfg(not(feature = "std"))]
    {
        failing_sequential(items, rng)
    }
}

/// Like [`failing`], on the calling thread only, for callers that parallelise at a
/// coarser grain themselves.
pub fn failing_sequential<T: BatchItem>(items: &[T], rng: &mut impl CryptoRngCore) -> Vec<usize> {
    let Some(shared) = uniform_shared(items) else {
        return singles(items);
    };
    let (per_item, chunk) = chunk_len(items);
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let mut rng = ChaCha20Rng::from_seed(seed);
    items
        .chunks(chunk)
        .enumerate()
        .flat_map(|(ci, part)| check_part(part, ci * chunk, per_item, shared, &mut rng))
        .collect()
}
