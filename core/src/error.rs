//! Errors.
//!
//! Every fallible operation of the crate returns [`Error`]. Its variants separate what a
//! caller can act on: malformed bytes ([`DecodeError`]), a proof that does not verify
//! ([`ProofError`]), a plaintext that the caller should not have asked to encrypt
//! ([`Error::InvalidInput`]), and so on. Each error has a stable machine-readable
//! [`Error::code`] that the bindings expose unchanged, and a `Display` message that names
//! what was wrong and where.

use alloc::string::String;
use core::fmt;

/// What kind of object a decoder or a proof speaks of; used in error messages.
pub type What = &'static str;

/// Why a byte string could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input has the wrong length for a fixed-size object.
    WrongLength {
        /// The length the object has.
        expected: usize,
        /// The length that was given.
        found: usize,
    },
    /// The input ended before the object was complete.
    Truncated {
        /// Byte offset at which more input was needed.
        offset: usize,
    },
    /// Bytes remain after a complete object.
    TrailingBytes {
        /// Byte offset of the first unread byte.
        offset: usize,
    },
    /// 32 bytes that are not the canonical encoding of a ristretto255 point.
    InvalidPoint,
    /// The identity point where it is forbidden.
    IdentityPoint,
    /// 32 bytes that are not a canonical scalar (not reduced modulo ℓ).
    NonCanonicalScalar,
    /// A hexadecimal string with a bad character or an odd length.
    InvalidHex,
    /// A tag, version or count that this implementation does not accept.
    InvalidValue,
}

/// A byte string that is not a valid encoding of the object it should hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The object being decoded (e.g. `"ciphertext"`, `"schnorr proof"`).
    pub what: What,
    /// What was wrong with it.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    /// A new decode error about `what`.
    pub const fn new(what: What, kind: DecodeErrorKind) -> Self {
        Self { what, kind }
    }

    /// The same error, re-attributed to the enclosing object `what`.
    #[must_use]
    pub const fn within(self, what: What) -> Self {
        Self {
            what,
            kind: self.kind,
        }
    }

    /// A stable code for the kind of failure, e.g. `decode.invalid_point`.
    pub const fn code(&self) -> &'static str {
        match self.kind {
            DecodeErrorKind::WrongLength { .. } => "decode.wrong_length",
            DecodeErrorKind::Truncated { .. } => "decode.truncated",
            DecodeErrorKind::TrailingBytes { .. } => "decode.trailing_bytes",
            DecodeErrorKind::InvalidPoint => "decode.invalid_point",
            DecodeErrorKind::IdentityPoint => "decode.identity_point",
            DecodeErrorKind::NonCanonicalScalar => "decode.non_canonical_scalar",
            DecodeErrorKind::InvalidHex => "decode.invalid_hex",
            DecodeErrorKind::InvalidValue => "decode.invalid_value",
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            DecodeErrorKind::WrongLength { expected, found } => write!(
                f,
                "{}: wrong length: expected {expected} bytes, found {found}",
                self.what
            ),
            DecodeErrorKind::Truncated { offset } => {
                write!(f, "{}: truncated at byte {offset}", self.what)
            }
            DecodeErrorKind::TrailingBytes { offset } => {
                write!(
                    f,
                    "{}: unexpected trailing bytes from byte {offset}",
                    self.what
                )
            }
            DecodeErrorKind::InvalidPoint => {
                write!(f, "{}: not a canonical ristretto255 point", self.what)
            }
            DecodeErrorKind::IdentityPoint => {
                write!(f, "{}: the identity point is not allowed here", self.what)
            }
            DecodeErrorKind::NonCanonicalScalar => {
                write!(
                    f,
                    "{}: scalar is not canonical (not reduced mod l)",
                    self.what
                )
            }
            DecodeErrorKind::InvalidHex => write!(f, "{}: invalid hexadecimal", self.what),
            DecodeErrorKind::InvalidValue => write!(f, "{}: unsupported value", self.what),
        }
    }
}

/// Which zero-knowledge proof failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProofKind {
    /// Schnorr proof of knowledge of a discrete logarithm.
    Schnorr,
    /// Chaum–Pedersen proof of equality of discrete logarithms.
    Dleq,
    /// Disjunctive Chaum–Pedersen proof that a ciphertext encrypts a value in `0..=L`.
    Disjunctive,
    /// Proof of knowledge of the plaintext and randomness of a ciphertext.
    WellFormed,
    /// Bulletproofs range proof.
    Range,
}

impl ProofKind {
    /// Short lowercase name.
    pub const fn name(self) -> &'static str {
        match self {
            ProofKind::Schnorr => "schnorr",
            ProofKind::Dleq => "dleq",
            ProofKind::Disjunctive => "disjunctive",
            ProofKind::WellFormed => "well-formedness",
            ProofKind::Range => "range",
        }
    }
}

/// A proof that does not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofError {
    /// The kind of proof.
    pub kind: ProofKind,
    /// Index of the failing proof within a batch, when verified as part of one.
    pub index: Option<usize>,
}

impl ProofError {
    pub(crate) const fn new(kind: ProofKind) -> Self {
        Self { kind, index: None }
    }

    pub(crate) const fn at(kind: ProofKind, index: usize) -> Self {
        Self {
            kind,
            index: Some(index),
        }
    }
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "{} proof #{i} does not verify", self.kind.name()),
            None => write!(f, "{} proof does not verify", self.kind.name()),
        }
    }
}

/// The error type of the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that do not decode to the expected object.
    Decode(DecodeError),
    /// A zero-knowledge proof that does not verify.
    Proof(ProofError),
    /// A request the caller should not have made with these arguments (for example a
    /// plaintext outside the range to be proved). The message says which argument.
    InvalidInput(String),
    /// A discrete logarithm that is not in the searched range.
    DlogNotFound {
        /// Exclusive upper bound of the search.
        bound: u64,
    },
}

impl Error {
    /// A stable, machine-readable code for this error (exposed unchanged by bindings).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Decode(e) => e.code(),
            Error::Proof(_) => "proof.invalid",
            Error::InvalidInput(_) => "input.invalid",
            Error::DlogNotFound { .. } => "dlog.not_found",
        }
    }

    pub(crate) fn invalid_input(msg: impl Into<String>) -> Self {
        Error::InvalidInput(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode(e) => e.fmt(f),
            Error::Proof(e) => e.fmt(f),
            Error::InvalidInput(m) => write!(f, "invalid input: {m}"),
            Error::DlogNotFound { bound } => {
                write!(f, "plaintext is not in the searched range [0, {bound})")
            }
        }
    }
}

impl core::error::Error for Error {}
impl core::error::Error for DecodeError {}
impl core::error::Error for ProofError {}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

impl From<ProofError> for Error {
    fn from(e: ProofError) -> Self {
        Error::Proof(e)
    }
}

/// Result alias of the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
