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
use crate::error::{BallotError, BallotErrorKind};
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
    /// Whether every cast ballot must carry a valid voter signature.
    pub require_signatures: bool,
}

impl VoterRegistry {
    /// An empty registry.
    pub fn new(require_signatures: bool) -> Self {
        Self {
            voters: BTreeMap::new(),
            require_signatures,
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
    // Without a registry, voter ids would be unauthenticated claims with which anyone
    // could supersede anyone's ballot: refuse them (and signatures).
    let Some(reg) = registry else {
        return match (voter, signature) {
            (None, None) => Ok(1),
            _ => Err(err(BallotErrorKind::UnknownVoter)),
        };
    };
    let Some(id) = voter else {
        return Err(err(if reg.require_signatures {
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
        (None, _) if reg.require_signatures => return Err(err(BallotErrorKind::MissingSignature)),
        (Some(_), None) => return Err(err(BallotErrorKind::BadSignature)),
        (None, _) => {}
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
        match submission {
            Submission::Cast { voter, signature } => {
                let weight = check_voter(
                    self.election,
                    self.registry.as_ref(),
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
                verify_opening(self.election, ballot, &opening)?;
                Ok(EntryKind::Challenged { opening })
            }
        }
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
