//! Disjunctive Chaum–Pedersen (CDS) proof that a ciphertext encrypts a value in `0..=L`.
//!
//! Statement: the key `K`, a ciphertext `(A, B)` and the bound `L`. Witness: `v ≤ L` and
//! `r` with `A = r·H`, `B = v·G + r·K`. The proof is an OR of `L + 1` Chaum–Pedersen
//! proofs, branch `j` claiming `log_H A = log_K (B − j·G)`; the prover simulates every
//! branch but the true one, and the challenges of all branches must sum to the
//! Fiat–Shamir challenge.
//!
//! ```text
//! prover, branch j ≠ v: c_j, z_j ← random
//!                       a_j = (z_j − c_j·r)·H
//!                       b_j = (z_j − c_j·r)·K + c_j·(j − v)·G     (= z_j·K − c_j·(B − j·G))
//! prover, branch v:     u ← random; a_v = u·H, b_v = u·K
//! transcript: domain("disjunctive v1", L), K, A, B, (a_j, b_j) for j = 0..=L  →  c
//! prover:   c_v = c − Σ_{j≠v} c_j,  z_v = u + c_v·r
//! verifier: Σ_j c_j = c, and for every j:
//!           z_j·H = a_j + c_j·A   and   z_j·K = b_j + c_j·(B − j·G)
//! ```
//!
//! The simulated and true branches are computed with the same operations and
//! constant-time selections, so the prover's timing does not depend on `v`.
//!
//! Encoding: `(a_j ‖ b_j)` for `j = 0..=L`, then `c_j` for `j = 0..L` (the last challenge
//! is implied), then `z_j` for `j = 0..=L`: `128·L + 96` bytes; 224 bytes for a 0/1 proof.
//! With `L = 0` the proof is a plain Chaum–Pedersen proof that the ciphertext encrypts 0.

use alloc::vec::Vec;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_chacha::ChaCha20Rng;
use rand_core::CryptoRngCore;
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::elgamal::{Ciphertext, EncryptionKey, Nonce, PublicKey};
use crate::error::{DecodeError, DecodeErrorKind, Error, ProofError, ProofKind};
use crate::group::{self, Point, Reader};
use crate::labels;
use crate::proofs::batch::{self, BatchItem, Msm};
use crate::transcript::{ProofContext, TranscriptExt};

/// Largest `L` accepted (proof size grows linearly; larger ranges use bulletproofs).
pub const MAX_L: u64 = 1024;

/// A disjunctive proof that a ciphertext encrypts a value in `0..=L`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisjunctiveProof {
    /// `(a_j, b_j)` for `j = 0..=L`.
    commitments: Vec<(Point, Point)>,
    /// `c_j` for `j = 0..L`; `c_L` is implied: all challenges sum to the transcript's.
    challenges: Vec<Scalar>,
    /// `z_j` for `j = 0..=L`.
    responses: Vec<Scalar>,
}

fn challenge(
    ctx: &ProofContext,
    key: &PublicKey,
    ct: &Ciphertext,
    commitments: &[(Point, Point)],
) -> Scalar {
    let mut t = ctx.transcript();
    t.proof_domain(labels::DISJUNCTIVE, &[commitments.len() as u64 - 1]);
    t.append_point(labels::KEY, key.point());
    t.append_point(labels::CT_A, &ct.a);
    t.append_point(labels::CT_B, &ct.b);
    for (a, b) in commitments {
        t.append_point(labels::COMMIT, a);
        t.append_point(labels::COMMIT, b);
    }
    t.challenge_scalar(labels::CHALLENGE)
}

impl DisjunctiveProof {
    /// Encrypts `v` with `nonce` and proves it lies in `0..=max`, computing every
    /// encoding in one batch. Refuses `v > max` or `max > MAX_L`.
    pub fn encrypt_and_prove(
        ctx: &ProofContext,
        key: &EncryptionKey,
        v: u64,
        max: u64,
        nonce: &Nonce,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(Ciphertext, Self), Error> {
        check_bounds(v, max)?;
        let (commit_halves, sim) = commit(key, v, max, nonce, rng);
        let mut all = Vec::with_capacity(commit_halves.len() + 2);
        all.extend_from_slice(&key.encrypt_halves(&Scalar::from(v), nonce));
        all.extend_from_slice(&commit_halves);
        let encoded = Point::from_halves(&all);
        let ct = Ciphertext {
            a: encoded[0],
            b: encoded[1],
        };
        let proof = finish(ctx, key.public_key(), &ct, v, nonce, &encoded[2..], sim);
        Ok((ct, proof))
    }

    /// Proves that `ct`, the encryption of `v` with `nonce`, holds a value in `0..=max`.
    pub fn prove(
        ctx: &ProofContext,
        key: &EncryptionKey,
        ct: &Ciphertext,
        v: u64,
        max: u64,
        nonce: &Nonce,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, Error> {
        check_bounds(v, max)?;
        let (commit_halves, sim) = commit(key, v, max, nonce, rng);
        let encoded = Point::from_halves(&commit_halves);
        Ok(finish(ctx, key.public_key(), ct, v, nonce, &encoded, sim))
    }

    /// The bound `L` this proof speaks of.
    pub fn max(&self) -> u64 {
        self.commitments.len() as u64 - 1
    }

    /// Verifies that `ct` encrypts a value in `0..=max` under `key`.
    pub fn verify(
        &self,
        ctx: &ProofContext,
        key: &PublicKey,
        ct: &Ciphertext,
        max: u64,
    ) -> Result<(), ProofError> {
        if self.item(ctx, key, ct, max).verify_single() {
            Ok(())
        } else {
            Err(ProofError::new(ProofKind::Disjunctive))
        }
    }

    /// Bundles the proof with its statement for batch verification (shared point: `K`).
    pub fn item<'a>(
        &'a self,
        ctx: &'a ProofContext,
        key: &'a PublicKey,
        ct: &'a Ciphertext,
        max: u64,
    ) -> DisjunctiveItem<'a> {
        DisjunctiveItem {
            ctx,
            key,
            ct,
            max,
            proof: self,
        }
    }

    /// Encoded length for bound `L`.
    pub const fn encoded_len(max: u64) -> usize {
        128 * max as usize + 96
    }

    /// The Fiat–Shamir challenge the transcript yields for this proof's commitments and
    /// the given statement. Computed from public data only; independent implementations
    /// compare it with the test vectors to check their transcripts field by field.
    ///
    /// The per-branch challenges `c_j` of the proof sum to this value.
    pub fn challenge(&self, ctx: &ProofContext, key: &PublicKey, ct: &Ciphertext) -> Scalar {
        challenge(ctx, key, ct, &self.commitments)
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.commitments.len();
        let mut out = Vec::with_capacity(Self::encoded_len(n as u64 - 1));
        for (a, b) in &self.commitments {
            out.extend_from_slice(a.as_bytes());
            out.extend_from_slice(b.as_bytes());
        }
        for c in &self.challenges {
            out.extend_from_slice(c.as_bytes());
        }
        for z in &self.responses {
            out.extend_from_slice(z.as_bytes());
        }
        out
    }

    /// Decodes strictly; `L` is implied by the length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        const WHAT: &str = "disjunctive proof";
        let len = bytes.len();
        if len < 96 || (len - 96) % 128 != 0 || (len - 96) / 128 > MAX_L as usize {
            return Err(DecodeError::new(
                WHAT,
                DecodeErrorKind::WrongLength {
                    expected: Self::encoded_len(1.max((len.saturating_sub(96) / 128) as u64)),
                    found: len,
                },
            ));
        }
        let n = (len - 96) / 128 + 1;
        let mut r = Reader::new(bytes, WHAT);
        let mut commitments = Vec::with_capacity(n);
        for _ in 0..n {
            commitments.push((r.point()?, r.point()?));
        }
        let mut challenges = Vec::with_capacity(n);
        for _ in 0..n - 1 {
            challenges.push(r.scalar()?);
        }
        let mut responses = Vec::with_capacity(n);
        for _ in 0..n {
            responses.push(r.scalar()?);
        }
        r.finish()?;
        Ok(Self {
            commitments,
            challenges,
            responses,
        })
    }

    /// All challenges, the last derived from the transcript's challenge.
    fn full_challenges(&self, c: Scalar) -> Vec<Scalar> {
        let mut cs = self.challenges.clone();
        let partial: Scalar = cs.iter().sum();
        cs.push(c - partial);
        cs
    }
}

crate::serde_bytes::serde_via_bytes!(DisjunctiveProof, "disjunctive proof");

fn check_bounds(v: u64, max: u64) -> Result<(), Error> {
    if max > MAX_L {
        return Err(Error::invalid_input(alloc::format!(
            "disjunctive proof bound {max} is above {MAX_L}"
        )));
    }
    if v > max {
        return Err(Error::invalid_input(alloc::format!(
            "value {v} is above the bound {max}"
        )));
    }
    Ok(())
}

/// The prover's per-branch secrets before the challenge.
struct Simulation {
    u: Zeroizing<Scalar>,
    /// Random challenges (the true branch's entry is a dummy).
    c: Vec<Scalar>,
    /// Random responses (the true branch's entry is replaced).
    z: Vec<Scalar>,
}

impl Drop for Simulation {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.c.zeroize();
        self.z.zeroize();
    }
}

/// Halves of the commitment points `a_0, b_0, a_1, b_1, ...`, computed uniformly for
/// every branch (see [`Point::from_halves`]).
fn commit(
    key: &EncryptionKey,
    v: u64,
    max: u64,
    nonce: &Nonce,
    rng: &mut impl CryptoRngCore,
) -> (Vec<RistrettoPoint>, Simulation) {
    let r = nonce.as_scalar();
    let u = Zeroizing::new(Scalar::random(rng));
    let n = max as usize + 1;
    let mut sim = Simulation {
        u,
        c: Vec::with_capacity(n),
        z: Vec::with_capacity(n),
    };
    let mut points = Vec::with_capacity(2 * n);
    let vs = Scalar::from(v);
    for j in 0..=max {
        let c = Scalar::random(rng);
        let z = Scalar::random(rng);
        let real = j.ct_eq(&v);
        let e =
            Zeroizing::new(Scalar::conditional_select(&(z - c * r), &sim.u, real) * group::half());
        let d = Zeroizing::new(
            Scalar::conditional_select(&(c * (Scalar::from(j) - vs)), &Scalar::ZERO, real)
                * group::half(),
        );
        points.push(&*e * group::table_h());
        points.push(key.mul_k(&e) + &*d * group::table_g());
        sim.c.push(c);
        sim.z.push(z);
    }
    (points, sim)
}

fn finish(
    ctx: &ProofContext,
    key: &PublicKey,
    ct: &Ciphertext,
    v: u64,
    nonce: &Nonce,
    encoded: &[Point],
    sim: Simulation,
) -> DisjunctiveProof {
    let commitments: Vec<(Point, Point)> = encoded.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    let c = challenge(ctx, key, ct, &commitments);
    let r = nonce.as_scalar();
    let total: Scalar = sim.c.iter().sum();
    let mut challenges = Vec::with_capacity(sim.c.len());
    let mut responses = Vec::with_capacity(sim.c.len());
    for (j, (cj, zj)) in sim.c.iter().zip(&sim.z).enumerate() {
        let real = (j as u64).ct_eq(&v);
        // For the true branch: c_v = c − Σ_{j≠v} c_j = c − (total − dummy c_v).
        let c_real = c - (total - cj);
        let z_real = *sim.u + c_real * r;
        challenges.push(Scalar::conditional_select(cj, &c_real, real));
        responses.push(Scalar::conditional_select(zj, &z_real, real));
    }
    challenges.pop(); // c_L is implied by the sum
    DisjunctiveProof {
        commitments,
        challenges,
        responses,
    }
}

/// A disjunctive proof with its statement and context.
#[derive(Clone, Copy, Debug)]
pub struct DisjunctiveItem<'a> {
    /// Context the proof is bound to.
    pub ctx: &'a ProofContext,
    /// Election key.
    pub key: &'a PublicKey,
    /// The ciphertext.
    pub ct: &'a Ciphertext,
    /// The bound `L`.
    pub max: u64,
    /// The proof.
    pub proof: &'a DisjunctiveProof,
}

impl DisjunctiveItem<'_> {
    fn shape_ok(&self) -> bool {
        self.max <= MAX_L && self.proof.max() == self.max
    }
}

impl BatchItem for DisjunctiveItem<'_> {
    const KIND: ProofKind = ProofKind::Disjunctive;

    fn points(&self) -> usize {
        2 * self.proof.commitments.len() + 2
    }

    fn shared(&self) -> Option<&Point> {
        Some(self.key.point())
    }

    fn verify_single(&self) -> bool {
        batch::verify_ciphertext_proof(self, self.ctx, self.key, self.ct, &self.proof.to_bytes())
    }

    fn add_to(&self, msm: &mut Msm, rng: &mut ChaCha20Rng) -> bool {
        if !self.shape_ok() {
            return false;
        }
        let p = self.proof;
        let c = challenge(self.ctx, self.key, self.ct, &p.commitments);
        let cs = p.full_challenges(c);
        let mut coeff_a = Scalar::ZERO;
        let mut coeff_b = Scalar::ZERO;
        for (j, (((a, b), cj), zj)) in p.commitments.iter().zip(&cs).zip(&p.responses).enumerate() {
            let w1 = batch::weight(rng);
            let w2 = batch::weight(rng);
            msm.add_h(w1 * zj);
            coeff_a -= w1 * cj;
            msm.add(-w1, *a.point());
            msm.add_shared(w2 * zj);
            coeff_b -= w2 * cj;
            if j > 0 {
                msm.add_g(w2 * cj * Scalar::from(j as u64));
            }
            msm.add(-w2, *b.point());
        }
        msm.add(coeff_a, *self.ct.a.point());
        msm.add(coeff_b, *self.ct.b.point());
        true
    }
}

/// `m·P` for a secret `m` with `|m| < 2^bits`, in constant time for a public `bits`:
/// the same doublings, additions and selections whatever `m`.
pub(crate) fn ct_small_mul(p: &RistrettoPoint, m: i64, bits: u32) -> RistrettoPoint {
    use curve25519_dalek::traits::Identity;
    use subtle::{Choice, ConditionallyNegatable};
    let sign = (m >> 63) as u64 & 1; // 1 when negative
    let abs = ((m ^ (m >> 63)).wrapping_sub(m >> 63)) as u64;
    let mut acc = RistrettoPoint::identity();
    for i in (0..bits).rev() {
        acc = acc + acc;
        let sum = acc + p;
        acc = RistrettoPoint::conditional_select(&acc, &sum, Choice::from(((abs >> i) & 1) as u8));
    }
    acc.conditional_negate(Choice::from(sign as u8));
    acc
}

/// Bits of the largest `|j − v|` for `j, v ≤ max`.
fn bits_for(max: u64) -> u32 {
    64 - max.leading_zeros()
}

/// One branch's precomputed part: `w` and `c` random; `w·H` encoded, `w·K / 2` and
/// `c·G / 2`. Once `v` is known the branch's commitments are `a_j = w·H` and
/// `b_j = w·K + (j − v)·c·G`: for a simulated branch `z_j = w + c_j·r`, for the true one
/// `u = w` (and `b_v = w·K`, the `G` term vanishing).
struct Branch {
    w: Scalar,
    c: Scalar,
    a: Point,
    wk_half: RistrettoPoint,
    cg_half: RistrettoPoint,
}

/// The vote-independent part of a disjunctive proof over `0..=max`: every fixed-base
/// multiplication, made before the value is known (see [`crate::ballot::PrecomputedBallot`]).
/// Secrets are zeroized on drop; `Debug` is redacted.
pub(crate) struct Precommit {
    max: u64,
    branches: Vec<Branch>,
}

impl Drop for Precommit {
    fn drop(&mut self) {
        self.clear();
    }
}

impl Precommit {
    /// Clears every secret-bearing value: the scalars `w`, `c` and the points
    /// `(w/2)·K`, `(c/2)·G` (with the public commitment `w·H`, `(w/2)·K` would give the
    /// vote away once the proof is published).
    fn clear(&mut self) {
        use zeroize::Zeroize;
        for b in &mut self.branches {
            b.w.zeroize();
            b.c.zeroize();
            b.wk_half.zeroize();
            b.cg_half.zeroize();
        }
    }
}

impl core::fmt::Debug for Precommit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Precommit(max {}, <redacted>)", self.max)
    }
}

impl Precommit {
    /// Precomputes a proof over `0..=max` (refuses `max > MAX_L`).
    pub(crate) fn new(
        key: &EncryptionKey,
        max: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, Error> {
        check_bounds(0, max)?;
        let n = max as usize + 1;
        let mut ws = Vec::with_capacity(n);
        let mut cs = Vec::with_capacity(n);
        let mut a_halves = Vec::with_capacity(n);
        for _ in 0..n {
            let w = Scalar::random(rng);
            let c = Scalar::random(rng);
            a_halves.push(&(w * group::half()) * group::table_h());
            ws.push(w);
            cs.push(c);
        }
        let a = Point::from_halves(&a_halves);
        let branches = ws
            .into_iter()
            .zip(cs)
            .zip(a)
            .map(|((w, c), a)| {
                let w_half = Zeroizing::new(w * group::half());
                let c_half = Zeroizing::new(c * group::half());
                Branch {
                    w,
                    c,
                    a,
                    wk_half: key.mul_k(&w_half),
                    cg_half: &*c_half * group::table_g(),
                }
            })
            .collect();
        Ok(Self { max, branches })
    }

    /// The bound this precomputation is for.
    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// Halves of `b_0, b_1, …` for the value `v` (constant time in `v`).
    fn b_halves(&self, v: u64) -> Vec<RistrettoPoint> {
        let bits = bits_for(self.max);
        self.branches
            .iter()
            .enumerate()
            .map(|(j, b)| b.wk_half + ct_small_mul(&b.cg_half, j as i64 - v as i64, bits))
            .collect()
    }
}

/// `(v·G + r·K) / 2` from `(r/2)·K`, constant time in `v ≤ max`.
pub(crate) fn b_half(v: u64, max: u64, rk_half: &RistrettoPoint) -> RistrettoPoint {
    ct_small_mul(group::generator_g_half(), v as i64, bits_for(max)) + rk_half
}

impl DisjunctiveProof {
    /// Proves, with a precomputation for the same bound, that `ct` — the encryption of
    /// `v` with `nonce`, its `B` still to be encoded when `b` is `Some` — holds a value in
    /// `0..=max`. With `b = Some((B/2))`, returns the encoded `B` as well.
    pub(crate) fn prove_precommitted(
        ctx: &ProofContext,
        key: &PublicKey,
        a: &Point,
        b: BOrHalf,
        v: u64,
        nonce: &Nonce,
        pre: Precommit,
    ) -> Result<(Point, Self), Error> {
        check_bounds(v, pre.max)?;
        let mut halves = pre.b_halves(v);
        let (b, encoded) = match b {
            BOrHalf::Encoded(b) => (b, Point::from_halves(&halves)),
            BOrHalf::Half(h) => {
                halves.push(h);
                let mut e = Point::from_halves(&halves);
                let b = e.pop().ok_or_else(|| Error::invalid_input("no point"))?;
                (b, e)
            }
        };
        let ct = Ciphertext { a: *a, b };
        let commitments: Vec<(Point, Point)> = pre
            .branches
            .iter()
            .zip(&encoded)
            .map(|(br, bj)| (br.a, *bj))
            .collect();
        let c = challenge(ctx, key, &ct, &commitments);
        let r = nonce.as_scalar();
        let total: Scalar = pre.branches.iter().map(|b| b.c).sum();
        let mut challenges = Vec::with_capacity(pre.branches.len());
        let mut responses = Vec::with_capacity(pre.branches.len());
        for (j, br) in pre.branches.iter().enumerate() {
            let real = (j as u64).ct_eq(&v);
            // The true branch: c_v = c − Σ_{j≠v} c_j; every branch: z_j = w_j + c_j·r.
            let cj = Scalar::conditional_select(&br.c, &(c - (total - br.c)), real);
            responses.push(br.w + cj * r);
            challenges.push(cj);
        }
        challenges.pop(); // c_L is implied by the sum
        Ok((
            b,
            DisjunctiveProof {
                commitments,
                challenges,
                responses,
            },
        ))
    }
}

/// The ciphertext's `B` for [`DisjunctiveProof::prove_precommitted`]: already encoded,
/// or as a half to encode in the proof's batch.
pub(crate) enum BOrHalf {
    /// `B` with its encoding.
    Encoded(Point),
    /// `B / 2`.
    Half(RistrettoPoint),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::SecretKey;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn small_multiples_in_constant_time_are_right() {
        let p = RistrettoPoint::random(&mut StdRng::seed_from_u64(1));
        for bits in 1..=11u32 {
            let bound = (1i64 << bits) - 1;
            for m in [-bound, -1, 0, 1, bound, bound / 2, -(bound / 3)] {
                let want = if m < 0 {
                    -(Scalar::from(m.unsigned_abs()) * p)
                } else {
                    Scalar::from(m as u64) * p
                };
                assert_eq!(ct_small_mul(&p, m, bits), want, "m = {m}, bits = {bits}");
            }
        }
    }

    /// Dropping a precomputation clears every secret-bearing value, points included.
    #[test]
    fn clearing_a_precommit_leaves_no_secret() {
        use curve25519_dalek::traits::Identity;
        let mut rng = StdRng::seed_from_u64(3);
        let key = SecretKey::random(&mut rng).public_key().precompute();
        let mut pre = Precommit::new(&key, 3, &mut rng).unwrap();
        assert!(pre
            .branches
            .iter()
            .all(|b| b.wk_half != RistrettoPoint::identity()));
        pre.clear();
        for b in &pre.branches {
            assert_eq!((b.w, b.c), (Scalar::ZERO, Scalar::ZERO));
            assert_eq!(b.wk_half, RistrettoPoint::identity());
            assert_eq!(b.cg_half, RistrettoPoint::identity());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Precomputed proofs are complete for every value of every bound, and bound to
        /// their statement like online ones.
        #[test]
        fn precommitted_proofs_verify(seed in any::<u64>(), max in 0u64..=9, pick in any::<u64>()) {
            let mut rng = StdRng::seed_from_u64(seed);
            let key = SecretKey::random(&mut rng).public_key().precompute();
            let v = pick % (max + 1);
            let nonce = Nonce::random(&mut rng);
            let ctx = ProofContext::new(b"precommit test");
            let pre = Precommit::new(&key, max, &mut rng).unwrap();
            let r_half = Zeroizing::new(nonce.as_scalar() * group::half());
            let a = Point::from_halves(&[&*r_half * group::table_h()])[0];
            let b = b_half(v, max, &key.mul_k(&r_half));
            let (b, proof) = DisjunctiveProof::prove_precommitted(
                &ctx, key.public_key(), &a, BOrHalf::Half(b), v, &nonce, pre,
            ).unwrap();
            let ct = Ciphertext { a, b };
            prop_assert_eq!(ct, key.encrypt(v, &nonce));
            prop_assert!(proof.verify(&ctx, key.public_key(), &ct, max).is_ok());
            let other = ProofContext::new(b"another context");
            prop_assert!(proof.verify(&other, key.public_key(), &ct, max).is_err());
            // The encoded-`B` form gives a proof of the same ciphertext.
            let pre = Precommit::new(&key, max, &mut rng).unwrap();
            let (b2, proof2) = DisjunctiveProof::prove_precommitted(
                &ctx, key.public_key(), &a, BOrHalf::Encoded(ct.b), v, &nonce, pre,
            ).unwrap();
            prop_assert_eq!(b2, ct.b);
            prop_assert!(proof2.verify(&ctx, key.public_key(), &ct, max).is_ok());
            // A value above the bound is refused.
            let pre = Precommit::new(&key, max, &mut rng).unwrap();
            prop_assert!(DisjunctiveProof::prove_precommitted(
                &ctx, key.public_key(), &a, BOrHalf::Encoded(ct.b), max + 1, &nonce, pre,
            ).is_err());
        }
    }
}
