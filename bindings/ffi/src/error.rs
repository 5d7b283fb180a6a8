//! The one error type of the binding.
//!
//! Each variant is a kind of failure a caller can act on, and carries the core's stable
//! [`code`](ostracon::Error::code) (e.g. `ballot.proof`, `decode.invalid_point`), its
//! message, which names what was wrong and where, and the ballot, contest and option
//! ids where the core names them (so a booth can highlight the contest). Nothing is
//! decided here: the variant follows the core's error kind, the code, the text and the
//! ids are the core's, unchanged. The WASM binding throws the same code, message and
//! ids as one JavaScript `OstraconError`.
//!
//! The text field is `detail`, not `message`: a field named `message` does not compile
//! in Kotlin, where it clashes with `Throwable.message` (uniffi-rs issue 1434).

use core::fmt;

use ostracon::{BallotError, DecodeError};

/// Why a call failed. Kotlin: `OstraconException` (uniffi renames `…Error` to
/// `…Exception` there); Swift: `OstraconError`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Error)]
pub enum OstraconError {
    /// Bytes or hex that do not decode to the expected object (`decode.*`).
    Decode {
        /// The core's stable code.
        code: String,
        /// What was wrong, and where.
        detail: String,
        /// The ballot id, when the core names one.
        ballot: Option<String>,
        /// The contest id, when the core names one.
        contest: Option<String>,
        /// The option id (or `(total)`), when the core names one.
        option: Option<String>,
    },
    /// A zero-knowledge proof that does not verify (`proof.invalid`).
    Proof {
        /// The core's stable code.
        code: String,
        /// What was wrong, and where.
        detail: String,
        /// The ballot id, when the core names one.
        ballot: Option<String>,
        /// The contest id, when the core names one.
        contest: Option<String>,
        /// The option id (or `(total)`), when the core names one.
        option: Option<String>,
    },
    /// An argument the caller should not have passed: malformed JSON, an empty ballot
    /// id, an election whose key or base hash does not match its contents
    /// (`input.invalid`).
    InvalidInput {
        /// The core's stable code.
        code: String,
        /// What was wrong, and where.
        detail: String,
        /// The ballot id, when the core names one.
        ballot: Option<String>,
        /// The contest id, when the core names one.
        contest: Option<String>,
        /// The option id (or `(total)`), when the core names one.
        option: Option<String>,
    },
    /// An election manifest that breaks a structural rule (`manifest.invalid`).
    InvalidManifest {
        /// The core's stable code.
        code: String,
        /// What was wrong, and where.
        detail: String,
        /// The ballot id, when the core names one.
        ballot: Option<String>,
        /// The contest id, when the core names one.
        contest: Option<String>,
        /// The option id (or `(total)`), when the core names one.
        option: Option<String>,
    },
    /// Choices that break a contest's vote rule; the detail names the contest
    /// (`selection.invalid`).
    InvalidSelection {
        /// The core's stable code.
        code: String,
        /// What was wrong, and where.
        detail: String,
        /// The ballot id, when the core names one.
        ballot: Option<String>,
        /// The contest id, when the core names one.
        contest: Option<String>,
        /// The option id (or `(total)`), when the core names one.
        option: Option<String>,
    },
    /// An encrypted ballot, opening or signature refused (`ballot.*`: e.g.
    /// `ballot.proof`, `ballot.wrong_election`, `ballot.bad_opening`, and
    /// `ballot.already_used` for a booth ballot cast or challenged twice).
    InvalidBallot {
        /// The core's stable code.
        code: String,
        /// What was wrong, and where.
        detail: String,
        /// The ballot id, when the core names one.
        ballot: Option<String>,
        /// The contest id, when the core names one.
        contest: Option<String>,
        /// The option id (or `(total)`), when the core names one.
        option: Option<String>,
    },
    /// Something this build or this election does not support (`unsupported`).
    Unsupported {
        /// The core's stable code.
        code: String,
        /// What was wrong, and where.
        detail: String,
        /// The ballot id, when the core names one.
        ballot: Option<String>,
        /// The contest id, when the core names one.
        contest: Option<String>,
        /// The option id (or `(total)`), when the core names one.
        option: Option<String>,
    },
    /// Any other failure of the core (a kind added after this binding was written).
    Other {
        /// The core's stable code.
        code: String,
        /// What was wrong, and where.
        detail: String,
        /// The ballot id, when the core names one.
        ballot: Option<String>,
        /// The contest id, when the core names one.
        contest: Option<String>,
        /// The option id (or `(total)`), when the core names one.
        option: Option<String>,
    },
}

impl OstraconError {
    /// The core's stable code.
    pub fn code(&self) -> &str {
        match self {
            Self::Decode { code, .. }
            | Self::Proof { code, .. }
            | Self::InvalidInput { code, .. }
            | Self::InvalidManifest { code, .. }
            | Self::InvalidSelection { code, .. }
            | Self::InvalidBallot { code, .. }
            | Self::Unsupported { code, .. }
            | Self::Other { code, .. } => code,
        }
    }

    /// The message: what was wrong, and where.
    pub fn detail(&self) -> &str {
        match self {
            Self::Decode { detail, .. }
            | Self::Proof { detail, .. }
            | Self::InvalidInput { detail, .. }
            | Self::InvalidManifest { detail, .. }
            | Self::InvalidSelection { detail, .. }
            | Self::InvalidBallot { detail, .. }
            | Self::Unsupported { detail, .. }
            | Self::Other { detail, .. } => detail,
        }
    }
}

impl fmt::Display for OstraconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.detail(), self.code())
    }
}

impl std::error::Error for OstraconError {}

impl From<ostracon::Error> for OstraconError {
    fn from(e: ostracon::Error) -> Self {
        use ostracon::Error as E;
        let code = e.code().to_owned();
        let detail = e.to_string();
        let (ballot, contest, option) = match &e {
            E::InvalidSelection { contest, .. } => (None, Some(contest.clone()), None),
            E::InvalidBallot(b) => (
                Some(b.ballot.clone()).filter(|id| !id.is_empty()),
                b.contest.clone(),
                b.option.clone(),
            ),
            _ => (None, None, None),
        };
        macro_rules! variant {
            ($v:ident) => {
                Self::$v {
                    code,
                    detail,
                    ballot,
                    contest,
                    option,
                }
            };
        }
        match e {
            E::Decode(_) => variant!(Decode),
            E::Proof(_) => variant!(Proof),
            E::InvalidInput(_) => variant!(InvalidInput),
            E::InvalidManifest(_) => variant!(InvalidManifest),
            E::InvalidSelection { .. } => variant!(InvalidSelection),
            E::InvalidBallot(_) => variant!(InvalidBallot),
            E::Unsupported(_) => variant!(Unsupported),
            _ => variant!(Other),
        }
    }
}

impl From<BallotError> for OstraconError {
    fn from(e: BallotError) -> Self {
        ostracon::Error::InvalidBallot(e).into()
    }
}

impl From<DecodeError> for OstraconError {
    fn from(e: DecodeError) -> Self {
        ostracon::Error::Decode(e).into()
    }
}

/// A JSON document the caller passed that does not parse, as the core's
/// `input.invalid` error naming the document.
pub(crate) fn bad_json(what: &str, e: &serde_json::Error) -> OstraconError {
    invalid_input(format!("{what} JSON: {e}"))
}

/// The core's `input.invalid` error with this message.
pub(crate) fn invalid_input(message: String) -> OstraconError {
    ostracon::Error::InvalidInput(message).into()
}

/// Shorthand for the results of this crate.
pub type Result<T, E = OstraconError> = core::result::Result<T, E>;
