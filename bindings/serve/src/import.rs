//! Completing the record: the trustees' partial decryptions of the tally, their shuffles
//! of the ranked and write-in contests (`mix`) and their partial decryptions of each
//! contest's final list (`mix_decryption`), each verified before it is stored; then the
//! results, once enough of them are in.
//!
//! Order rules (those of the record, spec §12.1): a contest's shuffles form a chain —
//! step 0 shuffles the counted ballots' rows of that contest in board order, each later
//! step the previous step's output; partial decryptions of a contest's list come after
//! its last shuffle, and no shuffle is accepted once one is stored.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use ostracon::board::{BoardEntry, EntryKind};
use ostracon::dlog::DlogTable;
use ostracon::election::Election;
use ostracon::elgamal::Ciphertext;
use ostracon::keyceremony::PublicCeremony;
use ostracon::mixnet::{self, shuffle, MixStep, MixnetResult, ShuffleGenerators};
use ostracon::record::RecordItem;
use ostracon::tally::{EncryptedTally, Results};
use ostracon::threshold::{self, PartialDecryption};
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

/// One ranked or write-in contest's state.
struct List {
    contest: u32,
    id: String,
    width: usize,
    /// Shuffles stored so far (with the ones being imported).
    steps: u32,
    /// The current list: the last shuffle's output (empty before the first shuffle,
    /// when the counted rows are read from the board only if needed).
    rows: Vec<Ciphertext>,
    /// Trustees whose partial decryption of the final list is stored.
    decrypted_by: BTreeSet<u32>,
    /// Those partial decryptions.
    partials: Vec<PartialDecryption>,
}

/// The state of the mixnet part of the record.
pub(crate) struct Mixnet {
    lists: Vec<List>,
    /// Counted rows, read from the board on first need.
    counted_rows: Option<Vec<Vec<Ciphertext>>>,
    generators: Option<ShuffleGenerators>,
}

impl Mixnet {
    /// The stored state (the stored items were verified when imported).
    pub(crate) fn load(election: &Election, stored: &[RecordItem]) -> Result<Self, ApiError> {
        let mut lists: Vec<List> = election
            .manifest()
            .contests
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.rule.is_homomorphic())
            .map(|(i, c)| List {
                contest: i as u32,
                id: c.id.clone(),
                width: c.width(),
                steps: 0,
                rows: Vec::new(),
                decrypted_by: BTreeSet::new(),
                partials: Vec::new(),
            })
            .collect();
        for item in stored {
            match item {
                RecordItem::Mix { contest, step } => {
                    let l = list_mut(&mut lists, *contest)?;
                    l.steps += 1;
                    l.rows = step.output.clone();
                }
                RecordItem::MixDecryption { contest, partial } => {
                    let l = list_mut(&mut lists, *contest)?;
                    l.decrypted_by.insert(partial.trustee);
                    l.partials.push(partial.clone());
                }
                _ => return Err(ApiError::internal("stored mixnet item of another kind")),
            }
        }
        Ok(Self {
            lists,
            counted_rows: None,
            generators: None,
        })
    }

    /// Whether the election has ranked or write-in contests.
    pub(crate) fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    fn counted_rows(&mut self, c: &mut Db, list: usize) -> Result<Vec<Ciphertext>, ApiError> {
        if self.counted_rows.is_none() {
            let contests: Vec<usize> = self.lists.iter().map(|l| l.contest as usize).collect();
            let mut rows: Vec<Vec<Ciphertext>> = vec![Vec::new(); contests.len()];
            for_each_counted(c, |e| {
                for (r, &ci) in rows.iter_mut().zip(&contests) {
                    let Some(sel) = e.ballot.contests.get(ci) else {
                        return Err(ApiError::internal("stored ballot without the contest"));
                    };
                    r.extend_from_slice(&sel.selections);
                }
                Ok(())
            })?;
            self.counted_rows = Some(rows);
        }
        Ok(self
            .counted_rows
            .as_ref()
            .and_then(|r| r.get(list))
            .cloned()
            .unwrap_or_default())
    }

    /// Verifies a shuffle of `contest` as the next step of its chain and takes it.
    pub(crate) fn add_mix(
        &mut self,
        c: &mut Db,
        election: &Election,
        contest: u32,
        step: &MixStep,
    ) -> Result<(), ApiError> {
        let i = list_index(&self.lists, contest)?;
        let l = &self.lists[i];
        if !l.decrypted_by.is_empty() {
            return Err(conflict(
                "mix_after_decryption",
                format!(
                    "contest '{}': its final list is already being decrypted; no further shuffle",
                    l.id
                ),
            ));
        }
        let input = if l.steps == 0 {
            self.counted_rows(c, i)?
        } else {
            self.lists[i].rows.clone()
        };
        let l = &self.lists[i];
        let rows = input.len() / l.width.max(1);
        if rows == 0 {
            return Err(conflict(
                "nothing_to_mix",
                format!("contest '{}': no counted ballot to shuffle", l.id),
            ));
        }
        let generators = match &self.generators {
            Some(g) if g.rows() >= rows => g,
            _ => self
                .generators
                .insert(ShuffleGenerators::derive(election.base_hash(), rows)),
        };
        let ctx = mixnet::mix_context(&election.context(), contest, l.steps);
        shuffle::verify(
            &ctx,
            election.joint_key(),
            generators,
            &input,
            &step.output,
            l.width,
            &step.proof,
            &mut OsRng,
        )
        .map_err(|e| {
            unprocessable(
                "invalid_shuffle",
                format!("contest '{}', shuffle #{}: {e}", l.id, l.steps + 1),
            )
        })?;
        let l = &mut self.lists[i];
        l.steps += 1;
        l.rows = step.output.clone();
        Ok(())
    }

    /// Verifies a trustee's partial decryption of `contest`'s final list and takes it.
    pub(crate) fn add_decryption(
        &mut self,
        election: &Election,
        ceremony: &PublicCeremony,
        contest: u32,
        partial: &PartialDecryption,
    ) -> Result<(), ApiError> {
        let i = list_index(&self.lists, contest)?;
        let l = &mut self.lists[i];
        if l.steps == 0 {
            return Err(conflict(
                "not_mixed",
                format!("contest '{}' has not been shuffled yet", l.id),
            ));
        }
        let share = ceremony.verification_share(partial.trustee).map_err(|_| {
            unprocessable(
                "unknown_trustee",
                format!("trustee {} is not in the ceremony", partial.trustee),
            )
        })?;
        let pctx = mixnet::decryption_context(&election.decryption_context(), contest);
        partial
            .verify(&pctx, &share, &l.rows, &mut OsRng)
            .map_err(|e| {
                unprocessable(
                    "invalid_decryption",
                    format!("contest '{}', trustee {}: {e}", l.id, partial.trustee),
                )
            })?;
        l.decrypted_by.insert(partial.trustee);
        l.partials.retain(|p| p.trustee != partial.trustee);
        l.partials.push(partial.clone());
        Ok(())
    }

    /// Whether every contest is shuffled and decrypted by `threshold` trustees.
    pub(crate) fn ready(&self, threshold: usize) -> bool {
        self.lists
            .iter()
            .all(|l| l.steps > 0 && l.decrypted_by.len() >= threshold)
    }

    /// The decrypted ballots and counts of every ranked and write-in contest.
    pub(crate) fn results(&self, election: &Election) -> Result<Vec<MixnetResult>, ApiError> {
        let t = election.parameters().threshold;
        let table = DlogTable::default();
        let manifest = election.manifest();
        let mut out = Vec::with_capacity(self.lists.len());
        for l in &self.lists {
            let Some(contest) = manifest.contests.get(l.contest as usize) else {
                return Err(ApiError::internal("contest out of range"));
            };
            let values = if l.rows.is_empty() {
                Vec::new()
            } else {
                let points = threshold::combine(t, &l.rows, &l.partials)
                    .map_err(|e| ApiError::internal(format!("contest '{}': {e}", l.id)))?;
                let bound = mixnet::encoding::value_max(&contest.rule, contest.options.len())
                    .unwrap_or(0)
                    + 1;
                points
                    .iter()
                    .map(|p| table.find(p, bound))
                    .collect::<Result<Vec<u64>, _>>()
                    .map_err(|e| ApiError::internal(format!("contest '{}': {e}", l.id)))?
            };
            out.push(MixnetResult::from_rows(contest, &values));
        }
        Ok(out)
    }

    /// Per contest: shuffles and the trustees who decrypted the final list.
    pub(crate) fn view(&self) -> Vec<MixnetView> {
        self.lists
            .iter()
            .map(|l| MixnetView {
                contest: l.id.clone(),
                shuffles: l.steps,
                decrypted_by: l.decrypted_by.iter().copied().collect(),
            })
            .collect()
    }
}

fn list_index(lists: &[List], contest: u32) -> Result<usize, ApiError> {
    lists
        .iter()
        .position(|l| l.contest == contest)
        .ok_or_else(|| {
            unprocessable(
                "not_a_mixnet_contest",
                format!("contest #{contest} is not a ranked or write-in contest of the manifest"),
            )
        })
}

fn list_mut(lists: &mut [List], contest: u32) -> Result<&mut List, ApiError> {
    let i = list_index(lists, contest)?;
    Ok(&mut lists[i])
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
    let t = election.parameters().threshold as usize;
    if partials.len() < t || !mix.ready(t) {
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
