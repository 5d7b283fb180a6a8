//! Schnorr proof of knowledge of a discrete logarithm.
//!
//! Statement: a base `P ∈ {G, H}` and a public point `X`. Witness: `x` with `X = x·P`.
//!
//! ```text
//! prover:   u ← random;  R = u·P
//! transcript: domain("schnorr-pok v1"), base, X, R  →  c
//! prover:   s = u + c·x
//! verifier: s·P = R + c·X
//! ```
//!
//! Encoding: `R ‖ s` (64 bytes). Trustees prove knowledge of every polynomial
//! coefficient they commit to with it.

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

/// The base of a Schnorr statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// The generator `G`.
    G,
    /// The generator `H`.
    H,
}

impl Base {
    fn label(self) -> &'static [u8] {
        match self {
            Base::G => b"G",
            Base::H => b"H",
        }
    }

    fn mul(self, s: &Scalar) -> RistrettoPoint {
        match self {
            Base::G => s * group::table_g(),
            Base::H => s * group::table_h(),
        }
    }

    fn point(self) -> RistrettoPoint {
        match self {
            Base::G => group::generator_g(),
            Base::H => *group::generator_h().point(),
        }
    }
}

/// A Schnorr proof of knowledge of `log_P X`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchnorrProof {
    commitment: Point,
    response: Scalar,
}

fn challenge(ctx: &ProofContext, base: Base, public: &Point, commitment: &Point) -> Scalar {
    let mut t = ctx.transcript();
    t.proof_domain(labels::SCHNORR, &[]);
    t.append_message(labels::BASE, base.label());
    t.append_point(labels::PUBLIC, public);
    t.append_point(labels::COMMIT, commitment);
    t.challenge_scalar(labels::CHALLENGE)
}

impl SchnorrProof {
    /// Encoded length.
    pub const LEN: usize = 64;

    /// The Fiat–Shamir challenge the transcript yields for this proof's commitments and
    /// the given statement. Computed from public data only; independent implementations
    /// compare it with the test vectors to check their transcripts field by field.
    pub fn challenge(&self, ctx: &ProofContext, base: Base, public: &Point) -> Scalar {
        challenge(ctx, base, public, &self.commitment)
    }

    /// Proves knowledge of `x` with `public = x·base`.
    pub fn prove(
        ctx: &ProofContext,
        base: Base,
        x: &Scalar,
        public: &Point,
        rng: &mut impl CryptoRngCore,
    ) -> Self {
        let u = Zeroizing::new(Scalar::random(rng));
        let commitment = Point::new(base.mul(&u));
        let c = challenge(ctx, base, public, &commitment);
        Self {
            commitment,
            response: *u + c * x,
        }
    }

    /// Verifies the proof for `public` under `base` in context `ctx`.
    pub fn verify(&self, ctx: &ProofContext, base: Base, public: &Point) -> Result<(), ProofError> {
        if self.item(ctx, base, public).verify_single() {
            Ok(())
        } else {
            Err(ProofError::new(ProofKind::Schnorr))
        }
    }

    /// Bundles the proof with its statement for [`batch`] verification.
    pub fn item<'a>(
        &'a self,
        ctx: &'a ProofContext,
        base: Base,
        public: &'a Point,
    ) -> SchnorrItem<'a> {
        SchnorrItem {
            ctx,
            base,
            public,
            proof: self,
        }
    }

    /// Canonical encoding `R ‖ s`.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(self.commitment.as_bytes());
        out[32..].copy_from_slice(self.response.as_bytes());
        out
    }

    /// Decodes `R ‖ s` strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes, "schnorr proof");
        let p = Self {
            commitment: r.point()?,
            response: r.scalar()?,
        };
        r.finish()?;
        Ok(p)
    }
}

crate::serde_bytes::serde_via_bytes!(SchnorrProof, "schnorr proof");

/// A Schnorr proof with its statement and context.
#[derive(Clone, Copy, Debug)]
pub struct SchnorrItem<'a> {
    /// Context the proof is bound to.
    pub ctx: &'a ProofContext,
    /// Base of the statement.
    pub base: Base,
    /// Public point.
    pub public: &'a Point,
    /// The proof.
    pub proof: &'a SchnorrProof,
}

impl BatchItem for SchnorrItem<'_> {
    const KIND: ProofKind = ProofKind::Schnorr;

    fn points(&self) -> usize {
        2
    }

    fn verify_single(&self) -> bool {
        let c = challenge(self.ctx, self.base, self.public, &self.proof.commitment);
        // s·P − c·X − R = 0
        RistrettoPoint::vartime_multiscalar_mul(
            [self.proof.response, -c, -Scalar::ONE],
            [
                self.base.point(),
                *self.public.point(),
                *self.proof.commitment.point(),
            ],
        )
        .is_identity()
    }

    fn add_to(&self, msm: &mut Msm, rng: &mut ChaCha20Rng) -> bool {
        let c = challenge(self.ctx, self.base, self.public, &self.proof.commitment);
        let w = batch::weight(rng);
        match self.base {
            Base::G => msm.add_g(w * self.proof.response),
            Base::H => msm.add_h(w * self.proof.response),
        }
        msm.add(-(w * c), *self.public.point());
        msm.add(-w, *self.proof.commitment.point());
        true
    }
}
