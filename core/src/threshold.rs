//! Threshold decryption: partial decryptions with proofs, and their combination.
//!
//! After the [key ceremony](crate::keyceremony), trustee `i` holds a share `xᵢ = F(i)`
//! of the election secret `x = F(0)` (`F` of degree `t − 1`), and everybody knows its
//! verification share `Xᵢ = xᵢ·H`.
//!
//! # Partial decryption
//!
//! For each ciphertext `(A, B)` of a list (a tally), trustee `i` publishes `Mᵢ = xᵢ·A`
//! and a Chaum–Pedersen proof that `log_H Xᵢ = log_A Mᵢ` ([`PartialDecryption`]): with
//! [`DleqStatement`] `P₁ = H, X₁ = Xᵢ, P₂ = A, X₂ = Mᵢ`. The proof of ciphertext `k` is
//! made under the caller's [`ProofContext`] extended with
//!
//! ```text
//! .bind("ostracon/v1/partial-decryption", "")
//! .bind_u64("trustee", i)
//! .bind_u64("ciphertext", k)
//! ```
//!
//! so it cannot be moved to another election, tally, trustee or position. All proofs of
//! one or several partial decryptions are [batch-verified](crate::proofs::batch); on
//! failure the error names the trustee and the ciphertext index.
//!
//! # Combination
//!
//! For a set `S` of `t` distinct trustee indices, the Lagrange coefficients at zero
//!
//! ```text
//! λᵢ = Π_{j∈S, j≠i} j / (j − i)
//! ```
//!
//! satisfy `Σ_{i∈S} λᵢ·F(i) = F(0)` for every `F` of degree `< t`, so
//!
//! ```text
//! Σ_{i∈S} λᵢ·Mᵢ = (Σ λᵢ·xᵢ)·A = x·A      and      v·G = B − x·A = B − Σ_{i∈S} λᵢ·Mᵢ.
//! ```
//!
//! [`combine`] uses exactly `t` partial decryptions: when given more, the `t` with the
//! lowest trustee indices (any `t` give the same result when all are valid). Absent
//! trustees need do nothing. With fewer than `t` there is no result: `t − 1` shares are
//! consistent with every value of `x`. The plaintext `v` is then recovered from `v·G`
//! with [`crate::dlog::DlogTable`].
//!
//! [`combine`] does not check proofs; [`decrypt`] checks every given partial decryption
//! against the verified ceremony, then combines.

use alloc::vec::Vec;
use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::CryptoRngCore;

use crate::elgamal::{Ciphertext, SecretKey};
use crate::error::{DecodeError, Error, ProofError, ProofKind, What};
use crate::group::{self, Point, Reader};
use crate::keyceremony::{capacity, put_count, KeyShare, PublicCeremony};
use crate::labels;
use crate::proofs::batch;
use crate::proofs::{DleqProof, DleqStatement};
use crate::transcript::ProofContext;

/// Transcript label binding the index of the ciphertext a partial-decryption proof is
/// about (local to this module; not in [`crate::labels`]).
pub(crate) use crate::labels::CIPHERTEXT;

/// Errors of threshold decryption. They convert into the crate's [`Error`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThresholdError {
    /// A threshold of zero.
    InvalidThreshold,
    /// Trustee index 0 (indices are the nonzero evaluation points `1..=n`).
    ZeroIndex,
    /// A trustee index given more than once.
    DuplicateIndex {
        /// The index.
        trustee: u32,
    },
    /// The index whose Lagrange coefficient is asked for is not in the set.
    NotInSet {
        /// The index.
        trustee: u32,
    },
    /// A trustee that is not part of the ceremony.
    UnknownTrustee {
        /// The index.
        trustee: u32,
    },
    /// Fewer partial decryptions than the threshold.
    TooFewPartials {
        /// The threshold `t`.
        needed: u32,
        /// How many were given.
        found: usize,
    },
    /// A partial decryption whose number of shares or proofs is not the number of
    /// ciphertexts.
    LengthMismatch {
        /// The trustee.
        trustee: u32,
        /// Number of ciphertexts.
        expected: usize,
        /// Number of shares `Mᵢ`.
        shares: usize,
        /// Number of proofs.
        proofs: usize,
    },
    /// A partial decryption's proof does not verify: its share is wrong.
    InvalidProof {
        /// The trustee.
        trustee: u32,
        /// Index of the ciphertext.
        ciphertext: usize,
    },
}

impl fmt::Display for ThresholdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidThreshold => f.write_str("threshold decryption: threshold is zero"),
            Self::ZeroIndex => f.write_str("threshold decryption: trustee index 0"),
            Self::DuplicateIndex { trustee } => {
                write!(f, "threshold decryption: trustee {trustee} appears twice")
            }
            Self::NotInSet { trustee } => {
                write!(f, "threshold decryption: trustee {trustee} is not in the set")
            }
            Self::UnknownTrustee { trustee } => write!(
                f,
                "threshold decryption: trustee {trustee} is not part of the ceremony"
            ),
            Self::TooFewPartials { needed, found } => write!(
                f,
                "threshold decryption: {found} partial decryptions, at least {needed} needed"
            ),
            Self::LengthMismatch {
                trustee,
                expected,
                shares,
                proofs,
            } => write!(
                f,
                "threshold decryption: trustee {trustee} gave {shares} shares and {proofs} proofs for {expected} ciphertexts"
            ),
            Self::InvalidProof {
                trustee,
                ciphertext,
            } => write!(
                f,
                "threshold decryption: trustee {trustee}'s proof for ciphertext {ciphertext} does not verify"
            ),
        }
    }
}

impl core::error::Error for ThresholdError {}

impl From<ThresholdError> for Error {
    /// A failed proof becomes [`Error::Proof`] (with the ciphertext index); everything
    /// else [`Error::InvalidInput`] with the full message.
    fn from(e: ThresholdError) -> Self {
        match e {
            ThresholdError::InvalidProof { ciphertext, .. } => {
                Error::Proof(ProofError::at(ProofKind::Dleq, ciphertext))
            }
            other => Error::InvalidInput(alloc::format!("{other}")),
        }
    }
}

/// Trustee `i`'s partial decryption of a list of ciphertexts: `Mᵢ = xᵢ·A` for each, with
/// a DLEQ proof each.
///
/// A plain message; [`PartialDecryption::verify`] or [`decrypt`] check it.
///
/// Encoding (`12 + 128·m` bytes when well formed): `trustee: u32 LE ‖ m: u32 LE ‖
/// m × Mᵢ (32) ‖ p: u32 LE ‖ p × proof (96)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialDecryption {
    /// The trustee index `i`.
    pub trustee: u32,
    /// `Mᵢ = xᵢ·A` for each ciphertext `(A, B)`.
    pub shares: Vec<Point>,
    /// Proof that `log_H Xᵢ = log_A Mᵢ`, for each ciphertext.
    pub proofs: Vec<DleqProof>,
}

/// Context of trustee `i`'s proofs; extended with the ciphertext index per proof.
fn trustee_context(ctx: &ProofContext, trustee: u32) -> ProofContext {
    ctx.clone()
        .bind(labels::PARTIAL_DECRYPTION, &[])
        .bind_u64(labels::TRUSTEE, u64::from(trustee))
}

impl PartialDecryption {
    const WHAT: What = "partial decryption";

    /// Trustee `trustee` (≥ 1) partially decrypts `ciphertexts` with its secret share.
    pub fn new(
        ctx: &ProofContext,
        trustee: u32,
        secret: &SecretKey,
        ciphertexts: &[Ciphertext],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, ThresholdError> {
        if trustee == 0 {
            return Err(ThresholdError::ZeroIndex);
        }
        let public_share = *secret.public_key().point();
        Ok(Self::make(
            ctx,
            trustee,
            secret,
            &public_share,
            ciphertexts,
            rng,
        ))
    }

    /// Partially decrypts with the key material from the ceremony.
    pub fn from_key_share(
        ctx: &ProofContext,
        key: &KeyShare,
        ciphertexts: &[Ciphertext],
        rng: &mut impl CryptoRngCore,
    ) -> Self {
        Self::make(
            ctx,
            key.index(),
            key.secret(),
            key.public_share(),
            ciphertexts,
            rng,
        )
    }

    fn make(
        ctx: &ProofContext,
        trustee: u32,
        secret: &SecretKey,
        public_share: &Point,
        ciphertexts: &[Ciphertext],
        rng: &mut impl CryptoRngCore,
    ) -> Self {
        let base = trustee_context(ctx, trustee);
        let x = secret.as_scalar();
        let mut shares = Vec::with_capacity(ciphertexts.len());
        let mut proofs = Vec::with_capacity(ciphertexts.len());
        for (k, ct) in (0u64..).zip(ciphertexts) {
            let m = Point::new(ct.a.point() * x);
            let statement = DleqStatement {
                base1: *group::generator_h(),
                public1: *public_share,
                base2: ct.a,
                public2: m,
            };
            let ctx = base.clone().bind_u64(CIPHERTEXT, k);
            proofs.push(DleqProof::prove(&ctx, &statement, x, rng));
            shares.push(m);
        }
        Self {
            trustee,
            shares,
            proofs,
        }
    }

    /// Verifies every proof (in one batch) against the trustee's verification share
    /// `Xᵢ` and the ciphertexts.
    pub fn verify(
        &self,
        ctx: &ProofContext,
        public_share: &Point,
        ciphertexts: &[Ciphertext],
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), ThresholdError> {
        verify_batch(ctx, &[(self, *public_share)], ciphertexts, rng)
    }

    /// Verifies every proof like [`PartialDecryption::verify`] but reports the index of
    /// every ciphertext whose proof fails (empty when all verify), for verifiers that
    /// report all failures rather than the first.
    pub fn failing(
        &self,
        ctx: &ProofContext,
        public_share: &Point,
        ciphertexts: &[Ciphertext],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<usize>, ThresholdError> {
        Ok(
            failing_batch(ctx, &[(self, *public_share)], ciphertexts, rng)?
                .into_iter()
                .map(|(_, k)| k)
                .collect(),
        )
    }

    fn check_lengths(&self, expected: usize) -> Result<(), ThresholdError> {
        if self.shares.len() != expected || self.proofs.len() != expected {
            return Err(ThresholdError::LengthMismatch {
                trustee: self.trustee,
                expected,
                shares: self.shares.len(),
                proofs: self.proofs.len(),
            });
        }
        Ok(())
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(12 + 32 * self.shares.len() + DleqProof::LEN * self.proofs.len());
        out.extend_from_slice(&self.trustee.to_le_bytes());
        put_count(&mut out, self.shares.len());
        for m in &self.shares {
            out.extend_from_slice(m.as_bytes());
        }
        put_count(&mut out, self.proofs.len());
        for p in &self.proofs {
            out.extend_from_slice(&p.to_bytes());
        }
        out
    }

    /// Decodes strictly (canonical points and scalars, no trailing bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes, Self::WHAT);
        let trustee = r.u32()?;
        let m = r.u32()? as usize;
        let mut shares = Vec::with_capacity(capacity(m, &r, 32));
        for _ in 0..m {
            shares.push(r.point()?);
        }
        let p = r.u32()? as usize;
        let mut proofs = Vec::with_capacity(capacity(p, &r, DleqProof::LEN));
        for _ in 0..p {
            proofs.push(
                DleqProof::from_bytes(r.take(DleqProof::LEN)?).map_err(|e| e.within(Self::WHAT))?,
            );
        }
        r.finish()?;
        Ok(Self {
            trustee,
            shares,
            proofs,
        })
    }
}

crate::serde_bytes::serde_via_bytes!(PartialDecryption, "partial decryption");

/// Verifies the proofs of several partial decryptions, each with its trustee's
/// verification share, in one batch; returns every bad `(trustee, ciphertext index)`.
/// Structural problems (index 0, length mismatch) are errors.
fn failing_batch(
    ctx: &ProofContext,
    partials: &[(&PartialDecryption, Point)],
    ciphertexts: &[Ciphertext],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<(u32, usize)>, ThresholdError> {
    let m = ciphertexts.len();
    for (p, _) in partials {
        if p.trustee == 0 {
            return Err(ThresholdError::ZeroIndex);
        }
        p.check_lengths(m)?;
    }
    let total = m * partials.len();
    let mut contexts = Vec::with_capacity(total);
    let mut statements = Vec::with_capacity(total);
    for (p, public_share) in partials {
        let base = trustee_context(ctx, p.trustee);
        for ((k, ct), share) in (0u64..).zip(ciphertexts).zip(&p.shares) {
            contexts.push(base.clone().bind_u64(CIPHERTEXT, k));
            statements.push(DleqStatement {
                base1: *group::generator_h(),
                public1: *public_share,
                base2: ct.a,
                public2: *share,
            });
        }
    }
    let items: Vec<_> = partials
        .iter()
        .flat_map(|(p, _)| &p.proofs)
        .zip(contexts.iter().zip(&statements))
        .map(|(proof, (ctx, st))| proof.item(ctx, st))
        .collect();
    Ok(batch::failing(&items, rng)
        .into_iter()
        .map(|bad| (partials[bad / m].0.trustee, bad % m))
        .collect())
}

/// Like [`failing_batch`], reporting only the first bad proof.
fn verify_batch(
    ctx: &ProofContext,
    partials: &[(&PartialDecryption, Point)],
    ciphertexts: &[Ciphertext],
    rng: &mut impl CryptoRngCore,
) -> Result<(), ThresholdError> {
    match failing_batch(ctx, partials, ciphertexts, rng)?.first() {
        None => Ok(()),
        Some(&(trustee, ciphertext)) => Err(ThresholdError::InvalidProof {
            trustee,
            ciphertext,
        }),
    }
}

/// Checks that `set` holds distinct nonzero indices.
fn check_set(set: &[u32]) -> Result<(), ThresholdError> {
    let mut sorted = set.to_vec();
    sorted.sort_unstable();
    if sorted.first() == Some(&0) {
        return Err(ThresholdError::ZeroIndex);
    }
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(ThresholdError::DuplicateIndex { trustee: w[0] });
    }
    Ok(())
}

/// The Lagrange coefficients at zero of every member of a checked set, in order.
fn lagrange_all(set: &[u32]) -> Vec<Scalar> {
    let mut numerators = Vec::with_capacity(set.len());
    let mut denominators = Vec::with_capacity(set.len());
    for &i in set {
        let xi = Scalar::from(i);
        let mut num = Scalar::ONE;
        let mut den = Scalar::ONE;
        for &j in set.iter().filter(|&&j| j != i) {
            let xj = Scalar::from(j);
            num *= xj;
            den *= xj - xi;
        }
        numerators.push(num);
        denominators.push(den);
    }
    // Distinct indices below ℓ: every denominator is nonzero.
    Scalar::batch_invert(&mut denominators);
    numerators
        .iter()
        .zip(&denominators)
        .map(|(n, d)| n * d)
        .collect()
}

/// The Lagrange coefficient at zero of trustee `i` within `set`:
/// `λᵢ = Π_{j∈set, j≠i} j / (j − i)`.
///
/// Errors if `set` has index 0 or a duplicate, or does not contain `i`.
pub fn lagrange_coefficient(i: u32, set: &[u32]) -> Result<Scalar, ThresholdError> {
    check_set(set)?;
    let pos = set
        .iter()
        .position(|&j| j == i)
        .ok_or(ThresholdError::NotInSet { trustee: i })?;
    let mut num = Scalar::ONE;
    let mut den = Scalar::ONE;
    let xi = Scalar::from(i);
    for (_, &j) in set.iter().enumerate().filter(|(k, _)| *k != pos) {
        let xj = Scalar::from(j);
        num *= xj;
        den *= xj - xi;
    }
    Ok(num * den.invert())
}

/// Combines partial decryptions into the plaintexts as points: `v·G = B − Σ λᵢ·Mᵢ` for
/// each ciphertext.
///
/// Uses exactly `threshold` partial decryptions: the ones with the lowest trustee
/// indices if more are given. Errors on a zero threshold, index 0, duplicate indices,
/// fewer than `threshold` partials, or a length mismatch. Proofs are **not** checked:
/// verify the partials first, or call [`decrypt`].
pub fn combine(
    threshold: u32,
    ciphertexts: &[Ciphertext],
    partials: &[PartialDecryption],
) -> Result<Vec<RistrettoPoint>, ThresholdError> {
    if threshold == 0 {
        return Err(ThresholdError::InvalidThreshold);
    }
    let indices: Vec<u32> = partials.iter().map(|p| p.trustee).collect();
    check_set(&indices)?;
    if partials.len() < threshold as usize {
        return Err(ThresholdError::TooFewPartials {
            needed: threshold,
            found: partials.len(),
        });
    }
    let mut chosen: Vec<&PartialDecryption> = partials.iter().collect();
    chosen.sort_unstable_by_key(|p| p.trustee);
    chosen.truncate(threshold as usize);
    for p in &chosen {
        if p.shares.len() != ciphertexts.len() {
            return Err(ThresholdError::LengthMismatch {
                trustee: p.trustee,
                expected: ciphertexts.len(),
                shares: p.shares.len(),
                proofs: p.proofs.len(),
            });
        }
    }
    let set: Vec<u32> = chosen.iter().map(|p| p.trustee).collect();
    let mut scalars = Vec::with_capacity(set.len() + 1);
    scalars.push(Scalar::ONE);
    scalars.extend(lagrange_all(&set).into_iter().map(|l| -l));
    // Public data only: variable-time multiscalar multiplication.
    Ok(ciphertexts
        .iter()
        .enumerate()
        .map(|(k, ct)| {
            RistrettoPoint::vartime_multiscalar_mul(
                &scalars,
                core::iter::once(ct.b.point()).chain(chosen.iter().map(|p| p.shares[k].point())),
            )
        })
        .collect())
}

/// Verifies every given partial decryption against the ceremony (all proofs in one
/// batch), then [`combine`]s `t` of them.
///
/// Errors name the trustee (and ciphertext) at fault: an index outside the ceremony, a
/// duplicate, a length mismatch, a bad proof — even of a partial that would not be
/// needed — or fewer than `t` partials.
pub fn decrypt(
    ctx: &ProofContext,
    ceremony: &PublicCeremony,
    ciphertexts: &[Ciphertext],
    partials: &[PartialDecryption],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<RistrettoPoint>, ThresholdError> {
    let indices: Vec<u32> = partials.iter().map(|p| p.trustee).collect();
    check_set(&indices)?;
    let mut with_keys = Vec::with_capacity(partials.len());
    for p in partials {
        let x = ceremony
            .verification_share(p.trustee)
            .map_err(|_| ThresholdError::UnknownTrustee { trustee: p.trustee })?;
        with_keys.push((p, x));
    }
    verify_batch(ctx, &with_keys, ciphertexts, rng)?;
    combine(ceremony.params().t(), ciphertexts, partials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lagrange_interpolates_at_zero() {
        // F(z) = 5 + 3z + 2z²; any 3 points give F(0) = 5.
        let f = |z: u32| Scalar::from(5 + 3 * z + 2 * z * z);
        for set in [[1u32, 2, 3], [2, 4, 5], [9, 1, 7]] {
            let sum: Scalar = set
                .iter()
                .map(|&i| lagrange_coefficient(i, &set).unwrap() * f(i))
                .sum();
            assert_eq!(sum, Scalar::from(5u8));
            let all = lagrange_all(&set);
            for (k, &i) in set.iter().enumerate() {
                assert_eq!(all[k], lagrange_coefficient(i, &set).unwrap());
            }
        }
        assert_eq!(lagrange_coefficient(3, &[3]).unwrap(), Scalar::ONE);
    }
}
