//! Durable storage of the board on SQLite (WAL, `synchronous=FULL`).
//!
//! Each batch of accepted ballots is written in one transaction; the transaction's
//! commit returns only once the write-ahead log is synced to disk, and only then are
//! the receipts sent (group commit: one sync per batch, not per ballot). The schema is
//! in `migrations/sqlite/`, applied in order and tracked by `PRAGMA user_version`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use ostracon::ballot::TrackingCode;
use ostracon::board::{BoardEntry, EntryKind};
use ostracon::record::{BoardSummary, Format, Header, RecordItem, Voters, MAGIC, RECORD_VERSION};
use ostracon::tally::{EncryptedTally, Results};
use ostracon::threshold::PartialDecryption;
use rusqlite::{params, Connection, OptionalExtension};

/// The migrations, in order: `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_init.sql")];

/// A storage failure.
#[derive(Debug)]
pub enum StoreError {
    /// The database refused an operation.
    Sqlite(rusqlite::Error),
    /// Stored data that does not decode or does not chain.
    Corrupt(String),
    /// The database holds no election yet.
    NotInitialised,
    /// The database already holds an election.
    AlreadyInitialised,
    /// Writing an export failed.
    Io(std::io::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "database error: {e}"),
            StoreError::Corrupt(m) => write!(f, "stored data is corrupt: {m}"),
            StoreError::NotInitialised => {
                f.write_str("the database holds no election: start with --init HEADER")
            }
            StoreError::AlreadyInitialised => f.write_str("the database already holds an election"),
            StoreError::Io(e) => write!(f, "write error: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(e)
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Opens (creating if needed) the database at `path` and applies the migrations.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let applied = usize::try_from(version).unwrap_or(usize::MAX);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "schema version {version} is newer than this program ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, m) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(m)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(conn)
}

/// Stores the header (and voter registry) of a new election.
pub fn initialise(
    conn: &Connection,
    header: &Header,
    voters: Option<&Voters>,
) -> Result<(), StoreError> {
    if get_meta(conn, "header")?.is_some() {
        return Err(StoreError::AlreadyInitialised);
    }
    let tx = conn.unchecked_transaction()?;
    put_meta(&tx, "header", &RecordItem::Header(header.clone()).payload())?;
    if let Some(v) = voters {
        put_meta(&tx, "voters", &RecordItem::Voters(v.clone()).payload())?;
    }
    tx.commit()?;
    Ok(())
}

fn put_meta(conn: &Connection, name: &str, value: &[u8]) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)",
        params![name, value],
    )?;
    Ok(())
}

fn get_meta(conn: &Connection, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

fn get_item(conn: &Connection, name: &str, tag: u8) -> Result<Option<RecordItem>, StoreError> {
    get_meta(conn, name)?
        .map(|p| RecordItem::from_payload(tag, &p).map_err(|e| corrupt(name, e)))
        .transpose()
}

/// The stored header and voter registry.
pub fn load_header(conn: &Connection) -> Result<(Header, Option<Voters>), StoreError> {
    let header = match get_item(conn, "header", 1)? {
        Some(RecordItem::Header(h)) => h,
        _ => return Err(StoreError::NotInitialised),
    };
    let voters = match get_item(conn, "voters", 2)? {
        Some(RecordItem::Voters(v)) => Some(v),
        _ => None,
    };
    Ok((header, voters))
}

/// The stored encrypted tally, once the board is closed.
pub fn load_tally(conn: &Connection) -> Result<Option<EncryptedTally>, StoreError> {
    Ok(match get_item(conn, "tally", 5)? {
        Some(RecordItem::Tally(t)) => Some(t),
        _ => None,
    })
}

/// Stores the encrypted tally (closing the board).
pub fn store_tally(conn: &Connection, tally: &EncryptedTally) -> Result<(), StoreError> {
    put_meta(conn, "tally", &RecordItem::Tally(tally.clone()).payload())
}

/// The stored results, once decrypted.
pub fn load_results(conn: &Connection) -> Result<Option<Results>, StoreError> {
    Ok(match get_item(conn, "results", 7)? {
        Some(RecordItem::Results(r)) => Some(r),
        _ => None,
    })
}

/// Stores the results.
pub fn store_results(conn: &Connection, results: &Results) -> Result<(), StoreError> {
    put_meta(
        conn,
        "results",
        &RecordItem::Results(results.clone()).payload(),
    )
}

/// Stores a trustee's verified partial decryption (replacing an earlier one).
pub fn store_decryption(conn: &Connection, partial: &PartialDecryption) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO decryptions (trustee, payload) VALUES (?1, ?2)",
        params![partial.trustee, partial.to_bytes()],
    )?;
    Ok(())
}

/// The stored partial decryptions, by trustee.
pub fn load_decryptions(conn: &Connection) -> Result<Vec<PartialDecryption>, StoreError> {
    let mut stmt = conn.prepare("SELECT payload FROM decryptions ORDER BY trustee")?;
    let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(PartialDecryption::from_bytes(&row?).map_err(|e| corrupt("decryption", e))?);
    }
    Ok(out)
}

/// Appends a batch of entries (each with its ballot's canonical bytes) in one
/// transaction; returns once it is durable.
pub fn append(conn: &mut Connection, entries: &[(BoardEntry, Vec<u8>)]) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO entries (position, tracking_code, ballot_id, voter, kind, head, payload) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (e, ballot) in entries {
            let voter = match &e.kind {
                EntryKind::Cast { voter, .. } => voter.as_deref(),
                EntryKind::Challenged { .. } => None,
            };
            let payload = ostracon::record::entry_payload(e.position, &e.kind, ballot, &e.head);
            stmt.execute(params![
                i64::try_from(e.position).unwrap_or(i64::MAX),
                &e.tracking_code.0[..],
                e.ballot.ballot_id,
                voter,
                e.kind.to_bytes(),
                &e.head[..],
                payload,
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// What a stored entry says without its ballot.
#[derive(Clone, Debug, PartialEq)]
pub struct EntrySummary {
    /// Position.
    pub position: u64,
    /// Tracking code.
    pub tracking_code: TrackingCode,
    /// Ballot id.
    pub ballot_id: String,
    /// Cast (with voter, weight, signature) or challenged (with the opening).
    pub kind: EntryKind,
    /// Head after the entry.
    pub head: [u8; 32],
}

/// position, tracking code, ballot id, kind, head.
type SummaryRow = (i64, Vec<u8>, String, Vec<u8>, Vec<u8>);

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn summary(
    (position, code, ballot_id, kind, head): SummaryRow,
) -> Result<EntrySummary, StoreError> {
    let position = u64::try_from(position).map_err(|e| corrupt("position", e))?;
    let tracking_code = TrackingCode(
        code.try_into()
            .map_err(|_| corrupt("tracking code", "not 32 bytes"))?,
    );
    let kind = EntryKind::from_bytes(&kind).map_err(|e| corrupt("entry", e))?;
    let head = head
        .try_into()
        .map_err(|_| corrupt("head", "not 32 bytes"))?;
    Ok(EntrySummary {
        position,
        tracking_code,
        ballot_id,
        kind,
        head,
    })
}

const SUMMARY_COLUMNS: &str = "position, tracking_code, ballot_id, kind, head";

/// Calls `f` on every entry summary in board order (for rebuilding the board).
pub fn for_each_summary(
    conn: &Connection,
    mut f: impl FnMut(EntrySummary) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM entries ORDER BY position"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(summary(summary_row(r)?)?)?;
    }
    Ok(())
}

/// Entries from `from`, at most `limit`, in board order.
pub fn page(conn: &Connection, from: u64, limit: u32) -> Result<Vec<EntrySummary>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM entries WHERE position >= ?1 ORDER BY position LIMIT ?2"
    ))?;
    let rows = stmt.query_map(
        params![i64::try_from(from).unwrap_or(i64::MAX), limit],
        summary_row,
    )?;
    rows.map(|r| summary(r?)).collect()
}

/// The entry with this tracking code, and whether it is counted (a cast ballot that
/// no later ballot of its voter supersedes).
pub fn lookup(
    conn: &Connection,
    code: &TrackingCode,
) -> Result<Option<(EntrySummary, bool)>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM entries WHERE tracking_code = ?1"
    ))?;
    let Some(row) = stmt.query_row([&code.0[..]], summary_row).optional()? else {
        return Ok(None);
    };
    let s = summary(row)?;
    let counted = match &s.kind {
        EntryKind::Challenged { .. } => false,
        EntryKind::Cast { voter: None, .. } => true,
        EntryKind::Cast { voter: Some(v), .. } => {
            let latest: Option<i64> = conn.query_row(
                "SELECT MAX(position) FROM entries WHERE voter = ?1",
                [v],
                |r| r.get(0),
            )?;
            latest.and_then(|p| u64::try_from(p).ok()) == Some(s.position)
        }
    };
    Ok(Some((s, counted)))
}

/// Number of entries and the head after the last one (`None` when empty).
pub fn head(conn: &Connection) -> Result<(u64, Option<[u8; 32]>), StoreError> {
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT position, head FROM entries ORDER BY position DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        None => Ok((0, None)),
        Some((p, h)) => Ok((
            u64::try_from(p).map_err(|e| corrupt("position", e))? + 1,
            Some(h.try_into().map_err(|_| corrupt("head", "not 32 bytes"))?),
        )),
    }
}

/// Each voter's latest cast position.
pub fn latest_positions(conn: &Connection) -> Result<HashMap<String, u64>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT voter, MAX(position) FROM entries WHERE voter IS NOT NULL GROUP BY voter",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (v, p) = row?;
        out.insert(v, u64::try_from(p).map_err(|e| corrupt("position", e))?);
    }
    Ok(out)
}

/// Calls `f` on every stored entry payload (binary frame payload) in board order.
pub fn for_each_payload(
    conn: &Connection,
    mut f: impl FnMut(Vec<u8>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT payload FROM entries ORDER BY position")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(r.get(0)?)?;
    }
    Ok(())
}

/// Writes the election record held by the database: header, voters, every entry, the
/// board summary, and (once present) the tally, the partial decryptions and the
/// results. `genesis` is the board's genesis head (the head of an empty board).
pub fn export(
    conn: &Connection,
    out: &mut dyn Write,
    format: Format,
    genesis: [u8; 32],
) -> Result<(), StoreError> {
    let emit = |out: &mut dyn Write, tag: u8, payload: &[u8]| -> Result<(), StoreError> {
        match format {
            Format::Binary => {
                out.write_all(&[tag])?;
                out.write_all(&(payload.len() as u32).to_le_bytes())?;
                out.write_all(payload)?;
            }
            Format::Json => {
                let item = RecordItem::from_payload(tag, payload)
                    .map_err(|e| corrupt("record item", e))?;
                let line = item.to_json_line().map_err(|e| corrupt("record item", e))?;
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    };
    if format == Format::Binary {
        out.write_all(MAGIC)?;
        out.write_all(&RECORD_VERSION.to_le_bytes())?;
    }
    let header = get_meta(conn, "header")?.ok_or(StoreError::NotInitialised)?;
    emit(out, 1, &header)?;
    if let Some(v) = get_meta(conn, "voters")? {
        emit(out, 2, &v)?;
    }
    // One read transaction: the entries and the summary describe the same board.
    let tx = conn.unchecked_transaction()?;
    let (count, last) = head(&tx)?;
    let mut n = 0u64;
    for_each_payload(&tx, |p| {
        if n < count {
            emit(out, 3, &p)?;
        }
        n += 1;
        Ok(())
    })?;
    let summary = BoardSummary {
        count,
        head: last.unwrap_or(genesis),
    };
    emit(out, 4, &RecordItem::Board(summary).payload())?;
    if let Some(t) = get_meta(&tx, "tally")? {
        emit(out, 5, &t)?;
        for d in load_decryptions(&tx)? {
            emit(out, 6, &d.to_bytes())?;
        }
        if let Some(r) = get_meta(&tx, "results")? {
            emit(out, 7, &r)?;
        }
    }
    tx.commit()?;
    out.flush()?;
    Ok(())
}

/// Decodes a stored entry payload.
pub fn decode_entry(payload: &[u8]) -> Result<BoardEntry, StoreError> {
    match RecordItem::from_payload(3, payload).map_err(|e| corrupt("entry", e))? {
        RecordItem::Entry(e) => Ok(e),
        _ => Err(StoreError::Corrupt("entry: not an entry".into())),
    }
}
