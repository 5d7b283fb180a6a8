//! The public election a booth loads, and what can be checked against it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use ostracon::ballot::{self as core_ballot, BallotOpening, PlaintextBallot, TrackingCode};
use rand_core::OsRng;
use zeroize::{Zeroize, Zeroizing};

use crate::ballot::{BallotCheck, EncryptedBallot};
use crate::error::{bad_json, invalid_input, Result};

/// A loaded election (`election.json`): what a booth, a ballot box or a verifier
/// needs. The joint key and the base hash are recomputed from the document and checked
/// on load. Immutable; safe to share between threads.
#[derive(uniffi::Object)]
pub struct Election {
    inner: Arc<ostracon::election::Election>,
}

/// The choice-independent part of one ballot's encryption (from
/// [`Election::precompute_ballot`]), for one [`Election::encrypt_precomputed`]. Holds
/// secrets: they are wiped when it is used or released.
#[derive(uniffi::Object)]
pub struct PrecomputedBallot {
    ballot_id: String,
    inner: Mutex<Option<core_ballot::PrecomputedBallot>>,
}

impl PrecomputedBallot {
    fn take(&self) -> Option<core_ballot::PrecomputedBallot> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// Names the ballot; never the secrets.
impl std::fmt::Debug for PrecomputedBallot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrecomputedBallot")
            .field("ballot_id", &self.ballot_id)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl PrecomputedBallot {
    /// The ballot id the encryption will carry.
    pub fn ballot_id(&self) -> String {
        self.ballot_id.clone()
    }

    /// Whether it has been used.
    pub fn is_used(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }
}

/// A plaintext ballot whose values are wiped when dropped (they are the vote).
struct SecretPlaintext(PlaintextBallot);

impl Drop for SecretPlaintext {
    fn drop(&mut self) {
        for values in self.0 .0.values_mut() {
            values.zeroize();
        }
    }
}

/// Parses the voter's choices, `{"contest id": [one value per option], ...}`. The JSON
/// text is wiped once parsed.
fn plaintext(json: String) -> Result<SecretPlaintext> {
    let json = Zeroizing::new(json);
    serde_json::from_str(&json)
        .map(SecretPlaintext)
        .map_err(|e| bad_json("plaintext ballot", &e))
}

/// Parses an opening (what [`EncryptedBallot::challenge`] returned).
fn opening(json: &str) -> Result<BallotOpening> {
    serde_json::from_str(json).map_err(|e| bad_json("opening", &e))
}

impl Election {
    /// Parses the choices and the previous code, encrypts with `encrypt` and wraps the
    /// result as the booth's ballot holding its opening.
    fn booth_encrypt(
        &self,
        plaintext: String,
        previous_code: Option<String>,
        encrypt: impl FnOnce(
            &ostracon::election::Election,
            &PlaintextBallot,
            Option<TrackingCode>,
        ) -> Result<(core_ballot::EncryptedBallot, BallotOpening)>,
    ) -> Result<Arc<EncryptedBallot>> {
        let p = self::plaintext(plaintext)?;
        let previous = previous_code
            .map(|h| TrackingCode::from_hex(&h))
            .transpose()?;
        let (ballot, opening) = encrypt(&self.inner, &p.0, previous)?;
        Ok(Arc::new(EncryptedBallot::new(
            Arc::clone(&self.inner),
            ballot,
            opening,
        )))
    }
}

impl std::fmt::Debug for Election {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Election")
            .field("election_id", &self.inner.manifest().election_id)
            .field("base_hash", &self.base_hash())
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Election {
    /// Loads `election.json`. Fails with `input.invalid`, `manifest.invalid`,
    /// `unsupported` or `decode.*` if it is not a valid election.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>> {
        let inner = ostracon::election::Election::from_json(json.as_bytes())?;
        Ok(Arc::new(Self {
            inner: Arc::new(inner),
        }))
    }

    /// The election as `election.json` text.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The base hash, lowercase hex: every ballot, proof and tracking code is bound to
    /// it.
    pub fn base_hash(&self) -> String {
        ostracon::hex::encode(self.inner.base_hash())
    }

    /// The manifest (contests, options, vote rules) as the core's JSON, to draw the
    /// ballot.
    pub fn manifest_json(&self) -> String {
        self.inner.manifest().to_json()
    }

    /// Checks a plaintext selection against every contest's rule and returns the values
    /// in manifest order. `plaintext` is JSON, `{"contest id": [one value per option],
    /// ...}`; a contest left out is an abstention. Fails with `InvalidSelection`
    /// (`selection.invalid`, `contest` set), e.g. `invalid selection in contest
    /// 'board': the selections must total between 0 and 3`.
    pub fn check_selection(&self, plaintext: String) -> Result<Vec<Vec<u64>>> {
        let p = self::plaintext(plaintext)?;
        Ok(self.inner.check_selection(&p.0)?)
    }

    /// Encrypts a ballot with every proof its contests' rules need, under a fresh random
    /// master nonce. `ballot_id` must be unique in the election (1 to 256 bytes);
    /// `plaintext` is as for [`check_selection`](Self::check_selection);
    /// `previous_code` (hex) chains the ballot to the previous one of a polling-place
    /// device (`null` / `nil` on a personal device). The returned ballot holds the
    /// secret opening until `challenge()` or `cast()`.
    pub fn encrypt_ballot(
        &self,
        ballot_id: String,
        plaintext: String,
        previous_code: Option<String>,
    ) -> Result<Arc<EncryptedBallot>> {
        self.booth_encrypt(plaintext, previous_code, |e, p, previous| {
            Ok(e.encrypt_ballot(&ballot_id, p, previous, &mut OsRng)?)
        })
    }

    /// Does ahead of time everything of encrypting ballot `ballot_id` that does not
    /// depend on the voter's choices (about 90 % of the work for 0/1 contests), under a
    /// fresh random master nonce: call it when the ballot is shown (off the main
    /// thread), then [`encrypt_precomputed`](Self::encrypt_precomputed) once the voter
    /// has chosen. The result holds secrets and serves one encryption.
    pub fn precompute_ballot(&self, ballot_id: String) -> Result<Arc<PrecomputedBallot>> {
        let pre = self.inner.precompute_ballot(&ballot_id, &mut OsRng)?;
        Ok(Arc::new(PrecomputedBallot {
            ballot_id,
            inner: Mutex::new(Some(pre)),
        }))
    }

    /// Encrypts the voter's choices with a [`PrecomputedBallot`] of this election: the
    /// same result as [`encrypt_ballot`](Self::encrypt_ballot) with the
    /// precomputation's ballot id, in a fraction of the time. The precomputation is
    /// used up: a second use fails with `input.invalid`, as does one of another election
    /// (which is used up too).
    pub fn encrypt_precomputed(
        &self,
        precomputed: Arc<PrecomputedBallot>,
        plaintext: String,
        previous_code: Option<String>,
    ) -> Result<Arc<EncryptedBallot>> {
        self.booth_encrypt(plaintext, previous_code, |e, p, previous| {
            let pre = precomputed.take().ok_or_else(|| {
                invalid_input("this precomputed ballot was already used".to_string())
            })?;
            Ok(e.encrypt_precomputed(pre, p, previous, &mut OsRng)?)
        })
    }

    /// Fully validates an encrypted ballot (its canonical bytes) as the ballot box
    /// does: election, shape, every proof. Returns its id and tracking code; fails with
    /// `Decode` (`decode.*`) or `InvalidBallot` (`ballot.wrong_election`,
    /// `ballot.malformed`, `ballot.proof` with `contest` and `option`).
    pub fn validate_ballot(&self, ballot: Vec<u8>) -> Result<BallotCheck> {
        let b = core_ballot::EncryptedBallot::from_bytes(&ballot)?;
        let code = self.inner.validate_ballot(&b)?;
        Ok(BallotCheck::new(&b, &code))
    }

    /// Checks a challenged ballot, e.g. on a second device: re-encrypts the opening's
    /// choices with the nonces derived from its master nonce and compares every
    /// ciphertext. Returns the revealed choices with the ballot's tracking code (which
    /// the voter compares with the one the booth showed); fails with `InvalidBallot`
    /// (`ballot.bad_opening` naming contest and option, `ballot.wrong_election`).
    /// This does not check the ballot's proofs: see
    /// [`validate_ballot`](Self::validate_ballot).
    pub fn verify_opening(&self, ballot: Vec<u8>, opening_json: String) -> Result<ChallengeCheck> {
        let b = core_ballot::EncryptedBallot::from_bytes(&ballot)?;
        let o = opening(&opening_json)?;
        core_ballot::verify_opening(&self.inner, &b, &o)?;
        let check = BallotCheck::new(&b, &b.tracking_code());
        Ok(ChallengeCheck {
            ballot_id: check.ballot_id,
            tracking_code: check.tracking_code,
            tracking_code_hex: check.tracking_code_hex,
            // Public now: the voter challenged this ballot.
            choices: o.plaintext(&self.inner).0.clone().into_iter().collect(),
        })
    }
}

/// A challenge that verified: the ballot and the choices its opening reveals.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ChallengeCheck {
    /// The ballot id.
    pub ballot_id: String,
    /// The tracking code's human form.
    pub tracking_code: String,
    /// The full tracking code, lowercase hex.
    pub tracking_code_hex: String,
    /// The revealed choices: per contest id, one value per option in manifest order.
    pub choices: HashMap<String, Vec<u64>>,
}
