#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod ballot;
pub mod board;
pub mod dlog;
pub mod election;
pub mod elgamal;
pub mod error;
pub mod group;
pub mod hex;
pub mod keyceremony;
pub mod labels;
pub mod manifest;
pub mod mixnet;
pub mod pins;
pub mod proofs;
pub mod record;
pub mod registry;
mod serde_bytes;
pub mod simulation;
pub mod tally;
pub mod threshold;
pub mod transcript;
pub mod verify;

pub use curve25519_dalek;
pub use error::{
    BallotError, BallotErrorKind, DecodeError, DecodeErrorKind, Error, ProofError, ProofKind,
    Result,
};
pub use merlin;
pub use rand_core;
