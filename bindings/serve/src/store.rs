//! Durable storage of the board: SQLite (one file, WAL, `synchronous=FULL`) or
//! PostgreSQL (a connection URL; several services may share one database).
//!
//! Each batch of accepted ballots is written in one transaction; the commit returns only
//! once the write is durable (SQLite: the write-ahead log synced; PostgreSQL: the commit
//! record flushed, `synchronous_commit` on), and only then are the receipts sent (group
//! commit: one sync per batch, not per ballot).
//!
//! Every append runs in a [`Tx`] opened by [`Db::write`], which first takes the
//! database's writer lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped
//! advisory lock), so that writers — the threads of one service, or several services
//! behind a load balancer — append one after the other. Under that lock a writer first
//! reads what the others appended since it last looked ([`Tx::entries_from`]) and
//! whether the board was closed, then chains its own entries after them.
//!
//! Schemas are in `migrations/sqlite/` and `migrations/postgres/`, applied in order
//! (tracked by `PRAGMA user_version` in SQLite and the `schema_version` table in
//! PostgreSQL, under an advisory lock so that services starting together apply them once).

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use ostracon::ballot::TrackingCode;
use ostracon::board::{BoardEntry, EntryKind};
use ostracon::record::{BoardSummary, Format, Header, RecordItem, Voters, MAGIC, RECORD_VERSION};
use ostracon::registry::RegistryAttestation;
use ostracon::tally::{EncryptedTally, Results};
use ostracon::threshold::PartialDecryption;
use postgres::fallible_iterator::FallibleIterator;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// The SQLite migrations, in order: `user_version` is the number applied.
const SQLITE_MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_init.sql"),
    include_str!("../migrations/sqlite/0002_mixnet.sql"),
];

/// The PostgreSQL migrations, in order: `schema_version.version` is the number applied.
const POSTGRES_MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_init.sql"),
    include_str!("../migrations/postgres/0002_mixnet.sql"),
];

/// Key of the PostgreSQL advisory lock held by the writer of a batch ("ostracon" in ASCII).
const WRITER_LOCK: i64 = 0x6f73_7472_6163_6f6e;
/// Key of the PostgreSQL advisory lock held while migrations are applied.
const MIGRATION_LOCK: i64 = WRITER_LOCK + 1;

/// Where the board is stored.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user:password@host:port/database`, or
    /// any form `tokio-postgres` accepts). The database must exist; the tables are
    /// created on first use.
    Postgres(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL selects PostgreSQL; anything else is the
    /// path of a SQLite file.
    pub fn parse(s: &str) -> Self {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(s))
        }
    }
}

/// The location without the password of a PostgreSQL URL (for logs and errors).
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Location({self})")
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(parts) => parts,
        None => return url.to_owned(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// A storage failure.
#[derive(Debug)]
pub enum StoreError {
    /// SQLite refused an operation.
    Sqlite(rusqlite::Error),
    /// PostgreSQL refused an operation (or the connection failed).
    Postgres(postgres::Error),
    /// Stored data that does not decode or does not chain.
    Corrupt(String),
    /// The database holds no election yet.
    NotInitialised,
    /// The database already holds an election.
    AlreadyInitialised,
    /// Writing an export failed.
    Io(std::io::Error),
    /// Another service changed what a write was based on since it was read: retry.
    Conflict(&'static str),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "database error (SQLite): {e}"),
            StoreError::Postgres(e) => write!(f, "database error (PostgreSQL): {e}"),
            StoreError::Corrupt(m) => write!(f, "stored data is corrupt: {m}"),
            StoreError::NotInitialised => {
                f.write_str("the database holds no election: start with --init HEADER")
            }
            StoreError::AlreadyInitialised => f.write_str("the database already holds an election"),
            StoreError::Io(e) => write!(f, "write error: {e}"),
            StoreError::Conflict(m) => write!(f, "concurrent change: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError::Postgres(e)
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

fn position_param(p: u64) -> i64 {
    i64::try_from(p).unwrap_or(i64::MAX)
}

fn position_of(p: i64) -> Result<u64, StoreError> {
    u64::try_from(p).map_err(|e| corrupt("position", e))
}

/// An open database connection.
pub enum Db {
    /// SQLite.
    Sqlite(Connection),
    /// PostgreSQL.
    Postgres(PgClient),
}

/// A synchronous PostgreSQL client. The client drives a runtime of its own, which must
/// not be entered from a thread that runs async tasks: it is used from the appender
/// thread and the blocking pool only, and closed on a thread of its own when dropped
/// (wherever the drop happens).
pub struct PgClient(Option<postgres::Client>);

impl PgClient {
    fn get(&mut self) -> Result<&mut postgres::Client, StoreError> {
        self.0
            .as_mut()
            .ok_or_else(|| StoreError::Corrupt("the PostgreSQL connection is closed".into()))
    }
}

impl Drop for PgClient {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            let _ = std::thread::Builder::new()
                .name("ostracon-pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

impl Db {
    /// Opens the database (creating a SQLite file if needed) and applies the migrations.
    pub fn open(location: &Location) -> Result<Db, StoreError> {
        match location {
            Location::Sqlite(path) => open_sqlite(path).map(Db::Sqlite),
            Location::Postgres(url) => open_postgres(url).map(|c| Db::Postgres(PgClient(Some(c)))),
        }
    }

    /// A read transaction: every read in it sees the same state of the database.
    pub fn read(&mut self) -> Result<Tx<'_>, StoreError> {
        Ok(Tx(match self {
            Db::Sqlite(c) => {
                Inner::Sqlite(c.transaction_with_behavior(TransactionBehavior::Deferred)?)
            }
            Db::Postgres(c) => Inner::Postgres(
                c.get()?
                    .build_transaction()
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .start()?,
            ),
        }))
    }

    /// A write transaction holding the database's writer lock until it commits or is
    /// dropped: at most one is open at a time, whatever the number of services.
    pub fn write(&mut self) -> Result<Tx<'_>, StoreError> {
        Ok(Tx(match self {
            Db::Sqlite(c) => {
                Inner::Sqlite(c.transaction_with_behavior(TransactionBehavior::Immediate)?)
            }
            Db::Postgres(c) => {
                let mut tx = c.get()?.transaction()?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])?;
                Inner::Postgres(tx)
            }
        }))
    }
}

fn open_sqlite(path: &std::path::Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let applied = usize::try_from(version).unwrap_or(usize::MAX);
    if applied > SQLITE_MIGRATIONS.len() {
        return Err(newer_schema(version, SQLITE_MIGRATIONS.len()));
    }
    for (i, m) in SQLITE_MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(m)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(conn)
}

fn newer_schema(version: i64, known: usize) -> StoreError {
    StoreError::Corrupt(format!(
        "schema version {version} is newer than this program ({known})"
    ))
}

fn open_postgres(url: &str) -> Result<postgres::Client, StoreError> {
    let mut client = postgres::Client::connect(url, postgres::NoTls)?;
    // Services starting together: one applies the migrations, the others wait.
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let migrated = migrate_postgres(&mut client);
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    migrated?;
    unlocked?;
    Ok(client)
}

fn migrate_postgres(client: &mut postgres::Client) -> Result<(), StoreError> {
    client.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let version: i32 = client
        .query_opt("SELECT version FROM schema_version", &[])?
        .map(|r| r.try_get(0))
        .transpose()?
        .unwrap_or(0);
    let applied = usize::try_from(version).unwrap_or(usize::MAX);
    if applied > POSTGRES_MIGRATIONS.len() {
        return Err(newer_schema(version.into(), POSTGRES_MIGRATIONS.len()));
    }
    for (i, m) in POSTGRES_MIGRATIONS.iter().enumerate().skip(applied) {
        let mut tx = client.transaction()?;
        tx.batch_execute(m)?;
        tx.execute("DELETE FROM schema_version", &[])?;
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&v])?;
        tx.commit()?;
    }
    Ok(())
}

/// A transaction on either database (see [`Db::read`] and [`Db::write`]). Dropped
/// without [`Tx::commit`], it rolls back.
pub struct Tx<'a>(Inner<'a>);

enum Inner<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres(postgres::Transaction<'a>),
}

/// position, tracking code, ballot id, kind, head.
type SummaryRow = (i64, Vec<u8>, String, Vec<u8>, Vec<u8>);

fn sqlite_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn postgres_summary(r: &postgres::Row) -> Result<SummaryRow, postgres::Error> {
    Ok((
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
    ))
}

const SUMMARY_COLUMNS: &str = "position, tracking_code, ballot_id, kind, head";

fn no_params() -> std::iter::Empty<&'static (dyn postgres::types::ToSql + Sync)> {
    std::iter::empty()
}

impl Tx<'_> {
    /// Commits (a write is durable when this returns).
    pub fn commit(self) -> Result<(), StoreError> {
        match self.0 {
            Inner::Sqlite(t) => t.commit()?,
            Inner::Postgres(t) => t.commit()?,
        }
        Ok(())
    }

    fn get_meta(&mut self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(match &mut self.0 {
            Inner::Sqlite(t) => t
                .query_row("SELECT value FROM meta WHERE name = $1", [name], |r| {
                    r.get(0)
                })
                .optional()?,
            Inner::Postgres(t) => t
                .query_opt("SELECT value FROM meta WHERE name = $1", &[&name])?
                .map(|r| r.try_get(0))
                .transpose()?,
        })
    }

    fn put_meta(&mut self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        match &mut self.0 {
            Inner::Sqlite(t) => {
                t.execute(
                    "INSERT OR REPLACE INTO meta (name, value) VALUES ($1, $2)",
                    params![name, value],
                )?;
            }
            Inner::Postgres(t) => {
                t.execute(
                    "INSERT INTO meta (name, value) VALUES ($1, $2) \
                     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                    &[&name, &value],
                )?;
            }
        }
        Ok(())
    }

    fn get_item(&mut self, name: &str, tag: u8) -> Result<Option<RecordItem>, StoreError> {
        self.get_meta(name)?
            .map(|p| RecordItem::from_payload(tag, &p).map_err(|e| corrupt(name, e)))
            .transpose()
    }

    /// Whether the board is closed (no entry may be appended).
    pub fn is_closed(&mut self) -> Result<bool, StoreError> {
        Ok(self.get_meta("closed")?.is_some() || self.get_meta("tally")?.is_some())
    }

    /// Closes the board: every writer refuses later ballots once this commits.
    pub fn mark_closed(&mut self) -> Result<(), StoreError> {
        self.put_meta("closed", b"")
    }

    /// Calls `f` on every entry summary from position `from`, in board order (a writer
    /// catching up with the others; a restart rebuilding the board from 0).
    pub fn entries_from(
        &mut self,
        from: u64,
        mut f: impl FnMut(EntrySummary) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM entries WHERE position >= $1 ORDER BY position");
        let from = position_param(from);
        match &mut self.0 {
            Inner::Sqlite(t) => {
                let mut stmt = t.prepare_cached(&sql)?;
                let mut rows = stmt.query([from])?;
                while let Some(r) = rows.next()? {
                    f(summary(sqlite_summary(r)?)?)?;
                }
            }
            Inner::Postgres(t) => {
                let params: [&(dyn postgres::types::ToSql + Sync); 1] = [&from];
                let mut rows = t.query_raw(sql.as_str(), params)?;
                while let Some(r) = rows.next()? {
                    f(summary(postgres_summary(&r)?)?)?;
                }
            }
        }
        Ok(())
    }

    /// Entries from `from`, at most `limit`, in board order.
    pub fn page(&mut self, from: u64, limit: u32) -> Result<Vec<EntrySummary>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM entries WHERE position >= $1 ORDER BY position LIMIT $2"
        );
        self.summaries(&sql, position_param(from), limit)
    }

    /// The summaries a query with parameters `$1` (`first`) and `$2` (`limit`) selects.
    fn summaries<P>(
        &mut self,
        sql: &str,
        first: P,
        limit: u32,
    ) -> Result<Vec<EntrySummary>, StoreError>
    where
        P: rusqlite::ToSql + postgres::types::ToSql + Sync,
    {
        let rows: Vec<SummaryRow> = match &mut self.0 {
            Inner::Sqlite(t) => {
                let mut stmt = t.prepare_cached(sql)?;
                let rows = stmt.query_map(params![first, limit], sqlite_summary)?;
                rows.collect::<Result<_, _>>()?
            }
            Inner::Postgres(t) => t
                .query(sql, &[&first, &i64::from(limit)])?
                .iter()
                .map(postgres_summary)
                .collect::<Result<_, _>>()?,
        };
        rows.into_iter().map(summary).collect()
    }

    /// The entry with this tracking code.
    pub fn find(&mut self, code: &TrackingCode) -> Result<Option<EntrySummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM entries WHERE tracking_code = $1");
        let code = &code.0[..];
        let row = match &mut self.0 {
            Inner::Sqlite(t) => t
                .prepare_cached(&sql)?
                .query_row([code], sqlite_summary)
                .optional()?,
            Inner::Postgres(t) => t
                .query_opt(sql.as_str(), &[&code])?
                .map(|r| postgres_summary(&r))
                .transpose()?,
        };
        row.map(summary).transpose()
    }

    /// The entries whose tracking code starts with `prefix` (at most `limit`).
    pub fn find_prefix(
        &mut self,
        prefix: &[u8],
        limit: u32,
    ) -> Result<Vec<EntrySummary>, StoreError> {
        // The codes at or after the prefix, in order (an index range scan); those
        // starting with it come first.
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM entries WHERE tracking_code >= $1 \
             ORDER BY tracking_code LIMIT $2"
        );
        let mut found = self.summaries(&sql, prefix, limit)?;
        found.retain(|s| s.tracking_code.0.starts_with(prefix));
        Ok(found)
    }

    /// The position of the voter's latest cast ballot.
    pub fn latest_of(&mut self, voter: &str) -> Result<Option<u64>, StoreError> {
        const SQL: &str = "SELECT MAX(position) FROM entries WHERE voter = $1";
        let p: Option<i64> = match &mut self.0 {
            Inner::Sqlite(t) => t.query_row(SQL, [voter], |r| r.get(0))?,
            Inner::Postgres(t) => t.query_one(SQL, &[&voter])?.try_get(0)?,
        };
        p.map(position_of).transpose()
    }

    /// Number of entries and the head after the last one (`None` when empty).
    pub fn head(&mut self) -> Result<(u64, Option<[u8; 32]>), StoreError> {
        const SQL: &str = "SELECT position, head FROM entries ORDER BY position DESC LIMIT 1";
        let row: Option<(i64, Vec<u8>)> = match &mut self.0 {
            Inner::Sqlite(t) => t
                .query_row(SQL, [], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?,
            Inner::Postgres(t) => t
                .query_opt(SQL, &[])?
                .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
                .transpose()?,
        };
        match row {
            None => Ok((0, None)),
            Some((p, h)) => Ok((
                position_of(p)? + 1,
                Some(h.try_into().map_err(|_| corrupt("head", "not 32 bytes"))?),
            )),
        }
    }

    /// Each voter's latest cast position.
    pub fn latest_positions(&mut self) -> Result<HashMap<String, u64>, StoreError> {
        const SQL: &str =
            "SELECT voter, MAX(position) FROM entries WHERE voter IS NOT NULL GROUP BY voter";
        let rows: Vec<(String, i64)> = match &mut self.0 {
            Inner::Sqlite(t) => {
                let mut stmt = t.prepare(SQL)?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<Result<_, _>>()?
            }
            Inner::Postgres(t) => t
                .query(SQL, &[])?
                .iter()
                .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, _>>()?,
        };
        rows.into_iter()
            .map(|(v, p)| Ok((v, position_of(p)?)))
            .collect()
    }

    /// Calls `f` on every stored entry payload (binary frame payload) in board order,
    /// streaming (the board is never held in memory).
    pub fn for_each_payload(
        &mut self,
        mut f: impl FnMut(Vec<u8>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "SELECT payload FROM entries ORDER BY position";
        match &mut self.0 {
            Inner::Sqlite(t) => {
                let mut stmt = t.prepare(SQL)?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    f(r.get(0)?)?;
                }
            }
            Inner::Postgres(t) => {
                let mut rows = t.query_raw(SQL, no_params())?;
                while let Some(r) = rows.next()? {
                    f(r.try_get(0)?)?;
                }
            }
        }
        Ok(())
    }

    /// Stores a trustee's verified partial decryption (replacing an earlier one).
    pub fn put_decryption(&mut self, partial: &PartialDecryption) -> Result<(), StoreError> {
        let bytes = partial.to_bytes();
        match &mut self.0 {
            Inner::Sqlite(t) => {
                t.execute(
                    "INSERT OR REPLACE INTO decryptions (trustee, payload) VALUES ($1, $2)",
                    params![partial.trustee, bytes],
                )?;
            }
            Inner::Postgres(t) => {
                t.execute(
                    "INSERT INTO decryptions (trustee, payload) VALUES ($1, $2) \
                     ON CONFLICT (trustee) DO UPDATE SET payload = EXCLUDED.payload",
                    &[&i64::from(partial.trustee), &bytes],
                )?;
            }
        }
        Ok(())
    }

    /// The stored partial decryptions, by trustee.
    pub fn decryptions(&mut self) -> Result<Vec<PartialDecryption>, StoreError> {
        const SQL: &str = "SELECT payload FROM decryptions ORDER BY trustee";
        let rows: Vec<Vec<u8>> = match &mut self.0 {
            Inner::Sqlite(t) => {
                let mut stmt = t.prepare(SQL)?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            }
            Inner::Postgres(t) => t
                .query(SQL, &[])?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?,
        };
        rows.iter()
            .map(|b| PartialDecryption::from_bytes(b).map_err(|e| corrupt("decryption", e)))
            .collect()
    }

    /// The stored mixnet items (`mix` and `mix_decryption`), in import order.
    pub fn mixnet_items(&mut self) -> Result<Vec<RecordItem>, StoreError> {
        const SQL: &str = "SELECT tag, payload FROM mixnet ORDER BY seq";
        let rows: Vec<(i64, Vec<u8>)> = match &mut self.0 {
            Inner::Sqlite(t) => {
                let mut stmt = t.prepare(SQL)?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<Result<_, _>>()?
            }
            Inner::Postgres(t) => t
                .query(SQL, &[])?
                .iter()
                .map(|r| {
                    Ok::<_, postgres::Error>((i64::from(r.try_get::<_, i32>(0)?), r.try_get(1)?))
                })
                .collect::<Result<_, _>>()?,
        };
        rows.iter()
            .map(|(tag, payload)| {
                let tag = u8::try_from(*tag).map_err(|e| corrupt("mixnet item", e))?;
                RecordItem::from_payload(tag, payload).map_err(|e| corrupt("mixnet item", e))
            })
            .collect()
    }

    /// The mixnet items' version: the highest sequence number (never reused), 0 when
    /// none.
    pub fn mixnet_version(&mut self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COALESCE(MAX(seq), 0) FROM mixnet";
        Ok(match &mut self.0 {
            Inner::Sqlite(t) => t.query_row(SQL, [], |r| r.get(0))?,
            Inner::Postgres(t) => t.query_one(SQL, &[])?.try_get(0)?,
        })
    }

    /// Deletes a stored mixnet item (a trustee's decryption a later one replaces).
    pub fn delete_mixnet_item(&mut self, item: &RecordItem) -> Result<(), StoreError> {
        let (tag, contest) = mixnet_key(item)?;
        let payload = item.payload();
        const SQL: &str = "DELETE FROM mixnet WHERE tag = $1 AND contest = $2 AND payload = $3";
        match &mut self.0 {
            Inner::Sqlite(t) => {
                t.execute(SQL, params![tag, contest, payload])?;
            }
            Inner::Postgres(t) => {
                t.execute(SQL, &[&tag, &i64::from(contest), &payload])?;
            }
        }
        Ok(())
    }

    /// Appends a mixnet item (`mix` or `mix_decryption`).
    pub fn put_mixnet_item(&mut self, item: &RecordItem) -> Result<(), StoreError> {
        let (tag, contest) = mixnet_key(item)?;
        let payload = item.payload();
        match &mut self.0 {
            Inner::Sqlite(t) => {
                t.execute(
                    "INSERT INTO mixnet (tag, contest, payload) VALUES ($1, $2, $3)",
                    params![tag, contest, payload],
                )?;
            }
            Inner::Postgres(t) => {
                t.execute(
                    "INSERT INTO mixnet (tag, contest, payload) VALUES ($1, $2, $3)",
                    &[&tag, &i64::from(contest), &payload],
                )?;
            }
        }
        Ok(())
    }

    /// Inserts a batch of entries (each with its ballot's canonical bytes).
    pub fn insert(&mut self, entries: &[(BoardEntry, Vec<u8>)]) -> Result<(), StoreError> {
        let rows = entries.iter().map(|(e, ballot)| {
            let voter = match &e.kind {
                EntryKind::Cast { voter, .. } => voter.as_deref(),
                EntryKind::Challenged { .. } => None,
            };
            let payload = ostracon::record::entry_payload(e.position, &e.kind, ballot, &e.head);
            (position_param(e.position), e, voter, payload)
        });
        match &mut self.0 {
            Inner::Sqlite(t) => {
                let mut stmt = t.prepare_cached(
                    "INSERT INTO entries (position, tracking_code, ballot_id, voter, kind, head, payload) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )?;
                for (position, e, voter, payload) in rows {
                    stmt.execute(params![
                        position,
                        &e.tracking_code.0[..],
                        e.ballot.ballot_id,
                        voter,
                        e.kind.to_bytes(),
                        &e.head[..],
                        payload,
                    ])?;
                }
            }
            Inner::Postgres(t) => {
                use postgres::types::Type;
                let sink = t.copy_in(
                    "COPY entries (position, tracking_code, ballot_id, voter, kind, head, payload) \
                     FROM STDIN (FORMAT binary)",
                )?;
                let types = [
                    Type::INT8,
                    Type::BYTEA,
                    Type::TEXT,
                    Type::TEXT,
                    Type::BYTEA,
                    Type::BYTEA,
                    Type::BYTEA,
                ];
                let mut w = postgres::binary_copy::BinaryCopyInWriter::new(sink, &types);
                for (position, e, voter, payload) in rows {
                    let code = &e.tracking_code.0[..];
                    let kind = e.kind.to_bytes();
                    let head = &e.head[..];
                    w.write(&[
                        &position,
                        &code,
                        &e.ballot.ballot_id,
                        &voter,
                        &kind,
                        &head,
                        &payload,
                    ])?;
                }
                w.finish()?;
            }
        }
        Ok(())
    }
}

/// What a record holds before its first board entry: the header, the voter registry
/// (when the election has one) and the trustees' attestations of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Opening {
    /// The header.
    pub header: Header,
    /// The voter registry.
    pub voters: Option<Voters>,
    /// The trustees' attestations of the registry.
    pub attestations: Vec<RegistryAttestation>,
}

/// Stores the opening of a new election (checked by the caller first).
pub fn initialise(db: &mut Db, opening: &Opening) -> Result<(), StoreError> {
    let mut tx = db.write()?;
    if tx.get_meta("header")?.is_some() {
        return Err(StoreError::AlreadyInitialised);
    }
    tx.put_meta(
        "header",
        &RecordItem::Header(opening.header.clone()).payload(),
    )?;
    if let Some(v) = &opening.voters {
        tx.put_meta("voters", &RecordItem::Voters(v.clone()).payload())?;
    }
    if !opening.attestations.is_empty() {
        let bytes: Vec<u8> = opening
            .attestations
            .iter()
            .flat_map(RegistryAttestation::to_bytes)
            .collect();
        tx.put_meta("registry_attestations", &bytes)?;
    }
    tx.commit()
}

/// The stored opening: header, voter registry, attestations.
pub fn load_opening(db: &mut Db) -> Result<Opening, StoreError> {
    let mut tx = db.read()?;
    let header = match tx.get_item("header", 1)? {
        Some(RecordItem::Header(h)) => h,
        _ => return Err(StoreError::NotInitialised),
    };
    let voters = match tx.get_item("voters", 2)? {
        Some(RecordItem::Voters(v)) => Some(v),
        _ => None,
    };
    let attestations = attestations_of(tx.get_meta("registry_attestations")?)?;
    tx.commit()?;
    Ok(Opening {
        header,
        voters,
        attestations,
    })
}

fn attestations_of(bytes: Option<Vec<u8>>) -> Result<Vec<RegistryAttestation>, StoreError> {
    bytes
        .unwrap_or_default()
        .chunks(RegistryAttestation::LEN)
        .map(|c| RegistryAttestation::from_bytes(c).map_err(|e| corrupt("registry attestation", e)))
        .collect()
}

/// Whether the board is closed.
pub fn is_closed(db: &mut Db) -> Result<bool, StoreError> {
    let mut tx = db.read()?;
    let closed = tx.is_closed()?;
    tx.commit()?;
    Ok(closed)
}

/// The stored encrypted tally, once the board is closed.
pub fn load_tally(db: &mut Db) -> Result<Option<EncryptedTally>, StoreError> {
    let mut tx = db.read()?;
    let item = tx.get_item("tally", 5)?;
    tx.commit()?;
    Ok(match item {
        Some(RecordItem::Tally(t)) => Some(t),
        _ => None,
    })
}

/// Stores the encrypted tally.
pub fn store_tally(db: &mut Db, tally: &EncryptedTally) -> Result<(), StoreError> {
    let mut tx = db.write()?;
    tx.put_meta("tally", &RecordItem::Tally(tally.clone()).payload())?;
    tx.commit()
}

/// The stored results, once decrypted.
pub fn load_results(db: &mut Db) -> Result<Option<Results>, StoreError> {
    let mut tx = db.read()?;
    let item = tx.get_item("results", 7)?;
    tx.commit()?;
    Ok(match item {
        Some(RecordItem::Results(r)) => Some(r),
        _ => None,
    })
}

/// Stores the results.
pub fn store_results(db: &mut Db, results: &Results) -> Result<(), StoreError> {
    let mut tx = db.write()?;
    tx.put_meta("results", &RecordItem::Results(results.clone()).payload())?;
    tx.commit()
}

/// What trustees' imports stored so far.
pub struct Imports {
    /// Partial decryptions of the tally, by trustee.
    pub decryptions: Vec<PartialDecryption>,
    /// Shuffles and partial decryptions of the mixed lists, in import order.
    pub mixnet: Vec<RecordItem>,
    /// The mixnet items' version (the last one's sequence number; 0 when none): every
    /// import that changes them inserts one, so it grows with every change.
    pub mixnet_version: i64,
}

/// Stores trustees' verified partial decryptions and mixnet items in one transaction.
///
/// Mixnet items were verified against the state at `mixnet_version`; if another
/// service's import changed it since (two services sharing the database), nothing is
/// stored and [`StoreError::Conflict`] is returned: verifying again against the new
/// state is the caller's (a retried import takes the lines already stored as they are).
pub fn store_imports(
    db: &mut Db,
    partials: &[PartialDecryption],
    mixnet: &[RecordItem],
    replaced: &[&RecordItem],
    mixnet_version: i64,
) -> Result<(), StoreError> {
    let mut tx = db.write()?;
    if !mixnet.is_empty() && tx.mixnet_version()? != mixnet_version {
        return Err(StoreError::Conflict(
            "another import changed the mixnet items since this one was verified",
        ));
    }
    for p in partials {
        tx.put_decryption(p)?;
    }
    for item in replaced {
        tx.delete_mixnet_item(item)?;
    }
    for item in mixnet {
        tx.put_mixnet_item(item)?;
    }
    tx.commit()
}

/// A mixnet item's tag and contest.
fn mixnet_key(item: &RecordItem) -> Result<(i32, u32), StoreError> {
    match item {
        RecordItem::Mix { contest, .. } => Ok((8, *contest)),
        RecordItem::MixDecryption { contest, .. } => Ok((9, *contest)),
        _ => Err(StoreError::Corrupt("not a mixnet item".into())),
    }
}

/// The stored partial decryptions of the tally and mixnet items (one snapshot).
pub fn load_imports(db: &mut Db) -> Result<Imports, StoreError> {
    let mut tx = db.read()?;
    let decryptions = tx.decryptions()?;
    let mixnet = tx.mixnet_items()?;
    let mixnet_version = tx.mixnet_version()?;
    tx.commit()?;
    Ok(Imports {
        decryptions,
        mixnet,
        mixnet_version,
    })
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

fn summary(
    (position, code, ballot_id, kind, head): SummaryRow,
) -> Result<EntrySummary, StoreError> {
    let position = position_of(position)?;
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

/// The entry with this tracking code, and whether it is counted (a cast ballot that
/// no later ballot of its voter supersedes).
pub fn lookup(
    db: &mut Db,
    code: &TrackingCode,
) -> Result<Option<(EntrySummary, bool)>, StoreError> {
    let mut tx = db.read()?;
    let Some(s) = tx.find(code)? else {
        return Ok(None);
    };
    let counted = counted(&mut tx, &s)?;
    tx.commit()?;
    Ok(Some((s, counted)))
}

/// The entries whose tracking code has this human form's prefix (80 bits; two only if
/// the board holds a collision, which is astronomically unlikely), each with whether it
/// is counted.
pub fn lookup_human(
    db: &mut Db,
    prefix: &[u8; ostracon::ballot::HUMAN_BYTES],
) -> Result<Vec<(EntrySummary, bool)>, StoreError> {
    let mut tx = db.read()?;
    let found = tx.find_prefix(prefix, 2)?;
    let mut out = Vec::with_capacity(found.len());
    for s in found {
        let counted = counted(&mut tx, &s)?;
        out.push((s, counted));
    }
    tx.commit()?;
    Ok(out)
}

fn counted(tx: &mut Tx<'_>, s: &EntrySummary) -> Result<bool, StoreError> {
    Ok(match &s.kind {
        EntryKind::Challenged { .. } => false,
        EntryKind::Cast { voter: None, .. } => true,
        EntryKind::Cast { voter: Some(v), .. } => tx.latest_of(v)? == Some(s.position),
    })
}

/// Number of entries and the head after the last one (`None` when empty).
pub fn head(db: &mut Db) -> Result<(u64, Option<[u8; 32]>), StoreError> {
    let mut tx = db.read()?;
    let head = tx.head()?;
    tx.commit()?;
    Ok(head)
}

/// A page of the board with the count and head of the whole board.
pub struct BoardPage {
    /// Entries on the whole board.
    pub count: u64,
    /// Head after the last entry of the board (`None` when empty).
    pub head: Option<[u8; 32]>,
    /// The page's entries.
    pub entries: Vec<EntrySummary>,
}

/// A page of the board with the count and head of the whole board, read together.
pub fn page(db: &mut Db, from: u64, limit: u32) -> Result<BoardPage, StoreError> {
    let mut tx = db.read()?;
    let (count, head) = tx.head()?;
    let entries = tx.page(from, limit)?;
    tx.commit()?;
    Ok(BoardPage {
        count,
        head,
        entries,
    })
}

/// Writes the election record held by the database: header, voters, every entry, the
/// board summary, and (once present) the tally, the partial decryptions and the
/// results, all read in one transaction. `genesis` is the board's genesis head (the
/// head of an empty board). Returns the number of entries written.
pub fn export(
    db: &mut Db,
    out: &mut dyn Write,
    format: Format,
    genesis: [u8; 32],
) -> Result<u64, StoreError> {
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
    let mut tx = db.read()?;
    let header = tx.get_meta("header")?.ok_or(StoreError::NotInitialised)?;
    if format == Format::Binary {
        out.write_all(MAGIC)?;
        out.write_all(&RECORD_VERSION.to_le_bytes())?;
    }
    emit(out, 1, &header)?;
    if let Some(v) = tx.get_meta("voters")? {
        emit(out, 2, &v)?;
    }
    for a in attestations_of(tx.get_meta("registry_attestations")?)? {
        emit(out, 10, &a.to_bytes())?;
    }
    let (count, last) = tx.head()?;
    let mut n = 0u64;
    tx.for_each_payload(|p| {
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
    if let Some(t) = tx.get_meta("tally")? {
        emit(out, 5, &t)?;
        for d in tx.decryptions()? {
            emit(out, 6, &d.to_bytes())?;
        }
        for item in tx.mixnet_items()? {
            emit(out, item.tag(), &item.payload())?;
        }
        if let Some(r) = tx.get_meta("results")? {
            emit(out, 7, &r)?;
        }
    }
    tx.commit()?;
    out.flush()?;
    Ok(count)
}

/// Decodes a stored entry payload.
pub fn decode_entry(payload: &[u8]) -> Result<BoardEntry, StoreError> {
    match RecordItem::from_payload(3, payload).map_err(|e| corrupt("entry", e))? {
        RecordItem::Entry(e) => Ok(e),
        _ => Err(StoreError::Corrupt("entry: not an entry".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_hide_passwords() {
        assert_eq!(
            Location::parse("board.sqlite"),
            Location::Sqlite(PathBuf::from("board.sqlite"))
        );
        let pg = Location::parse("postgres://ballot:s3cret@db.example:5432/election");
        assert!(matches!(pg, Location::Postgres(_)));
        let shown = pg.to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(shown, "postgres://ballot:***@db.example:5432/election");
        assert!(matches!(
            Location::parse("postgresql://localhost/e"),
            Location::Postgres(_)
        ));
        assert_eq!(
            Location::parse("postgresql://localhost/e").to_string(),
            "postgresql://localhost/e"
        );
    }
}
