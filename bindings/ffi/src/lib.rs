#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// This crate is only a bridge: it converts types and errors and calls the core. No
// cryptography and no validation of its own (see docs/adr/0001-binding-names.md).

uniffi::setup_scaffolding!("ostracon");

mod ballot;
mod election;
mod error;
mod voter;

pub use ballot::{BallotCheck, BallotState, CastSubmission, EncryptedBallot};
pub use election::{ChallengeCheck, Election};
pub use error::{OstraconError, Result};
pub use voter::VoterKey;

/// The version of this library (the workspace version), e.g. `0.1.0`.
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
