//! The booth ballot (cast or challenge) and the records it returns.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ostracon::ballot::{self as core_ballot, BallotOpening, TrackingCode};
use ostracon::board;
use ostracon::{BallotError, BallotErrorKind};

use crate::error::{bad_json, invalid_input, Result};
use crate::voter::VoterKey;

/// A ballot that validated, or whose opening verified: its id and tracking code.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct BallotCheck {
    /// The ballot id.
    pub ballot_id: String,
    /// The tracking code's human form, e.g. `7F3K-92QD-M1XA-0ZHT` (the first 80 bits
    /// in Crockford base32).
    pub tracking_code: String,
    /// The full tracking code, lowercase hex (what verifiers and the board compare).
    pub tracking_code_hex: String,
}

impl BallotCheck {
    pub(crate) fn new(ballot: &core_ballot::EncryptedBallot, code: &TrackingCode) -> Self {
        Self {
            ballot_id: ballot.ballot_id.clone(),
            tracking_code: code.human(),
            tracking_code_hex: code.to_hex(),
        }
    }
}

/// What [`EncryptedBallot::cast`] returns, for the ballot box.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CastSubmission {
    /// The ballot id.
    pub ballot_id: String,
    /// The tracking code's human form.
    pub tracking_code: String,
    /// The full tracking code, lowercase hex.
    pub tracking_code_hex: String,
    /// The ballot's canonical bytes.
    pub ballot: Vec<u8>,
    /// The voter id it is cast as, if any.
    pub voter: Option<String>,
    /// The voter's Ed25519 signature of the tracking code (64 bytes, hex), if a key
    /// was given.
    pub signature: Option<String>,
}

/// Where a booth ballot is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum BallotState {
    /// Encrypted; the voter has not decided yet. The opening is held, secret.
    Pending,
    /// Challenged (audited): the opening was revealed; it can never be cast.
    Challenged,
    /// Cast: the opening was wiped; it can never be challenged.
    Cast,
}

/// The opening is held while pending and after a challenge (when it is public and
/// `challenge()` may return it again); casting drops it, which zeroizes it (the core's
/// `BallotOpening` is `ZeroizeOnDrop`).
struct Booth {
    opening: Option<BallotOpening>,
    state: BallotState,
}

/// An encrypted ballot fresh from the booth, holding its secret opening.
///
/// Show the voter [`tracking_code`](Self::tracking_code), then either
/// [`challenge`](Self::challenge) it (reveals the opening; the ballot can never be
/// cast) or [`cast`](Self::cast) it (the opening is wiped). The opening never leaves
/// this object except through `challenge()`; it is wiped on `cast()` and when the
/// object is released (`close()` in Kotlin, the last reference in Swift).
#[derive(uniffi::Object)]
pub struct EncryptedBallot {
    election: Arc<ostracon::election::Election>,
    ballot: core_ballot::EncryptedBallot,
    code: TrackingCode,
    booth: Mutex<Booth>,
}

impl EncryptedBallot {
    pub(crate) fn new(
        election: Arc<ostracon::election::Election>,
        ballot: core_ballot::EncryptedBallot,
        opening: BallotOpening,
    ) -> Self {
        Self {
            election,
            code: ballot.tracking_code(),
            ballot,
            booth: Mutex::new(Booth {
                opening: Some(opening),
                state: BallotState::Pending,
            }),
        }
    }

    fn booth(&self) -> MutexGuard<'_, Booth> {
        // No code path panics while holding the lock; should one ever, the state it
        // left is still one of the three valid states.
        self.booth.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn already_used(&self) -> crate::OstraconError {
        BallotError::new(&self.ballot.ballot_id, BallotErrorKind::AlreadyUsed).into()
    }
}

/// Names the ballot, its code and state; never the opening.
impl std::fmt::Debug for EncryptedBallot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedBallot")
            .field("ballot_id", &self.ballot.ballot_id)
            .field("tracking_code", &self.code.human())
            .field("state", &self.booth().state)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl EncryptedBallot {
    /// The ballot id.
    pub fn ballot_id(&self) -> String {
        self.ballot.ballot_id.clone()
    }

    /// The tracking code the voter sees, e.g. `7F3K-92QD-M1XA-0ZHT`.
    pub fn tracking_code(&self) -> String {
        self.code.human()
    }

    /// The full tracking code, lowercase hex.
    pub fn tracking_code_hex(&self) -> String {
        self.code.to_hex()
    }

    /// Pending, challenged or cast.
    pub fn state(&self) -> BallotState {
        self.booth().state
    }

    /// The canonical bytes (what the ballot box stores and the tracking code hashes).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.ballot.to_bytes()
    }

    /// The core's JSON form of the ballot: a JSON string of the canonical bytes in hex
    /// (quotes included).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&self.ballot).map_err(|e| bad_json("ballot", &e))
    }

    /// Challenges (audits) the ballot: returns its opening as JSON
    /// (`{"master_nonce": hex, "selections": [[…] per contest]}`) for any device to
    /// check with [`Election::verify_opening`](crate::Election::verify_opening). The
    /// ballot is spoiled: `cast()` refuses it from now on. Calling it again returns the
    /// same opening. Fails with `ballot.already_used` if the ballot was cast.
    pub fn challenge(&self) -> Result<String> {
        let mut booth = self.booth();
        let json = match (&booth.opening, booth.state) {
            (Some(o), BallotState::Pending | BallotState::Challenged) => {
                serde_json::to_string(o).map_err(|e| bad_json("opening", &e))?
            }
            _ => return Err(self.already_used()),
        };
        booth.state = BallotState::Challenged;
        Ok(json)
    }

    /// Casts the ballot: wipes the opening (so nothing proves how the ballot was
    /// filled) and returns what to send to the ballot box. With `voter_id` and `key`,
    /// the tracking code is signed as the board's registry expects; with `voter_id`
    /// alone the ballot is cast as that registered voter, unsigned. Fails with
    /// `ballot.already_used` if the ballot was challenged, and with `input.invalid` if a
    /// key comes without a voter id. May be called again (e.g. to retry a submission).
    pub fn cast(
        &self,
        voter_id: Option<String>,
        key: Option<Arc<VoterKey>>,
    ) -> Result<CastSubmission> {
        let mut booth = self.booth();
        if booth.state == BallotState::Challenged {
            return Err(self.already_used());
        }
        let signature = match (&voter_id, &key) {
            (_, None) => None,
            (Some(voter), Some(key)) => Some(board::sign_ballot(
                key.signing_key(),
                &self.election,
                &self.code,
                voter,
            )),
            (None, Some(_)) => {
                return Err(invalid_input(
                    "cast: a voter key needs the voter id it is registered under".into(),
                ))
            }
        };
        // Dropping the opening zeroizes it: a cast ballot's opening would be a receipt.
        booth.opening = None;
        booth.state = BallotState::Cast;
        let check = BallotCheck::new(&self.ballot, &self.code);
        Ok(CastSubmission {
            ballot_id: check.ballot_id,
            tracking_code: check.tracking_code,
            tracking_code_hex: check.tracking_code_hex,
            ballot: self.ballot.to_bytes(),
            voter: voter_id,
            signature: signature.map(|s| ostracon::hex::encode(&s)),
        })
    }
}
