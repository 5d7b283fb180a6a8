//! What a trustee has decrypted, so that it never decrypts two versions of one election.
//!
//! A host that obtains the trustees' decryptions of two boards differing by one ballot
//! learns that ballot's vote from the difference of the two tallies (and, for a ranked
//! or write-in contest, from the difference of two decrypted lists). A trustee keeps a
//! [`DecryptionPins`] beside its key share: the first decryption of an election pins
//! the board (its final head and entry count) and the encrypted tally, and each mixed
//! list's final state; any later request for the same election must be for exactly
//! those, or is refused. Asking again for the same is allowed (a lost file re-sent).
//!
//! The pins hold digests of public data only; they are a trustee's memory, not a
//! secret. Storing them (atomically, before releasing a decryption) is the caller's.

use alloc::collections::BTreeMap;
use alloc::string::String;
use core::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::elgamal::Ciphertext;
use crate::tally::EncryptedTally;

/// Why a decryption is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PinError {
    /// The pins are another election's.
    OtherElection,
    /// This trustee already decrypted another board of this election.
    OtherBoard {
        /// Entry count of the board decrypted before.
        count: u64,
        /// Its final head, hex.
        head: String,
    },
    /// This trustee already decrypted another encrypted tally of this election.
    OtherTally,
    /// This trustee already decrypted another final list of this contest.
    OtherList {
        /// The contest's index in the manifest.
        contest: u32,
    },
    /// This trustee already attested another voter registry of this election.
    OtherRegistry {
        /// The fingerprint attested before, hex.
        fingerprint: String,
    },
}

impl PinError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            PinError::OtherElection => "pin.other_election",
            PinError::OtherBoard { .. } => "pin.other_board",
            PinError::OtherTally => "pin.other_tally",
            PinError::OtherList { .. } => "pin.other_list",
            PinError::OtherRegistry { .. } => "pin.other_registry",
        }
    }
}

impl fmt::Display for PinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinError::OtherElection => f.write_str("the decryption log is another election's"),
            PinError::OtherBoard { count, head } => write!(
                f,
                "this trustee already decrypted another board of this election ({count} entries, head {head}): decrypting a second one would reveal the ballots in which they differ"
            ),
            PinError::OtherTally => f.write_str(
                "this trustee already decrypted another encrypted tally of this election",
            ),
            PinError::OtherList { contest } => write!(
                f,
                "this trustee already decrypted another final list of contest #{contest}"
            ),
            PinError::OtherRegistry { fingerprint } => write!(
                f,
                "this trustee already attested another voter registry of this election ({fingerprint}): attesting a second one would let the host choose who may vote"
            ),
        }
    }
}

impl core::error::Error for PinError {}

/// A pinned board: its entry count and final head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedBoard {
    /// Entry count.
    pub count: u64,
    /// Final head, hex in JSON.
    #[serde(with = "crate::hex::serde32")]
    pub head: [u8; 32],
}

/// What one trustee decrypted of one election (JSON, beside its key share).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecryptionPins {
    /// The election's base hash.
    #[serde(with = "crate::hex::serde32")]
    pub election: [u8; 32],
    /// The board whose tally was decrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<PinnedBoard>,
    /// The decrypted tally's ciphertexts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tally: Option<Pinned>,
    /// Per contest index, the final list decrypted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<u32, Pinned>,
    /// The voter registry attested (its fingerprint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<Pinned>,
}

/// A pinned digest: of a list of ciphertexts (a tally or a final mixed list), or a
/// registry's fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pinned {
    /// SHA-256 of `LE64(#ciphertexts) ‖ A₀ ‖ B₀ ‖ …`, hex in JSON.
    #[serde(with = "crate::hex::serde32")]
    pub digest: [u8; 32],
}

/// SHA-256 of `LE64(#ciphertexts) ‖ A₀ ‖ B₀ ‖ …`.
fn digest(cts: &[Ciphertext]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update((cts.len() as u64).to_le_bytes());
    for ct in cts {
        h.update(ct.a.as_bytes());
        h.update(ct.b.as_bytes());
    }
    h.finalize().into()
}

impl DecryptionPins {
    /// Nothing decrypted yet of the election with this base hash.
    pub fn new(election: &[u8; 32]) -> Self {
        Self {
            election: *election,
            board: None,
            tally: None,
            lists: BTreeMap::new(),
            registry: None,
        }
    }

    /// Checks that the registry with `fingerprint` may be attested, and pins it: the
    /// first time, or when it is the one pinned. A trustee that attested two registries
    /// of one election would let the host pick either, with its own attestations.
    ///
    /// # Errors
    /// [`PinError::OtherElection`], [`PinError::OtherRegistry`]; nothing is pinned then.
    pub fn pin_registry(
        &mut self,
        election: &[u8; 32],
        fingerprint: &[u8; 32],
    ) -> Result<(), PinError> {
        self.check_election(election)?;
        let d = Pinned {
            digest: *fingerprint,
        };
        match self.registry {
            Some(p) if p != d => Err(PinError::OtherRegistry {
                fingerprint: crate::hex::encode(&p.digest),
            }),
            _ => {
                self.registry = Some(d);
                Ok(())
            }
        }
    }

    fn check_election(&self, election: &[u8; 32]) -> Result<(), PinError> {
        if &self.election != election {
            return Err(PinError::OtherElection);
        }
        Ok(())
    }

    /// Checks that the tally of the board (`count` entries, final `head`) may be
    /// decrypted, and pins both: the first time, or when they are the ones pinned.
    ///
    /// # Errors
    /// [`PinError::OtherElection`], [`PinError::OtherBoard`], [`PinError::OtherTally`];
    /// nothing is pinned then.
    pub fn pin_tally(
        &mut self,
        election: &[u8; 32],
        count: u64,
        head: &[u8; 32],
        tally: &EncryptedTally,
    ) -> Result<(), PinError> {
        self.check_election(election)?;
        let board = PinnedBoard { count, head: *head };
        if let Some(b) = self.board.filter(|b| *b != board) {
            return Err(PinError::OtherBoard {
                count: b.count,
                head: crate::hex::encode(&b.head),
            });
        }
        let d = Pinned {
            digest: digest(&tally.flat()),
        };
        if self.tally.is_some_and(|t| t != d) {
            return Err(PinError::OtherTally);
        }
        self.board = Some(board);
        self.tally = Some(d);
        Ok(())
    }

    /// Checks that the final list `rows` of contest `contest` may be decrypted, and
    /// pins it: the first time, or when it is the one pinned.
    ///
    /// # Errors
    /// [`PinError::OtherElection`], [`PinError::OtherList`]; nothing is pinned then.
    pub fn pin_list(
        &mut self,
        election: &[u8; 32],
        contest: u32,
        rows: &[Ciphertext],
    ) -> Result<(), PinError> {
        self.check_election(election)?;
        let d = Pinned {
            digest: digest(rows),
        };
        match self.lists.get(&contest) {
            Some(p) if *p != d => Err(PinError::OtherList { contest }),
            _ => {
                self.lists.insert(contest, d);
                Ok(())
            }
        }
    }

    /// The pins as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads pins from JSON.
    ///
    /// # Errors
    /// A message naming what is malformed.
    pub fn from_json(json: &[u8]) -> Result<Self, crate::Error> {
        serde_json::from_slice(json)
            .map_err(|e| crate::Error::invalid_input(alloc::format!("decryption pins: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::{Nonce, SecretKey};
    use rand_chacha::rand_core::SeedableRng;

    fn tally(v: u64) -> EncryptedTally {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(v);
        let ek = SecretKey::random(&mut rng).public_key().precompute();
        EncryptedTally {
            ballots: 1,
            total_weight: 1,
            contests: alloc::vec![alloc::vec![ek.encrypt(v, &Nonce::random(&mut rng))]],
        }
    }

    #[test]
    fn a_trustee_decrypts_one_board_one_tally_and_one_list_per_contest() {
        let e = [1u8; 32];
        let mut pins = DecryptionPins::new(&e);
        let t = tally(1);
        pins.pin_tally(&e, 5, &[7; 32], &t).unwrap();
        // Again the same: allowed.
        pins.pin_tally(&e, 5, &[7; 32], &t).unwrap();
        // A fork: one more ballot, another head.
        assert_eq!(
            pins.pin_tally(&e, 6, &[8; 32], &tally(2)),
            Err(PinError::OtherBoard {
                count: 5,
                head: crate::hex::encode(&[7; 32])
            })
        );
        // The same board with another tally.
        assert_eq!(
            pins.pin_tally(&e, 5, &[7; 32], &tally(2)),
            Err(PinError::OtherTally)
        );
        assert_eq!(
            pins.pin_tally(&[2; 32], 5, &[7; 32], &t),
            Err(PinError::OtherElection)
        );
        let list = t.flat();
        pins.pin_list(&e, 3, &list).unwrap();
        pins.pin_list(&e, 3, &list).unwrap();
        pins.pin_list(&e, 4, &tally(3).flat()).unwrap();
        assert_eq!(
            pins.pin_list(&e, 3, &tally(3).flat()),
            Err(PinError::OtherList { contest: 3 })
        );
        assert_eq!(
            pins.pin_list(&e, 3, &[]).unwrap_err().code(),
            "pin.other_list"
        );
        // One registry attested per election; the same one again is fine.
        pins.pin_registry(&e, &[5; 32]).unwrap();
        pins.pin_registry(&e, &[5; 32]).unwrap();
        let err = pins.pin_registry(&e, &[6; 32]).unwrap_err();
        assert_eq!(err.code(), "pin.other_registry");
        assert!(alloc::format!("{err}").contains(&"05".repeat(32)));
        assert_eq!(
            pins.pin_registry(&[2; 32], &[5; 32]),
            Err(PinError::OtherElection)
        );
        // Through JSON and back, the refusals hold.
        let mut back = DecryptionPins::from_json(pins.to_json().as_bytes()).unwrap();
        assert_eq!(back, pins);
        assert!(back.pin_tally(&e, 6, &[8; 32], &tally(2)).is_err());
        assert!(back.pin_registry(&e, &[6; 32]).is_err());
        assert!(DecryptionPins::from_json(b"{\"election\":\"00\"}").is_err());
    }
}
