//! `ostracon-serve`: the reference ballot box service of ostracon.
//!
//! An HTTP service (axum on tokio) that validates ballots as they arrive with the
//! `ostracon` core, stores the board durably (SQLite, or PostgreSQL shared by several
//! services), publishes it, and exports the
//! election record for the verifier; plus a load generator. No cryptography or
//! validation lives here: every check is the core's (`ostracon::board`).
//!
//! * [`serve`]: start the service on a database (initialised from a record header);
//! * [`api`]: the routes (described in `openapi.yaml`);
//! * [`pipeline`]: micro-batched validation off the async runtime, group commit;
//! * [`import`]: completing the record (trustees' decryptions and shuffles, results);
//! * [`store`]: the SQLite and PostgreSQL schemas and queries;
//! * [`loadgen`]: pre-encrypted elections and a load generator.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod api;
pub mod error;
pub mod import;
pub mod loadgen;
pub mod pipeline;
pub mod store;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ostracon::election::Election;
use ostracon::keyceremony::PublicCeremony;
use ostracon::record::io::RecordReader;
use ostracon::record::{Header, RecordItem};
use rand::rngs::OsRng;
use store::Opening;

pub use error::ApiError;
pub use pipeline::Receipt;

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    /// The database: a SQLite file (created if missing) or a PostgreSQL URL (several
    /// services may share one PostgreSQL database).
    pub db: store::Location,
    /// Record file (JSON Lines or binary) whose header and voter registry start a new
    /// election in an empty database.
    pub init: Option<PathBuf>,
    /// Address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// API limits.
    pub limits: api::Limits,
    /// Pipeline sizes.
    pub pipeline: pipeline::PipelineConfig,
    /// Threads validating proofs (0: one per core).
    pub workers: usize,
}

/// A failure to start the service.
#[derive(Debug)]
pub enum ServeError {
    /// The database.
    Store(store::StoreError),
    /// The `--init` file.
    Init(String),
    /// The stored election does not check.
    Election(String),
    /// Binding or serving the socket.
    Io(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Store(e) => write!(f, "{e}"),
            ServeError::Init(m) => write!(f, "cannot initialise the election: {m}"),
            ServeError::Election(m) => write!(f, "the stored election is invalid: {m}"),
            ServeError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ServeError {}

impl From<store::StoreError> for ServeError {
    fn from(e: store::StoreError) -> Self {
        ServeError::Store(e)
    }
}

/// Reads the opening of a record file: its header, then the voter registry and the
/// trustees' attestations of it, if any (up to the first other item).
pub fn read_opening(path: &Path) -> Result<Opening, ServeError> {
    let mut reader = RecordReader::open(path)
        .map_err(|e| ServeError::Init(format!("{}: {e}", path.display())))?;
    let mut next = || {
        reader
            .next_item()
            .map_err(|e| ServeError::Init(format!("{}: {e}", path.display())))
    };
    let header = match next()? {
        Some(RecordItem::Header(h)) => h,
        _ => {
            return Err(ServeError::Init(
                "the file does not start with a header".into(),
            ))
        }
    };
    let mut opening = Opening {
        header,
        voters: None,
        attestations: Vec::new(),
    };
    let mut item = next()?;
    if let Some(RecordItem::Voters(v)) = item {
        opening.voters = Some(v);
        item = next()?;
    }
    while let Some(RecordItem::RegistryAttestation(a)) = item {
        opening.attestations.push(a);
        item = next()?;
    }
    Ok(opening)
}

/// The voter registry an opening's election commits ([`ostracon::registry::open_registry`]).
pub fn registry_of(
    election: &Election,
    opening: &Opening,
) -> Result<Option<ostracon::board::VoterRegistry>, ServeError> {
    ostracon::registry::open_registry(election, opening.voters.as_ref(), &opening.attestations)
        .map_err(|e| ServeError::Election(format!("{} ({})", e, e.code())))
}

/// The election of a header, with its verified key ceremony.
pub fn election_of(header: &Header) -> Result<(Election, PublicCeremony), ServeError> {
    let ceremony = header
        .ceremony
        .clone()
        .verify(&mut OsRng)
        .map_err(|e| ServeError::Election(format!("key ceremony: {e}")))?;
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    let election = Election::new(header.manifest.clone(), header.parameters, commitments)
        .map_err(|e| ServeError::Election(e.to_string()))?;
    Ok((election, ceremony))
}

/// Opens the database (initialising it when asked), rebuilds the board and returns the
/// router, ready to serve. It blocks: call it outside async tasks (e.g. in
/// `tokio::task::spawn_blocking`).
pub fn prepare(config: &Config) -> Result<axum::Router, ServeError> {
    if config.workers > 0 {
        // Only the first call configures the global pool; later calls keep it.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(config.workers)
            .thread_name(|i| format!("ostracon-validate-{i}"))
            .build_global();
    }
    let mut writer = store::Db::open(&config.db)?;
    let initialised = store::load_opening(&mut writer).is_ok();
    if let Some(init) = &config.init {
        let opening = read_opening(init)?;
        if initialised {
            let stored = store::load_opening(&mut writer)?;
            if stored != opening {
                return Err(ServeError::Init(
                    "the database already holds another election".into(),
                ));
            }
        } else {
            // Checked before anything is stored: the election, and that the registry
            // is the one it commits (fixed, or attested by t trustees).
            let (election, _) = election_of(&opening.header)?;
            registry_of(&election, &opening)?;
            store::initialise(&mut writer, &opening)?;
        }
    }
    let opening = store::load_opening(&mut writer)?;
    let (election, ceremony) = election_of(&opening.header)?;
    let registry = registry_of(&election, &opening)?.map(Arc::new);
    let election = Arc::new(election);
    let pipeline = pipeline::start(election.clone(), registry, writer, config.pipeline)?;
    let reader = store::Db::open(&config.db)?;
    let state = api::AppState::new(
        election,
        ceremony,
        config.db.clone(),
        reader,
        pipeline,
        config.limits.clone(),
    );
    Ok(api::router(Arc::new(state)))
}

/// Runs the service until interrupted (Ctrl-C or SIGTERM). Prints
/// `listening on ADDRESS` on standard output once the socket is bound.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    // Opening the database blocks (and the PostgreSQL client runs a runtime of its own):
    // off the async workers.
    let router = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || prepare(&config))
            .await
            .map_err(|e| ServeError::Io(std::io::Error::other(e)))??
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(ServeError::Io)?;
    let addr = listener.local_addr().map_err(ServeError::Io)?;
    println!("listening on {addr}");
    {
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(ServeError::Io)
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Exports the record held by a database to a file (binary or JSON Lines, by the
/// file's extension: `.jsonl` for JSON Lines), without a running service.
pub fn export_file(db: &store::Location, out: &Path) -> Result<u64, ServeError> {
    let mut conn = store::Db::open(db)?;
    let opening = store::load_opening(&mut conn)?;
    let (election, _) = election_of(&opening.header)?;
    let genesis = ostracon::board::genesis(&election);
    let format = if out.extension().is_some_and(|e| e == "jsonl" || e == "json") {
        ostracon::record::Format::Json
    } else {
        ostracon::record::Format::Binary
    };
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".tmp-{}", std::process::id()));
    let tmp = out.with_file_name(name);
    let file = std::fs::File::create(&tmp).map_err(ServeError::Io)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let count = store::export(&mut conn, &mut w, format, genesis)?;
    let file = w.into_inner().map_err(|e| ServeError::Io(e.into_error()))?;
    file.sync_all().map_err(ServeError::Io)?;
    std::fs::rename(&tmp, out).map_err(ServeError::Io)?;
    Ok(count)
}
