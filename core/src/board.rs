//! The ballot box / bulletin board.
//!
//! A [`Board`] accepts ballots for one election. Accepting a ballot fully validates it
//! (every proof), refuses duplicates (ballot id or tracking code), checks the voter's
//! Ed25519 signature against the [`VoterRegistry`] when there is one, and appends an
//! entry to a hash chain:
//!
//! ```text
//! head₀     = SHA-256("ostracon/v1/board/genesis" ‖ base hash)
//! head_{n+1} = SHA-256("ostracon/v1/board/entry" ‖ head_n ‖ position (u64) ‖ entry bytes)
//! ```
//!
//! where the entry bytes are the tracking code, then either the cast data (voter id,
//! weight, signature) or the challenge opening. Publishing the head commits the board to
//! everything before it; a voter finds their tracking code on it; the verifier recomputes
//! the chain.
//!
//! The board keeps only what it needs to decide (ids, codes, each voter's latest
//! position, the head), not the ballots: the host stores the returned [`BoardEntry`]s
//! (a million ballots are gigabytes). Revoting: a voter's latest cast ballot is the one
//! counted ([`Board::is_counted`]). A challenged ballot is never counted and its code
//! can never be cast.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use ed25519_dalek::{Signature, Signer};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ballot::{verify_opening, BallotOpening, EncryptedBallot, TrackingCode};
use crate::election::Election;
use crate::error::{BallotError, BallotErrorKind, DecodeError, DecodeErrorKind};
use crate::group::Reader;
use crate::labels;

/// A registered voter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voter {
    /// The voter's Ed25519 key, when ballots must be signed.
    pub key: Option<VerifyingKey>,
    /// The voter's public weight (e.g. shares held); 1 for one person, one vote.
    pub weight: u64,
}

/// The voters allowed to cast, from the host's identity system.
#[derive(Clone, Debug, Default)]
pub struct VoterRegistry {
    voters: BTreeMap<String, Voter>,
}

impl VoterRegistry {
    /// An empty registry. (Whether its voters must sign is the election's
    /// [`crate::election::Parameters::require_signatures`].)
    pub fn new() -> Self {
        Self {
            voters: BTreeMap::new(),
        }
    }

    /// Adds or replaces a voter.
    pub fn insert(&mut self, id: impl Into<String>, voter: Voter) {
        self.voters.insert(id.into(), voter);
    }

    /// Looks a voter up.
    pub fn get(&self, id: &str) -> Option<&Voter> {
        self.voters.get(id)
    }

    /// Number of voters.
    pub fn len(&self) -> usize {
        self.voters.len()
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.voters.is_empty()
    }

    /// The voters, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Voter)> {
        self.voters.iter()
    }
}

/// The message a voter signs to cast a ballot.
pub fn signature_message(election: &Election, code: &TrackingCode, voter: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(labels::VOTER_SIGNATURE.len() + 68 + voter.len());
    m.extend_from_slice(labels::VOTER_SIGNATURE);
    m.extend_from_slice(election.base_hash());
    m.extend_from_slice(&code.0);
    m.extend_from_slice(&(voter.len() as u32).to_le_bytes());
    m.extend_from_slice(voter.as_bytes());
    m
}

/// Signs a ballot's tracking code as `voter`.
pub fn sign_ballot(
    key: &SigningKey,
    election: &Election,
    code: &TrackingCode,
    voter: &str,
) -> [u8; 64] {
    key.sign(&signature_message(election, code, voter))
        .to_bytes()
}

/// A fresh voter signing key.
pub fn generate_voter_key(rng: &mut impl CryptoRngCore) -> SigningKey {
    SigningKey::generate(rng)
}

/// What the voter asks the board to do with a ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submission {
    /// Cast it (count it), optionally as a registered, signing voter.
    Cast {
        /// Voter id (needed for revoting, weights and signatures).
        voter: Option<String>,
        /// Ed25519 signature over [`signature_message`].
        signature: Option<[u8; 64]>,
    },
    /// Challenge it: publish the opening; it is never counted.
    Challenge(BallotOpening),
}

/// What a board entry records besides the ballot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EntryKind {
    /// A cast ballot.
    Cast {
        /// Voter id, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voter: Option<String>,
        /// Public weight of the ballot in the tally.
        weight: u64,
        /// The voter's signature, hex.
        #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_sig")]
        signature: Option<[u8; 64]>,
    },
    /// A challenged (audited) ballot with its opening.
    Challenged {
        /// The opening.
        opening: BallotOpening,
    },
}

mod opt_sig {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<[u8; 64]>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&crate::hex::encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 64]>, D::Error> {
        let o: Option<alloc::string::String> = Option::deserialize(d)?;
        o.map(|s| {
            let v = crate::hex::decode(&s, "signature").map_err(serde::de::Error::custom)?;
            v.try_into()
                .map_err(|_| serde::de::Error::custom("signature: expected 64 bytes"))
        })
        .transpose()
    }
}

/// One entry of the board, returned as the receipt of a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardEntry {
    /// Position on the board (from 0).
    pub position: u64,
    /// Tracking code of the ballot.
    pub tracking_code: TrackingCode,
    /// Cast or challenged, with its data.
    #[serde(flatten)]
    pub kind: EntryKind,
    /// The ballot.
    pub ballot: EncryptedBallot,
    /// The chain head after this entry, hex.
    #[serde(with = "crate::hex::serde32")]
    pub head: [u8; 32],
}

impl EntryKind {
    /// Canonical bytes of the entry data that the chain commits to.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            EntryKind::Cast {
                voter,
                weight,
                signature,
            } => {
                out.push(1);
                match voter {
                    None => out.push(0),
                    Some(v) => {
                        out.push(1);
                        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                        out.extend_from_slice(v.as_bytes());
                    }
                }
                out.extend_from_slice(&weight.to_le_bytes());
                match signature {
                    None => out.push(0),
                    Some(s) => {
                        out.push(1);
                        out.extend_from_slice(s);
                    }
                }
            }
            EntryKind::Challenged { opening } => {
                out.push(2);
                out.extend_from_slice(&opening.master_nonce);
                out.extend_from_slice(&(opening.selections.len() as u32).to_le_bytes());
                for c in &opening.selections {
                    out.extend_from_slice(&(c.len() as u32).to_le_bytes());
                    for v in c {
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                }
            }
        }
        out
    }
}

/// The genesis head of an election's board.
pub fn genesis(election: &Election) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(labels::BOARD_GENESIS);
    h.update(election.base_hash());
    h.finalize().into()
}

/// The chain link: the head after appending an entry.
pub fn next_head(
    prev: &[u8; 32],
    position: u64,
    code: &TrackingCode,
    kind: &EntryKind,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(labels::BOARD_ENTRY);
    h.update(prev);
    h.update(position.to_le_bytes());
    h.update(code.0);
    h.update(kind.to_bytes());
    h.finalize().into()
}

/// Checks a cast submission's voter and signature against the registry; returns the
/// ballot's weight. Pure: callable from many threads.
pub fn check_voter(
    election: &Election,
    registry: Option<&VoterRegistry>,
    ballot_id: &str,
    code: &TrackingCode,
    voter: Option<&str>,
    signature: Option<&[u8; 64]>,
) -> Result<u64, BallotError> {
    let err = |kind| BallotError::new(ballot_id, kind);
    let params = election.parameters();
    let require_signatures = params.require_signatures;
    // Without a registry, voter ids would be unauthenticated claims with which anyone
    // could supersede anyone's ballot: refuse them (and signatures). An election that
    // commits a registry accepts nothing without one.
    let Some(reg) = registry else {
        return match (voter, signature) {
            (None, None) if !params.registry.has_registry() => Ok(1),
            _ if require_signatures => Err(err(BallotErrorKind::MissingSignature)),
            _ => Err(err(BallotErrorKind::UnknownVoter)),
        };
    };
    let Some(id) = voter else {
        return Err(err(if require_signatures {
            BallotErrorKind::MissingSignature
        } else {
            BallotErrorKind::UnknownVoter
        }));
    };
    let v = reg.get(id).ok_or(err(BallotErrorKind::UnknownVoter))?;
    match (signature, &v.key) {
        (Some(sig), Some(key)) => {
            let msg = signature_message(election, code, id);
            key.verify_strict(&msg, &Signature::from_bytes(sig))
                .map_err(|_| err(BallotErrorKind::BadSignature))?;
        }
        (None, _) if require_signatures => return Err(err(BallotErrorKind::MissingSignature)),
        (Some(_), None) => return Err(err(BallotErrorKind::BadSignature)),
        (None, _) => {}
    }
    if v.weight > 1 && election.manifest().has_mixnet_contest() {
        return Err(err(BallotErrorKind::WeightNotAllowed { weight: v.weight }));
    }
    Ok(v.weight)
}

/// The state of a board: what it needs to accept or refuse the next ballot.
#[derive(Clone, Debug)]
pub struct Board<'e> {
    election: &'e Election,
    registry: Option<VoterRegistry>,
    ids: BTreeSet<String>,
    codes: BTreeSet<TrackingCode>,
    latest: BTreeMap<String, u64>,
    head: [u8; 32],
    len: u64,
}

impl<'e> Board<'e> {
    /// An empty board. Without a registry, anyone may cast (weight 1, no signature).
    pub fn new(election: &'e Election, registry: Option<VoterRegistry>) -> Self {
        Self {
            election,
            registry,
            ids: BTreeSet::new(),
            codes: BTreeSet::new(),
            latest: BTreeMap::new(),
            head: genesis(election),
            len: 0,
        }
    }

    /// The current chain head.
    pub fn head(&self) -> &[u8; 32] {
        &self.head
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the board is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The registry.
    pub fn registry(&self) -> Option<&VoterRegistry> {
        self.registry.as_ref()
    }

    /// Validates and appends a ballot.
    pub fn submit(
        &mut self,
        ballot: EncryptedBallot,
        submission: Submission,
    ) -> Result<BoardEntry, BallotError> {
        let code = self.election.validate_ballot(&ballot)?;
        let kind = self.check(&ballot, &code, submission)?;
        self.append(ballot, code, kind)
    }

    /// Validates many ballots at once (proofs batched, in parallel with `std`), then
    /// appends the valid ones in order. One result per ballot.
    pub fn submit_batch(
        &mut self,
        ballots: Vec<(EncryptedBallot, Submission)>,
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Result<BoardEntry, BallotError>> {
        let (ballots, subs): (Vec<_>, Vec<_>) = ballots.into_iter().unzip();
        let validated = self.election.validate_ballots(&ballots, rng);
        let checked: Vec<Result<(TrackingCode, EntryKind), BallotError>> = {
            let one = |((b, s), v): (
                (&EncryptedBallot, Submission),
                Result<TrackingCode, BallotError>,
            )| {
                let code = v?;
                self.check(b, &code, s).map(|k| (code, k))
            };
            #[cfg(feature = "std")]
            {
                use rayon::prelude::*;
                ballots
                    .par_iter()
                    .zip(subs)
                    .zip(validated)
                    .map(one)
                    .collect()
            }
            #[cfg(not(feature = "std"))]
            {
                ballots.iter().zip(subs).zip(validated).map(one).collect()
            }
        };
        ballots
            .into_iter()
            .zip(checked)
            .map(|(b, c)| {
                let (code, kind) = c?;
                self.append(b, code, kind)
            })
            .collect()
    }

    /// The checks that need no board state: voter, signature, challenge opening.
    fn check(
        &self,
        ballot: &EncryptedBallot,
        code: &TrackingCode,
        submission: Submission,
    ) -> Result<EntryKind, BallotError> {
        check_one(
            self.election,
            self.registry.as_ref(),
            ballot,
            code,
            submission,
        )
    }

    /// The checks against board state, then the append.
    fn append(
        &mut self,
        ballot: EncryptedBallot,
        code: TrackingCode,
        kind: EntryKind,
    ) -> Result<BoardEntry, BallotError> {
        let id = &ballot.ballot_id;
        if self.codes.contains(&code) {
            return Err(BallotError::new(id, BallotErrorKind::DuplicateCode));
        }
        if self.ids.contains(id) {
            return Err(BallotError::new(id, BallotErrorKind::DuplicateId));
        }
        let position = self.len;
        let head = next_head(&self.head, position, &code, &kind);
        self.ids.insert(id.clone());
        self.codes.insert(code);
        if let EntryKind::Cast { voter: Some(v), .. } = &kind {
            self.latest.insert(v.clone(), position);
        }
        self.head = head;
        self.len += 1;
        Ok(BoardEntry {
            position,
            tracking_code: code,
            kind,
            ballot,
            head,
        })
    }

    /// Whether an entry is counted: a cast ballot that no later ballot of the same voter
    /// supersedes. Challenged ballots never count.
    pub fn is_counted(&self, entry: &BoardEntry) -> bool {
        match &entry.kind {
            EntryKind::Challenged { .. } => false,
            EntryKind::Cast { voter: None, .. } => true,
            EntryKind::Cast { voter: Some(v), .. } => self.latest.get(v) == Some(&entry.position),
        }
    }

    /// Each voter's latest cast position.
    pub fn latest_positions(&self) -> &BTreeMap<String, u64> {
        &self.latest
    }
}

impl EntryKind {
    /// Decodes [`EntryKind::to_bytes`] strictly (no trailing bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        crate::record::entry_kind_from_bytes(bytes)
    }
}

/// A ballot together with what the voter asks the board to do with it: the form in
/// which a submission travels from the voter's device to the ballot box.
///
/// Canonical binary encoding ([`BallotSubmission::to_bytes`]):
///
/// ```text
/// ballot (u32 len ‖ canonical ballot bytes) ‖ action
/// action = 1 ‖ voter (0 | 1 ‖ u32 len ‖ UTF-8) ‖ signature (0 | 1 ‖ 64 bytes)   cast
///        | 2 ‖ master nonce (32) ‖ contests (u32) ‖ per contest: values (u32) ‖ u64 each   challenge
/// ```
///
/// JSON form: `{"ballot": "<hex>", "action": "cast", "voter": "…", "signature": "<hex>"}`
/// or `{"ballot": "<hex>", "action": "challenge", "opening": {"master_nonce": "<hex>",
/// "selections": [[…]]}}`; unknown fields are refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SubmissionWire", into = "SubmissionWire")]
pub struct BallotSubmission {
    /// The encrypted ballot.
    pub ballot: EncryptedBallot,
    /// Cast or challenge.
    pub submission: Submission,
}

/// Largest voter id, in bytes (ids are 1 to 256 bytes: in a submission, a registry and a
/// board entry).
pub const MAX_VOTER_ID: usize = 256;

impl BallotSubmission {
    /// Canonical binary encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let ballot = self.ballot.to_bytes();
        let mut out = Vec::with_capacity(ballot.len() + 128);
        out.extend_from_slice(&(ballot.len() as u32).to_le_bytes());
        out.extend_from_slice(&ballot);
        match &self.submission {
            Submission::Cast { voter, signature } => {
                out.push(1);
                match voter {
                    None => out.push(0),
                    Some(v) => {
                        out.push(1);
                        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                        out.extend_from_slice(v.as_bytes());
                    }
                }
                match signature {
                    None => out.push(0),
                    Some(s) => {
                        out.push(1);
                        out.extend_from_slice(s);
                    }
                }
            }
            Submission::Challenge(opening) => {
                out.push(2);
                out.extend_from_slice(&opening.master_nonce);
                out.extend_from_slice(&(opening.selections.len() as u32).to_le_bytes());
                for c in &opening.selections {
                    out.extend_from_slice(&(c.len() as u32).to_le_bytes());
                    for v in c {
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                }
            }
        }
        out
    }

    /// Decodes the canonical binary encoding strictly: bounded lengths, no trailing
    /// bytes, and the ballot through [`EncryptedBallot::from_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::decode(bytes).map(|(s, _)| s)
    }

    /// Decodes, and returns the ballot's canonical bytes (a slice of `bytes`) too.
    fn decode(bytes: &[u8]) -> Result<(Self, &[u8]), DecodeError> {
        const WHAT: &str = "ballot submission";
        let bad = DecodeError::new(WHAT, DecodeErrorKind::InvalidValue);
        let mut r = Reader::new(bytes, WHAT);
        let n = r.u32()? as usize;
        let ballot_bytes = r.take(n)?;
        let ballot = EncryptedBallot::from_bytes(ballot_bytes)?;
        let submission = match r.u8()? {
            1 => {
                let voter = match r.u8()? {
                    0 => None,
                    1 => {
                        let n = r.u32()? as usize;
                        if n > MAX_VOTER_ID {
                            return Err(bad);
                        }
                        Some(String::from_utf8(r.take(n)?.to_vec()).map_err(|_| bad)?)
                    }
                    _ => return Err(bad),
                };
                let signature = match r.u8()? {
                    0 => None,
                    1 => Some(r.array::<64>()?),
                    _ => return Err(bad),
                };
                Submission::Cast { voter, signature }
            }
            2 => {
                let master_nonce = r.array::<32>()?;
                let n = r.u32()? as usize;
                if n > crate::manifest::MAX_CONTESTS {
                    return Err(bad);
                }
                let mut selections = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = r.u32()? as usize;
                    if k > crate::manifest::MAX_OPTIONS {
                        return Err(bad);
                    }
                    let mut c = Vec::with_capacity(k);
                    for _ in 0..k {
                        c.push(r.u64()?);
                    }
                    selections.push(c);
                }
                Submission::Challenge(BallotOpening {
                    master_nonce,
                    selections,
                })
            }
            _ => return Err(bad),
        };
        r.finish()?;
        Ok((Self { ballot, submission }, ballot_bytes))
    }
}

/// A submission with its ballot's canonical bytes, kept so that the tracking code is
/// hashed from the bytes received and the board's host can store them, without
/// encoding the ballot again (encoding compresses every point: an inversion each).
///
/// Made only by decoding ([`EncodedSubmission::from_bytes`]) or by encoding a
/// [`BallotSubmission`] (`From`), so the bytes are always the ballot's.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedSubmission {
    submission: BallotSubmission,
    ballot_bytes: Vec<u8>,
}

impl EncodedSubmission {
    /// Decodes [`BallotSubmission::to_bytes`] strictly, keeping the ballot's bytes.
    /// The decoding is canonical, so these bytes are exactly the ballot's
    /// [`EncryptedBallot::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (submission, ballot) = BallotSubmission::decode(bytes)?;
        Ok(Self {
            submission,
            ballot_bytes: ballot.to_vec(),
        })
    }

    /// The submission.
    pub fn submission(&self) -> &BallotSubmission {
        &self.submission
    }

    /// The ballot's canonical bytes.
    pub fn ballot_bytes(&self) -> &[u8] {
        &self.ballot_bytes
    }
}

impl From<BallotSubmission> for EncodedSubmission {
    fn from(submission: BallotSubmission) -> Self {
        let ballot_bytes = submission.ballot.to_bytes();
        Self {
            submission,
            ballot_bytes,
        }
    }
}

/// What a submission asks for, in the JSON form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Action {
    Cast,
    Challenge,
}

/// The JSON form of a [`BallotSubmission`].
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmissionWire {
    ballot: EncryptedBallot,
    action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    voter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_sig")]
    signature: Option<[u8; 64]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    opening: Option<BallotOpening>,
}

impl TryFrom<SubmissionWire> for BallotSubmission {
    type Error = &'static str;

    fn try_from(w: SubmissionWire) -> Result<Self, Self::Error> {
        if w.voter.as_ref().is_some_and(|v| v.len() > MAX_VOTER_ID) {
            return Err("voter id too long");
        }
        let submission = match (w.action, w.opening) {
            (Action::Cast, None) => Submission::Cast {
                voter: w.voter,
                signature: w.signature,
            },
            (Action::Cast, Some(_)) => return Err("a cast submission carries no opening"),
            (Action::Challenge, Some(opening)) if w.voter.is_none() && w.signature.is_none() => {
                Submission::Challenge(opening)
            }
            (Action::Challenge, Some(_)) => {
                return Err("a challenge carries no voter and no signature")
            }
            (Action::Challenge, None) => return Err("a challenge needs the opening"),
        };
        Ok(Self {
            ballot: w.ballot,
            submission,
        })
    }
}

impl From<BallotSubmission> for SubmissionWire {
    fn from(s: BallotSubmission) -> Self {
        match s.submission {
            Submission::Cast { voter, signature } => Self {
                ballot: s.ballot,
                action: Action::Cast,
                voter,
                signature,
                opening: None,
            },
            Submission::Challenge(opening) => Self {
                ballot: s.ballot,
                action: Action::Challenge,
                voter: None,
                signature: None,
                opening: Some(opening),
            },
        }
    }
}

/// A submission that passed every check needing no board state (proofs, voter,
/// signature, opening), made by [`check_submissions`] and appended by
/// [`Board::append_checked`], which adds the checks against the board (duplicates).
///
/// Splitting the two lets a ballot box validate the next batch on other threads while
/// it appends and stores the previous one. The checks are made against the election
/// and registry given to [`check_submissions`]: pass the same ones the board holds.
#[derive(Clone, Debug)]
pub struct Checked {
    ballot: EncryptedBallot,
    code: TrackingCode,
    kind: EntryKind,
    bytes: Vec<u8>,
}

impl Checked {
    /// The ballot's canonical bytes.
    pub fn ballot_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The ballot's tracking code.
    pub fn tracking_code(&self) -> &TrackingCode {
        &self.code
    }

    /// The ballot.
    pub fn ballot(&self) -> &EncryptedBallot {
        &self.ballot
    }
}

/// Checks many submissions at once without touching a board: every proof (batched, in
/// parallel with `std`), the voter and signature against `registry`, and challenge
/// openings. One result per submission, in order.
pub fn check_submissions<S: Into<EncodedSubmission>>(
    election: &Election,
    registry: Option<&VoterRegistry>,
    submissions: Vec<S>,
    rng: &mut impl CryptoRngCore,
) -> Vec<Result<Checked, BallotError>> {
    let encoded: Vec<EncodedSubmission> = submissions.into_iter().map(Into::into).collect();
    let mut ballots = Vec::with_capacity(encoded.len());
    let mut subs = Vec::with_capacity(encoded.len());
    let mut bytes = Vec::with_capacity(encoded.len());
    for e in encoded {
        ballots.push(e.submission.ballot);
        subs.push(e.submission.submission);
        bytes.push(e.ballot_bytes);
    }
    let hash = |b: &Vec<u8>| TrackingCode::of_bytes(b);
    #[cfg(feature = "std")]
    let codes: Vec<TrackingCode> = {
        use rayon::prelude::*;
        bytes.par_iter().map(hash).collect()
    };
    #[cfg(not(feature = "std"))]
    let codes: Vec<TrackingCode> = bytes.iter().map(hash).collect();
    let validated = {
        let refs: Vec<&EncryptedBallot> = ballots.iter().collect();
        election.validate_with_codes(&refs, &codes, rng)
    };
    let one = |((b, s), v): (
        (&EncryptedBallot, Submission),
        Result<TrackingCode, BallotError>,
    )| {
        let code = v?;
        check_one(election, registry, b, &code, s).map(|k| (code, k))
    };
    #[cfg(feature = "std")]
    let checked: Vec<Result<(TrackingCode, EntryKind), BallotError>> = {
        use rayon::prelude::*;
        ballots
            .par_iter()
            .zip(subs)
            .zip(validated)
            .map(one)
            .collect()
    };
    #[cfg(not(feature = "std"))]
    let checked: Vec<Result<(TrackingCode, EntryKind), BallotError>> =
        ballots.iter().zip(subs).zip(validated).map(one).collect();
    ballots
        .into_iter()
        .zip(bytes)
        .zip(checked)
        .map(|((ballot, bytes), c)| {
            c.map(|(code, kind)| Checked {
                ballot,
                code,
                kind,
                bytes,
            })
        })
        .collect()
}

/// The checks that need no board state: voter, signature, challenge opening.
fn check_one(
    election: &Election,
    registry: Option<&VoterRegistry>,
    ballot: &EncryptedBallot,
    code: &TrackingCode,
    submission: Submission,
) -> Result<EntryKind, BallotError> {
    match submission {
        Submission::Cast { voter, signature } => {
            let weight = check_voter(
                election,
                registry,
                &ballot.ballot_id,
                code,
                voter.as_deref(),
                signature.as_ref(),
            )?;
            Ok(EntryKind::Cast {
                voter,
                weight,
                signature,
            })
        }
        Submission::Challenge(opening) => {
            verify_opening(election, ballot, &opening)?;
            Ok(EntryKind::Challenged { opening })
        }
    }
}

/// Why a stored entry cannot be replayed onto a board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreError {
    /// The entry's position is not the board's next position.
    Position {
        /// The position expected.
        expected: u64,
        /// The position found.
        found: u64,
    },
    /// The entry's head is not the chain link from the board's head.
    Head {
        /// Position of the entry.
        position: u64,
    },
    /// The entry repeats a ballot id or tracking code already on the board.
    Duplicate {
        /// Position of the entry.
        position: u64,
    },
}

impl core::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RestoreError::Position { expected, found } => {
                write!(f, "entry at position {found}; position {expected} expected")
            }
            RestoreError::Head { position } => {
                write!(f, "entry {position}: head does not follow the chain")
            }
            RestoreError::Duplicate { position } => {
                write!(f, "entry {position}: ballot id or tracking code repeated")
            }
        }
    }
}

impl core::error::Error for RestoreError {}

impl Board<'_> {
    /// Appends a submission checked by [`check_submissions`], after the checks against
    /// the board: a tracking code or ballot id already on it is refused.
    pub fn append_checked(&mut self, checked: Checked) -> Result<BoardEntry, BallotError> {
        self.append(checked.ballot, checked.code, checked.kind)
    }

    /// Replays an entry stored earlier (by this board's host) without re-validating
    /// its ballot: checks that it is the next position, that its head is the chain
    /// link from the current head, and that its id and code are new. This rebuilds a
    /// board after a restart from what the host stored, at the cost of one hash per
    /// entry.
    pub fn restore(
        &mut self,
        position: u64,
        ballot_id: &str,
        code: &TrackingCode,
        kind: &EntryKind,
        head: &[u8; 32],
    ) -> Result<(), RestoreError> {
        if position != self.len {
            return Err(RestoreError::Position {
                expected: self.len,
                found: position,
            });
        }
        if &next_head(&self.head, position, code, kind) != head {
            return Err(RestoreError::Head { position });
        }
        if self.codes.contains(code) || self.ids.contains(ballot_id) {
            return Err(RestoreError::Duplicate { position });
        }
        self.ids.insert(ballot_id.into());
        self.codes.insert(*code);
        if let EntryKind::Cast { voter: Some(v), .. } = kind {
            self.latest.insert(v.clone(), position);
        }
        self.head = *head;
        self.len += 1;
        Ok(())
    }

    /// The election.
    pub fn election(&self) -> &Election {
        self.election
    }
}
