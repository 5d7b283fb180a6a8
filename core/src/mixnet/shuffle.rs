//! A verifiable re-encryption shuffle of ciphertext rows (Terelius–Wikström).
//!
//! A mix server takes `N` rows of `w` ciphertexts (a ranked ballot is a row of `w`
//! ranks), re-encrypts every ciphertext with a fresh nonce and permutes the rows:
//!
//! ```text
//! e'ᵢ,ₖ = e_{π(i)},ₖ + (r'ᵢ,ₖ·H, r'ᵢ,ₖ·K)      for i < N, k < w
//! ```
//!
//! and proves in zero knowledge that it did so, without revealing `π` or the nonces.
//! The proof is the commitment-consistent proof of a shuffle of Terelius and Wikström
//! ("Proofs of Restricted Shuffles", AFRICACRYPT 2010), in the form given step by step
//! by Haenni, Locher, Koenig and Dubuis ("Pseudo-Code Algorithms for Verifiable
//! Re-Encryption Mix-Nets", FC 2017 workshops), written additively, with our ElGamal
//! `(r·H, v·G + r·K)` and extended to rows: one permutation commitment and one
//! commitment chain for the whole row, one re-encryption response per column. The
//! construction is specified in `docs/spec.md` § "Mixnet".
//!
//! The independent generators `U, H₀, H₁, …` of the commitments are hashed to the group
//! from public labels and the election's domain ([`ShuffleGenerators::derive`]); they are
//! never taken from the prover.
//!
//! Proving costs about `5 + 2w` fixed-base multiplications per row plus constant-time
//! multiscalar multiplications; verifying is one variable-time multiscalar
//! multiplication of `(4 + 4w)·N` points on public data (all equations combined with
//! random weights), split across threads with the `std` feature.

use alloc::vec::Vec;
use core::fmt;

use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, MultiscalarMul, VartimeMultiscalarMul};
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRngCore, RngCore, SeedableRng};
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, Zeroizing};

use crate::elgamal::{Ciphertext, EncryptionKey, PublicKey};
use crate::error::{DecodeError, DecodeErrorKind, What};
use crate::group::{self, Point, Reader};
use crate::labels;
use crate::proofs::batch;
use crate::transcript::{ProofContext, TranscriptExt};

use super::MixError;

/// Largest number of rows one shuffle may hold.
pub const MAX_ROWS: usize = 1 << 24;
/// Largest row width (ciphertexts per row).
pub const MAX_WIDTH: usize = 1024;

/// The independent generators of a shuffle proof: `U` (the base of the commitment
/// chain) and `H₀, H₁, …` (one per row). `U` is hashed to the group from
/// [`labels::SHUFFLE_GENERATORS`], the election's domain and its tag; `Hᵢ` is twice such
/// a hash with its index (so the prover holds `Hᵢ/2` for free and encodes its
/// commitments in one batch, see [`group::compress_doubled`]).
///
/// `Hᵢ` does not depend on the number of rows, so generators derived for `N` rows serve
/// every shuffle of at most `N` rows; derive them once per election and reuse them.
#[derive(Clone)]
pub struct ShuffleGenerators {
    u: RistrettoPoint,
    h: Vec<RistrettoPoint>,
    h_half: Vec<RistrettoPoint>,
}

impl fmt::Debug for ShuffleGenerators {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShuffleGenerators({} rows)", self.h.len())
    }
}

fn hash_generator(domain: &[u8], tag: &[u8], index: u64) -> RistrettoPoint {
    let mut h = Sha512::new();
    h.update(labels::SHUFFLE_GENERATORS);
    h.update((domain.len() as u64).to_le_bytes());
    h.update(domain);
    h.update((tag.len() as u64).to_le_bytes());
    h.update(tag);
    h.update(index.to_le_bytes());
    RistrettoPoint::from_hash(h)
}

impl ShuffleGenerators {
    /// Derives `U` and `H₀ … H_{rows−1}` for the election whose domain (base hash) is
    /// `domain`.
    pub fn derive(domain: &[u8], rows: usize) -> Self {
        let u = hash_generator(domain, b"U", 0);
        let h_half: Vec<RistrettoPoint> =
            map_range(rows, |i| hash_generator(domain, b"H", i as u64));
        let h = h_half.iter().map(|p| p + p).collect();
        Self { u, h, h_half }
    }

    /// Number of rows these generators cover.
    pub fn rows(&self) -> usize {
        self.h.len()
    }
}

/// The proof that a list of rows is a re-encryption and permutation of another.
///
/// Encoding (`8 + 32·(5N + 6 + 3w)` bytes): `N: u32 LE ‖ w: u32 LE ‖ N × cⱼ ‖ N × ĉᵢ ‖
/// t₁ ‖ t₂ ‖ t₃ ‖ w × (t₄,ₖ.A ‖ t₄,ₖ.B) ‖ N × t̂ᵢ ‖ s₁ ‖ s₂ ‖ s₃ ‖ w × s₄,ₖ ‖ N × ŝᵢ ‖
/// N × s'ᵢ` (points and scalars in their canonical 32-byte encodings).
#[derive(Clone, PartialEq, Eq)]
pub struct ShuffleProof {
    /// Permutation commitment `cⱼ = rⱼ·G + H_{π⁻¹(j)}`.
    pub commitments: Vec<Point>,
    /// Commitment chain `ĉᵢ = r̂ᵢ·G + u'ᵢ·ĉᵢ₋₁` (`ĉ₋₁ = U`).
    pub chain: Vec<Point>,
    /// `t₁, t₂, t₃`.
    pub t: [Point; 3],
    /// `t₄,ₖ` for each column: a pair `(A, B)`.
    pub t4: Vec<[Point; 2]>,
    /// `t̂ᵢ`.
    pub t_hat: Vec<Point>,
    /// `s₁, s₂, s₃`.
    pub s: [Scalar; 3],
    /// `s₄,ₖ` for each column.
    pub s4: Vec<Scalar>,
    /// `ŝᵢ`.
    pub s_hat: Vec<Scalar>,
    /// `s'ᵢ`.
    pub s_prime: Vec<Scalar>,
}

impl fmt::Debug for ShuffleProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ShuffleProof({} rows × {} columns)",
            self.rows(),
            self.width()
        )
    }
}

impl ShuffleProof {
    const WHAT: What = "shuffle proof";

    /// Number of rows `N` the proof speaks of.
    pub fn rows(&self) -> usize {
        self.commitments.len()
    }

    /// Row width `w`.
    pub fn width(&self) -> usize {
        self.t4.len()
    }

    /// Length of the encoding of a proof of `rows × width`.
    pub fn encoded_len(rows: usize, width: usize) -> usize {
        8 + 32 * (5 * rows + 6 + 3 * width)
    }

    /// Feeds the canonical encoding to `out`, part by part, in order.
    fn encode_into(&self, mut out: impl FnMut(&[u8])) {
        out(&(self.rows() as u32).to_le_bytes());
        out(&(self.width() as u32).to_le_bytes());
        let points = self
            .commitments
            .iter()
            .chain(&self.chain)
            .chain(&self.t)
            .chain(self.t4.iter().flatten())
            .chain(&self.t_hat);
        for p in points {
            out(p.as_bytes());
        }
        let scalars = self
            .s
            .iter()
            .chain(&self.s4)
            .chain(&self.s_hat)
            .chain(&self.s_prime);
        for s in scalars {
            out(s.as_bytes());
        }
    }

    /// SHA-512 of the canonical encoding ([`ShuffleProof::to_bytes`]), without
    /// building it.
    pub fn digest(&self) -> [u8; 64] {
        let mut h = Sha512::new();
        self.encode_into(|b| h.update(b));
        h.finalize().into()
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::encoded_len(self.rows(), self.width()));
        self.encode_into(|b| out.extend_from_slice(b));
        out
    }

    /// Decodes strictly: exact length, canonical points and scalars.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes, Self::WHAT);
        let n = r.u32()? as usize;
        let w = r.u32()? as usize;
        if n == 0 || n > MAX_ROWS || w == 0 || w > MAX_WIDTH {
            return Err(DecodeError::new(Self::WHAT, DecodeErrorKind::InvalidValue));
        }
        let expected = Self::encoded_len(n, w);
        if bytes.len() != expected {
            return Err(DecodeError::new(
                Self::WHAT,
                DecodeErrorKind::WrongLength {
                    expected,
                    found: bytes.len(),
                },
            ));
        }
        let points = decode_points(r.take(32 * (3 * n + 3 + 2 * w))?)?;
        let mut points = points.into_iter();
        let mut take = |k: usize| -> Vec<Point> { points.by_ref().take(k).collect() };
        let commitments = take(n);
        let chain = take(n);
        let t = take(3);
        let t4_flat = take(2 * w);
        let t_hat = take(n);
        let mut scalars = Vec::with_capacity(3 + w + 2 * n);
        for _ in 0..3 + w + 2 * n {
            scalars.push(r.scalar()?);
        }
        r.finish()?;
        let t = [t[0], t[1], t[2]];
        let t4 = t4_flat.chunks_exact(2).map(|c| [c[0], c[1]]).collect();
        let s = [scalars[0], scalars[1], scalars[2]];
        let s4 = scalars[3..3 + w].to_vec();
        let s_hat = scalars[3 + w..3 + w + n].to_vec();
        let s_prime = scalars[3 + w + n..].to_vec();
        Ok(Self {
            commitments,
            chain,
            t,
            t4,
            t_hat,
            s,
            s4,
            s_hat,
            s_prime,
        })
    }
}

crate::serde_bytes::serde_via_bytes!(ShuffleProof, "shuffle proof");

/// Decodes consecutive 32-byte points (in parallel with the `std` feature).
pub(crate) fn decode_points(bytes: &[u8]) -> Result<Vec<Point>, DecodeError> {
    const WHAT: What = "shuffle proof";
    let decode = |c: &[u8]| Point::decode(c, WHAT);
    #[cfg(feature = "std")]
    {
        use rayon::prelude::*;
        if bytes.len() >= 32 * 256 {
            return bytes.par_chunks_exact(32).map(decode).collect();
        }
    }
    bytes.chunks_exact(32).map(decode).collect()
}

/// The prover's secrets: the permutation (`output i = input π(i)`) and the
/// re-encryption nonces. Zeroized on drop; `Debug` is redacted.
pub struct ShuffleWitness {
    permutation: Zeroizing<Vec<u32>>,
    nonces: Zeroizing<Vec<Scalar>>,
}

impl fmt::Debug for ShuffleWitness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShuffleWitness(<redacted>)")
    }
}

impl ShuffleWitness {
    /// A uniformly random permutation of `rows` rows and fresh nonces for `width`
    /// columns.
    pub fn random(rows: usize, width: usize, rng: &mut impl CryptoRngCore) -> Self {
        let mut permutation = Zeroizing::new((0..rows as u32).collect::<Vec<u32>>());
        // Fisher–Yates with unbiased indices (rejection sampling).
        for i in (1..rows).rev() {
            let j = uniform_below(i as u64 + 1, rng) as usize;
            permutation.swap(i, j);
        }
        let nonces = Zeroizing::new(
            (0..rows * width)
                .map(|_| Scalar::random(rng))
                .collect::<Vec<_>>(),
        );
        Self {
            permutation,
            nonces,
        }
    }

    /// A chosen permutation and nonces (row-major, `rows × width`), for tests and test
    /// vectors. Fails unless `permutation` is a permutation of `0..rows` and there are
    /// `rows × width` nonces.
    pub fn new(permutation: Vec<u32>, nonces: Vec<Scalar>) -> Result<Self, MixError> {
        let permutation = Zeroizing::new(permutation);
        let nonces = Zeroizing::new(nonces);
        let n = permutation.len();
        let mut seen = Zeroizing::new(alloc::vec![false; n]);
        for &p in permutation.iter() {
            let slot = seen.get_mut(p as usize).ok_or(MixError::NotAPermutation)?;
            if *slot {
                return Err(MixError::NotAPermutation);
            }
            *slot = true;
        }
        if n == 0 || nonces.len() % n != 0 {
            return Err(MixError::Shape {
                what: "nonces",
                rows: n,
                width: 0,
                len: nonces.len(),
            });
        }
        Ok(Self {
            permutation,
            nonces,
        })
    }

    /// The permutation: output row `i` is input row `permutation()[i]`.
    pub fn permutation(&self) -> &[u32] {
        &self.permutation
    }
}

fn uniform_below(bound: u64, rng: &mut impl CryptoRngCore) -> u64 {
    // Accept only values below the largest multiple of `bound`.
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % bound;
        }
    }
}

/// Checks `cts` holds whole rows of `width` and returns the number of rows.
fn shape(what: &'static str, cts: &[Ciphertext], width: usize) -> Result<usize, MixError> {
    let bad = || MixError::Shape {
        what,
        rows: 0,
        width,
        len: cts.len(),
    };
    if width == 0 || width > MAX_WIDTH || cts.is_empty() || cts.len() % width != 0 {
        return Err(bad());
    }
    let rows = cts.len() / width;
    if rows > MAX_ROWS || rows > u32::MAX as usize {
        return Err(bad());
    }
    Ok(rows)
}

/// The statement's transcript up to the permutation commitment, and the challenges
/// `uⱼ` derived from it.
fn challenges_u(
    ctx: &ProofContext,
    key: &PublicKey,
    width: usize,
    input: &[Ciphertext],
    output: &[Ciphertext],
    commitments: &[Point],
) -> (merlin::Transcript, Vec<Scalar>) {
    let n = commitments.len();
    let mut t = ctx.transcript();
    t.proof_domain(labels::SHUFFLE, &[n as u64, width as u64]);
    t.append_point(labels::KEY, key.point());
    // The lists are absorbed as one digest each (SHA-512 is far faster than the
    // transcript's permutation on megabytes of ciphertexts).
    t.append_message(labels::SHUFFLE_INPUT, &digest_ciphertexts(input));
    t.append_message(labels::SHUFFLE_OUTPUT, &digest_ciphertexts(output));
    t.append_message(labels::COMMIT, &digest_points(commitments));
    let mut seed = [0u8; 32];
    t.challenge_bytes(labels::SEED, &mut seed);
    let mut rng = ChaCha20Rng::from_seed(seed);
    let u = (0..n)
        .map(|_| {
            let mut wide = [0u8; 64];
            rng.fill_bytes(&mut wide);
            Scalar::from_bytes_mod_order_wide(&wide)
        })
        .collect();
    (t, u)
}

/// SHA-512 of `LE64(len) ‖ A₀ ‖ B₀ ‖ …`: how a shuffle's transcript and its mixer's
/// signature absorb a list of ciphertexts.
pub(crate) fn digest_ciphertexts(cts: &[Ciphertext]) -> [u8; 64] {
    let mut h = Sha512::new();
    h.update((cts.len() as u64).to_le_bytes());
    for ct in cts {
        h.update(ct.a.as_bytes());
        h.update(ct.b.as_bytes());
    }
    h.finalize().into()
}

fn digest_points(points: &[Point]) -> [u8; 64] {
    let mut h = Sha512::new();
    h.update((points.len() as u64).to_le_bytes());
    for p in points {
        h.update(p.as_bytes());
    }
    h.finalize().into()
}

/// The challenge `c`, after the chain and the prover's commitments.
fn challenge_c(
    mut t: merlin::Transcript,
    chain: &[Point],
    tt: &[Point; 3],
    t4: &[[Point; 2]],
    t_hat: &[Point],
) -> Scalar {
    t.append_message(labels::SHUFFLE_CHAIN, &digest_points(chain));
    for p in tt {
        t.append_point(labels::COMMIT, p);
    }
    for [a, b] in t4 {
        t.append_point(labels::COMMIT, a);
        t.append_point(labels::COMMIT, b);
    }
    t.append_message(labels::COMMIT, &digest_points(t_hat));
    t.challenge_scalar(labels::CHALLENGE)
}

/// Encodes many points, in parallel with the `std` feature.
fn encode_points(points: &[RistrettoPoint]) -> Vec<Point> {
    #[cfg(feature = "std")]
    {
        use rayon::prelude::*;
        if points.len() >= 256 {
            return points.par_iter().map(|p| Point::new(*p)).collect();
        }
    }
    points.iter().map(|p| Point::new(*p)).collect()
}

/// [`Point::from_halves`], in parallel chunks with the `std` feature.
fn from_halves(halves: &[RistrettoPoint]) -> Vec<Point> {
    #[cfg(feature = "std")]
    {
        use rayon::prelude::*;
        let threads = rayon::current_num_threads().max(1);
        if threads > 1 && halves.len() >= 512 {
            let chunk = halves.len().div_ceil(threads);
            return halves
                .par_chunks(chunk)
                .flat_map_iter(Point::from_halves)
                .collect();
        }
    }
    Point::from_halves(halves)
}

/// Maps `f` over `0..n`, in parallel with the `std` feature.
fn map_range<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    #[cfg(feature = "std")]
    {
        use rayon::prelude::*;
        if n >= 64 {
            return (0..n).into_par_iter().map(f).collect();
        }
    }
    (0..n).map(f).collect()
}

/// Re-encrypts and permutes `input` (rows of `width` ciphertexts) with `witness`, and
/// proves it. Returns the output rows and the proof.
///
/// `ctx` must bind the election and the position of this shuffle in the mix chain (see
/// [`super::mix_context`]); `generators` must cover at least the number of rows.
pub fn shuffle(
    ctx: &ProofContext,
    key: &EncryptionKey,
    generators: &ShuffleGenerators,
    input: &[Ciphertext],
    width: usize,
    witness: &ShuffleWitness,
    rng: &mut impl CryptoRngCore,
) -> Result<(Vec<Ciphertext>, ShuffleProof), MixError> {
    let n = shape("input", input, width)?;
    if witness.permutation.len() != n || witness.nonces.len() != n * width {
        return Err(MixError::Shape {
            what: "witness",
            rows: witness.permutation.len(),
            width,
            len: witness.nonces.len(),
        });
    }
    if generators.rows() < n {
        return Err(MixError::Generators {
            needed: n,
            have: generators.rows(),
        });
    }
    let perm = &witness.permutation;
    let nonces = &witness.nonces;

    // Re-encryption: e'ᵢ,ₖ = e_{π(i)},ₖ + (r'·H, r'·K).
    let out_points: Vec<[RistrettoPoint; 2]> = map_range(n * width, |idx| {
        let (i, k) = (idx / width, idx % width);
        let src = &input[perm[i] as usize * width + k];
        let r = &nonces[idx];
        [
            src.a.point() + r * group::table_h(),
            src.b.point() + key.mul_k(r),
        ]
    });
    let flat: Vec<RistrettoPoint> = out_points.iter().flatten().copied().collect();
    let encoded = encode_points(&flat);
    let output: Vec<Ciphertext> = encoded
        .chunks_exact(2)
        .map(|c| Ciphertext { a: c[0], b: c[1] })
        .collect();

    // Permutation commitment: c_{π(i)} = r_{π(i)}·G + Hᵢ, computed as the halves
    // (r/2)·G + Hᵢ/2 and encoded in one batch (as are the chain and the t̂ᵢ below).
    let half = group::half();
    let r: Zeroizing<Vec<Scalar>> = Zeroizing::new((0..n).map(|_| Scalar::random(rng)).collect());
    let mut inverse = Zeroizing::new(alloc::vec![0u32; n]);
    for (i, &p) in perm.iter().enumerate() {
        inverse[p as usize] = i as u32;
    }
    let c_halves = map_range(n, |j| {
        let r_half = Zeroizing::new(r[j] * half);
        &*r_half * group::table_g() + generators.h_half[inverse[j] as usize]
    });
    let commitments = from_halves(&c_halves);

    let (transcript, u) = challenges_u(ctx, key.public_key(), width, input, &output, &commitments);
    let u_prime: Zeroizing<Vec<Scalar>> =
        Zeroizing::new(perm.iter().map(|&p| u[p as usize]).collect());

    // Commitment chain in closed form: ĉᵢ = Rᵢ·G + Pᵢ·U with Rᵢ = r̂ᵢ + u'ᵢ·Rᵢ₋₁,
    // Pᵢ = u'ᵢ·Pᵢ₋₁ (R₋₁ = 0, P₋₁ = 1).
    let r_hat: Zeroizing<Vec<Scalar>> =
        Zeroizing::new((0..n).map(|_| Scalar::random(rng)).collect());
    let mut big_r = Zeroizing::new(Vec::with_capacity(n));
    let mut big_p = Zeroizing::new(Vec::with_capacity(n));
    let (mut acc_r, mut acc_p) = (Scalar::ZERO, Scalar::ONE);
    for i in 0..n {
        acc_r = r_hat[i] + u_prime[i] * acc_r;
        acc_p *= u_prime[i];
        big_r.push(acc_r);
        big_p.push(acc_p);
    }
    acc_r.zeroize();
    let table_u = RistrettoBasepointTable::create(&generators.u);
    let chain_halves = map_range(n, |i| {
        let r_half = Zeroizing::new(big_r[i] * half);
        let p_half = Zeroizing::new(big_p[i] * half);
        &*r_half * group::table_g() + &*p_half * &table_u
    });
    let chain = from_halves(&chain_halves);

    // The prover's commitments.
    let omega: Zeroizing<[Scalar; 3]> = Zeroizing::new([
        Scalar::random(rng),
        Scalar::random(rng),
        Scalar::random(rng),
    ]);
    let omega4: Zeroizing<Vec<Scalar>> =
        Zeroizing::new((0..width).map(|_| Scalar::random(rng)).collect());
    let omega_hat: Zeroizing<Vec<Scalar>> =
        Zeroizing::new((0..n).map(|_| Scalar::random(rng)).collect());
    let omega_prime: Zeroizing<Vec<Scalar>> =
        Zeroizing::new((0..n).map(|_| Scalar::random(rng)).collect());

    let t1 = &omega[0] * group::table_g();
    let t2 = &omega[1] * group::table_g();
    // Constant-time multiscalar multiplications: ω' are secret.
    let t3 = &omega[2] * group::table_g()
        + RistrettoPoint::multiscalar_mul(omega_prime.iter(), generators.h[..n].iter());
    let t4_points: Vec<RistrettoPoint> = map_range(2 * width, |idx| {
        let (k, side) = (idx / 2, idx % 2);
        let column = out_points.iter().map(|row| row[side]);
        let sum =
            RistrettoPoint::multiscalar_mul(omega_prime.iter(), column.skip(k).step_by(width));
        if side == 0 {
            sum - &omega4[k] * group::table_h()
        } else {
            sum - key.mul_k(&omega4[k])
        }
    });
    // t̂ᵢ = ω̂ᵢ·G + ω'ᵢ·ĉᵢ₋₁ = (ω̂ᵢ + ω'ᵢ·Rᵢ₋₁)·G + (ω'ᵢ·Pᵢ₋₁)·U, as halves.
    let t_hat_points = map_range(n, |i| {
        let (prev_r, prev_p) = if i == 0 {
            (Scalar::ZERO, Scalar::ONE)
        } else {
            (big_r[i - 1], big_p[i - 1])
        };
        let g_part = Zeroizing::new((omega_hat[i] + omega_prime[i] * prev_r) * half);
        let u_part = Zeroizing::new(omega_prime[i] * prev_p * half);
        &*g_part * group::table_g() + &*u_part * &table_u
    });
    let mut small = alloc::vec![t1, t2, t3];
    small.extend_from_slice(&t4_points);
    let small = encode_points(&small);
    let t = [small[0], small[1], small[2]];
    let t4: Vec<[Point; 2]> = small[3..].chunks_exact(2).map(|c| [c[0], c[1]]).collect();
    let t_hat = from_halves(&t_hat_points);

    let c = challenge_c(transcript, &chain, &t, &t4, &t_hat);

    // Responses.
    let r_bar = Zeroizing::new(r.iter().sum::<Scalar>());
    let r_tilde = Zeroizing::new(r.iter().zip(&u).map(|(a, b)| a * b).sum::<Scalar>());
    let s = [
        omega[0] - c * *r_bar,
        omega[1] - c * big_r[n - 1],
        omega[2] - c * *r_tilde,
    ];
    let s4 = (0..width)
        .map(|k| {
            let r_prime = Zeroizing::new(
                (0..n)
                    .map(|i| u_prime[i] * nonces[i * width + k])
                    .sum::<Scalar>(),
            );
            omega4[k] - c * *r_prime
        })
        .collect();
    let s_hat = (0..n).map(|i| omega_hat[i] - c * r_hat[i]).collect();
    let s_prime = (0..n).map(|i| omega_prime[i] - c * u_prime[i]).collect();

    Ok((
        output,
        ShuffleProof {
            commitments,
            chain,
            t,
            t4,
            t_hat,
            s,
            s4,
            s_hat,
            s_prime,
        },
    ))
}

/// Verifies that `output` is a re-encryption and permutation of `input` (rows of
/// `width` ciphertexts under `key`), as `proof` claims, in the context `ctx`.
///
/// All the proof's equations are combined with random weights from `rng` into one
/// variable-time multiscalar multiplication (split across threads with `std`).
#[allow(clippy::too_many_arguments)]
pub fn verify(
    ctx: &ProofContext,
    key: &PublicKey,
    generators: &ShuffleGenerators,
    input: &[Ciphertext],
    output: &[Ciphertext],
    width: usize,
    proof: &ShuffleProof,
    rng: &mut impl CryptoRngCore,
) -> Result<(), MixError> {
    let n = shape("input", input, width)?;
    if output.len() != input.len() {
        return Err(MixError::Shape {
            what: "output",
            rows: n,
            width,
            len: output.len(),
        });
    }
    if proof.rows() != n
        || proof.width() != width
        || proof.chain.len() != n
        || proof.t_hat.len() != n
        || proof.s4.len() != width
        || proof.s_hat.len() != n
        || proof.s_prime.len() != n
    {
        return Err(MixError::Shape {
            what: "proof",
            rows: proof.rows(),
            width: proof.width(),
            len: n,
        });
    }
    if generators.rows() < n {
        return Err(MixError::Generators {
            needed: n,
            have: generators.rows(),
        });
    }
    let (transcript, u) = challenges_u(ctx, key, width, input, output, &proof.commitments);
    let c = challenge_c(transcript, &proof.chain, &proof.t, &proof.t4, &proof.t_hat);
    let u_product: Scalar = u.iter().product();

    let alpha = [batch::weight(rng), batch::weight(rng), batch::weight(rng)];
    let beta: Vec<[Scalar; 2]> = (0..width)
        .map(|_| [batch::weight(rng), batch::weight(rng)])
        .collect();
    let delta: Vec<Scalar> = (0..n).map(|_| batch::weight(rng)).collect();
    let sp = &proof.s_prime;

    // Fixed bases G, H, K, U and the t's.
    let mut g = -(alpha[0] * proof.s[0] + alpha[1] * proof.s[1] + alpha[2] * proof.s[2]);
    for (d, s) in delta.iter().zip(&proof.s_hat) {
        g -= d * s;
    }
    let h: Scalar = beta.iter().zip(&proof.s4).map(|(b, s)| b[0] * s).sum();
    let k: Scalar = beta.iter().zip(&proof.s4).map(|(b, s)| b[1] * s).sum();
    let u_coef = alpha[1] * c * u_product - delta[0] * sp[0];
    let mut scalars = Vec::with_capacity((4 + 4 * width) * n + 8 + 2 * width);
    let mut points = Vec::with_capacity(scalars.capacity());
    let fixed = [
        (g, group::generator_g()),
        (h, *group::generator_h().point()),
        (k, *key.point().point()),
        (u_coef, generators.u),
        (alpha[0], *proof.t[0].point()),
        (alpha[1], *proof.t[1].point()),
        (alpha[2], *proof.t[2].point()),
    ];
    for (s, p) in fixed {
        scalars.push(s);
        points.push(p);
    }
    for (b, t4) in beta.iter().zip(&proof.t4) {
        scalars.extend_from_slice(b);
        points.extend([*t4[0].point(), *t4[1].point()]);
    }
    // Permutation commitment cⱼ and generators Hᵢ.
    for j in 0..n {
        scalars.push(-(alpha[0] * c + alpha[2] * c * u[j]));
        points.push(*proof.commitments[j].point());
        scalars.push(alpha[0] * c - alpha[2] * sp[j]);
        points.push(generators.h[j]);
    }
    // Chain ĉᵢ and t̂ᵢ.
    for i in 0..n {
        let mut coef = -delta[i] * c;
        if i + 1 < n {
            coef -= delta[i + 1] * sp[i + 1];
        } else {
            coef -= alpha[1] * c;
        }
        scalars.push(coef);
        points.push(*proof.chain[i].point());
        scalars.push(delta[i]);
        points.push(*proof.t_hat[i].point());
    }
    // Input and output ciphertexts.
    for row in 0..n {
        let cu = c * u[row];
        for (col, b) in beta.iter().enumerate() {
            let e = &input[row * width + col];
            scalars.push(-b[0] * cu);
            points.push(*e.a.point());
            scalars.push(-b[1] * cu);
            points.push(*e.b.point());
            let e = &output[row * width + col];
            scalars.push(-b[0] * sp[row]);
            points.push(*e.a.point());
            scalars.push(-b[1] * sp[row]);
            points.push(*e.b.point());
        }
    }
    if msm_is_identity(&scalars, &points) {
        Ok(())
    } else {
        Err(MixError::InvalidShuffle)
    }
}

/// Whether `Σ sᵢ·Pᵢ = 0` (variable time: public data only), in parallel chunks with the
/// `std` feature.
fn msm_is_identity(scalars: &[Scalar], points: &[RistrettoPoint]) -> bool {
    #[cfg(feature = "std")]
    {
        use curve25519_dalek::traits::Identity;
        use rayon::prelude::*;
        let threads = rayon::current_num_threads().max(1);
        if threads > 1 && scalars.len() >= 4096 {
            let chunk = scalars.len().div_ceil(threads);
            let sum: RistrettoPoint = scalars
                .par_chunks(chunk)
                .zip(points.par_chunks(chunk))
                .map(|(s, p)| RistrettoPoint::vartime_multiscalar_mul(s, p))
                .reduce(RistrettoPoint::identity, |a, b| a + b);
            return sum.is_identity();
        }
    }
    RistrettoPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}
