//! The CLI's one error type and its exit codes.
//!
//! Every error prints as one line on stderr, `error: <what>: <where>; <what to do>`, and
//! maps to a documented exit code (see [`EXIT_CODES`]).

use std::fmt;
use std::path::Path;

use ostracon::record::io::ReadError;

/// The exit-code table shown by `ostracon --help` and in the README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success (verify: every check passed; lookup: the code was found)
  1  verification failed, tracking code not found, or a key-ceremony check failed
  2  usage error (bad or inconsistent arguments)
  3  an input file is unreadable or corrupt, or an output file cannot be written
  4  internal error (a bug: please report it)";

/// Exit code: verification failed / not found.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: usage error (also clap's own).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: a file is unreadable, corrupt or unwritable.
pub const EXIT_FILE: u8 = 3;
/// Exit code: internal error.
pub const EXIT_INTERNAL: u8 = 4;

/// What went wrong, where, and what the user can do about it.
#[derive(Debug)]
pub enum CliError {
    /// The record (or a ceremony message) was checked and something does not hold, or
    /// what was looked for is not there. Exit code 1.
    Failed {
        /// What failed.
        what: String,
        /// Where (a file, a trustee).
        place: String,
        /// What to do.
        hint: String,
    },
    /// Arguments that parse but do not make sense together. Exit code 2.
    Usage {
        /// What is wrong.
        what: String,
        /// The argument concerned.
        place: String,
        /// What to do.
        hint: String,
    },
    /// A file cannot be read or written, or its content is not what it should be.
    /// Exit code 3.
    File {
        /// What is wrong.
        what: String,
        /// The path.
        place: String,
        /// What to do.
        hint: String,
    },
    /// Something that should not happen. Exit code 4.
    Internal {
        /// What happened.
        what: String,
        /// Where.
        place: String,
    },
}

impl CliError {
    /// A file error at `path`.
    pub fn file(what: impl Into<String>, path: &Path, hint: impl Into<String>) -> Self {
        Self::File {
            what: what.into(),
            place: path.display().to_string(),
            hint: hint.into(),
        }
    }

    /// A file that cannot be read.
    pub fn unreadable(path: &Path, e: &std::io::Error) -> Self {
        Self::file(
            format!("cannot read file ({e})"),
            path,
            "check the path and its permissions",
        )
    }

    /// A file or directory that cannot be written.
    pub fn unwritable(path: &Path, e: &std::io::Error) -> Self {
        Self::file(
            format!("cannot write file ({e})"),
            path,
            "check the directory exists, is writable and has free space",
        )
    }

    /// A usage error about `arg`.
    pub fn usage(what: impl Into<String>, arg: &str, hint: impl Into<String>) -> Self {
        Self::Usage {
            what: what.into(),
            place: arg.into(),
            hint: hint.into(),
        }
    }

    /// A failed check or an unsuccessful search.
    pub fn failed(
        what: impl Into<String>,
        place: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self::Failed {
            what: what.into(),
            place: place.into(),
            hint: hint.into(),
        }
    }

    /// An internal error.
    pub fn internal(what: impl Into<String>, place: impl Into<String>) -> Self {
        Self::Internal {
            what: what.into(),
            place: place.into(),
        }
    }

    /// A record that cannot be read.
    pub fn record(path: &Path, e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => Self::unreadable(path, &e),
            ReadError::Corrupt { at, reason } => Self::file(
                format!("record is corrupt at {at} ({reason})"),
                path,
                "the file is damaged or truncated: obtain a complete copy of the record",
            ),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Failed { .. } => EXIT_FAILED,
            Self::Usage { .. } => EXIT_USAGE,
            Self::File { .. } => EXIT_FILE,
            Self::Internal { .. } => EXIT_INTERNAL,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed { what, place, hint }
            | Self::Usage { what, place, hint }
            | Self::File { what, place, hint } => write!(f, "error: {what}: {place}; {hint}"),
            Self::Internal { what, place } => write!(
                f,
                "error: internal error, {what}: {place}; please report this as a bug"
            ),
        }
    }
}

impl std::error::Error for CliError {}
