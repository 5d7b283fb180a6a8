//! The election record: everything a verifier needs, as a stream of items.
//!
//! A record is a sequence of [`RecordItem`]s in this order:
//!
//! 1. `header`: record version, manifest, parameters, the key-ceremony transcript;
//! 2. `voters` (when the election has a registry): the voter registry (ids, weights,
//!    signature keys);
//! 3. `registry_attestation` × k (when the registry is attested): the trustees'
//!    signatures over the base hash and the registry's fingerprint;
//! 4. `entry` × N: the board entries (cast and challenged ballots), in board order;
//! 5. `board`: the final board head and entry count;
//! 6. `tally`: the encrypted tally;
//! 7. `decryption` × k: partial decryptions of the tally by the trustees present;
//! 8. `mix` × s: for each ranked or write-in contest in manifest order, its shuffles in
//!    chain order (the first shuffles the counted ballots' rows, in board order);
//! 9. `mix_decryption` × k: partial decryptions of each such contest's final list;
//! 10. `results`: the decrypted results (tally counts, decrypted mixnet ballots and
//!     their count).
//!
//! Two encodings, both streamable item by item so a million-ballot record is written
//! and read in bounded memory:
//!
//! * **JSON Lines** (`.jsonl`): one JSON object per line, tagged by `"type"`. Binary
//!   fields are lowercase hex. For humans and other languages.
//! * **Binary** (`.bin`): the magic `OSTRACON` and a `u32` version, then frames
//!   `tag (u8) ‖ length (u32 LE) ‖ payload`, each payload the canonical binary encoding
//!   of the item. Compact and fast.
//!
//! This module encodes and decodes items and is `no_std`; with the `std` feature,
//! [`io`] reads and writes files (written atomically: temporary file, fsync, rename).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::ballot::EncryptedBallot;
use crate::board::{BoardEntry, EntryKind, Voter, VoterRegistry};
use crate::election::{Election, Parameters};
use crate::elgamal::Ciphertext;
use crate::error::{DecodeError, DecodeErrorKind};
use crate::group::Reader;
use crate::keyceremony::CeremonyTranscript;
use crate::manifest::Manifest;
use crate::mixnet::{MixStep, ShuffleProof};
use crate::proofs::schnorr::SchnorrProof;
use crate::registry::{RegistryAttestation, RegistryCommitment};
use crate::tally::{EncryptedTally, Results};
use crate::threshold::PartialDecryption;

/// Version of the record format.
pub const RECORD_VERSION: u32 = 3;
/// Magic bytes of the binary encoding.
pub const MAGIC: &[u8; 8] = b"OSTRACON";
/// Largest frame accepted by the binary decoder.
pub const MAX_FRAME: usize = 64 << 20;

/// The first item: what the election is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Record format version.
    pub version: u32,
    /// The manifest.
    pub manifest: Manifest,
    /// The parameters.
    pub parameters: Parameters,
    /// The key ceremony's public transcript.
    pub ceremony: CeremonyTranscript,
}

/// A registered voter as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoterRecord {
    /// Voter id.
    pub id: String,
    /// Weight.
    pub weight: u64,
    /// Ed25519 verifying key, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The voter registry as recorded. (Whether its voters must sign is an election
/// parameter, [`Parameters::require_signatures`].)
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voters {
    /// The voters.
    pub voters: Vec<VoterRecord>,
}

impl Voters {
    /// Records a registry.
    pub fn from_registry(reg: &VoterRegistry) -> Self {
        Self {
            voters: reg
                .iter()
                .map(|(id, v)| VoterRecord {
                    id: id.clone(),
                    weight: v.weight,
                    key: v.key.map(|k| crate::hex::encode(k.as_bytes())),
                })
                .collect(),
        }
    }

    /// The registry's fingerprint: `SHA-256("ostracon/v1/registry" ‖ payload)`, where
    /// `payload` is the binary `voters` item payload (spec §12.3) with the voters
    /// sorted by id (byte order): every voter's id, weight and key. Fixed in the
    /// election or attested by the trustees ([`crate::registry`]), and printed by the
    /// verifier, it names one registry.
    pub fn fingerprint(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut sorted = self.clone();
        sorted
            .voters
            .sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        let mut h = Sha256::new();
        h.update(crate::labels::REGISTRY);
        h.update(RecordItem::Voters(sorted).payload());
        h.finalize().into()
    }

    /// Rebuilds the registry; errors name what is wrong: a voter id that is empty or
    /// longer than [`crate::board::MAX_VOTER_ID`] bytes, a bad key, a repeated id.
    pub fn to_registry(&self) -> Result<VoterRegistry, DecodeError> {
        let mut reg = VoterRegistry::new();
        for v in &self.voters {
            if v.id.is_empty() || v.id.len() > crate::board::MAX_VOTER_ID {
                return Err(DecodeError::new("voter id", DecodeErrorKind::InvalidValue));
            }
            let key = match &v.key {
                None => None,
                Some(h) => {
                    let b = crate::hex::decode(h, "voter key")?;
                    let arr: [u8; 32] = b.try_into().map_err(|b: Vec<u8>| {
                        DecodeError::new(
                            "voter key",
                            DecodeErrorKind::WrongLength {
                                expected: 32,
                                found: b.len(),
                            },
                        )
                    })?;
                    Some(ed25519_dalek::VerifyingKey::from_bytes(&arr).map_err(|_| {
                        DecodeError::new("voter key", DecodeErrorKind::InvalidPoint)
                    })?)
                }
            };
            if reg.get(&v.id).is_some() {
                return Err(DecodeError::new(
                    "voter registry",
                    DecodeErrorKind::InvalidValue,
                ));
            }
            reg.insert(
                v.id.clone(),
                Voter {
                    key,
                    weight: v.weight,
                },
            );
        }
        Ok(reg)
    }
}

/// The final state of the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardSummary {
    /// Number of entries.
    pub count: u64,
    /// Final chain head, hex.
    #[serde(with = "crate::hex::serde32")]
    pub head: [u8; 32],
}

/// One item of a record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum RecordItem {
    /// The election.
    Header(Header),
    /// The voter registry.
    Voters(Voters),
    /// A trustee's attestation of the voter registry.
    RegistryAttestation(RegistryAttestation),
    /// A board entry.
    Entry(BoardEntry),
    /// The board's final head.
    Board(BoardSummary),
    /// The encrypted tally.
    Tally(EncryptedTally),
    /// A trustee's partial decryption of the tally.
    Decryption {
        /// The partial decryption (hex of its canonical encoding in JSON).
        partial: PartialDecryption,
    },
    /// One shuffle of a ranked or write-in contest's mix chain (in chain order).
    Mix {
        /// Contest index in the manifest.
        contest: u32,
        /// The shuffle: mix server, output rows, proof.
        step: MixStep,
    },
    /// A trustee's partial decryption of a ranked or write-in contest's final mixed list.
    MixDecryption {
        /// Contest index in the manifest.
        contest: u32,
        /// The partial decryption (hex of its canonical encoding in JSON).
        partial: PartialDecryption,
    },
    /// The results.
    Results(Results),
}

impl RecordItem {
    /// The frame tag of this item in the binary encoding.
    pub fn tag(&self) -> u8 {
        match self {
            RecordItem::Header(_) => 1,
            RecordItem::Voters(_) => 2,
            RecordItem::Entry(_) => 3,
            RecordItem::Board(_) => 4,
            RecordItem::Tally(_) => 5,
            RecordItem::Decryption { .. } => 6,
            RecordItem::Results(_) => 7,
            RecordItem::Mix { .. } => 8,
            RecordItem::MixDecryption { .. } => 9,
            RecordItem::RegistryAttestation(_) => 10,
        }
    }

    /// Name of the item kind.
    pub fn kind(&self) -> &'static str {
        match self {
            RecordItem::Header(_) => "header",
            RecordItem::Voters(_) => "voters",
            RecordItem::RegistryAttestation(_) => "registry_attestation",
            RecordItem::Entry(_) => "entry",
            RecordItem::Board(_) => "board",
            RecordItem::Tally(_) => "tally",
            RecordItem::Decryption { .. } => "decryption",
            RecordItem::Mix { .. } => "mix",
            RecordItem::MixDecryption { .. } => "mix_decryption",
            RecordItem::Results(_) => "results",
        }
    }

    /// One JSON line (without the newline).
    pub fn to_json_line(&self) -> Result<String, String> {
        serde_json::to_string(self).map_err(|e| alloc::format!("{} item: {e}", self.kind()))
    }

    /// Parses one JSON line.
    pub fn from_json_line(line: &str) -> Result<Self, String> {
        serde_json::from_str(line).map_err(|e| alloc::format!("{e}"))
    }

    /// The payload of this item's binary frame.
    pub fn payload(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            RecordItem::Header(h) => {
                out.extend_from_slice(&h.version.to_le_bytes());
                put_bytes(&mut out, &h.manifest.to_bytes());
                out.extend_from_slice(&h.parameters.trustees.to_le_bytes());
                out.extend_from_slice(&h.parameters.threshold.to_le_bytes());
                // 0: absent (the default, `t`).
                out.extend_from_slice(&h.parameters.mixers.unwrap_or(0).to_le_bytes());
                out.extend_from_slice(&h.parameters.registry.to_bytes());
                out.push(u8::from(h.parameters.require_signatures));
                put_bytes(&mut out, &h.ceremony.to_bytes());
            }
            RecordItem::RegistryAttestation(a) => out = a.to_bytes(),
            RecordItem::Voters(v) => {
                out.extend_from_slice(&(v.voters.len() as u32).to_le_bytes());
                for r in &v.voters {
                    put_bytes(&mut out, r.id.as_bytes());
                    out.extend_from_slice(&r.weight.to_le_bytes());
                    match r.key.as_deref().map(|h| crate::hex::decode(h, "voter key")) {
                        Some(Ok(k)) if k.len() == 32 => {
                            out.push(1);
                            out.extend_from_slice(&k);
                        }
                        _ => out.push(0),
                    }
                }
            }
            RecordItem::Entry(e) => {
                out = entry_payload(e.position, &e.kind, &e.ballot.to_bytes(), &e.head);
            }
            RecordItem::Board(b) => {
                out.extend_from_slice(&b.count.to_le_bytes());
                out.extend_from_slice(&b.head);
            }
            RecordItem::Tally(t) => {
                out.extend_from_slice(&t.ballots.to_le_bytes());
                out.extend_from_slice(&t.total_weight.to_le_bytes());
                out.extend_from_slice(&(t.contests.len() as u32).to_le_bytes());
                for c in &t.contests {
                    out.extend_from_slice(&(c.len() as u32).to_le_bytes());
                    for ct in c {
                        out.extend_from_slice(&ct.to_bytes());
                    }
                }
            }
            RecordItem::Decryption { partial } => out.extend_from_slice(&partial.to_bytes()),
            RecordItem::Mix { contest, step } => {
                out.extend_from_slice(&contest.to_le_bytes());
                out.extend_from_slice(&step.mixer.to_le_bytes());
                out.extend_from_slice(&step.signature.to_bytes());
                out.extend_from_slice(&(step.output.len() as u32).to_le_bytes());
                for ct in &step.output {
                    out.extend_from_slice(&ct.to_bytes());
                }
                put_bytes(&mut out, &step.proof.to_bytes());
            }
            RecordItem::MixDecryption { contest, partial } => {
                out.extend_from_slice(&contest.to_le_bytes());
                out.extend_from_slice(&partial.to_bytes());
            }
            RecordItem::Results(r) => {
                out.extend_from_slice(&(r.contests.len() as u32).to_le_bytes());
                for c in &r.contests {
                    put_bytes(&mut out, c.contest.as_bytes());
                    out.extend_from_slice(&(c.counts.len() as u32).to_le_bytes());
                    for (id, n) in &c.counts {
                        put_bytes(&mut out, id.as_bytes());
                        out.extend_from_slice(&n.to_le_bytes());
                    }
                }
                // Ranked and write-in results, as JSON, only when there are any.
                if !r.mixnet.is_empty() {
                    let json = serde_json::to_vec(&r.mixnet).unwrap_or_default();
                    put_bytes(&mut out, &json);
                }
            }
        }
        out
    }

    /// A whole binary frame: `tag ‖ length ‖ payload`.
    pub fn to_frame(&self) -> Vec<u8> {
        let p = self.payload();
        let mut out = Vec::with_capacity(p.len() + 5);
        out.push(self.tag());
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        out.extend_from_slice(&p);
        out
    }

    /// Decodes a frame payload of the given tag.
    pub fn from_payload(tag: u8, payload: &[u8]) -> Result<Self, DecodeError> {
        const WHAT: &str = "record item";
        let bad = DecodeError::new(WHAT, DecodeErrorKind::InvalidValue);
        let mut r = Reader::new(payload, WHAT);
        let item = match tag {
            1 => {
                let version = r.u32()?;
                let manifest = Manifest::from_bytes(get_bytes(&mut r)?).map_err(|_| bad)?;
                let parameters = Parameters {
                    trustees: r.u32()?,
                    threshold: r.u32()?,
                    mixers: match r.u32()? {
                        0 => None,
                        m => Some(m),
                    },
                    registry: match r.u8()? {
                        0 => RegistryCommitment::Open,
                        1 => RegistryCommitment::Fixed {
                            fingerprint: r.array()?,
                        },
                        2 => RegistryCommitment::Attested,
                        _ => return Err(bad),
                    },
                    require_signatures: match r.u8()? {
                        0 => false,
                        1 => true,
                        _ => return Err(bad),
                    },
                };
                let ceremony = CeremonyTranscript::from_bytes(get_bytes(&mut r)?)?;
                RecordItem::Header(Header {
                    version,
                    manifest,
                    parameters,
                    ceremony,
                })
            }
            2 => {
                let n = r.u32()? as usize;
                let mut voters = Vec::with_capacity(n.min(r.remaining() / 13));
                for _ in 0..n {
                    let id = String::from_utf8(get_bytes(&mut r)?.to_vec()).map_err(|_| bad)?;
                    let weight = r.u64()?;
                    let key = match r.u8()? {
                        0 => None,
                        1 => Some(crate::hex::encode(r.take(32)?)),
                        _ => return Err(bad),
                    };
                    voters.push(VoterRecord { id, weight, key });
                }
                RecordItem::Voters(Voters { voters })
            }
            3 => {
                let position = r.u64()?;
                let kind = entry_kind_from_bytes(get_bytes(&mut r)?)?;
                let ballot = EncryptedBallot::from_bytes(get_bytes(&mut r)?)?;
                let head = r.array::<32>()?;
                let tracking_code = ballot.tracking_code();
                RecordItem::Entry(BoardEntry {
                    position,
                    tracking_code,
                    kind,
                    ballot,
                    head,
                })
            }
            4 => RecordItem::Board(BoardSummary {
                count: r.u64()?,
                head: r.array()?,
            }),
            5 => {
                let ballots = r.u64()?;
                let total_weight = r.u64()?;
                let n = r.u32()? as usize;
                let mut contests = Vec::with_capacity(n.min(r.remaining() / 4));
                for _ in 0..n {
                    let k = r.u32()? as usize;
                    let mut c = Vec::with_capacity(k.min(r.remaining() / 64));
                    for _ in 0..k {
                        c.push(Ciphertext::read(&mut r)?);
                    }
                    contests.push(c);
                }
                RecordItem::Tally(EncryptedTally {
                    ballots,
                    total_weight,
                    contests,
                })
            }
            6 => {
                let d = PartialDecryption::from_bytes(payload)?;
                return Ok(RecordItem::Decryption { partial: d });
            }
            7 => {
                let n = r.u32()? as usize;
                let mut contests = Vec::with_capacity(n.min(r.remaining() / 8));
                for _ in 0..n {
                    let contest =
                        String::from_utf8(get_bytes(&mut r)?.to_vec()).map_err(|_| bad)?;
                    let k = r.u32()? as usize;
                    let mut counts = Vec::with_capacity(k.min(r.remaining() / 12));
                    for _ in 0..k {
                        let id = String::from_utf8(get_bytes(&mut r)?.to_vec()).map_err(|_| bad)?;
                        counts.push((id, r.u64()?));
                    }
                    contests.push(crate::tally::ContestResult { contest, counts });
                }
                let mixnet: Vec<crate::mixnet::MixnetResult> = if r.remaining() > 0 {
                    // Canonical: present only when non-empty, and exactly the JSON the
                    // encoder writes.
                    let json = get_bytes(&mut r)?;
                    let mixnet: Vec<crate::mixnet::MixnetResult> =
                        serde_json::from_slice(json).map_err(|_| bad)?;
                    if mixnet.is_empty()
                        || serde_json::to_vec(&mixnet).ok().as_deref() != Some(json)
                    {
                        return Err(bad);
                    }
                    mixnet
                } else {
                    Vec::new()
                };
                RecordItem::Results(Results { contests, mixnet })
            }
            8 => {
                let contest = r.u32()?;
                let mixer = r.u32()?;
                let signature = SchnorrProof::from_bytes(r.take(SchnorrProof::LEN)?)?;
                let n = r.u32()? as usize;
                let mut output = Vec::with_capacity(n.min(r.remaining() / 64));
                for _ in 0..n {
                    output.push(Ciphertext::read(&mut r)?);
                }
                let proof = ShuffleProof::from_bytes(get_bytes(&mut r)?)?;
                RecordItem::Mix {
                    contest,
                    step: MixStep {
                        mixer,
                        output,
                        proof,
                        signature,
                    },
                }
            }
            9 => {
                let contest = r.u32()?;
                let partial = PartialDecryption::from_bytes(r.take(r.remaining())?)?;
                RecordItem::MixDecryption { contest, partial }
            }
            10 => RecordItem::RegistryAttestation(RegistryAttestation::from_bytes(
                r.take(r.remaining())?,
            )?),
            _ => return Err(bad),
        };
        r.finish()?;
        Ok(item)
    }
}

/// The payload of an `entry` frame from its parts, for a host that kept the ballot's
/// canonical bytes (`ballot` must be the entry's [`EncryptedBallot::to_bytes`]): equal
/// to `RecordItem::Entry(..).payload()` without encoding the ballot again.
pub fn entry_payload(position: u64, kind: &EntryKind, ballot: &[u8], head: &[u8; 32]) -> Vec<u8> {
    let kind = kind.to_bytes();
    let mut out = Vec::with_capacity(8 + 4 + kind.len() + 4 + ballot.len() + 32);
    out.extend_from_slice(&position.to_le_bytes());
    put_bytes(&mut out, &kind);
    put_bytes(&mut out, ballot);
    out.extend_from_slice(head);
    out
}

/// Position and cast voter of an entry frame's payload, without decoding the ballot.
fn skim_entry(payload: &[u8]) -> Result<(u64, Option<String>), DecodeError> {
    let mut r = Reader::new(payload, "board entry");
    let position = r.u64()?;
    let kind = entry_kind_from_bytes(get_bytes(&mut r)?)?;
    Ok((
        position,
        match kind {
            EntryKind::Cast { voter, .. } => voter,
            EntryKind::Challenged { .. } => None,
        },
    ))
}

pub(crate) fn entry_kind_from_bytes(b: &[u8]) -> Result<EntryKind, DecodeError> {
    const WHAT: &str = "board entry";
    let bad = DecodeError::new(WHAT, DecodeErrorKind::InvalidValue);
    let mut r = Reader::new(b, WHAT);
    let kind = match r.u8()? {
        1 => {
            let voter = match r.u8()? {
                0 => None,
                1 => {
                    let id = get_bytes(&mut r)?;
                    if id.is_empty() || id.len() > crate::board::MAX_VOTER_ID {
                        return Err(bad);
                    }
                    Some(String::from_utf8(id.to_vec()).map_err(|_| bad)?)
                }
                _ => return Err(bad),
            };
            let weight = r.u64()?;
            let signature = match r.u8()? {
                0 => None,
                1 => Some(r.array::<64>()?),
                _ => return Err(bad),
            };
            EntryKind::Cast {
                voter,
                weight,
                signature,
            }
        }
        2 => {
            let master_nonce = r.array::<32>()?;
            let n = r.u32()? as usize;
            let mut selections = Vec::with_capacity(n.min(r.remaining() / 4));
            for _ in 0..n {
                let k = r.u32()? as usize;
                let mut c = Vec::with_capacity(k.min(r.remaining() / 8));
                for _ in 0..k {
                    c.push(r.u64()?);
                }
                selections.push(c);
            }
            EntryKind::Challenged {
                opening: crate::ballot::BallotOpening {
                    master_nonce,
                    selections,
                },
            }
        }
        _ => return Err(bad),
    };
    r.finish()?;
    Ok(kind)
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

fn get_bytes<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    let n = r.u32()? as usize;
    r.take(n)
}

impl Header {
    /// The header of an election's record.
    pub fn new(election: &Election, ceremony: CeremonyTranscript) -> Self {
        Self {
            version: RECORD_VERSION,
            manifest: election.manifest().clone(),
            parameters: *election.parameters(),
            ceremony,
        }
    }
}

/// What a verifier's first pass sees of an item: for entries, only the position and
/// the voter of a cast ballot, without decoding the ballot (much cheaper).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skim {
    /// A board entry: its position and, for a cast ballot, its voter.
    Entry {
        /// Position.
        position: u64,
        /// The voter of a cast ballot.
        voter: Option<String>,
    },
    /// Any other item.
    Other,
}

#[derive(Deserialize)]
struct EntrySkim {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    position: u64,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    voter: Option<String>,
}

/// Skims one JSON line.
pub fn skim_json_line(line: &str) -> Result<Skim, String> {
    let s: EntrySkim = serde_json::from_str(line).map_err(|e| alloc::format!("{e}"))?;
    Ok(if s.kind == "entry" {
        let voter = if s.status.as_deref() == Some("cast") {
            s.voter
        } else {
            None
        };
        Skim::Entry {
            position: s.position,
            voter,
        }
    } else {
        Skim::Other
    })
}

/// Skims one binary frame.
pub fn skim_frame(tag: u8, payload: &[u8]) -> Result<Skim, DecodeError> {
    if tag != 3 {
        return Ok(Skim::Other);
    }
    let (position, voter) = skim_entry(payload)?;
    Ok(Skim::Entry { position, voter })
}

/// A record that could not be read, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    /// Byte offset (binary) or line number (JSON) of the bad item.
    pub at: String,
    /// What is wrong.
    pub reason: String,
}

impl RecordError {
    /// The stable code of an unreadable record.
    pub const CODE: &'static str = "record.corrupt";

    /// The stable code of this error: `record.corrupt` (the bytes are not a readable
    /// record; no check ran). A record that reads but fails checks is not an error but a
    /// [`crate::verify::Report`] whose [`crate::verify::Report::code`] is
    /// `record.check_failed`.
    pub const fn code(&self) -> &'static str {
        Self::CODE
    }
}

impl core::fmt::Display for RecordError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "record corrupt at {}: {}", self.at, self.reason)
    }
}

impl core::error::Error for RecordError {}

/// Reads the items of a record held in memory (either encoding, detected).
#[derive(Debug)]
pub struct SliceReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
    format: Format,
}

impl<'a> SliceReader<'a> {
    /// Starts reading; checks the binary header if there is one.
    pub fn new(bytes: &'a [u8]) -> Result<Self, RecordError> {
        if bytes.len() >= 8 && &bytes[..8] == MAGIC {
            if bytes.len() < 12 {
                return Err(RecordError {
                    at: "byte 8".into(),
                    reason: "truncated header".into(),
                });
            }
            let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            if version != RECORD_VERSION {
                return Err(RecordError {
                    at: "byte 8".into(),
                    reason: alloc::format!("unsupported record version {version}"),
                });
            }
            Ok(Self {
                bytes,
                pos: 12,
                line: 0,
                format: Format::Binary,
            })
        } else {
            Ok(Self {
                bytes,
                pos: 0,
                line: 0,
                format: Format::Json,
            })
        }
    }

    /// The encoding.
    pub fn format(&self) -> Format {
        self.format
    }

    fn next_line(&mut self) -> Result<Option<&'a str>, RecordError> {
        while self.pos < self.bytes.len() {
            let rest = &self.bytes[self.pos..];
            let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            self.pos += (end + 1).min(rest.len());
            self.line += 1;
            let line = core::str::from_utf8(&rest[..end])
                .map_err(|_| RecordError {
                    at: alloc::format!("line {}", self.line),
                    reason: "not UTF-8".into(),
                })?
                .trim();
            if !line.is_empty() {
                return Ok(Some(line));
            }
        }
        Ok(None)
    }

    /// The next frame: tag, payload and the offset where it starts.
    #[allow(clippy::type_complexity)]
    fn next_frame(&mut self) -> Result<Option<(u8, &'a [u8], usize)>, RecordError> {
        let at = self.pos;
        if at >= self.bytes.len() {
            return Ok(None);
        }
        let corrupt = |reason: String| RecordError {
            at: alloc::format!("byte {at}"),
            reason,
        };
        let head = self
            .bytes
            .get(at..at + 5)
            .ok_or_else(|| corrupt("truncated frame header".into()))?;
        let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if len > MAX_FRAME {
            return Err(corrupt(alloc::format!(
                "frame of {len} bytes exceeds the limit"
            )));
        }
        let payload = self
            .bytes
            .get(at + 5..at + 5 + len)
            .ok_or_else(|| corrupt(alloc::format!("truncated frame: {len} bytes announced")))?;
        self.pos = at + 5 + len;
        Ok(Some((head[0], payload, at)))
    }

    /// The next item, or `None` at the end.
    pub fn next_item(&mut self) -> Result<Option<RecordItem>, RecordError> {
        match self.format {
            Format::Json => match self.next_line()? {
                None => Ok(None),
                Some(l) => RecordItem::from_json_line(l)
                    .map(Some)
                    .map_err(|reason| RecordError {
                        at: alloc::format!("line {}", self.line),
                        reason,
                    }),
            },
            Format::Binary => match self.next_frame()? {
                None => Ok(None),
                Some((tag, payload, at)) => RecordItem::from_payload(tag, payload)
                    .map(Some)
                    .map_err(|e| RecordError {
                        at: alloc::format!("byte {at}"),
                        reason: alloc::string::ToString::to_string(&e),
                    }),
            },
        }
    }

    /// The next item, skimmed.
    pub fn next_skim(&mut self) -> Result<Option<Skim>, RecordError> {
        match self.format {
            Format::Json => match self.next_line()? {
                None => Ok(None),
                Some(l) => skim_json_line(l).map(Some).map_err(|reason| RecordError {
                    at: alloc::format!("line {}", self.line),
                    reason,
                }),
            },
            Format::Binary => match self.next_frame()? {
                None => Ok(None),
                Some((tag, payload, at)) => {
                    skim_frame(tag, payload).map(Some).map_err(|e| RecordError {
                        at: alloc::format!("byte {at}"),
                        reason: alloc::string::ToString::to_string(&e),
                    })
                }
            },
        }
    }
}

/// Record encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines.
    Json,
    /// Framed canonical binary.
    Binary,
}

#[cfg(feature = "std")]
pub mod io {
    //! Reading and writing record files (requires `std`).

    use std::fs::{self, File};
    use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
    use std::path::{Path, PathBuf};
    use std::string::{String, ToString};
    use std::vec::Vec;

    pub use super::Skim;
    use super::{Format, RecordItem, MAGIC, MAX_FRAME, RECORD_VERSION};

    /// An error reading a record, with where it happened.
    #[derive(Debug)]
    pub enum ReadError {
        /// The file could not be read.
        Io(io::Error),
        /// The content is not a valid record at this place.
        Corrupt {
            /// Byte offset (binary) or line number (JSON) of the bad item.
            at: String,
            /// What is wrong.
            reason: String,
        },
    }

    impl std::fmt::Display for ReadError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                ReadError::Io(e) => write!(f, "cannot read record: {e}"),
                ReadError::Corrupt { at, reason } => write!(f, "record corrupt at {at}: {reason}"),
            }
        }
    }

    impl ReadError {
        /// The stable code: `record.io` (the file could not be read) or
        /// `record.corrupt` (as [`super::RecordError::code`]).
        pub const fn code(&self) -> &'static str {
            match self {
                ReadError::Io(_) => "record.io",
                ReadError::Corrupt { .. } => super::RecordError::CODE,
            }
        }
    }

    impl std::error::Error for ReadError {}

    impl From<io::Error> for ReadError {
        fn from(e: io::Error) -> Self {
            ReadError::Io(e)
        }
    }

    /// Guesses the format from the first bytes.
    pub fn detect(path: &Path) -> Result<Format, ReadError> {
        let mut f = File::open(path)?;
        let mut head = [0u8; 8];
        let n = f.read(&mut head)?;
        Ok(if n == 8 && &head == MAGIC {
            Format::Binary
        } else {
            Format::Json
        })
    }

    /// Streams the items of a record file, one at a time.
    pub struct RecordReader {
        inner: BufReader<File>,
        format: Format,
        offset: u64,
        line: u64,
    }

    impl RecordReader {
        /// Opens a record (format detected from its content).
        pub fn open(path: &Path) -> Result<Self, ReadError> {
            let format = detect(path)?;
            let mut inner = BufReader::with_capacity(1 << 20, File::open(path)?);
            let mut offset = 0;
            if format == Format::Binary {
                let mut head = [0u8; 12];
                inner
                    .read_exact(&mut head)
                    .map_err(|_| ReadError::Corrupt {
                        at: "byte 0".into(),
                        reason: "truncated header".into(),
                    })?;
                let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
                if version != RECORD_VERSION {
                    return Err(ReadError::Corrupt {
                        at: "byte 8".into(),
                        reason: std::format!("unsupported record version {version}"),
                    });
                }
                offset = 12;
            }
            Ok(Self {
                inner,
                format,
                offset,
                line: 0,
            })
        }

        /// The format.
        pub fn format(&self) -> Format {
            self.format
        }

        /// Where the next item starts (`byte N` or `line N`).
        pub fn position(&self) -> String {
            match self.format {
                Format::Binary => std::format!("byte {}", self.offset),
                Format::Json => std::format!("line {}", self.line + 1),
            }
        }

        /// The next item, not yet decoded: its bytes and where it starts. Reading is
        /// sequential; decoding ([`RawItem::decode`]) can run on other threads.
        pub fn next_raw(&mut self) -> Result<Option<RawItem>, ReadError> {
            match self.format {
                Format::Json => loop {
                    let mut buf = String::new();
                    if self.inner.read_line(&mut buf)? == 0 {
                        return Ok(None);
                    }
                    self.line += 1;
                    if buf.trim().is_empty() {
                        continue;
                    }
                    return Ok(Some(RawItem {
                        at: std::format!("line {}", self.line),
                        data: RawData::Line(buf),
                    }));
                },
                Format::Binary => {
                    let at = std::format!("byte {}", self.offset);
                    let corrupt = |reason: String| ReadError::Corrupt {
                        at: at.clone(),
                        reason,
                    };
                    let mut head = [0u8; 5];
                    if self.inner.read(&mut head[..1])? == 0 {
                        return Ok(None);
                    }
                    self.inner
                        .read_exact(&mut head[1..])
                        .map_err(|_| corrupt("truncated frame header".into()))?;
                    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
                    if len > MAX_FRAME {
                        return Err(corrupt(std::format!(
                            "frame of {len} bytes exceeds the limit"
                        )));
                    }
                    let mut payload = vec_of(len);
                    self.inner.read_exact(&mut payload).map_err(|_| {
                        corrupt(std::format!("truncated frame: {len} bytes announced"))
                    })?;
                    self.offset += 5 + len as u64;
                    Ok(Some(RawItem {
                        at,
                        data: RawData::Frame(head[0], payload),
                    }))
                }
            }
        }

        /// The next item, or `None` at the end.
        pub fn next_item(&mut self) -> Result<Option<RecordItem>, ReadError> {
            self.next_raw()?.map(RawItem::decode).transpose()
        }

        /// The next item, skimmed (see [`Skim`]); much cheaper than [`Self::next_item`].
        pub fn next_skim(&mut self) -> Result<Option<Skim>, ReadError> {
            self.next_raw()?.map(RawItem::skim).transpose()
        }
    }

    /// The undecoded bytes of one item.
    #[derive(Clone, Debug)]
    pub enum RawData {
        /// A JSON line.
        Line(String),
        /// A binary frame: tag and payload.
        Frame(u8, Vec<u8>),
    }

    /// One item as read, before decoding.
    #[derive(Clone, Debug)]
    pub struct RawItem {
        /// Where it starts (`line N` or `byte N`).
        pub at: String,
        /// Its bytes.
        pub data: RawData,
    }

    impl RawItem {
        /// Decodes the item.
        pub fn decode(self) -> Result<RecordItem, ReadError> {
            let r = match &self.data {
                RawData::Line(l) => RecordItem::from_json_line(l.trim()),
                RawData::Frame(tag, payload) => {
                    RecordItem::from_payload(*tag, payload).map_err(|e| e.to_string())
                }
            };
            r.map_err(|reason| ReadError::Corrupt {
                at: self.at,
                reason,
            })
        }

        /// Skims the item.
        pub fn skim(self) -> Result<Skim, ReadError> {
            let r = match &self.data {
                RawData::Line(l) => super::skim_json_line(l.trim()),
                RawData::Frame(tag, payload) => {
                    super::skim_frame(*tag, payload).map_err(|e| e.to_string())
                }
            };
            r.map_err(|reason| ReadError::Corrupt {
                at: self.at,
                reason,
            })
        }
    }

    impl Iterator for RecordReader {
        type Item = Result<RecordItem, ReadError>;
        fn next(&mut self) -> Option<Self::Item> {
            self.next_item().transpose()
        }
    }

    fn vec_of(len: usize) -> Vec<u8> {
        std::vec![0u8; len]
    }

    /// Writes a record item by item to a temporary file beside the target, and moves
    /// it into place only in [`RecordWriter::finish`]: a reader never sees a partial
    /// record, and a crash leaves the previous file (if any) intact.
    pub struct RecordWriter {
        out: Option<BufWriter<File>>,
        tmp: PathBuf,
        path: PathBuf,
        format: Format,
    }

    impl RecordWriter {
        /// Starts writing `path` in `format`.
        pub fn create(path: &Path, format: Format) -> io::Result<Self> {
            let mut name = path
                .file_name()
                .map(|n| n.to_os_string())
                .unwrap_or_default();
            name.push(std::format!(".tmp-{}", std::process::id()));
            let tmp = path.with_file_name(name);
            let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
            if format == Format::Binary {
                out.write_all(MAGIC)?;
                out.write_all(&RECORD_VERSION.to_le_bytes())?;
            }
            Ok(Self {
                out: Some(out),
                tmp,
                path: path.to_path_buf(),
                format,
            })
        }

        /// Appends an item.
        pub fn write(&mut self, item: &RecordItem) -> io::Result<()> {
            let out = self
                .out
                .as_mut()
                .ok_or_else(|| io::Error::other("record already finished"))?;
            match self.format {
                Format::Json => {
                    out.write_all(item.to_json_line().map_err(io::Error::other)?.as_bytes())?;
                    out.write_all(b"\n")
                }
                Format::Binary => out.write_all(&item.to_frame()),
            }
        }

        /// Flushes, syncs and atomically renames the file into place.
        pub fn finish(mut self) -> io::Result<()> {
            let out = self
                .out
                .take()
                .ok_or_else(|| io::Error::other("record already finished"))?;
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            drop(file);
            fs::rename(&self.tmp, &self.path)?;
            if let Some(dir) = self.path.parent() {
                if let Ok(d) = File::open(if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                }) {
                    let _ = d.sync_all();
                }
            }
            Ok(())
        }
    }

    impl Drop for RecordWriter {
        fn drop(&mut self) {
            // If `finish` was not called, remove the partial temporary file.
            let _ = fs::remove_file(&self.tmp);
        }
    }

    /// Writes a small file atomically (temporary file, fsync, rename).
    pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(std::format!(".tmp-{}", std::process::id()));
        let tmp = path.with_file_name(name);
        {
            let mut f = File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, path)
    }
}
