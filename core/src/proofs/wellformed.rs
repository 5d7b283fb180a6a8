//! Well-formedness: proof of knowledge of the plaintext and nonce of a ciphertext.
//!
//! Statement: the key `K` and a ciphertext `(A, B)`. Witness: `(v, r)` with `A = r·H` and
//! `B = v·G + r·K`.
//!
//! ```text
//! prover:   s, t ← random;  T_A = s·H,  T_B = t·G + s·K
//! transcript: domain("wellformed v1"), K, A, B, T_A, T_B  →  c
//! prover:   z_v = t + c·v,  z_r = s + c·r
//! verifier: z_r·H = T_A + c·A   and   z_v·G + z_r·K = T_B + c·B
//! ```
//!
//! A bulletproof opens only `B` (a Pedersen commitment under `(G, K)`); this proof ties
//! `A` to the same nonce. Without it a voter could submit `(r₁·H, v·G + r₂·K)` with
//! `r₁ ≠ r₂`, which carries a valid range proof but decrypts to garbage and makes the
//! whole tally undecryptable.
//!
//! Encoding: `T_A ‖ T_B ‖ z_v ‖ z_r` (128 bytes).

use curve25519_dalek::scalar::Scalar;
use rand_chacha::ChaCha20Rng;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::elgamal::{Ciphertext, EncryptionKey, Nonce, PublicKey};
use crate::error::{DecodeError, ProofError, ProofKind};
use crate::group::{self, Point, Reader};
use crate::labels;
use crate::proofs::batch::{self, BatchItem, Msm};
use crate::transcript::{ProofContext, TranscriptExt};

/// A proof of knowledge of `(v, r)` for a ciphertext.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WellFormedProof {
    t_a: Point,
    t_b: Point,
    z_v: Scalar,
    z_r: Scalar,
}

fn challenge(
    ctx: &ProofContext,
    key: &PublicKey,
    ct: &Ciphertext,
    t_a: &Point,
    t_b: &Point,
) -> Scalar {
    let mut t = ctx.transcript();
    t.proof_domain(labels::WELLFORMED, &[]);
    t.append_point(labels::KEY, key.point());
    t.append_point(labels::CT_A, &ct.a);
    t.append_point(labels::CT_B, &ct.b);
    t.append_point(labels::COMMIT, t_a);
    t.append_point(labels::COMMIT, t_b);
    t.challenge_scalar(labels::CHALLENGE)
}

impl WellFormedProof {
    /// Encoded length.
    pub const LEN: usize = 128;

    /// The Fiat–Shamir challenge the transcript yields for this proof's commitments and
    /// the given statement. Computed from public data only; independent implementations
    /// compare it with the test vectors to check their transcripts field by field.
    pub fn challenge(&self, ctx: &ProofContext, key: &PublicKey, ct: &Ciphertext) -> Scalar {
        challenge(ctx, key, ct, &self.t_a, &self.t_b)
    }

    /// Proves knowledge of `(v, nonce)` for `ct`.
    pub fn prove(
        ctx: &ProofContext,
        key: &EncryptionKey,
        ct: &Ciphertext,
        v: &Scalar,
        nonce: &Nonce,
        rng: &mut impl CryptoRngCore,
    ) -> Self {
        let s = Zeroizing::new(Scalar::random(rng));
        let t = Zeroizing::new(Scalar::random(rng));
        let (s2, t2) = (
            Zeroizing::new(*s * group::half()),
            Zeroizing::new(*t * group::half()),
        );
        let pts = Point::from_halves(&[
            &*s2 * group::table_h(),
            &*t2 * group::table_g() + key.mul_k(&s2),
        ]);
        let (t_a, t_b) = (pts[0], pts[1]);
        let c = challenge(ctx, key.public_key(), ct, &t_a, &t_b);
        Self {
            t_a,
            t_b,
            z_v: *t + c * v,
            z_r: *s + c * nonce.as_scalar(),
        }
    }

    /// Verifies the proof for `ct` under `key`.
    pub fn verify(
        &self,
        ctx: &ProofContext,
        key: &PublicKey,
        ct: &Ciphertext,
    ) -> Result<(), ProofError> {
        if self.item(ctx, key, ct).verify_single() {
            Ok(())
        } else {
            Err(ProofError::new(ProofKind::WellFormed))
        }
    }

    /// Bundles the proof with its statement for batch verification (shared point: `K`).
    pub fn item<'a>(
        &'a self,
        ctx: &'a ProofContext,
        key: &'a PublicKey,
        ct: &'a Ciphertext,
    ) -> WellFormedItem<'a> {
        WellFormedItem {
            ctx,
            key,
            ct,
            proof: self,
        }
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> [u8; 128] {
        let mut out = [0u8; 128];
        out[..32].copy_from_slice(self.t_a.as_bytes());
        out[32..64].copy_from_slice(self.t_b.as_bytes());
        out[64..96].copy_from_slice(self.z_v.as_bytes());
        out[96..].copy_from_slice(self.z_r.as_bytes());
        out
    }

    /// Decodes strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes, "well-formedness proof");
        let p = Self {
            t_a: r.point()?,
            t_b: r.point()?,
            z_v: r.scalar()?,
            z_r: r.scalar()?,
        };
        r.finish()?;
        Ok(p)
    }
}

crate::serde_bytes::serde_via_bytes!(WellFormedProof, "well-formedness proof");

/// A well-formedness proof with its statement and context.
#[derive(Clone, Copy, Debug)]
pub struct WellFormedItem<'a> {
    /// Context the proof is bound to.
    pub ctx: &'a ProofContext,
    /// Election key.
    pub key: &'a PublicKey,
    /// The ciphertext.
    pub ct: &'a Ciphertext,
    /// The proof.
    pub proof: &'a WellFormedProof,
}

impl BatchItem for WellFormedItem<'_> {
    const KIND: ProofKind = ProofKind::WellFormed;

    fn points(&self) -> usize {
        4
    }

    fn shared(&self) -> Option<&Point> {
        Some(self.key.point())
    }

    fn verify_single(&self) -> bool {
        batch::verify_ciphertext_proof(self, self.ctx, self.key, self.ct, &self.proof.to_bytes())
    }

    fn add_to(&self, msm: &mut Msm, rng: &mut ChaCha20Rng) -> bool {
        let p = self.proof;
        let c = challenge(self.ctx, self.key, self.ct, &p.t_a, &p.t_b);
        let (w1, w2) = (batch::weight(rng), batch::weight(rng));
        msm.add_h(w1 * p.z_r);
        msm.add(-(w1 * c), *self.ct.a.point());
        msm.add(-w1, *p.t_a.point());
        msm.add_g(w2 * p.z_v);
        msm.add_shared(w2 * p.z_r);
        msm.add(-(w2 * c), *self.ct.b.point());
        msm.add(-w2, *p.t_b.point());
        true
    }
}
