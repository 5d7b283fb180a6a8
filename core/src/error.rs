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
    /// Proof of a verifiable shuffle (mixnet).
    Shuffle,
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
            ProofKind::Shuffle => "shuffle",
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
    /// A manifest that breaks a structural rule; the message names the contest.
    InvalidManifest(String),
    /// A plaintext selection that breaks its contest's vote rule.
    InvalidSelection {
        /// Contest id.
        contest: String,
        /// What is wrong.
        reason: String,
    },
    /// An encrypted ballot that is not valid for this election.
    InvalidBallot(BallotError),
    /// A feature this build or this election does not support.
    Unsupported(String),
}

/// Why a ballot was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BallotErrorKind {
    /// Bytes that do not decode.
    Decode(DecodeError),
    /// The ballot was made for another election (base hash differs).
    WrongElection,
    /// The ballot's shape (contests, options, proofs) does not match the manifest.
    Malformed(String),
    /// A proof does not verify.
    Proof(ProofKind),
    /// A ballot with this id is already on the board.
    DuplicateId,
    /// A ballot with this tracking code is already on the board.
    DuplicateCode,
    /// The voter is not in the registry.
    UnknownVoter,
    /// The election requires a voter signature and there is none.
    MissingSignature,
    /// The voter signature does not verify.
    BadSignature,
    /// A challenge (opening) that does not match the ballot.
    BadOpening(String),
    /// The ballot was already cast, or already challenged.
    AlreadyUsed,
    /// The voter's weight is above 1 in an election with a ranked or write-in contest
    /// (a mixed row cannot carry a weight without revealing whose it is).
    WeightNotAllowed {
        /// The registry's weight.
        weight: u64,
    },
}

/// A ballot refused, with the ballot and (where known) the contest and option at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotError {
    /// Ballot id.
    pub ballot: String,
    /// Contest id, if the problem is in one contest.
    pub contest: Option<String>,
    /// Option id, if the problem is in one option.
    pub option: Option<String>,
    /// What is wrong.
    pub kind: BallotErrorKind,
}

impl BallotError {
    /// An error about a whole ballot.
    pub fn new(ballot: &str, kind: BallotErrorKind) -> Self {
        Self {
            ballot: ballot.into(),
            contest: None,
            option: None,
            kind,
        }
    }

    /// A stable code, e.g. `ballot.proof`.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            BallotErrorKind::Decode(_) => "ballot.decode",
            BallotErrorKind::WrongElection => "ballot.wrong_election",
            BallotErrorKind::Malformed(_) => "ballot.malformed",
            BallotErrorKind::Proof(_) => "ballot.proof",
            BallotErrorKind::DuplicateId => "ballot.duplicate_id",
            BallotErrorKind::DuplicateCode => "ballot.duplicate_code",
            BallotErrorKind::UnknownVoter => "ballot.unknown_voter",
            BallotErrorKind::MissingSignature => "ballot.missing_signature",
            BallotErrorKind::BadSignature => "ballot.bad_signature",
            BallotErrorKind::BadOpening(_) => "ballot.bad_opening",
            BallotErrorKind::AlreadyUsed => "ballot.already_used",
            BallotErrorKind::WeightNotAllowed { .. } => "ballot.weight_not_allowed",
        }
    }
}

impl BallotError {
    /// What is wrong, without where.
    pub fn reason(&self) -> String {
        alloc::string::ToString::to_string(&Reason(&self.kind))
    }
}

struct Reason<'a>(&'a BallotErrorKind);

impl fmt::Display for BallotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ballot '{}'", self.ballot)?;
        if let Some(c) = &self.contest {
            write!(f, ", contest '{c}'")?;
        }
        if let Some(o) = &self.option {
            write!(f, ", option '{o}'")?;
        }
        write!(f, ": {}", Reason(&self.kind))
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            BallotErrorKind::Decode(e) => write!(f, "{e}"),
            BallotErrorKind::WrongElection => f.write_str("made for another election"),
            BallotErrorKind::Malformed(m) => write!(f, "malformed: {m}"),
            BallotErrorKind::Proof(k) => write!(f, "{} proof does not verify", k.name()),
            BallotErrorKind::DuplicateId => {
                f.write_str("a ballot with this id is already on the board")
            }
            BallotErrorKind::DuplicateCode => {
                f.write_str("a ballot with this tracking code is already on the board")
            }
            BallotErrorKind::UnknownVoter => f.write_str("voter is not in the registry"),
            BallotErrorKind::MissingSignature => {
                f.write_str("voter signature required but missing")
            }
            BallotErrorKind::BadSignature => f.write_str("voter signature does not verify"),
            BallotErrorKind::BadOpening(m) => write!(f, "challenge opening does not match: {m}"),
            BallotErrorKind::AlreadyUsed => f.write_str("already cast or challenged"),
            BallotErrorKind::WeightNotAllowed { weight } => write!(
                f,
                "voter weight {weight}: with ranked or write-in contests a voter's weight is 0 or 1"
            ),
        }
    }
}

impl core::error::Error for BallotError {}

impl From<BallotError> for Error {
    fn from(e: BallotError) -> Self {
        Error::InvalidBallot(e)
    }
}

impl Error {
    /// A stable, machine-readable code for this error (exposed unchanged by bindings).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Decode(e) => e.code(),
            Error::Proof(_) => "proof.invalid",
            Error::InvalidInput(_) => "input.invalid",
            Error::DlogNotFound { .. } => "dlog.not_found",
            Error::InvalidManifest(_) => "manifest.invalid",
            Error::InvalidSelection { .. } => "selection.invalid",
            Error::InvalidBallot(e) => e.code(),
            Error::Unsupported(_) => "unsupported",
        }
    }

    pub(crate) fn invalid_input(msg: impl Into<String>) -> Self {
        Error::InvalidInput(msg.into())
    }

    pub(crate) fn invalid_manifest(msg: impl Into<String>) -> Self {
        Error::InvalidManifest(msg.into())
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
            Error::InvalidManifest(m) => write!(f, "invalid manifest: {m}"),
            Error::InvalidSelection { contest, reason } => {
                write!(f, "invalid selection in contest '{contest}': {reason}")
            }
            Error::InvalidBallot(e) => e.fmt(f),
            Error::Unsupported(m) => write!(f, "unsupported: {m}"),
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
