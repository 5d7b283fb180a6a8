//! Completing the record: the trustees' partial decryptions of the tally, their shuffles
//! of the ranked and write-in contests (`mix`) and their partial decryptions of each
//! contest's final list (`mix_decryption`), each verified before it is stored; then the
//! results, once enough of them are in.
//!
//! Order rules (those of the record, spec §12.1): a contest's shuffles form a chain —
//! step 0 shuffles the counted ballots' rows of that contest in board order, each later
//! step the previous step's output; partial decryptions of a contest's list come after
//! its last shuffle, and no shuffle is accepted once one is stored.

use axum::http::StatusCode;
use ostracon::board::{BoardEntry, EntryKind};
use ostracon::dlog::DlogTable;
use ostracon::election::{Election, Parameters};
use ostracon::keyceremony::PublicCeremony;
use ostracon::mixnet::{MixError, MixList, MixStep, MixnetResult, ShuffleGenerators};
use ostracon::record::RecordItem;
use ostracon::tally::{EncryptedTally, Results};
use ostracon::threshold::{PartialDecryption, ThresholdError};
use rand::rngs::OsRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::store::{self, Db, StoreError};

fn store_error(e: StoreError) -> ApiError {
    eprintln!("ostracon serve: {e}");
    ApiError::internal("storage error")
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, message)
}

/// Calls `f` on every counted entry (a cast ballot no later ballot of its voter
/// supersedes), in board order, decoding in parallel chunks.
pub(crate) fn for_each_counted(
    c: &mut Db,
    mut f: impl FnMut(&BoardEntry) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let mut tx = c.read().map_err(store_error)?;
    let latest = tx.latest_positions().map_err(store_error)?;
    let mut chunk: Vec<Vec<u8>> = Vec::new();
    let mut failed: Option<ApiError> = None;
    let mut flush = |chunk: &mut Vec<Vec<u8>>| -> Result<(), ApiError> {
        let decoded: Vec<Result<_, StoreError>> =
            chunk.par_iter().map(|p| store::decode_entry(p)).collect();
        chunk.clear();
        for d in decoded {
            let e = d.map_err(store_error)?;
            if let EntryKind::Cast { voter, .. } = &e.kind {
                let counted = match voter {
                    None => true,
                    Some(v) => latest.get(v) == Some(&e.position),
                };
                if counted {
                    f(&e)?;
                }
            }
        }
        Ok(())
    };
    tx.for_each_payload(|p| {
        chunk.push(p);
        if chunk.len() >= 4096 {
            if let Err(e) = flush(&mut chunk) {
                failed = Some(e);
                return Err(StoreError::Corrupt("stopped".into()));
            }
        }
        Ok(())
    })
    .map_err(|e| failed.take().unwrap_or_else(|| store_error(e)))?;
    flush(&mut chunk)?;
    tx.commit().map_err(store_error)?;
    Ok(())
}

/// The state of the mixnet part of the record: one [`MixList`] per ranked or write-in
/// contest. A list's input (the counted ballots' rows) is read from the board only when
/// its first shuffle is imported.
pub(crate) struct Mixnet {
    lists: Vec<MixList>,
    /// Contest ids, one per list.
    ids: Vec<String>,
    /// Ballots counted in the tally, those of weight above 0: the rows of every list
    /// (a weight-0 ballot has no row either).
    counted: u64,
    /// Whether the unshuffled lists hold their input rows.
    input_read: bool,
    generators: Option<ShuffleGenerators>,
}

impl Mixnet {
    /// The stored state (the stored items were verified when imported); `counted` is
    /// the tally's number of counted ballots.
    pub(crate) fn load(
        election: &Election,
        counted: u64,
        stored: &[RecordItem],
    ) -> Result<Self, ApiError> {
        let manifest = election.manifest();
        let lists = MixList::for_manifest(manifest);
        let ids = lists
            .iter()
            .map(|l| {
                manifest
                    .contests
                    .get(l.contest() as usize)
                    .map_or_else(String::new, |c| c.id.clone())
            })
            .collect();
        let mut mix = Self {
            lists,
            ids,
            counted,
            input_read: counted == 0,
            generators: None,
        };
        for item in stored {
            match item {
                RecordItem::Mix { contest, step } => {
                    mix.list_mut(*contest)?.restore_step(step.clone());
                }
                RecordItem::MixDecryption { contest, partial } => {
                    mix.list_mut(*contest)?.restore_decryption(partial.clone());
                }
                _ => return Err(ApiError::internal("stored mixnet item of another kind")),
            }
        }
        Ok(mix)
    }

    /// Whether the election has ranked or write-in contests.
    pub(crate) fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    fn index(&self, contest: u32) -> Result<usize, ApiError> {
        self.lists
            .iter()
            .position(|l| l.contest() == contest)
            .ok_or_else(|| {
                unprocessable(
                    "not_a_mixnet_contest",
                    format!(
                        "contest #{contest} is not a ranked or write-in contest of the manifest"
                    ),
                )
            })
    }

    fn list_mut(&mut self, contest: u32) -> Result<&mut MixList, ApiError> {
        let i = self.index(contest)?;
        Ok(&mut self.lists[i])
    }

    /// Reads the counted ballots' rows into every list not shuffled yet.
    fn read_input(&mut self, c: &mut Db) -> Result<(), ApiError> {
        if self.input_read {
            return Ok(());
        }
        let lists = &mut self.lists;
        for_each_counted(c, |e| {
            for l in lists.iter_mut().filter(|l| l.steps() == 0) {
                l.push_counted(e)
                    .map_err(|e| ApiError::internal(format!("stored ballot: {e}")))?;
            }
            Ok(())
        })?;
        self.input_read = true;
        Ok(())
    }

    /// Verifies a shuffle of `contest` as the next step of its chain and takes it.
    pub(crate) fn add_mix(
        &mut self,
        c: &mut Db,
        election: &Election,
        contest: u32,
        step: &MixStep,
    ) -> Result<(), ApiError> {
        let i = self.index(contest)?;
        if self.lists[i].steps() == 0 {
            self.read_input(c)?;
        }
        let rows = self.lists[i].row_count();
        let generators = match &self.generators {
            Some(g) if g.rows() >= rows => g,
            _ => self
                .generators
                .insert(ShuffleGenerators::derive(election.base_hash(), rows)),
        };
        let l = &mut self.lists[i];
        let n = l.steps() + 1;
        l.push_step(election, generators, step.clone(), &mut OsRng)
            .map_err(|e| {
                let id = &self.ids[i];
                match e {
                    MixError::AfterDecryption => {
                        conflict("mix_after_decryption", format!("contest '{id}': {e}"))
                    }
                    MixError::EmptyList => {
                        conflict("nothing_to_mix", format!("contest '{id}': {e}"))
                    }
                    e => unprocessable(
                        "invalid_shuffle",
                        format!("contest '{id}', shuffle #{n}: {e}"),
                    ),
                }
            })
    }

    /// Verifies a trustee's partial decryption of `contest`'s final list and takes it.
    pub(crate) fn add_decryption(
        &mut self,
        election: &Election,
        ceremony: &PublicCeremony,
        contest: u32,
        partial: &PartialDecryption,
    ) -> Result<(), ApiError> {
        let i = self.index(contest)?;
        let id = &self.ids[i];
        let l = &mut self.lists[i];
        if l.steps() == 0 && self.counted > 0 {
            return Err(conflict(
                "not_mixed",
                format!("contest '{id}' has not been shuffled yet"),
            ));
        }
        // Honest trustees decrypt a list only once enough distinct trustees shuffled it.
        l.check_mixers(election.parameters().mixers())
            .map_err(|e| conflict("too_few_mixers", format!("contest '{id}': {e}")))?;
        let trustee = partial.trustee;
        l.add_decryption(election, ceremony, partial.clone(), &mut OsRng)
            .map_err(|e| match e {
                MixError::Decryption(ThresholdError::UnknownTrustee { .. }) => unprocessable(
                    "unknown_trustee",
                    format!("trustee {trustee} is not in the ceremony"),
                ),
                MixError::NotMixed => conflict(
                    "not_mixed",
                    format!("contest '{id}' has not been shuffled yet"),
                ),
                e => unprocessable(
                    "invalid_decryption",
                    format!("contest '{id}', trustee {trustee}: {e}"),
                ),
            })
    }

    /// Whether every contest is shuffled by the election's number of distinct trustees
    /// and decrypted by `t` of them (a list without counted ballots needs neither).
    pub(crate) fn ready(&self, params: &Parameters) -> bool {
        self.lists
            .iter()
            .all(|l| self.counted == 0 || (l.steps() > 0 && l.is_ready(params)))
    }

    /// The decrypted ballots and counts of every ranked and write-in contest.
    pub(crate) fn results(&self, election: &Election) -> Result<Vec<MixnetResult>, ApiError> {
        let table = DlogTable::default();
        self.lists
            .iter()
            .zip(&self.ids)
            .map(|(l, id)| {
                l.result(election, &table)
                    .map_err(|e| ApiError::internal(format!("contest '{id}': {e}")))
            })
            .collect()
    }

    /// Per contest: shuffles and the trustees who decrypted the final list.
    pub(crate) fn view(&self) -> Vec<MixnetView> {
        self.lists
            .iter()
            .zip(&self.ids)
            .map(|(l, id)| {
                let mut decrypted_by: Vec<u32> = l.partials().iter().map(|p| p.trustee).collect();
                decrypted_by.sort_unstable();
                MixnetView {
                    contest: id.clone(),
                    shuffles: l.steps(),
                    decrypted_by,
                }
            })
            .collect()
    }
}

/// Whether `item` is trustee `trustee`'s partial decryption of contest `contest`'s list.
pub(crate) fn is_decryption_of(item: &RecordItem, contest: u32, trustee: u32) -> bool {
    matches!(item, RecordItem::MixDecryption { contest: c, partial } if *c == contest && partial.trustee == trustee)
}

/// Where one ranked or write-in contest stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixnetView {
    /// Contest id.
    pub contest: String,
    /// Shuffles stored.
    pub shuffles: u32,
    /// Trustees whose partial decryption of the final list is stored.
    pub decrypted_by: Vec<u32>,
}

/// Results from the tally and, for ranked and write-in contests, the mixnet; `None`
/// while fewer than `t` trustees have decrypted something.
pub(crate) fn results(
    election: &Election,
    ceremony: &PublicCeremony,
    tally: &EncryptedTally,
    partials: &[PartialDecryption],
    mix: &Mixnet,
) -> Result<Option<Results>, ApiError> {
    let t = election.parameters().threshold;
    if partials.len() < t as usize || !mix.ready(election.parameters()) {
        return Ok(None);
    }
    let mut results = tally
        .decrypt(
            election,
            ceremony,
            partials,
            &DlogTable::default(),
            &mut OsRng,
        )
        .map_err(|e| ApiError::internal(format!("decryption failed: {e}")))?;
    results.mixnet = mix.results(election)?;
    Ok(Some(results))
}
