//! Range proofs for large ranges: bulletproofs on ciphertexts.
//!
//! Statement: the key `K`, ciphertexts `(Aᵢ, Bᵢ)` and a range `[lo, hi]`. Witness: for
//! each `i`, `(vᵢ, rᵢ)` with `lo ≤ vᵢ ≤ hi`.
//!
//! `Bᵢ = vᵢ·G + rᵢ·K` is a Pedersen commitment under `PedersenGens { B: G, B_blinding: K }`,
//! so a bulletproof can show it opens to a value in range:
//!
//! * `n` is the smallest of 8, 16, 32, 64 with `hi − lo < 2ⁿ`;
//! * if `hi − lo = 2ⁿ − 1` one commitment per ciphertext suffices: `Bᵢ − lo·G`, opening
//!   to `vᵢ − lo` with blinding `rᵢ`;
//! * otherwise two: `Bᵢ − lo·G` (`vᵢ − lo`, `rᵢ`) and `hi·G − Bᵢ` (`hi − vᵢ`, `−rᵢ`);
//! * all commitments go into one aggregated proof, padded to a power of two with the
//!   public commitment `K` (value 0, blinding 1).
//!
//! The verifier computes every commitment from the ciphertexts itself. The bulletproof
//! transcript first absorbs the context, `domain("range v1", lo, hi, count)`, `K` and every
//! `(Aᵢ, Bᵢ)`. A [`WellFormedProof`] per ciphertext then ties `Aᵢ` to the same nonce (see
//! that module for why it is needed).
//!
//! The bulletproofs prover does not check the range: the values are checked here first,
//! and out-of-range plaintexts are refused before any proving.
//!
//! Encoding: `count (u32 LE) ‖ count × well-formedness proof ‖ bulletproof`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use bulletproofs::{BulletproofGens, PedersenGens};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use once_cell::race::OnceBox;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::elgamal::{Ciphertext, EncryptionKey, Nonce, PublicKey};
use crate::error::{DecodeError, DecodeErrorKind, Error, ProofError, ProofKind};
use crate::group::{self, Reader};
use crate::labels;
use crate::proofs::batch;
use crate::proofs::wellformed::WellFormedProof;
use crate::transcript::{ProofContext, TranscriptExt};

/// Aggregation size served by the cached generators; larger aggregates build their own.
const CACHED_PARTIES: usize = 16;
/// Largest number of aggregated commitments accepted (bounds verifier work).
pub const MAX_COMMITMENTS: usize = 256;

static BP_GENS: OnceBox<BulletproofGens> = OnceBox::new();

fn with_gens<T>(parties: usize, f: impl FnOnce(&BulletproofGens) -> T) -> T {
    if parties <= CACHED_PARTIES {
        f(BP_GENS.get_or_init(|| Box::new(BulletproofGens::new(64, CACHED_PARTIES))))
    } else {
        f(&BulletproofGens::new(64, parties))
    }
}

/// A range proof for one or more ciphertexts.
#[derive(Clone, Debug)]
pub struct RangeProof {
    bulletproof: bulletproofs::RangeProof,
    wellformed: Vec<WellFormedProof>,
}

impl PartialEq for RangeProof {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

/// The shape of the bulletproof for a range and a number of ciphertexts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    bits: usize,
    /// Commitments per ciphertext (1 or 2).
    per_ct: usize,
    /// Aggregation size (power of two).
    parties: usize,
}

fn shape(lo: u64, hi: u64, count: usize) -> Result<Shape, Error> {
    if lo > hi {
        return Err(Error::invalid_input(alloc::format!(
            "empty range [{lo}, {hi}]"
        )));
    }
    if count == 0 {
        return Err(Error::invalid_input(
            "a range proof needs at least one ciphertext",
        ));
    }
    let width = hi - lo;
    let bits = [8usize, 16, 32, 64]
        .into_iter()
        .find(|&b| b == 64 || width < (1u64 << b))
        .unwrap_or(64);
    let exact = bits == 64 && width == u64::MAX || bits < 64 && width == (1u64 << bits) - 1;
    let per_ct = if exact { 1 } else { 2 };
    let needed = count * per_ct;
    if needed > MAX_COMMITMENTS {
        return Err(Error::invalid_input(alloc::format!(
            "range proof over {count} ciphertexts needs {needed} commitments, more than {MAX_COMMITMENTS}"
        )));
    }
    Ok(Shape {
        bits,
        per_ct,
        parties: needed.next_power_of_two(),
    })
}

/// Whether one aggregated range proof can cover `count` values in `[lo, hi]` (at most
/// [`MAX_COMMITMENTS`] commitments).
pub fn supports(lo: u64, hi: u64, count: usize) -> bool {
    shape(lo, hi, count).is_ok()
}

fn pedersen(key: &PublicKey) -> PedersenGens {
    PedersenGens {
        B: group::generator_g(),
        B_blinding: *key.point().point(),
    }
}

fn transcript(
    ctx: &ProofContext,
    key: &PublicKey,
    cts: &[Ciphertext],
    lo: u64,
    hi: u64,
) -> merlin::Transcript {
    let mut t = ctx.transcript();
    t.proof_domain(labels::RANGE, &[lo, hi, cts.len() as u64]);
    t.append_point(labels::KEY, key.point());
    for ct in cts {
        t.append_point(labels::CT_A, &ct.a);
        t.append_point(labels::CT_B, &ct.b);
    }
    t
}

impl RangeProof {
    /// Proves that each `cts[i]`, encrypting `values[i]` with `nonces[i]`, holds a value
    /// in `[lo, hi]`. Refuses out-of-range values and mismatched lengths.
    #[allow(clippy::too_many_arguments)]
    pub fn prove(
        ctx: &ProofContext,
        key: &EncryptionKey,
        cts: &[Ciphertext],
        values: &[u64],
        nonces: &[&Nonce],
        lo: u64,
        hi: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, Error> {
        if cts.len() != values.len() || cts.len() != nonces.len() {
            return Err(Error::invalid_input(
                "range proof: ciphertexts, values and nonces differ in number",
            ));
        }
        let sh = shape(lo, hi, cts.len())?;
        if let Some(i) = values.iter().position(|v| *v < lo || *v > hi) {
            return Err(Error::invalid_input(alloc::format!(
                "value #{i} ({}) is outside the range [{lo}, {hi}]",
                values[i]
            )));
        }
        let mut vals = Vec::with_capacity(sh.parties);
        let mut blinds = Zeroizing::new(Vec::with_capacity(sh.parties));
        for (v, r) in values.iter().zip(nonces) {
            vals.push(v - lo);
            blinds.push(*r.as_scalar());
            if sh.per_ct == 2 {
                vals.push(hi - v);
                blinds.push(-r.as_scalar());
            }
        }
        while vals.len() < sh.parties {
            vals.push(0);
            blinds.push(Scalar::ONE);
        }
        let mut t = transcript(ctx, key.public_key(), cts, lo, hi);
        let pc = pedersen(key.public_key());
        let (bulletproof, _) = with_gens(sh.parties, |gens| {
            bulletproofs::RangeProof::prove_multiple_with_rng(
                gens, &pc, &mut t, &vals, &blinds, sh.bits, rng,
            )
        })
        .map_err(|e| Error::invalid_input(alloc::format!("bulletproof prover: {e:?}")))?;
        let wellformed = cts
            .iter()
            .zip(values)
            .zip(nonces)
            .map(|((ct, v), r)| WellFormedProof::prove(ctx, key, ct, &Scalar::from(*v), r, rng))
            .collect();
        Ok(Self {
            bulletproof,
            wellformed,
        })
    }

    /// Verifies that every ciphertext holds a value in `[lo, hi]`.
    pub fn verify(
        &self,
        ctx: &ProofContext,
        key: &PublicKey,
        cts: &[Ciphertext],
        lo: u64,
        hi: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), ProofError> {
        let fail = ProofError::new(ProofKind::Range);
        let sh = shape(lo, hi, cts.len()).map_err(|_| fail)?;
        if self.wellformed.len() != cts.len() {
            return Err(fail);
        }
        let items: Vec<_> = self
            .wellformed
            .iter()
            .zip(cts)
            .map(|(p, ct)| p.item(ctx, key, ct))
            .collect();
        batch::verify(&items, rng)?;
        let commitments = commitments(key, cts, lo, hi, sh);
        let mut t = transcript(ctx, key, cts, lo, hi);
        let pc = pedersen(key);
        with_gens(sh.parties, |gens| {
            self.bulletproof
                .verify_multiple_with_rng(gens, &pc, &mut t, &commitments, sh.bits, rng)
        })
        .map_err(|_| fail)
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let bp = self.bulletproof.to_bytes();
        let mut out =
            Vec::with_capacity(4 + self.wellformed.len() * WellFormedProof::LEN + bp.len());
        out.extend_from_slice(&(self.wellformed.len() as u32).to_le_bytes());
        for w in &self.wellformed {
            out.extend_from_slice(&w.to_bytes());
        }
        out.extend_from_slice(&bp);
        out
    }

    /// Decodes strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        const WHAT: &str = "range proof";
        let mut r = Reader::new(bytes, WHAT);
        let count = r.u32()? as usize;
        if count == 0 || count > MAX_COMMITMENTS {
            return Err(DecodeError::new(WHAT, DecodeErrorKind::InvalidValue));
        }
        let mut wellformed = Vec::with_capacity(count);
        for _ in 0..count {
            let b = r.take(WellFormedProof::LEN)?;
            wellformed.push(WellFormedProof::from_bytes(b).map_err(|e| e.within(WHAT))?);
        }
        let rest = r.take(r.remaining())?;
        let bulletproof = bulletproofs::RangeProof::from_bytes(rest)
            .map_err(|_| DecodeError::new(WHAT, DecodeErrorKind::InvalidValue))?;
        // The bulletproofs decoder accepts some non-canonical forms; insist on the
        // canonical one so each proof has exactly one encoding.
        if bulletproof.to_bytes() != rest {
            return Err(DecodeError::new(WHAT, DecodeErrorKind::InvalidValue));
        }
        r.finish()?;
        Ok(Self {
            bulletproof,
            wellformed,
        })
    }
}

crate::serde_bytes::serde_via_bytes!(RangeProof, "range proof");

/// The commitments the bulletproof must open, computed from the ciphertexts.
fn commitments(
    key: &PublicKey,
    cts: &[Ciphertext],
    lo: u64,
    hi: u64,
    sh: Shape,
) -> Vec<CompressedRistretto> {
    let lo_g = &Scalar::from(lo) * group::table_g();
    let hi_g = &Scalar::from(hi) * group::table_g();
    let mut pts: Vec<RistrettoPoint> = Vec::with_capacity(sh.parties);
    for ct in cts {
        pts.push(ct.b.point() - lo_g);
        if sh.per_ct == 2 {
            pts.push(hi_g - ct.b.point());
        }
    }
    while pts.len() < sh.parties {
        pts.push(*key.point().point());
    }
    pts.iter().map(RistrettoPoint::compress).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(
            shape(0, 255, 1).unwrap(),
            Shape {
                bits: 8,
                per_ct: 1,
                parties: 1
            }
        );
        assert_eq!(
            shape(0, 10, 1).unwrap(),
            Shape {
                bits: 8,
                per_ct: 2,
                parties: 2
            }
        );
        assert_eq!(
            shape(0, 256, 3).unwrap(),
            Shape {
                bits: 16,
                per_ct: 2,
                parties: 8
            }
        );
        assert_eq!(
            shape(5, 5 + u64::from(u32::MAX), 1).unwrap(),
            Shape {
                bits: 32,
                per_ct: 1,
                parties: 1
            }
        );
        assert_eq!(
            shape(0, u64::MAX, 1).unwrap(),
            Shape {
                bits: 64,
                per_ct: 1,
                parties: 1
            }
        );
        assert!(shape(3, 2, 1).is_err());
        assert!(shape(0, 2, 0).is_err());
        assert!(shape(0, 10, 200).is_err());
    }
}
