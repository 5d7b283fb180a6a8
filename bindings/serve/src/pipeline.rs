//! The submission pipeline: micro-batching, validation off the async runtime, ordered
//! append and group commit.
//!
//! ```text
//! handlers ──try_send──▶ [ingest queue, bounded] ──▶ validator threads (2 by default)
//!                                                      │ decode + check_submissions (rayon pool)
//!                                                      ▼
//!                                    [checked batches, bounded] ──▶ appender thread
//!                                                      Board::append_checked, one
//!                                                      transaction per batch, then replies
//! ```
//!
//! The validator takes whatever is queued (up to `max_batch`) as one batch, so batches
//! grow with the load and a lone ballot waits for nobody. While the appender commits
//! batch k, the validators check batches k+1 and k+2 (one's sequential steps overlap the
//! other's parallel proof checks). Batches reach the board in the order their checks
//! finish; submissions in flight at the same time have no order of their own. A full ingest queue answers 503 at once:
//! no queue grows without bound.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use ostracon::ballot::TrackingCode;
use ostracon::board::{
    check_submissions, Board, BoardEntry, Checked, EncodedSubmission, EntryKind, VoterRegistry,
};
use ostracon::election::Election;
use ostracon::BallotError;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::error::ApiError;
use crate::store::{self, Db, StoreError};

/// What the ballot box answers for an accepted ballot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Tracking code, hex.
    pub tracking_code: String,
    /// Tracking code in the human form shown to voters.
    pub code: String,
    /// Position on the board.
    pub position: u64,
    /// Board head after this entry, hex.
    pub head: String,
    /// `cast` or `challenged`.
    pub status: String,
}

impl Receipt {
    fn of(e: &BoardEntry) -> Self {
        Self {
            tracking_code: e.tracking_code.to_hex(),
            code: e.tracking_code.human(),
            position: e.position,
            head: ostracon::hex::encode(&e.head),
            status: status(&e.kind).into(),
        }
    }
}

/// `cast` or `challenged`.
pub fn status(kind: &EntryKind) -> &'static str {
    match kind {
        EntryKind::Cast { .. } => "cast",
        EntryKind::Challenged { .. } => "challenged",
    }
}

type Reply = oneshot::Sender<Result<Receipt, ApiError>>;

/// The encoding of a submission body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    /// `application/json`.
    Json,
    /// `application/octet-stream`: `BallotSubmission::to_bytes`.
    Binary,
}

/// A submission waiting for decoding and validation.
pub struct Job {
    /// The body's encoding.
    pub wire: Wire,
    /// The body.
    pub body: bytes::Bytes,
    /// Whether the endpoint takes challenges (else cast ballots).
    pub challenge: bool,
    /// Where the answer goes.
    pub reply: Reply,
}

/// What the appender thread is asked to do.
pub enum ToAppender {
    /// Append a checked batch.
    Batch(Vec<(Result<Checked, BallotError>, Reply)>),
    /// Close the board: refuse every later ballot, in this service and in every other
    /// one sharing the database.
    Close(oneshot::Sender<Result<(), ApiError>>),
}

/// Sizes of the pipeline.
#[derive(Clone, Copy, Debug)]
pub struct PipelineConfig {
    /// Capacity of the ingest queue (submissions waiting for validation).
    pub queue: usize,
    /// Largest batch validated and committed at once.
    pub max_batch: usize,
    /// Validator threads taking batches from the ingest queue (at least one). With two,
    /// one batch's sequential steps (gathering, hashing, replies) overlap the other's
    /// parallel proof checks, so the cores stay busy under load.
    pub validators: usize,
}

/// The running pipeline's entry points.
#[derive(Clone)]
pub struct Pipeline {
    /// Submissions in.
    pub ingest: SyncSender<Job>,
    /// Commands to the appender.
    pub appender: SyncSender<ToAppender>,
    /// Whether the board is closed.
    pub closed: Arc<AtomicBool>,
}

/// Rebuilds the board from the database and starts the validator and appender threads.
pub fn start(
    election: Arc<Election>,
    registry: Option<Arc<VoterRegistry>>,
    mut writer: Db,
    config: PipelineConfig,
) -> Result<Pipeline, StoreError> {
    let (ingest_tx, ingest_rx) = sync_channel::<Job>(config.queue.max(1));
    let (app_tx, app_rx) = sync_channel::<ToAppender>(config.validators.max(1) + 1);
    let closed = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = sync_channel::<Result<(), StoreError>>(1);
    {
        let election = election.clone();
        let closed = closed.clone();
        thread::Builder::new()
            .name("ostracon-appender".into())
            .spawn(move || {
                let mut board = Board::new(&election, None);
                let restored = catch_up(&mut writer, &mut board, &closed);
                let ok = restored.is_ok();
                let _ = ready_tx.send(restored);
                if ok {
                    appender(&election, &mut board, &mut writer, &app_rx, &closed);
                }
            })
            .map_err(StoreError::Io)?;
    }
    ready_rx
        .recv()
        .map_err(|_| StoreError::Corrupt("the appender stopped while restoring".into()))??;
    let ingest_rx = Arc::new(Mutex::new(ingest_rx));
    for i in 0..config.validators.max(1) {
        let app_tx = app_tx.clone();
        let election = election.clone();
        let registry = registry.clone();
        let ingest_rx = ingest_rx.clone();
        thread::Builder::new()
            .name(format!("ostracon-check-{i}"))
            .spawn(move || validator(&election, registry.as_deref(), &ingest_rx, &app_tx, config))
            .map_err(StoreError::Io)?;
    }
    Ok(Pipeline {
        ingest: ingest_tx,
        appender: app_tx,
        closed,
    })
}

/// Brings the board up to date with the database (at start, or after a failed write).
fn catch_up(db: &mut Db, board: &mut Board<'_>, closed: &AtomicBool) -> Result<(), StoreError> {
    let mut tx = db.read()?;
    tx.entries_from(board.len(), |s| restore(board, s))?;
    if tx.is_closed()? {
        closed.store(true, Ordering::SeqCst);
    }
    tx.commit()
}

fn restore(board: &mut Board<'_>, s: store::EntrySummary) -> Result<(), StoreError> {
    board
        .restore(s.position, &s.ballot_id, &s.tracking_code, &s.kind, &s.head)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn validator(
    election: &Election,
    registry: Option<&VoterRegistry>,
    rx: &Mutex<Receiver<Job>>,
    out: &SyncSender<ToAppender>,
    config: PipelineConfig,
) {
    let mut rng = OsRng;
    loop {
        // One validator at a time takes a batch: whatever is queued, up to `max_batch`.
        let jobs = {
            let Ok(rx) = rx.lock() else { return };
            let Ok(first) = rx.recv() else { return };
            let mut jobs = vec![first];
            while jobs.len() < config.max_batch {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            jobs
        };
        // Decoding (every point decompressed) runs on the pool too, in parallel.
        let decoded: Vec<Result<EncodedSubmission, ApiError>> = {
            use rayon::prelude::*;
            jobs.par_iter()
                .map(|j| crate::api::decode_submission(j.wire, &j.body, j.challenge))
                .collect()
        };
        let mut subs = Vec::with_capacity(jobs.len());
        let mut replies = Vec::with_capacity(jobs.len());
        for (job, d) in jobs.into_iter().zip(decoded) {
            match d {
                Ok(s) => {
                    subs.push(s);
                    replies.push(job.reply);
                }
                Err(e) => {
                    let _ = job.reply.send(Err(e));
                }
            }
        }
        if subs.is_empty() {
            continue;
        }
        let checked = check_submissions(election, registry, subs, &mut rng);
        if out
            .send(ToAppender::Batch(
                checked.into_iter().zip(replies).collect(),
            ))
            .is_err()
        {
            return;
        }
    }
}

fn appender<'e>(
    election: &'e Election,
    board: &mut Board<'e>,
    db: &mut Db,
    rx: &Receiver<ToAppender>,
    closed: &AtomicBool,
) {
    loop {
        let first = match rx.recv_timeout(Duration::from_secs(3600)) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        // Group commit: everything already waiting goes into the same transaction.
        let mut messages = vec![first];
        while let Ok(m) = rx.try_recv() {
            messages.push(m);
        }
        let mut waiting: Vec<(Reply, usize)> = Vec::new();
        let mut closers = Vec::new();
        let written = append(board, db, messages, closed, &mut waiting, &mut closers);
        match written {
            Ok(entries) => {
                for (reply, i) in waiting {
                    if let Some((e, _)) = entries.get(i) {
                        let _ = reply.send(Ok(Receipt::of(e)));
                    }
                }
                for done in closers {
                    let _ = done.send(Ok(()));
                }
            }
            Err(err) => {
                eprintln!("ostracon serve: storing a batch failed: {err}");
                for (reply, _) in waiting {
                    let _ = reply.send(Err(ApiError::internal(
                        "the ballot could not be stored; it is not on the board",
                    )));
                }
                for done in closers {
                    let _ = done.send(Err(ApiError::internal("the board could not be closed")));
                }
                // The board ran ahead of the database: rebuild it from what is stored.
                let mut fresh = Board::new(election, None);
                match catch_up(db, &mut fresh, closed) {
                    Ok(()) => *board = fresh,
                    Err(e) => {
                        eprintln!("ostracon serve: cannot rebuild the board: {e}; stopping");
                        std::process::exit(70);
                    }
                }
            }
        }
    }
}

type Closer = oneshot::Sender<Result<(), ApiError>>;

/// Appends one group of batches in one write transaction: catches up with what other
/// writers stored, refuses everything if the board is closed, chains and stores the
/// accepted entries. Answers refused ballots at once; returns the stored entries (the
/// receipts go out only after the commit).
fn append<'e>(
    board: &mut Board<'e>,
    db: &mut Db,
    messages: Vec<ToAppender>,
    closed: &AtomicBool,
    waiting: &mut Vec<(Reply, usize)>,
    closers: &mut Vec<Closer>,
) -> Result<Vec<(BoardEntry, Vec<u8>)>, StoreError> {
    let mut tx = db.write()?;
    tx.entries_from(board.len(), |s| restore(board, s))?;
    if tx.is_closed()? {
        closed.store(true, Ordering::SeqCst);
    }
    let mut entries: Vec<(BoardEntry, Vec<u8>)> = Vec::new();
    for m in messages {
        match m {
            ToAppender::Close(done) => {
                if !closed.load(Ordering::SeqCst) {
                    tx.mark_closed()?;
                    closed.store(true, Ordering::SeqCst);
                }
                closers.push(done);
            }
            ToAppender::Batch(batch) => {
                for (checked, reply) in batch {
                    if closed.load(Ordering::SeqCst) {
                        let _ = reply.send(Err(ApiError::closed()));
                        continue;
                    }
                    let appended = checked.and_then(|c| {
                        let bytes = c.ballot_bytes().to_vec();
                        board.append_checked(c).map(|e| (e, bytes))
                    });
                    match appended {
                        Ok(e) => {
                            waiting.push((reply, entries.len()));
                            entries.push(e);
                        }
                        Err(e) => {
                            let _ = reply.send(Err(ApiError::ballot(e)));
                        }
                    }
                }
            }
        }
    }
    if !entries.is_empty() {
        tx.insert(&entries)?;
    }
    tx.commit()?;
    Ok(entries)
}

/// The tracking code of a receipt, parsed.
pub fn receipt_code(r: &Receipt) -> Option<TrackingCode> {
    TrackingCode::from_hex(&r.tracking_code).ok()
}
