//! WebAssembly binding of [`ostracon`] for browsers and Node (npm package
//! `ostracon-wasm`).
//!
//! This crate holds no cryptography and no validation: it converts JavaScript values to
//! core types and back, maps core errors to JavaScript errors with the core's stable
//! codes ([`error`]), and calls the core. See `README.md` for the JavaScript API.
//!
//! # Secrets
//! A ballot's opening (master nonce and choices) stays inside the wasm
//! [`EncryptedBallot`] object: [`EncryptedBallot::challenge`] reveals it (after which
//! the ballot can no longer be cast); [`EncryptedBallot::cast`] drops it for good.
//! The core's `BallotOpening` zeroizes itself when dropped, which happens on `cast()`,
//! on `free()`, or when the JavaScript object is garbage-collected (the package is
//! built with wasm-bindgen's `--weak-refs`). What JavaScript itself copies (the
//! plaintext the page passed in, the challenge JSON) is outside wasm memory and not
//! wiped; transient copies inside a call are wiped where this crate holds them.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod convert;
pub mod error;
mod types;

use std::rc::Rc;

use ostracon::ballot::{
    self as core_ballot, BallotOpening, EncryptedBallot as CoreBallot, TrackingCode,
};
use ostracon::board;
use ostracon::election::Election as CoreElection;
use ostracon::{BallotError, BallotErrorKind};
use rand_core::OsRng;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::error::{OstraconError, Result};

/// A loaded election (`election.json`): what a booth, a ballot box or a verifier needs.
/// The joint key and base hash are recomputed from the document and checked on load.
#[wasm_bindgen]
pub struct Election {
    inner: Rc<CoreElection>,
}

#[wasm_bindgen]
impl Election {
    /// Loads `election.json`. Throws `OstraconError` (`input.invalid`,
    /// `manifest.invalid`, `unsupported`, `decode.*`) if it is not a valid election.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(json: &str) -> Result<Election> {
        Ok(Election {
            inner: Rc::new(CoreElection::from_json(json.as_bytes())?),
        })
    }

    /// The election as `election.json` text.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The base hash, lowercase hex: every ballot, proof and tracking code is bound to it.
    #[wasm_bindgen(getter, js_name = baseHash)]
    pub fn base_hash(&self) -> String {
        ostracon::hex::encode(self.inner.base_hash())
    }

    /// The manifest (contests, options, vote rules), as the core's JSON object.
    #[wasm_bindgen(getter, unchecked_return_type = "Manifest")]
    pub fn manifest(&self) -> JsValue {
        convert::to_js(self.inner.manifest())
    }

    /// Checks a plaintext selection against every contest's rule and returns the values
    /// in manifest order. Throws `OstraconError` with code `selection.invalid` and
    /// `contest` set, e.g. `invalid selection in contest 'board': the selections must
    /// total between 0 and 3`.
    #[wasm_bindgen(js_name = checkSelection, unchecked_return_type = "number[][]")]
    pub fn check_selection(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Plaintext")] plaintext: JsValue,
    ) -> Result<JsValue> {
        let p = convert::plaintext(&plaintext)?;
        let values = Zeroizing::new(self.inner.check_selection(&p.0)?);
        Ok(convert::to_js(&*values))
    }

    /// Encrypts a ballot with every proof its contests' rules need. `ballotId` must be
    /// unique in the election (1 to 256 bytes); `previousCode` (hex) chains the ballot to
    /// the previous one of a polling-place device. The returned object holds the secret
    /// opening until `challenge()` or `cast()`.
    #[wasm_bindgen(js_name = encryptBallot)]
    pub fn encrypt_ballot(
        &self,
        #[wasm_bindgen(js_name = ballotId)] ballot_id: &str,
        #[wasm_bindgen(unchecked_param_type = "string | Plaintext")] plaintext: JsValue,
        #[wasm_bindgen(js_name = previousCode)] previous_code: Option<String>,
    ) -> Result<EncryptedBallot> {
        self.booth_encrypt(&plaintext, previous_code, |e, p, previous| {
            Ok(e.encrypt_ballot(ballot_id, p, previous, &mut OsRng)?)
        })
    }

    /// Does ahead of time everything of encrypting ballot `ballotId` that does not
    /// depend on the voter's choices (about 90 % of the work for 0/1 contests): call it
    /// when the ballot is shown, then `encryptPrecomputed` once the voter has chosen.
    /// The result holds secrets and serves one encryption.
    #[wasm_bindgen(js_name = precomputeBallot)]
    pub fn precompute_ballot(
        &self,
        #[wasm_bindgen(js_name = ballotId)] ballot_id: &str,
    ) -> Result<PrecomputedBallot> {
        Ok(PrecomputedBallot {
            inner: Some(self.inner.precompute_ballot(ballot_id, &mut OsRng)?),
        })
    }

    /// Encrypts the voter's choices with a `PrecomputedBallot` of this election: the
    /// same result as `encryptBallot` with the precomputation's ballot id, in a fraction
    /// of the time. The precomputation is used up (a second use throws
    /// `input.invalid`); so is one of another election (which throws too).
    #[wasm_bindgen(js_name = encryptPrecomputed)]
    pub fn encrypt_precomputed(
        &self,
        precomputed: &mut PrecomputedBallot,
        #[wasm_bindgen(unchecked_param_type = "string | Plaintext")] plaintext: JsValue,
        #[wasm_bindgen(js_name = previousCode)] previous_code: Option<String>,
    ) -> Result<EncryptedBallot> {
        self.booth_encrypt(&plaintext, previous_code, |e, p, previous| {
            let pre = precomputed.inner.take().ok_or_else(|| {
                OstraconError::invalid_input("this precomputed ballot was already used")
            })?;
            Ok(e.encrypt_precomputed(pre, p, previous, &mut OsRng)?)
        })
    }

    /// Fully validates an encrypted ballot (canonical bytes, or its JSON / hex form) as
    /// the ballot box does: election, shape, every proof. Returns its id and tracking
    /// code; throws `OstraconError` (`decode.*`, `ballot.wrong_election`,
    /// `ballot.malformed`, `ballot.proof` with `contest`/`option`).
    #[wasm_bindgen(js_name = validateBallot, unchecked_return_type = "BallotCheck")]
    pub fn validate_ballot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] ballot: JsValue,
    ) -> Result<JsValue> {
        let b = convert::ballot(&ballot)?;
        let code = self.inner.validate_ballot(&b)?;
        Ok(ballot_check(&b, &code).into())
    }

    /// Checks a challenged ballot, e.g. on a second device: re-encrypts the opening's
    /// choices with the nonces derived from its master nonce and compares every
    /// ciphertext. Returns the revealed choices with the ballot's tracking code (which
    /// the voter compares with the one the booth showed); throws `OstraconError`
    /// (`ballot.bad_opening` naming contest and option, `ballot.wrong_election`).
    /// This does not check the ballot's proofs: see `validateBallot`.
    #[wasm_bindgen(js_name = verifyOpening, unchecked_return_type = "ChallengeCheck")]
    pub fn verify_opening(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] ballot: JsValue,
        #[wasm_bindgen(
            js_name = openingJson,
            unchecked_param_type = "string | BallotOpeningJson"
        )]
        opening: JsValue,
    ) -> Result<JsValue> {
        let b = convert::ballot(&ballot)?;
        let o = convert::opening(&opening)?;
        core_ballot::verify_opening(&self.inner, &b, &o)?;
        let out = ballot_check(&b, &b.tracking_code());
        let choices = convert::SecretPlaintext(o.plaintext(&self.inner));
        convert::set(&out, "choices", convert::to_js(&choices.0));
        Ok(out.into())
    }
}

impl Election {
    /// Parses the choices and the previous code, encrypts with `encrypt` and wraps the
    /// result as the booth's ballot holding its opening.
    fn booth_encrypt(
        &self,
        plaintext: &JsValue,
        previous_code: Option<String>,
        encrypt: impl FnOnce(
            &CoreElection,
            &core_ballot::PlaintextBallot,
            Option<TrackingCode>,
        ) -> Result<(CoreBallot, BallotOpening)>,
    ) -> Result<EncryptedBallot> {
        let p = convert::plaintext(plaintext)?;
        let previous = previous_code
            .map(|h| TrackingCode::from_hex(&h))
            .transpose()?;
        let (ballot, opening) = encrypt(&self.inner, &p.0, previous)?;
        Ok(EncryptedBallot {
            election: Rc::clone(&self.inner),
            code: ballot.tracking_code(),
            ballot,
            opening: Some(opening),
            state: State::Pending,
        })
    }
}

/// `{ ballotId, trackingCode, trackingCodeHex }`.
fn ballot_check(b: &CoreBallot, code: &TrackingCode) -> js_sys::Object {
    let out = js_sys::Object::new();
    convert::set(&out, "ballotId", b.ballot_id.as_str());
    convert::set(&out, "trackingCode", code.human());
    convert::set(&out, "trackingCodeHex", code.to_hex());
    out
}

/// The choice-independent part of one ballot's encryption (from
/// `Election.precomputeBallot`), for one `Election.encryptPrecomputed`. Holds secrets:
/// they are zeroized when it is used or freed.
#[wasm_bindgen]
pub struct PrecomputedBallot {
    inner: Option<core_ballot::PrecomputedBallot>,
}

#[wasm_bindgen]
impl PrecomputedBallot {
    /// The ballot id the encryption will carry (empty once used).
    #[wasm_bindgen(getter, js_name = ballotId)]
    pub fn ballot_id(&self) -> String {
        self.inner
            .as_ref()
            .map_or_else(String::new, |p| p.ballot_id().into())
    }

    /// Whether it has been used (or was for another election and refused).
    #[wasm_bindgen(getter)]
    pub fn used(&self) -> bool {
        self.inner.is_none()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Challenged,
    Cast,
}

/// An encrypted ballot fresh from the booth, holding its secret opening.
///
/// Show the voter `trackingCode`, then either `challenge()` it (reveals the opening;
/// the ballot is spoiled and can never be cast) or `cast()` it (the opening is wiped).
/// Call `free()` when done: it zeroizes the opening still held (garbage collection
/// does the same, later).
#[wasm_bindgen]
pub struct EncryptedBallot {
    election: Rc<CoreElection>,
    ballot: CoreBallot,
    code: TrackingCode,
    /// Zeroized on drop (by the core type).
    opening: Option<BallotOpening>,
    state: State,
}

#[wasm_bindgen]
impl EncryptedBallot {
    /// The ballot id.
    #[wasm_bindgen(getter, js_name = ballotId)]
    pub fn ballot_id(&self) -> String {
        self.ballot.ballot_id.clone()
    }

    /// The tracking code the voter sees, e.g. `7F3K-92QD-M1XA-0ZHT` (first 80 bits of
    /// the code, Crockford base32).
    #[wasm_bindgen(getter, js_name = trackingCode)]
    pub fn tracking_code(&self) -> String {
        self.code.human()
    }

    /// The full tracking code, lowercase hex (what verifiers and the board compare).
    #[wasm_bindgen(getter, js_name = trackingCodeHex)]
    pub fn tracking_code_hex(&self) -> String {
        self.code.to_hex()
    }

    /// `"pending"`, `"challenged"` or `"cast"`.
    #[wasm_bindgen(getter, unchecked_return_type = "BallotState")]
    pub fn state(&self) -> String {
        match self.state {
            State::Pending => "pending",
            State::Challenged => "challenged",
            State::Cast => "cast",
        }
        .into()
    }

    /// The canonical bytes (what the server stores and the tracking code hashes).
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.ballot.to_bytes()
    }

    /// The core's JSON form of the ballot: a JSON string holding the canonical bytes in
    /// hex (e.g. `"01a4…"`, quotes included).
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&self.ballot)
            .map_err(|e| OstraconError::invalid_input(format!("ballot JSON: {e}")))
    }

    /// Challenges (audits) the ballot: returns its opening as JSON
    /// (`{"master_nonce": hex, "selections": [[…] per contest]}`) for any device to check
    /// with `Election.verifyOpening`. The ballot is spoiled: `cast()` refuses it from now
    /// on. Calling it again returns the same opening. Throws `ballot.already_used` if
    /// the ballot was cast.
    pub fn challenge(&mut self) -> Result<String> {
        let opening = match (&self.opening, self.state) {
            (Some(o), State::Pending | State::Challenged) => o,
            _ => return Err(self.already_used()),
        };
        let json = serde_json::to_string(opening)
            .map_err(|e| OstraconError::invalid_input(format!("opening JSON: {e}")))?;
        self.state = State::Challenged;
        Ok(json)
    }

    /// Casts the ballot: wipes the opening (the ballot can no longer be challenged, so
    /// nothing proves how it was filled) and returns what to send to the ballot box.
    /// With `voterId` and `voterKeySeed` (the voter's 32-byte Ed25519 seed), the
    /// tracking code is signed as the board's registry expects. Throws
    /// `ballot.already_used` if the ballot was challenged. May be called again (e.g. to
    /// retry a submission).
    #[wasm_bindgen(unchecked_return_type = "CastSubmission")]
    pub fn cast(
        &mut self,
        #[wasm_bindgen(js_name = voterId)] voter_id: Option<String>,
        #[wasm_bindgen(js_name = voterKeySeed)] voter_key_seed: Option<Vec<u8>>,
    ) -> Result<JsValue> {
        if self.state == State::Challenged {
            return Err(self.already_used());
        }
        let seed = voter_key_seed.map(Zeroizing::new);
        let signature = match (&voter_id, &seed) {
            (_, None) => None,
            (Some(voter), Some(seed)) => {
                let key = signing_key(seed)?;
                Some(board::sign_ballot(&key, &self.election, &self.code, voter))
            }
            (None, Some(_)) => {
                return Err(OstraconError::invalid_input(
                    "cast: a voter key needs the voter id it is registered under",
                ))
            }
        };
        // Wipe the opening now: a cast ballot's opening would be a receipt of the vote.
        self.opening = None;
        self.state = State::Cast;
        let out = ballot_check(&self.ballot, &self.code);
        convert::set(
            &out,
            "ballot",
            js_sys::Uint8Array::from(&self.ballot.to_bytes()[..]),
        );
        if let Some(v) = voter_id {
            convert::set(&out, "voter", v);
        }
        if let Some(s) = signature {
            convert::set(&out, "signature", ostracon::hex::encode(&s));
        }
        Ok(out.into())
    }

    fn already_used(&self) -> OstraconError {
        BallotError::new(&self.ballot.ballot_id, BallotErrorKind::AlreadyUsed).into()
    }
}

fn signing_key(seed: &[u8]) -> Result<board::SigningKey> {
    let bytes: &[u8; 32] = seed.try_into().map_err(|_| {
        OstraconError::invalid_input(format!(
            "voter key seed: expected 32 bytes, got {}",
            seed.len()
        ))
    })?;
    Ok(board::SigningKey::from_bytes(bytes))
}

/// A fresh voter key: a 32-byte Ed25519 seed from the platform's CSPRNG. Keep it
/// secret; register `voterPublicKey(seed)` with the election's voter registry.
#[wasm_bindgen(js_name = generateVoterKey)]
pub fn generate_voter_key() -> Vec<u8> {
    board::generate_voter_key(&mut OsRng).to_bytes().to_vec()
}

/// The Ed25519 public key (hex) of a voter key seed, as the voter registry stores it.
#[wasm_bindgen(js_name = voterPublicKey)]
pub fn voter_public_key(
    #[wasm_bindgen(js_name = voterKeySeed)] voter_key_seed: Vec<u8>,
) -> Result<String> {
    let seed = Zeroizing::new(voter_key_seed);
    Ok(ostracon::hex::encode(
        signing_key(&seed)?.verifying_key().as_bytes(),
    ))
}

#[cfg(feature = "verifier")]
/// Verifies a whole election record (binary, or JSON Lines as bytes or text) with
/// every check of the universal verifier. Verification failures are in the report
/// (`ok` false, `failures` naming check, object and reason); throws `OstraconError`
/// (`record.corrupt`, naming the byte or line) only when the bytes are not a record.
#[wasm_bindgen(js_name = verifyRecord, unchecked_return_type = "VerificationReport")]
pub fn verify_record(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] record: JsValue,
) -> Result<JsValue> {
    let bytes = match record.as_string() {
        Some(s) => s.into_bytes(),
        None => match record.dyn_ref::<js_sys::Uint8Array>() {
            Some(a) => a.to_vec(),
            None => {
                return Err(OstraconError::invalid_input(
                    "record: expected a Uint8Array or a string",
                ))
            }
        },
    };
    let report = ostracon::verify::verify_bytes(&bytes, &mut OsRng)?;
    let out = convert::to_js(&report);
    if let Some(obj) = out.dyn_ref::<js_sys::Object>() {
        convert::set(obj, "ok", report.is_ok());
        convert::set(obj, "summary", report.summary());
    }
    Ok(out)
}

#[cfg(feature = "verifier")]
/// The universal verifier's numbered checks, `[{ id, name }]`, to label a report.
#[wasm_bindgen(js_name = verifierChecks, unchecked_return_type = "VerifierCheck[]")]
pub fn verifier_checks() -> JsValue {
    let list = js_sys::Array::new();
    for c in ostracon::verify::CHECKS {
        let o = js_sys::Object::new();
        convert::set(&o, "id", c.id);
        convert::set(&o, "name", c.name);
        list.push(&o);
    }
    list.into()
}

/// The version of this package (the workspace version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
