//! Chaum–Pedersen proof of equality of discrete logarithms (DLEQ).
//!
//! Statement: bases `P₁, P₂` and points `X₁, X₂`. Witness: `x` with `X₁ = x·P₁` and
//! `X₂ = x·P₂`. A trustee's partial decryption `M = xᵢ·A` of a tally ciphertext `(A, B)`
//! is proved with `P₁ = H, X₁ = xᵢ·H` (its public share) and `P₂ = A, X₂ = M`.
//!
//! ```text
//! prover:   u ← random;  a₁ = u·P₁, a₂ = u·P₂
//! transcript: domain("dleq v1"), P₁, X₁, P₂, X₂, a₁, a₂  →  c
//! prover:   z = u + c·x
//! verifier: z·P₁ = a₁ + c·X₁  and  z·P₂ = a₂ + c·X₂
//! ```
//!
//! Encoding: `a₁ ‖ a₂ ‖ z` (96 bytes).

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rand_chacha::ChaCha20Rng;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::error::{DecodeError, ProofError, ProofKind};
use crate::group::{self, Point, Reader};
use crate::labels;
use crate::proofs::batch::{self, BatchItem, Msm};
use crate::transcript::{ProofContext, TranscriptExt};

/// The public statement of a DLEQ proof: `log_{P₁} X₁ = log_{P₂} X₂`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DleqStatement {
    /// First base `P₁`.
    pub base1: Point,
    /// `X₁ = x·P₁`.
    pub public1: Point,
    /// Second base `P₂`.
    pub base2: Point,
    /// `X₂ = x·P₂`.
    pub public2: Point,
}

/// A Chaum–Pedersen DLEQ proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DleqProof {
    a1: Point,
    a2: Point,
    z: Scalar,
}

fn challenge(ctx: &ProofContext, st: &DleqStatement, a1: &Point, a2: &Point) -> Scalar {
    let mut t = ctx.transcript();
    t.proof_domain(labels::DLEQ, &[]);
    t.append_point(labels::BASE, &st.base1);
    t.append_point(labels::PUBLIC, &st.public1);
    t.append_point(labels::BASE, &st.base2);
    t.append_point(labels::PUBLIC2, &st.public2);
    t.append_point(labels::COMMIT, a1);
    t.append_point(labels::COMMIT, a2);
    t.challenge_scalar(labels::CHALLENGE)
}

fn mul_base(base: &Point, s: &Scalar) -> RistrettoPoint {
    if base == group::generator_h() {
        s * group::table_h()
    } else {
        base.point() * s
    }
}

impl DleqProof {
    /// Encoded length.
    pub const LEN: usize = 96;

    /// The Fiat–Shamir challenge the transcript yields for this proof's commitments and
    /// the given statement. Computed from public data only; independent implementations
    /// compare it with the test vectors to check their transcripts field by field.
    pub fn challenge(&self, ctx: &ProofContext, statement: &DleqStatement) -> Scalar {
        challenge(ctx, statement, &self.a1, &self.a2)
    }

    /// Proves `log_{P₁} X₁ = log_{P₂} X₂ = x`.
    pub fn prove(
        ctx: &ProofContext,
        statement: &DleqStatement,
        x: &Scalar,
        rng: &mut impl CryptoRngCore,
    ) -> Self {
        let u = Zeroizing::new(Scalar::random(rng));
        let a1 = Point::new(mul_base(&statement.base1, &u));
        let a2 = Point::new(mul_base(&statement.base2, &u));
        let c = challenge(ctx, statement, &a1, &a2);
        Self {
            a1,
            a2,
            z: *u + c * x,
        }
    }

    /// Verifies the proof.
    pub fn verify(&self, ctx: &ProofContext, statement: &DleqStatement) -> Result<(), ProofError> {
        if self.item(ctx, statement).verify_single() {
            Ok(())
        } else {
            Err(ProofError::new(ProofKind::Dleq))
        }
    }

    /// Bundles the proof with its statement for batch verification.
    pub fn item<'a>(&'a self, ctx: &'a ProofContext, statement: &'a DleqStatement) -> DleqItem<'a> {
        DleqItem {
            ctx,
            statement,
            proof: self,
        }
    }

    /// Canonical encoding `a₁ ‖ a₂ ‖ z`.
    pub fn to_bytes(&self) -> [u8; 96] {
        let mut out = [0u8; 96];
        out[..32].copy_from_slice(self.a1.as_bytes());
        out[32..64].copy_from_slice(self.a2.as_bytes());
        out[64..].copy_from_slice(self.z.as_bytes());
        out
    }

    /// Decodes strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes, "dleq proof");
        let p = Self {
            a1: r.point()?,
            a2: r.point()?,
            z: r.scalar()?,
        };
        r.finish()?;
        Ok(p)
    }
}

crate::serde_bytes::serde_via_bytes!(DleqProof, "dleq proof");

/// A DLEQ proof with its statement and context.
#[derive(Clone, Copy, Debug)]
pub struct DleqItem<'a> {
    /// Context the proof is bound to.
    pub ctx: &'a ProofContext,
    /// The statement.
    pub statement: &'a DleqStatement,
    /// The proof.
    pub proof: &'a DleqProof,
}

impl BatchItem for DleqItem<'_> {
    const KIND: ProofKind = ProofKind::Dleq;

    fn points(&self) -> usize {
        6
    }

    fn verify_single(&self) -> bool {
        let (st, p) = (self.statement, self.proof);
        let c = challenge(self.ctx, st, &p.a1, &p.a2);
        let e1 = RistrettoPoint::vartime_multiscalar_mul(
            [p.z, -c, -Scalar::ONE],
            [*st.base1.point(), *st.public1.point(), *p.a1.point()],
        );
        let e2 = RistrettoPoint::vartime_multiscalar_mul(
            [p.z, -c, -Scalar::ONE],
            [*st.base2.point(), *st.public2.point(), *p.a2.point()],
        );
        e1.is_identity() && e2.is_identity()
    }

    fn add_to(&self, msm: &mut Msm, rng: &mut ChaCha20Rng) -> bool {
        let (st, p) = (self.statement, self.proof);
        let c = challenge(self.ctx, st, &p.a1, &p.a2);
        for (w, base, public, a) in [
            (batch::weight(rng), &st.base1, &st.public1, &p.a1),
            (batch::weight(rng), &st.base2, &st.public2, &p.a2),
        ] {
            if base == group::generator_h() {
                msm.add_h(w * p.z);
            } else {
                msm.add(w * p.z, *base.point());
            }
            msm.add(-(w * c), *public.point());
            msm.add(-w, *a.point());
        }
        true
    }
}
