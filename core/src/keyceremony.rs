//! The key ceremony: `t`-of-`n` distributed key generation (Pedersen/Feldman DKG) with
//! encrypted, publicly verifiable share delivery, written as sans-I/O state machines.
//!
//! No trustee ever holds the election secret `x`; each ends with a share `xᵢ` of it, any
//! `t` of which decrypt (see [`crate::threshold`]), while `t − 1` learn nothing about `x`.
//!
//! # Parameters
//!
//! [`CeremonyParams`]: `n` trustees with indices `1..=n` (the evaluation points of the
//! polynomials), a threshold `1 ≤ t ≤ n ≤ 255`, and a 32-byte ceremony `context` (a hash
//! binding the election manifest and whatever else the host wants the key tied to).
//! Every proof and every share encryption of the ceremony binds the canonical encoding
//! of `(n, t, context)`; nothing made in one ceremony is accepted in another.
//!
//! Each trustee `j` has a communication key `cⱼ` with public `Cⱼ = cⱼ·H`
//! ([`CommunicationKey`]).
//!
//! # Round 1: announcements
//!
//! Trustee `j` samples a random polynomial of degree `t − 1`,
//!
//! ```text
//! fⱼ(z) = aⱼ₀ + aⱼ₁·z + … + aⱼ,ₜ₋₁·zᵗ⁻¹
//! ```
//!
//! and broadcasts an [`Announcement`]: its index `j`, `Cⱼ` with a Schnorr proof of
//! possession of `cⱼ`, the coefficient commitments `Cⱼₖ = aⱼₖ·H` (`k = 0..t`) and a
//! Schnorr proof of knowledge of each `aⱼₖ`. Each proof is made under the context
//!
//! ```text
//! ProofContext::new("ostracon/v1/keyceremony")
//!     .bind("ctx", n ‖ t ‖ context)            -- the canonical CeremonyParams
//!     .bind_u64("trustee", j)
//!     .bind("comm-key", Cⱼ)                    -- proof of possession of cⱼ
//!     .bind_u64("coefficient", k)              -- only for the proof of aⱼₖ
//! ```
//!
//! so a proof cannot move to another ceremony, trustee, communication key or coefficient.
//! The proofs of knowledge stop a rogue trustee from announcing `Cⱼ₀ = Y − Σ_{i≠j} Cᵢ₀`
//! for a `Y` of its choice (whose discrete log it does not know), which would let it
//! dictate `K` (the rogue-key attack). An announcement is accepted only if its index is
//! in `1..=n` and unique, it carries exactly `t` commitments and `t` proofs, neither
//! `Cⱼ` nor `Cⱼ₀` is the identity, and every proof verifies (all proofs of the ceremony
//! are batch-verified; on failure each is re-checked alone to name the culprit).
//!
//! # Round 2: encrypted shares
//!
//! With all `n` announcements accepted, trustee `j` sends each other trustee `i` its
//! share `sⱼᵢ = fⱼ(i)`, encrypted for `i` ([`EncryptedShare`]):
//!
//! ```text
//! Dⱼᵢ  = cⱼ·Cᵢ = cᵢ·Cⱼ = cᵢcⱼ·H                     (Diffie–Hellman)
//! bind = n ‖ t ‖ context ‖ j ‖ i                       (48 bytes)
//! kⱼᵢ  = HKDF-SHA256(salt = "ostracon/v1/keyceremony/share-aead",
//!                    ikm  = Dⱼᵢ,
//!                    info = bind ‖ Cⱼ ‖ Cᵢ ‖ Cⱼ₀ ‖ … ‖ Cⱼ,ₜ₋₁)
//! eⱼᵢ  = ChaCha20-Poly1305(key = kⱼᵢ, nonce = 0¹², aad = bind, plaintext = sⱼᵢ)
//! ```
//!
//! The nonce is fixed: each key encrypts exactly one message. The key is unique to the
//! ceremony parameters, the ordered pair `(j, i)`, both communication keys *and* the
//! sender's coefficient commitments, which are fresh random points in every run (they
//! commit to a fresh polynomial). So even a re-run of a ceremony with the same context
//! and the same long-lived communication keys derives new keys, and no key ever meets
//! two plaintexts.
//!
//! # Checking shares, complaints
//!
//! Trustee `i` decrypts each `sⱼᵢ` and checks it against `j`'s commitments:
//!
//! ```text
//! sⱼᵢ·H  =  Σₖ iᵏ·Cⱼₖ          (= Σₖ iᵏ·aⱼₖ·H = fⱼ(i)·H)
//! ```
//!
//! A share that does not decrypt, is not a canonical scalar, or fails this check yields
//! a [`Complaint`]: `i` reveals `D = cᵢ·Cⱼ` with a Chaum–Pedersen proof that
//! `log_H Cᵢ = log_{Cⱼ} D` (bound to the ceremony, `"complaint"`, `j` and `i`). Anyone
//! holding the public announcements and the encrypted share checks the proof,
//! re-derives `kⱼᵢ` from `D`, decrypts and re-checks the share, and learns who is at
//! fault ([`Verdict`]): the accused if the share is bad, the accuser if the complaint
//! is false (bad proof, or a good share). A complaint reveals the pairwise secret `D` and
//! therefore the share `sⱼᵢ`: the accuser and the accused should retire their
//! communication keys afterwards (see `docs/keyceremony.md`). A ceremony with a
//! complaint is aborted; the host re-runs it without the trustee found at fault.
//!
//! # Result
//!
//! Writing `F = Σⱼ fⱼ`, the election secret is `x = F(0) = Σⱼ aⱼ₀`, which nobody knows;
//! trustee `i` holds `xᵢ = F(i) = Σⱼ sⱼᵢ` ([`KeyShare`]); and everybody computes from
//! the announcements alone ([`PublicCeremony`]):
//!
//! ```text
//! K  = x·H  = Σⱼ Cⱼ₀                             (the election key)
//! Xᵢ = xᵢ·H = Σₖ iᵏ·(Σⱼ Cⱼₖ)                     (trustee i's verification share)
//! ```
//!
//! Any `t` trustees `S` reconstruct `x·A = Σ_{i∈S} λᵢ·(xᵢ·A)` with the Lagrange
//! coefficients `λᵢ = Π_{j∈S, j≠i} j / (j − i)`, without ever reconstructing `x`.
//!
//! # State machine
//!
//! ```text
//! Trustee::new ──announcement()──▶ broadcast
//!      │ receive_announcements(all n)  ──▶ Vec<EncryptedShare> (one per other trustee)
//!      ▼
//! AwaitingShares ── receive_shares(n − 1) ──▶ Outcome::Finished(KeyShare)
//!                                         └─▶ Outcome::Complaints(Vec<Complaint>)
//! ```
//!
//! Calls in the wrong phase return [`CeremonyError::OutOfOrder`]; a call rejected for bad
//! input leaves the trustee in its phase, so the host can retry with corrected input.
//! Messages travel as canonical bytes (`to_bytes` / `from_bytes`, strict) or serde
//! (a hex string of the same bytes in JSON). The transport must be authenticated:
//! announcements on a broadcast channel every trustee sees identically, shares tagged
//! with their true sender (they are encrypted, so they may be public).
//!
//! Secrets — polynomial coefficients, communication keys, shares — are zeroized on drop
//! and redacted from `Debug` output.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Tag};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use hkdf::Hkdf;
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::elgamal::{PublicKey, SecretKey};
use crate::error::{DecodeError, DecodeErrorKind, Error, ProofError, ProofKind, What};
use crate::group::{self, Point, Reader};
use crate::hex::Hex;
use crate::labels;
use crate::proofs::batch;
use crate::proofs::{Base, DleqProof, DleqStatement, SchnorrProof};
use crate::transcript::ProofContext;

/// The largest number of trustees (and threshold) a ceremony accepts.
pub const MAX_TRUSTEES: u32 = 255;

/// Length of a share ciphertext: a 32-byte scalar and a 16-byte Poly1305 tag.
pub const SHARE_CIPHERTEXT_LEN: usize = 48;

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// The phase a [`Trustee`] is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Announced; waiting for every trustee's announcement.
    AwaitingAnnouncements,
    /// Shares sent; waiting for the shares of every other trustee.
    AwaitingShares,
    /// Key share derived; the ceremony is over for this trustee.
    Finished,
    /// Complaints were raised; this ceremony cannot finish.
    Aborted,
}

impl Phase {
    const fn name(self) -> &'static str {
        match self {
            Phase::AwaitingAnnouncements => "awaiting announcements",
            Phase::AwaitingShares => "awaiting shares",
            Phase::Finished => "finished",
            Phase::Aborted => "aborted",
        }
    }
}

/// Why an announcement was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnnouncementFault {
    /// The trustee index is not in `1..=n`.
    IndexOutOfRange,
    /// Two announcements carry this index.
    Duplicate,
    /// No announcement carries this index.
    Missing,
    /// The set holds an announcement for the receiving trustee that is not the one it
    /// made.
    NotOurs,
    /// The communication key is the identity.
    IdentityCommKey,
    /// Not exactly `t` coefficient commitments.
    CommitmentCount {
        /// `t`.
        expected: u32,
        /// Number received.
        found: usize,
    },
    /// Not exactly `t` coefficient proofs.
    ProofCount {
        /// `t`.
        expected: u32,
        /// Number received.
        found: usize,
    },
    /// The commitment to the constant coefficient is the identity.
    IdentityCommitment,
    /// The proof of possession of the communication key does not verify.
    InvalidCommKeyProof,
    /// The proof of knowledge of a coefficient does not verify.
    InvalidCoefficientProof {
        /// Index `k` of the coefficient.
        coefficient: u32,
    },
}

impl fmt::Display for AnnouncementFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IndexOutOfRange => f.write_str("trustee index is outside 1..=n"),
            Self::Duplicate => f.write_str("more than one announcement"),
            Self::Missing => f.write_str("no announcement"),
            Self::NotOurs => f.write_str("not the announcement this trustee made"),
            Self::IdentityCommKey => f.write_str("communication key is the identity"),
            Self::CommitmentCount { expected, found } => {
                write!(f, "{found} coefficient commitments, expected {expected}")
            }
            Self::ProofCount { expected, found } => {
                write!(f, "{found} coefficient proofs, expected {expected}")
            }
            Self::IdentityCommitment => f.write_str("constant-term commitment is the identity"),
            Self::InvalidCommKeyProof => {
                f.write_str("communication-key proof of possession does not verify")
            }
            Self::InvalidCoefficientProof { coefficient } => {
                write!(f, "proof of coefficient {coefficient} does not verify")
            }
        }
    }
}

/// Why a set of encrypted shares was rejected before any decryption.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryFault {
    /// The share is addressed to another trustee.
    WrongRecipient {
        /// The recipient it names.
        to: u32,
    },
    /// The sender index is not in `1..=n`.
    UnknownSender,
    /// A share from the receiving trustee to itself.
    FromSelf,
    /// Two shares from the same sender.
    Duplicate,
    /// No share from this sender.
    Missing,
}

impl fmt::Display for DeliveryFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongRecipient { to } => write!(f, "addressed to trustee {to}"),
            Self::UnknownSender => f.write_str("sender index is outside 1..=n"),
            Self::FromSelf => f.write_str("a share from the recipient to itself"),
            Self::Duplicate => f.write_str("more than one share"),
            Self::Missing => f.write_str("no share"),
        }
    }
}

/// Errors of the key ceremony. They convert into the crate's [`Error`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CeremonyError {
    /// Parameters outside `1 ≤ t ≤ n ≤ 255`.
    InvalidParams {
        /// Number of trustees.
        n: u32,
        /// Threshold.
        t: u32,
    },
    /// A trustee index outside `1..=n` (or, in a complaint, accuser = accused).
    InvalidTrustee {
        /// The index.
        trustee: u32,
    },
    /// A call the trustee cannot take in its current phase.
    OutOfOrder {
        /// The call.
        call: &'static str,
        /// The phase the trustee is in.
        phase: Phase,
    },
    /// An announcement was rejected.
    Announcement {
        /// The trustee it claims to come from (or should have come from).
        trustee: u32,
        /// What was wrong.
        fault: AnnouncementFault,
    },
    /// The shares delivered to a trustee are not one from every other trustee.
    Delivery {
        /// The sender of the offending (or missing) share.
        from: u32,
        /// What was wrong.
        fault: DeliveryFault,
    },
    /// A complaint was checked against a share it does not concern.
    ComplaintMismatch {
        /// The complaint's accuser.
        accuser: u32,
        /// The complaint's accused.
        accused: u32,
        /// The share's sender.
        from: u32,
        /// The share's recipient.
        to: u32,
    },
    /// The commitments add up to the identity: the election key would be public.
    IdentityJointKey,
    /// Key derivation or encryption failed (unreachable with the fixed sizes used).
    Encryption,
    /// Bytes that do not decode.
    Decode(DecodeError),
}

impl fmt::Display for CeremonyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidParams { n, t } => write!(
                f,
                "key ceremony: invalid parameters n = {n}, t = {t} (need 1 <= t <= n <= {MAX_TRUSTEES})"
            ),
            Self::InvalidTrustee { trustee } => {
                write!(f, "key ceremony: invalid trustee index {trustee}")
            }
            Self::OutOfOrder { call, phase } => write!(
                f,
                "key ceremony: {call} called while the trustee is {}",
                phase.name()
            ),
            Self::Announcement { trustee, fault } => {
                write!(f, "key ceremony: announcement of trustee {trustee}: {fault}")
            }
            Self::Delivery { from, fault } => {
                write!(f, "key ceremony: share from trustee {from}: {fault}")
            }
            Self::ComplaintMismatch {
                accuser,
                accused,
                from,
                to,
            } => write!(
                f,
                "key ceremony: complaint of {accuser} against {accused} checked against the share from {from} to {to}"
            ),
            Self::IdentityJointKey => f.write_str("key ceremony: the joint key is the identity"),
            Self::Encryption => f.write_str("key ceremony: share encryption failed"),
            Self::Decode(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for CeremonyError {}

impl From<DecodeError> for CeremonyError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl From<CeremonyError> for Error {
    /// Decoding errors stay decoding errors and failed proofs become
    /// [`Error::Proof`]; everything else becomes [`Error::InvalidInput`] with the full
    /// message (which names the trustee).
    fn from(e: CeremonyError) -> Self {
        match e {
            CeremonyError::Decode(d) => Error::Decode(d),
            CeremonyError::Announcement {
                fault: AnnouncementFault::InvalidCommKeyProof,
                ..
            } => Error::Proof(ProofError::new(ProofKind::Schnorr)),
            CeremonyError::Announcement {
                fault: AnnouncementFault::InvalidCoefficientProof { coefficient },
                ..
            } => Error::Proof(ProofError::at(ProofKind::Schnorr, coefficient as usize)),
            other => Error::InvalidInput(alloc::format!("{other}")),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Encoding helpers
// ---------------------------------------------------------------------------------------

/// Reads a `u32` count, refusing more than `max`.
pub(crate) fn read_count(r: &mut Reader<'_>, max: u32, what: What) -> Result<usize, DecodeError> {
    let count = r.u32()?;
    if count > max {
        return Err(DecodeError::new(what, DecodeErrorKind::InvalidValue));
    }
    Ok(count as usize)
}

/// Capacity for `count` items of `item_len` bytes: never more than the input can hold.
pub(crate) fn capacity(count: usize, r: &Reader<'_>, item_len: usize) -> usize {
    count.min(r.remaining() / item_len.max(1))
}

/// Appends a `u32` length (the lengths written here are ≤ `u32::MAX` by construction of
/// the decoders; larger vectors are written with a saturated count and fail to decode).
pub(crate) fn put_count(out: &mut Vec<u8>, len: usize) {
    let n = u32::try_from(len).unwrap_or(u32::MAX);
    out.extend_from_slice(&n.to_le_bytes());
}

// ---------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------

/// The public parameters of a ceremony: `n` trustees, threshold `t`, and a 32-byte
/// context hash. Always valid (`1 ≤ t ≤ n ≤ 255`) once constructed.
///
/// Encoding (40 bytes): `n: u32 LE ‖ t: u32 LE ‖ context: [u8; 32]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CeremonyParams {
    n: u32,
    t: u32,
    context: [u8; 32],
}

impl CeremonyParams {
    /// Encoded length.
    pub const LEN: usize = 40;

    /// Validates and wraps the parameters.
    pub fn new(n: u32, t: u32, context: [u8; 32]) -> Result<Self, CeremonyError> {
        if t == 0 || t > n || n > MAX_TRUSTEES {
            return Err(CeremonyError::InvalidParams { n, t });
        }
        Ok(Self { n, t, context })
    }

    /// Number of trustees `n`.
    pub fn n(&self) -> u32 {
        self.n
    }

    /// Threshold `t`: the number of trustees needed to decrypt.
    pub fn t(&self) -> u32 {
        self.t
    }

    /// The ceremony context hash.
    pub fn context(&self) -> &[u8; 32] {
        &self.context
    }

    /// Whether `trustee` is a valid index (`1..=n`).
    pub fn contains(&self, trustee: u32) -> bool {
        (1..=self.n).contains(&trustee)
    }

    fn check_trustee(&self, trustee: u32) -> Result<(), CeremonyError> {
        if self.contains(trustee) {
            Ok(())
        } else {
            Err(CeremonyError::InvalidTrustee { trustee })
        }
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> [u8; 40] {
        let mut out = [0u8; 40];
        out[..4].copy_from_slice(&self.n.to_le_bytes());
        out[4..8].copy_from_slice(&self.t.to_le_bytes());
        out[8..].copy_from_slice(&self.context);
        out
    }

    /// Decodes strictly, refusing invalid `(n, t)`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        const WHAT: What = "ceremony parameters";
        let mut r = Reader::new(bytes, WHAT);
        let p = Self::read(&mut r)?;
        r.finish()?;
        Ok(p)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.u32()?;
        let t = r.u32()?;
        let context = r.array::<32>()?;
        Self::new(n, t, context)
            .map_err(|_| DecodeError::new("ceremony parameters", DecodeErrorKind::InvalidValue))
    }

    /// The context every proof of this ceremony starts from.
    fn proof_context(&self) -> ProofContext {
        ProofContext::new(labels::CEREMONY).bind(labels::CONTEXT, &self.to_bytes())
    }

    /// Context of trustee `j`'s proof of possession of `Cⱼ`; its coefficient proofs
    /// extend it with the coefficient index.
    fn trustee_context(&self, trustee: u32, comm_key: &Point) -> ProofContext {
        self.proof_context()
            .bind_u64(labels::TRUSTEE, u64::from(trustee))
            .bind(labels::COMM_KEY, comm_key.as_bytes())
    }

    /// Context of a complaint of `accuser` against `accused`.
    fn complaint_context(&self, accuser: u32, accused: u32) -> ProofContext {
        self.proof_context()
            .bind(labels::COMPLAINT, &[])
            .bind_u64(labels::TRUSTEE, u64::from(accused))
            .bind_u64(labels::RECIPIENT, u64::from(accuser))
    }
}

impl fmt::Debug for CeremonyParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CeremonyParams {{ n: {}, t: {}, context: {} }}",
            self.n,
            self.t,
            Hex(&self.context)
        )
    }
}

crate::serde_bytes::serde_via_bytes!(CeremonyParams, "ceremony parameters");

// ---------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------

/// A trustee's communication key `c` with public `C = c·H`, used to receive shares
/// (Diffie–Hellman) and to prove complaints. Zeroized on drop; `Debug` is redacted.
#[derive(Clone)]
pub struct CommunicationKey {
    secret: SecretKey,
    public: PublicKey,
}

impl CommunicationKey {
    /// A fresh random key.
    pub fn random(rng: &mut impl CryptoRngCore) -> Self {
        loop {
            // The zero scalar (probability 2⁻²⁵²) would give the identity: draw again.
            if let Ok(k) = Self::from_secret(SecretKey::random(rng)) {
                return k;
            }
        }
    }

    fn from_secret(secret: SecretKey) -> Result<Self, DecodeError> {
        let public = PublicKey::from_point(*secret.public_key().point())
            .map_err(|e| e.within("communication key"))?;
        Ok(Self { secret, public })
    }

    /// Decodes the 32-byte secret; refuses non-canonical scalars and zero.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let secret = SecretKey::from_bytes(bytes).map_err(|e| e.within("communication key"))?;
        Self::from_secret(secret)
    }

    /// The secret's encoding. Handle with care.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.secret.to_bytes()
    }

    /// The public key `C = c·H`.
    pub fn public_key(&self) -> &Point {
        self.public.point()
    }

    /// `c·P`, the Diffie–Hellman secret with the holder of `P`.
    fn dh(&self, other: &Point) -> Point {
        Point::new(other.point() * self.secret.as_scalar())
    }
}

/// The secret is a [`SecretKey`], which zeroizes itself on drop; the rest is public.
impl ZeroizeOnDrop for CommunicationKey {}

impl fmt::Debug for CommunicationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommunicationKey")
            .field("public", self.public.point())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A secret polynomial `f(z) = a₀ + a₁z + … + aₜ₋₁zᵗ⁻¹`. Zeroized on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
struct Polynomial {
    coefficients: Vec<Scalar>,
}

impl Polynomial {
    fn random(t: u32, rng: &mut impl CryptoRngCore) -> Self {
        Self {
            coefficients: (0..t).map(|_| Scalar::random(rng)).collect(),
        }
    }

    /// `f(x)` by Horner's rule (constant time in the coefficients).
    fn evaluate(&self, x: u32) -> Zeroizing<Scalar> {
        let x = Scalar::from(x);
        let mut acc = Zeroizing::new(Scalar::ZERO);
        for a in self.coefficients.iter().rev() {
            *acc = *acc * x + a;
        }
        acc
    }
}

impl fmt::Debug for Polynomial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Polynomial(<redacted>)")
    }
}

// ---------------------------------------------------------------------------------------
// Round 1: announcements
// ---------------------------------------------------------------------------------------

/// Round 1 broadcast of trustee `j`: communication key, coefficient commitments and
/// their proofs.
///
/// A plain message: nothing is checked at construction or decoding beyond canonical
/// encodings; [`PublicCeremony::verify`] (or [`Trustee::receive_announcements`]) checks
/// everything.
///
/// Encoding (`108 + 96·t` bytes when well formed):
/// `trustee: u32 LE ‖ Cⱼ (32) ‖ proof of possession (64) ‖ m: u32 LE ‖ m × Cⱼₖ (32) ‖
/// p: u32 LE ‖ p × proof (64)`, with `m, p ≤ 255`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// The trustee's index `j`.
    pub trustee: u32,
    /// The communication key `Cⱼ = cⱼ·H`.
    pub comm_key: Point,
    /// Schnorr proof of possession of `cⱼ`.
    pub comm_key_proof: SchnorrProof,
    /// `Cⱼₖ = aⱼₖ·H` for `k = 0..t`.
    pub commitments: Vec<Point>,
    /// Schnorr proof of knowledge of `aⱼₖ`, for `k = 0..t`.
    pub proofs: Vec<SchnorrProof>,
}

impl Announcement {
    const WHAT: What = "announcement";

    /// Canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            108 + 32 * self.commitments.len() + SchnorrProof::LEN * self.proofs.len(),
        );
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.trustee.to_le_bytes());
        out.extend_from_slice(self.comm_key.as_bytes());
        out.extend_from_slice(&self.comm_key_proof.to_bytes());
        put_count(out, self.commitments.len());
        for c in &self.commitments {
            out.extend_from_slice(c.as_bytes());
        }
        put_count(out, self.proofs.len());
        for p in &self.proofs {
            out.extend_from_slice(&p.to_bytes());
        }
    }

    /// Decodes strictly (canonical points and scalars, counts ≤ 255, no trailing bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes, Self::WHAT);
        let a = Self::read(&mut r)?;
        r.finish()?;
        Ok(a)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let schnorr = |r: &mut Reader<'_>| {
            SchnorrProof::from_bytes(r.take(SchnorrProof::LEN)?).map_err(|e| e.within(Self::WHAT))
        };
        let trustee = r.u32()?;
        let comm_key = r.point()?;
        let comm_key_proof = schnorr(r)?;
        let m = read_count(r, MAX_TRUSTEES, Self::WHAT)?;
        let mut commitments = Vec::with_capacity(capacity(m, r, 32));
        for _ in 0..m {
            commitments.push(r.point()?);
        }
        let p = read_count(r, MAX_TRUSTEES, Self::WHAT)?;
        let mut proofs = Vec::with_capacity(capacity(p, r, SchnorrProof::LEN));
        for _ in 0..p {
            proofs.push(schnorr(r)?);
        }
        Ok(Self {
            trustee,
            comm_key,
            comm_key_proof,
            commitments,
            proofs,
        })
    }

    /// Structural checks (everything but the proofs).
    fn check_structure(&self, params: &CeremonyParams) -> Result<(), AnnouncementFault> {
        if !params.contains(self.trustee) {
            return Err(AnnouncementFault::IndexOutOfRange);
        }
        if self.comm_key.is_identity() {
            return Err(AnnouncementFault::IdentityCommKey);
        }
        if self.commitments.len() != params.t as usize {
            return Err(AnnouncementFault::CommitmentCount {
                expected: params.t,
                found: self.commitments.len(),
            });
        }
        if self.proofs.len() != params.t as usize {
            return Err(AnnouncementFault::ProofCount {
                expected: params.t,
                found: self.proofs.len(),
            });
        }
        if self.commitments.first().is_none_or(Point::is_identity) {
            return Err(AnnouncementFault::IdentityCommitment);
        }
        Ok(())
    }

    /// `Σₖ iᵏ·Cⱼₖ`: what `fⱼ(i)·H` must equal (public data, variable time).
    fn share_commitment(&self, i: u32) -> RistrettoPoint {
        let x = Scalar::from(i);
        let mut power = Scalar::ONE;
        let mut powers = Vec::with_capacity(self.commitments.len());
        for _ in &self.commitments {
            powers.push(power);
            power *= x;
        }
        RistrettoPoint::vartime_multiscalar_mul(&powers, self.commitments.iter().map(Point::point))
    }
}

crate::serde_bytes::serde_via_bytes!(Announcement, "announcement");

// ---------------------------------------------------------------------------------------
// The public ceremony
// ---------------------------------------------------------------------------------------

/// The public record of a ceremony: its parameters and every announcement. Plain data;
/// [`CeremonyTranscript::verify`] checks it and yields a [`PublicCeremony`].
///
/// Encoding: `params (40) ‖ count: u32 LE ‖ count × announcement` (`count ≤ 255`). JSON:
/// `{"params": hex, "announcements": [hex, …]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyTranscript {
    /// The ceremony parameters.
    pub params: CeremonyParams,
    /// The announcements, in any order (a verified ceremony lists them by index).
    pub announcements: Vec<Announcement>,
}

impl CeremonyTranscript {
    /// Checks every announcement (see [`PublicCeremony::verify`]).
    pub fn verify(self, rng: &mut impl CryptoRngCore) -> Result<PublicCeremony, CeremonyError> {
        PublicCeremony::verify(self.params, self.announcements, rng)
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.params.to_bytes());
        put_count(&mut out, self.announcements.len());
        for a in &self.announcements {
            a.write(&mut out);
        }
        out
    }

    /// Decodes strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        const WHAT: What = "ceremony transcript";
        let mut r = Reader::new(bytes, WHAT);
        let params = CeremonyParams::read(&mut r)?;
        let count = read_count(&mut r, MAX_TRUSTEES, WHAT)?;
        let mut announcements = Vec::with_capacity(capacity(count, &r, 108));
        for _ in 0..count {
            announcements.push(Announcement::read(&mut r)?);
        }
        r.finish()?;
        Ok(Self {
            params,
            announcements,
        })
    }
}

/// A verified ceremony: parameters and all `n` announcements (by index), every proof
/// checked. Yields the election key `K` and every trustee's verification share `Xᵢ`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicCeremony {
    params: CeremonyParams,
    announcements: Vec<Announcement>,
    /// `Σⱼ Cⱼₖ` for `k = 0..t`: commitments to the coefficients of `F = Σⱼ fⱼ`.
    joint_commitments: Vec<Point>,
    joint_key: PublicKey,
}

impl PublicCeremony {
    /// Checks a ceremony's announcements: exactly one per index `1..=n`, each with `t`
    /// commitments and `t` proofs, no identity communication key or constant-term
    /// commitment, and every Schnorr proof valid under this ceremony's context
    /// (batch-verified). The first fault found is returned, naming the trustee.
    pub fn verify(
        params: CeremonyParams,
        announcements: Vec<Announcement>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, CeremonyError> {
        // Parameters are valid by construction; re-check cheaply in case of future
        // constructors.
        let params = CeremonyParams::new(params.n, params.t, params.context)?;
        let n = params.n as usize;
        let t = params.t as usize;
        let mut slots: Vec<Option<Announcement>> = vec![None; n];
        for a in announcements {
            let trustee = a.trustee;
            let fail = |fault| CeremonyError::Announcement { trustee, fault };
            a.check_structure(&params).map_err(fail)?;
            let slot = &mut slots[trustee as usize - 1];
            if slot.is_some() {
                return Err(fail(AnnouncementFault::Duplicate));
            }
            *slot = Some(a);
        }
        let mut sorted = Vec::with_capacity(n);
        for (j, slot) in (1u32..).zip(slots) {
            sorted.push(slot.ok_or(CeremonyError::Announcement {
                trustee: j,
                fault: AnnouncementFault::Missing,
            })?);
        }

        // Every proof of the ceremony in one batch: per trustee, the proof of possession
        // then the t coefficient proofs.
        let mut contexts = Vec::with_capacity(n * (t + 1));
        for a in &sorted {
            let base = params.trustee_context(a.trustee, &a.comm_key);
            for k in 0..t {
                contexts.push(base.clone().bind_u64(labels::COEFFICIENT, k as u64));
            }
            contexts.push(base);
        }
        let mut items = Vec::with_capacity(n * (t + 1));
        for (a, ctxs) in sorted.iter().zip(contexts.chunks_exact(t + 1)) {
            items.push(a.comm_key_proof.item(&ctxs[t], Base::H, &a.comm_key));
            for ((proof, c), ctx) in a.proofs.iter().zip(&a.commitments).zip(ctxs) {
                items.push(proof.item(ctx, Base::H, c));
            }
        }
        if let Some(&bad) = batch::failing(&items, rng).first() {
            let trustee = (bad / (t + 1)) as u32 + 1;
            let fault = match bad % (t + 1) {
                0 => AnnouncementFault::InvalidCommKeyProof,
                k => AnnouncementFault::InvalidCoefficientProof {
                    coefficient: (k - 1) as u32,
                },
            };
            return Err(CeremonyError::Announcement { trustee, fault });
        }

        let joint_commitments: Vec<Point> = (0..t)
            .map(|k| Point::new(sorted.iter().map(|a| a.commitments[k].point()).sum()))
            .collect();
        let joint_key = PublicKey::from_point(joint_commitments[0])
            .map_err(|_| CeremonyError::IdentityJointKey)?;
        Ok(Self {
            params,
            announcements: sorted,
            joint_commitments,
            joint_key,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &CeremonyParams {
        &self.params
    }

    /// The announcements, trustee `j` at position `j − 1`.
    pub fn announcements(&self) -> &[Announcement] {
        &self.announcements
    }

    /// Trustee `j`'s announcement.
    pub fn announcement(&self, trustee: u32) -> Option<&Announcement> {
        if self.params.contains(trustee) {
            self.announcements.get(trustee as usize - 1)
        } else {
            None
        }
    }

    fn announcement_or_err(&self, trustee: u32) -> Result<&Announcement, CeremonyError> {
        self.announcement(trustee)
            .ok_or(CeremonyError::InvalidTrustee { trustee })
    }

    /// The election key `K = Σⱼ Cⱼ₀`.
    pub fn joint_key(&self) -> &PublicKey {
        &self.joint_key
    }

    /// `Σⱼ Cⱼₖ` for `k = 0..t`: commitments to the coefficients of the joint polynomial.
    pub fn joint_commitments(&self) -> &[Point] {
        &self.joint_commitments
    }

    /// Trustee `i`'s public verification share `Xᵢ = xᵢ·H = Σₖ iᵏ·(Σⱼ Cⱼₖ)`.
    pub fn verification_share(&self, trustee: u32) -> Result<Point, CeremonyError> {
        self.params.check_trustee(trustee)?;
        let x = Scalar::from(trustee);
        let mut power = Scalar::ONE;
        let mut powers = Vec::with_capacity(self.joint_commitments.len());
        for _ in &self.joint_commitments {
            powers.push(power);
            power *= x;
        }
        Ok(Point::new(RistrettoPoint::vartime_multiscalar_mul(
            &powers,
            self.joint_commitments.iter().map(Point::point),
        )))
    }

    /// Every trustee's verification share: `Xᵢ` at position `i − 1`.
    pub fn verification_shares(&self) -> Vec<Point> {
        (1..=self.params.n)
            .filter_map(|i| self.verification_share(i).ok())
            .collect()
    }

    /// The public record (announcements by index), for publication.
    pub fn transcript(&self) -> CeremonyTranscript {
        CeremonyTranscript {
            params: self.params,
            announcements: self.announcements.clone(),
        }
    }

    /// Decrypts the share `share.from → share.to` with the Diffie–Hellman secret `dh`
    /// and checks it against the sender's commitments.
    ///
    /// Outer error: the share's indices are invalid, or encryption machinery failed.
    /// Inner error: the share is bad (the sender's fault).
    fn open_share(
        &self,
        share: &EncryptedShare,
        dh: &Point,
    ) -> Result<Result<Zeroizing<Scalar>, ShareFault>, CeremonyError> {
        let from = self.announcement_or_err(share.from)?;
        let to = self.announcement_or_err(share.to)?;
        let key = share_key(&self.params, from, to, dh)?;
        let aad = share_binding(&self.params, share.from, share.to);
        let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
        let mut buf = Zeroizing::new([0u8; 32]);
        buf.copy_from_slice(&share.ciphertext[..32]);
        let tag = Tag::from_slice(&share.ciphertext[32..]);
        if cipher
            .decrypt_in_place_detached(&Default::default(), &aad, buf.as_mut_slice(), tag)
            .is_err()
        {
            return Ok(Err(ShareFault::Undecryptable));
        }
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*buf)) else {
            return Ok(Err(ShareFault::NonCanonical));
        };
        let s = Zeroizing::new(s);
        // s is secret: constant-time fixed-base multiplication and comparison.
        if &*s * group::table_h() != from.share_commitment(share.to) {
            return Ok(Err(ShareFault::Inconsistent));
        }
        Ok(Ok(s))
    }
}

// ---------------------------------------------------------------------------------------
// Round 2: encrypted shares
// ---------------------------------------------------------------------------------------

/// `n ‖ t ‖ context ‖ from ‖ to`: the AEAD associated data and the start of the HKDF info.
fn share_binding(params: &CeremonyParams, from: u32, to: u32) -> [u8; 48] {
    let mut out = [0u8; 48];
    out[..40].copy_from_slice(&params.to_bytes());
    out[40..44].copy_from_slice(&from.to_le_bytes());
    out[44..].copy_from_slice(&to.to_le_bytes());
    out
}

/// HKDF-SHA256 key for the share `from → to`, from the Diffie–Hellman secret `dh`.
fn share_key(
    params: &CeremonyParams,
    from: &Announcement,
    to: &Announcement,
    dh: &Point,
) -> Result<Zeroizing<[u8; 32]>, CeremonyError> {
    let binding = share_binding(params, from.trustee, to.trustee);
    let mut info: Vec<&[u8]> = Vec::with_capacity(3 + from.commitments.len());
    info.push(&binding);
    info.push(from.comm_key.as_bytes());
    info.push(to.comm_key.as_bytes());
    info.extend(from.commitments.iter().map(|c| c.as_bytes().as_slice()));
    let hk = Hkdf::<Sha256>::new(Some(labels::SHARE_KDF), dh.as_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    hk.expand_multi_info(&info, key.as_mut_slice())
        .map_err(|_| CeremonyError::Encryption)?;
    Ok(key)
}

/// Round 2 message: trustee `from`'s share `f_from(to)`, encrypted for trustee `to`.
///
/// Encoding (56 bytes): `from: u32 LE ‖ to: u32 LE ‖ ciphertext (32) ‖ tag (16)`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EncryptedShare {
    /// Sender index `j`.
    pub from: u32,
    /// Recipient index `i`.
    pub to: u32,
    /// ChaCha20-Poly1305 encryption of the 32-byte share `fⱼ(i)`, tag appended.
    pub ciphertext: [u8; SHARE_CIPHERTEXT_LEN],
}

impl EncryptedShare {
    /// Encoded length.
    pub const LEN: usize = 8 + SHARE_CIPHERTEXT_LEN;

    fn seal(
        params: &CeremonyParams,
        from: &Announcement,
        to: &Announcement,
        dh: &Point,
        share: &Scalar,
    ) -> Result<Self, CeremonyError> {
        let key = share_key(params, from, to, dh)?;
        let aad = share_binding(params, from.trustee, to.trustee);
        let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
        let mut buf = Zeroizing::new(share.to_bytes());
        // Fixed all-zero nonce: every key encrypts exactly one share (module docs).
        let tag = cipher
            .encrypt_in_place_detached(&Default::default(), &aad, buf.as_mut_slice())
            .map_err(|_| CeremonyError::Encryption)?;
        let mut ciphertext = [0u8; SHARE_CIPHERTEXT_LEN];
        ciphertext[..32].copy_from_slice(buf.as_slice());
        ciphertext[32..].copy_from_slice(&tag);
        Ok(Self {
            from: from.trustee,
            to: to.trustee,
            ciphertext,
        })
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> [u8; 56] {
        let mut out = [0u8; 56];
        out[..4].copy_from_slice(&self.from.to_le_bytes());
        out[4..8].copy_from_slice(&self.to.to_le_bytes());
        out[8..].copy_from_slice(&self.ciphertext);
        out
    }

    /// Decodes strictly (exactly 56 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes, "encrypted share");
        let s = Self {
            from: r.u32()?,
            to: r.u32()?,
            ciphertext: r.array()?,
        };
        r.finish()?;
        Ok(s)
    }
}

impl fmt::Debug for EncryptedShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "EncryptedShare {{ from: {}, to: {}, ciphertext: {} }}",
            self.from,
            self.to,
            Hex(&self.ciphertext)
        )
    }
}

crate::serde_bytes::serde_via_bytes!(EncryptedShare, "encrypted share");

// ---------------------------------------------------------------------------------------
// Complaints
// ---------------------------------------------------------------------------------------

/// What is wrong with a share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShareFault {
    /// The ciphertext does not decrypt (wrong key, tampered, or garbage).
    Undecryptable,
    /// It decrypts to 32 bytes that are not a canonical scalar.
    NonCanonical,
    /// It decrypts to a scalar `s` with `s·H ≠ Σₖ iᵏ·Cⱼₖ`.
    Inconsistent,
}

/// Why a complaint is false.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FalseComplaint {
    /// The proof that the revealed Diffie–Hellman secret is correct does not verify.
    InvalidProof,
    /// The share decrypts and matches the commitments.
    ValidShare,
}

/// The outcome of checking a complaint: who is at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The share is bad: the accused trustee cheated.
    AccusedAtFault {
        /// The accused (the share's sender).
        accused: u32,
        /// What is wrong with the share.
        fault: ShareFault,
    },
    /// The complaint is false: the accuser is at fault.
    AccuserAtFault {
        /// The accuser.
        accuser: u32,
        /// Why the complaint is false.
        reason: FalseComplaint,
    },
}

impl Verdict {
    /// The index of the trustee at fault.
    pub fn at_fault(&self) -> u32 {
        match *self {
            Verdict::AccusedAtFault { accused, .. } => accused,
            Verdict::AccuserAtFault { accuser, .. } => accuser,
        }
    }
}

/// A complaint of trustee `i` (accuser) about the share it received from trustee `j`
/// (accused): the Diffie–Hellman secret `D = cᵢ·Cⱼ` and a DLEQ proof that
/// `log_H Cᵢ = log_{Cⱼ} D`. Checkable by anyone from public data ([`Complaint::verify`]).
///
/// Encoding (136 bytes): `accuser: u32 LE ‖ accused: u32 LE ‖ D (32) ‖ proof (96)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Complaint {
    /// The complaining recipient `i`.
    pub accuser: u32,
    /// The accused sender `j`.
    pub accused: u32,
    /// `D = cᵢ·Cⱼ`, the key-agreement secret of the pair.
    pub dh_secret: Point,
    /// Proof that `log_H Cᵢ = log_{Cⱼ} D`.
    pub proof: DleqProof,
}

impl Complaint {
    /// Encoded length.
    pub const LEN: usize = 8 + 32 + DleqProof::LEN;

    /// A complaint of `accuser` (holding `comm_key`) about the share from `accused`,
    /// whose communication key is `accused_comm_key`. A trustee makes these itself in
    /// [`Trustee::receive_shares`]; this constructor lets a host complain on its own.
    pub fn new(
        params: &CeremonyParams,
        accuser: u32,
        comm_key: &CommunicationKey,
        accused: u32,
        accused_comm_key: &Point,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, CeremonyError> {
        params.check_trustee(accuser)?;
        params.check_trustee(accused)?;
        if accuser == accused {
            return Err(CeremonyError::InvalidTrustee { trustee: accused });
        }
        let dh_secret = comm_key.dh(accused_comm_key);
        let statement = DleqStatement {
            base1: *group::generator_h(),
            public1: *comm_key.public_key(),
            base2: *accused_comm_key,
            public2: dh_secret,
        };
        let proof = DleqProof::prove(
            &params.complaint_context(accuser, accused),
            &statement,
            comm_key.secret.as_scalar(),
            rng,
        );
        Ok(Self {
            accuser,
            accused,
            dh_secret,
            proof,
        })
    }

    /// Decides the complaint from public data: the verified ceremony and the encrypted
    /// share the accused sent the accuser. Errors only if the complaint's indices are
    /// invalid or `share` is not the share `accused → accuser`.
    pub fn verify(
        &self,
        ceremony: &PublicCeremony,
        share: &EncryptedShare,
    ) -> Result<Verdict, CeremonyError> {
        let params = ceremony.params();
        let accuser = ceremony.announcement_or_err(self.accuser)?;
        let accused = ceremony.announcement_or_err(self.accused)?;
        if self.accuser == self.accused {
            return Err(CeremonyError::InvalidTrustee {
                trustee: self.accused,
            });
        }
        if share.from != self.accused || share.to != self.accuser {
            return Err(CeremonyError::ComplaintMismatch {
                accuser: self.accuser,
                accused: self.accused,
                from: share.from,
                to: share.to,
            });
        }
        let statement = DleqStatement {
            base1: *group::generator_h(),
            public1: accuser.comm_key,
            base2: accused.comm_key,
            public2: self.dh_secret,
        };
        let ctx = params.complaint_context(self.accuser, self.accused);
        if self.proof.verify(&ctx, &statement).is_err() {
            return Ok(Verdict::AccuserAtFault {
                accuser: self.accuser,
                reason: FalseComplaint::InvalidProof,
            });
        }
        Ok(match ceremony.open_share(share, &self.dh_secret)? {
            Ok(_) => Verdict::AccuserAtFault {
                accuser: self.accuser,
                reason: FalseComplaint::ValidShare,
            },
            Err(fault) => Verdict::AccusedAtFault {
                accused: self.accused,
                fault,
            },
        })
    }

    /// Canonical encoding.
    pub fn to_bytes(&self) -> [u8; 136] {
        let mut out = [0u8; 136];
        out[..4].copy_from_slice(&self.accuser.to_le_bytes());
        out[4..8].copy_from_slice(&self.accused.to_le_bytes());
        out[8..40].copy_from_slice(self.dh_secret.as_bytes());
        out[40..].copy_from_slice(&self.proof.to_bytes());
        out
    }

    /// Decodes strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        const WHAT: What = "complaint";
        let mut r = Reader::new(bytes, WHAT);
        let c = Self {
            accuser: r.u32()?,
            accused: r.u32()?,
            dh_secret: r.point()?,
            proof: DleqProof::from_bytes(r.take(DleqProof::LEN)?).map_err(|e| e.within(WHAT))?,
        };
        r.finish()?;
        Ok(c)
    }
}

crate::serde_bytes::serde_via_bytes!(Complaint, "complaint");

// ---------------------------------------------------------------------------------------
// Result
// ---------------------------------------------------------------------------------------

/// A trustee's result: its secret share `xᵢ` of the election key, its public
/// verification share `Xᵢ = xᵢ·H` and the election key `K`. `Debug` is redacted; the
/// secret zeroizes on drop.
///
/// Encoding (108 bytes, secret): `params (40) ‖ index: u32 LE ‖ xᵢ (32) ‖ K (32)`.
#[derive(Clone)]
pub struct KeyShare {
    params: CeremonyParams,
    index: u32,
    secret: SecretKey,
    public_share: Point,
    joint_key: PublicKey,
}

impl KeyShare {
    /// Encoded length.
    pub const LEN: usize = 108;

    /// The ceremony parameters.
    pub fn params(&self) -> &CeremonyParams {
        &self.params
    }

    /// The trustee's index `i`.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The secret share `xᵢ`.
    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }

    /// The verification share `Xᵢ = xᵢ·H`.
    pub fn public_share(&self) -> &Point {
        &self.public_share
    }

    /// The election key `K`.
    pub fn joint_key(&self) -> &PublicKey {
        &self.joint_key
    }

    /// The encoding, for the trustee's own safekeeping. It holds the secret share.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(Self::LEN));
        out.extend_from_slice(&self.params.to_bytes());
        out.extend_from_slice(&self.index.to_le_bytes());
        out.extend_from_slice(self.secret.to_bytes().as_slice());
        out.extend_from_slice(&self.joint_key.to_bytes());
        out
    }

    /// Decodes strictly; recomputes `Xᵢ`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        const WHAT: What = "key share";
        let mut r = Reader::new(bytes, WHAT);
        let params = CeremonyParams::read(&mut r)?;
        let index = r.u32()?;
        if !params.contains(index) {
            return Err(DecodeError::new(WHAT, DecodeErrorKind::InvalidValue));
        }
        let secret = SecretKey::from_bytes(r.take(32)?).map_err(|e| e.within(WHAT))?;
        let joint_key = PublicKey::from_bytes(r.take(32)?).map_err(|e| e.within(WHAT))?;
        r.finish()?;
        Ok(Self {
            params,
            index,
            public_share: *secret.public_key().point(),
            secret,
            joint_key,
        })
    }
}

/// The secret `xᵢ` is a [`SecretKey`], which zeroizes itself on drop; the rest is public.
impl ZeroizeOnDrop for KeyShare {}

impl fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyShare")
            .field("params", &self.params)
            .field("index", &self.index)
            .field("secret", &"<redacted>")
            .field("public_share", &self.public_share)
            .field("joint_key", &self.joint_key)
            .finish()
    }
}

/// What [`Trustee::receive_shares`] ends with.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Every share was good: the trustee's key material.
    Finished(Box<KeyShare>),
    /// Some shares were bad: one complaint per bad share, to publish. The ceremony is
    /// aborted.
    Complaints(Vec<Complaint>),
}

// ---------------------------------------------------------------------------------------
// The trustee state machine
// ---------------------------------------------------------------------------------------

enum State {
    AwaitingAnnouncements {
        polynomial: Polynomial,
    },
    AwaitingShares {
        own_share: Zeroizing<Scalar>,
        ceremony: PublicCeremony,
    },
    Finished {
        ceremony: PublicCeremony,
    },
    Aborted {
        ceremony: PublicCeremony,
    },
}

/// One trustee's side of the ceremony, as a sans-I/O state machine: the host feeds it
/// the messages it received and carries the messages it returns.
pub struct Trustee {
    params: CeremonyParams,
    index: u32,
    comm_key: CommunicationKey,
    announcement: Announcement,
    state: State,
}

impl Trustee {
    /// Starts trustee `index` (in `1..=n`) with a fresh communication key: samples the
    /// polynomial and prepares the announcement.
    pub fn new(
        params: CeremonyParams,
        index: u32,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, CeremonyError> {
        let comm_key = CommunicationKey::random(rng);
        Self::with_comm_key(params, index, comm_key, rng)
    }

    /// Starts trustee `index` with a given (long-lived) communication key.
    pub fn with_comm_key(
        params: CeremonyParams,
        index: u32,
        comm_key: CommunicationKey,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, CeremonyError> {
        let params = CeremonyParams::new(params.n, params.t, params.context)?;
        params.check_trustee(index)?;
        let polynomial = Polynomial::random(params.t, rng);
        let base = params.trustee_context(index, comm_key.public_key());
        let comm_key_proof = SchnorrProof::prove(
            &base,
            Base::H,
            comm_key.secret.as_scalar(),
            comm_key.public_key(),
            rng,
        );
        let mut commitments = Vec::with_capacity(params.t as usize);
        let mut proofs = Vec::with_capacity(params.t as usize);
        for (k, a) in (0u64..).zip(&polynomial.coefficients) {
            let c = Point::new(a * group::table_h());
            let ctx = base.clone().bind_u64(labels::COEFFICIENT, k);
            proofs.push(SchnorrProof::prove(&ctx, Base::H, a, &c, rng));
            commitments.push(c);
        }
        let announcement = Announcement {
            trustee: index,
            comm_key: *comm_key.public_key(),
            comm_key_proof,
            commitments,
            proofs,
        };
        Ok(Self {
            params,
            index,
            comm_key,
            announcement,
            state: State::AwaitingAnnouncements { polynomial },
        })
    }

    /// The ceremony parameters.
    pub fn params(&self) -> &CeremonyParams {
        &self.params
    }

    /// This trustee's index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        match self.state {
            State::AwaitingAnnouncements { .. } => Phase::AwaitingAnnouncements,
            State::AwaitingShares { .. } => Phase::AwaitingShares,
            State::Finished { .. } => Phase::Finished,
            State::Aborted { .. } => Phase::Aborted,
        }
    }

    /// This trustee's round-1 message, to broadcast.
    pub fn announcement(&self) -> &Announcement {
        &self.announcement
    }

    /// The public communication key.
    pub fn comm_key(&self) -> &Point {
        self.comm_key.public_key()
    }

    /// The verified ceremony, once all announcements have been accepted.
    pub fn public_ceremony(&self) -> Option<&PublicCeremony> {
        match &self.state {
            State::AwaitingAnnouncements { .. } => None,
            State::AwaitingShares { ceremony, .. }
            | State::Finished { ceremony }
            | State::Aborted { ceremony } => Some(ceremony),
        }
    }

    fn out_of_order(&self, call: &'static str) -> CeremonyError {
        CeremonyError::OutOfOrder {
            call,
            phase: self.phase(),
        }
    }

    /// Round 2: takes all `n` announcements (this trustee's own included, any order),
    /// verifies them, and returns one encrypted share for each other trustee, ordered by
    /// recipient. On error the trustee stays in its phase.
    pub fn receive_announcements(
        &mut self,
        announcements: &[Announcement],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<EncryptedShare>, CeremonyError> {
        let State::AwaitingAnnouncements { polynomial } = &self.state else {
            return Err(self.out_of_order("receive_announcements"));
        };
        let ceremony = PublicCeremony::verify(self.params, announcements.to_vec(), rng)?;
        if ceremony.announcement(self.index) != Some(&self.announcement) {
            return Err(CeremonyError::Announcement {
                trustee: self.index,
                fault: AnnouncementFault::NotOurs,
            });
        }
        let mut shares = Vec::with_capacity(self.params.n as usize - 1);
        for to in ceremony.announcements() {
            if to.trustee == self.index {
                continue;
            }
            let dh = self.comm_key.dh(&to.comm_key);
            let s = polynomial.evaluate(to.trustee);
            shares.push(EncryptedShare::seal(
                &self.params,
                &self.announcement,
                to,
                &dh,
                &s,
            )?);
        }
        let own_share = polynomial.evaluate(self.index);
        // Dropping the old state zeroizes the polynomial.
        self.state = State::AwaitingShares {
            own_share,
            ceremony,
        };
        Ok(shares)
    }

    /// Round 3: takes the `n − 1` shares addressed to this trustee (any order), decrypts
    /// and checks each. Returns the key material, or a complaint for every bad share
    /// (the trustee is then aborted). Malformed deliveries (a share missing, duplicated,
    /// misaddressed) are errors that leave the trustee waiting.
    pub fn receive_shares(
        &mut self,
        shares: &[EncryptedShare],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Outcome, CeremonyError> {
        let State::AwaitingShares {
            own_share,
            ceremony,
        } = &self.state
        else {
            return Err(self.out_of_order("receive_shares"));
        };
        let mut by_sender: Vec<Option<&EncryptedShare>> = vec![None; self.params.n as usize];
        for s in shares {
            let fail = |fault| CeremonyError::Delivery {
                from: s.from,
                fault,
            };
            if s.to != self.index {
                return Err(fail(DeliveryFault::WrongRecipient { to: s.to }));
            }
            if !self.params.contains(s.from) {
                return Err(fail(DeliveryFault::UnknownSender));
            }
            if s.from == self.index {
                return Err(fail(DeliveryFault::FromSelf));
            }
            let slot = &mut by_sender[s.from as usize - 1];
            if slot.is_some() {
                return Err(fail(DeliveryFault::Duplicate));
            }
            *slot = Some(s);
        }

        let mut x = own_share.clone();
        let mut complaints = Vec::new();
        for (from, slot) in (1u32..).zip(&by_sender) {
            if from == self.index {
                continue;
            }
            let share = slot.ok_or(CeremonyError::Delivery {
                from,
                fault: DeliveryFault::Missing,
            })?;
            let sender = ceremony.announcement_or_err(from)?;
            let dh = self.comm_key.dh(&sender.comm_key);
            match ceremony.open_share(share, &dh)? {
                Ok(s) => *x += *s,
                Err(_) => complaints.push(Complaint::new(
                    &self.params,
                    self.index,
                    &self.comm_key,
                    from,
                    &sender.comm_key,
                    rng,
                )?),
            }
        }

        let ceremony = ceremony.clone();
        if !complaints.is_empty() {
            self.state = State::Aborted { ceremony };
            return Ok(Outcome::Complaints(complaints));
        }
        let key = KeyShare {
            params: self.params,
            index: self.index,
            secret: SecretKey::from_scalar(*x),
            public_share: ceremony.verification_share(self.index)?,
            joint_key: *ceremony.joint_key(),
        };
        self.state = State::Finished { ceremony };
        Ok(Outcome::Finished(Box::new(key)))
    }
}

impl fmt::Debug for Trustee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trustee")
            .field("params", &self.params)
            .field("index", &self.index)
            .field("phase", &self.phase())
            .field("comm_key", &self.comm_key)
            .field("secrets", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn ceremony(n: u32, t: u32, rng: &mut StdRng) -> (Vec<Trustee>, Vec<Vec<EncryptedShare>>) {
        let params = CeremonyParams::new(n, t, [7u8; 32]).unwrap();
        let mut trustees: Vec<Trustee> = (1..=n)
            .map(|i| Trustee::new(params, i, rng).unwrap())
            .collect();
        let anns: Vec<Announcement> = trustees.iter().map(|t| t.announcement().clone()).collect();
        let sent = trustees
            .iter_mut()
            .map(|t| t.receive_announcements(&anns, rng).unwrap())
            .collect();
        (trustees, sent)
    }

    fn inbox(sent: &[Vec<EncryptedShare>], to: u32) -> Vec<EncryptedShare> {
        sent.iter()
            .flatten()
            .filter(|s| s.to == to)
            .copied()
            .collect()
    }

    #[test]
    fn polynomial_evaluates_by_horner() {
        let p = Polynomial {
            coefficients: vec![Scalar::from(3u8), Scalar::from(2u8), Scalar::from(5u8)],
        };
        assert_eq!(*p.evaluate(0), Scalar::from(3u8));
        assert_eq!(*p.evaluate(2), Scalar::from(3u32 + 4 + 20));
        assert!(alloc::format!("{p:?}").contains("redacted"));
    }

    /// A share that decrypts but does not match the commitments (a correctly encrypted
    /// wrong value) is detected, and the complaint names the sender.
    #[test]
    fn inconsistent_share_is_blamed_on_sender() {
        let mut rng = StdRng::seed_from_u64(11);
        let (mut trustees, mut sent) = ceremony(3, 2, &mut rng);
        let ceremony = trustees[0].public_ceremony().unwrap().clone();
        // Trustee 2 re-encrypts a wrong share for trustee 3 under the right key.
        let cheater = &trustees[1];
        let from = ceremony.announcement(2).unwrap();
        let to = ceremony.announcement(3).unwrap();
        let dh = cheater.comm_key.dh(&to.comm_key);
        let bad =
            EncryptedShare::seal(&ceremony.params, from, to, &dh, &Scalar::from(42u8)).unwrap();
        let slot = sent[1].iter_mut().find(|s| s.to == 3).unwrap();
        *slot = bad;
        let Outcome::Complaints(c) = trustees[2]
            .receive_shares(&inbox(&sent, 3), &mut rng)
            .unwrap()
        else {
            panic!("expected a complaint");
        };
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].verify(&ceremony, &bad).unwrap(),
            Verdict::AccusedAtFault {
                accused: 2,
                fault: ShareFault::Inconsistent
            }
        );
        // A non-canonical plaintext is blamed on the sender too.
        let key = share_key(&ceremony.params, from, to, &dh).unwrap();
        let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
        let mut buf = [0xffu8; 32];
        let aad = share_binding(&ceremony.params, 2, 3);
        let tag = cipher
            .encrypt_in_place_detached(&Default::default(), &aad, &mut buf)
            .unwrap();
        let mut ciphertext = [0u8; 48];
        ciphertext[..32].copy_from_slice(&buf);
        ciphertext[32..].copy_from_slice(&tag);
        let noncanon = EncryptedShare {
            from: 2,
            to: 3,
            ciphertext,
        };
        assert_eq!(
            c[0].verify(&ceremony, &noncanon).unwrap().at_fault(),
            2,
            "non-canonical share"
        );
        // The honest shares of trustee 1 still finish trustee 2.
        assert!(matches!(
            trustees[1]
                .receive_shares(&inbox(&sent, 2), &mut rng)
                .unwrap(),
            Outcome::Finished(_)
        ));
    }
}
