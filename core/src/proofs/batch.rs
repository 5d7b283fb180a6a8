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
//! When a batch fails, every proof of it is re-verified alone so the failure names the
//! proofs that are bad: single and batch verification check the same equations and so
//! accept the same inputs.

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

/// Checks one chunk with one MSM; on failure, names its bad items (offset by `first`).
fn check_part<T: BatchItem>(
    part: &[T],
    first: usize,
    per_item: usize,
    shared: Option<RistrettoPoint>,
    rng: &mut ChaCha20Rng,
) -> Vec<usize> {
    let mut msm = Msm::new(shared, part.len() * per_item);
    let mut ok = true;
    for item in part {
        ok &= item.add_to(&mut msm, rng);
    }
    if ok && msm.is_identity() {
        return Vec::new();
    }
    singles(part).into_iter().map(|i| first + i).collect()
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
