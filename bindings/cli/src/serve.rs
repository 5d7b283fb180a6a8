//! `ostracon serve` and `ostracon loadgen`: the reference ballot box service and its
//! load generator (both in the `ostracon-serve` crate).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand, ValueEnum};
use ostracon_serve::api::Limits;
use ostracon_serve::loadgen::{self, PrepareConfig, RunConfig, WireFormat};
use ostracon_serve::pipeline::PipelineConfig;
use ostracon_serve::store::Location;
use ostracon_serve::Config;

use crate::error::CliError;

/// Arguments of `ostracon serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The board's database: a SQLite file (created if missing), or a PostgreSQL URL
    /// (`postgres://user:password@host:port/database`; the database must exist, the
    /// tables are created) which several services behind a load balancer may share.
    #[arg(long, value_name = "FILE|URL")]
    db: String,
    /// Start a new election in an empty database from this record's header and voter
    /// registry (e.g. `header.jsonl` of `ostracon loadgen prepare`).
    #[arg(long, value_name = "RECORD")]
    init: Option<PathBuf>,
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Largest request body, bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Largest number of submissions per second over all clients (429 beyond).
    #[arg(long, value_name = "PER_SECOND")]
    rate_limit: Option<f64>,
    /// Largest number of submissions per second from one client address (429 beyond).
    #[arg(long, value_name = "PER_SECOND")]
    client_rate_limit: Option<f64>,
    /// A load balancer or proxy whose `X-Forwarded-For` header names the client (its
    /// last address); repeat for several. Other peers are taken as the client.
    #[arg(long, value_name = "IP")]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// IPv6 clients are rate-limited per network of this prefix length (one host
    /// usually holds a whole /64).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u8).range(0..=128))]
    client_prefix_v6: u8,
    /// Largest admin import body (partial decryptions and shuffles), bytes; it is
    /// parsed line by line as it arrives.
    #[arg(long, default_value_t = 256 << 20)]
    max_import: usize,
    /// Record exports (`GET /v1/record`) served at once; beyond, 503 with Retry-After.
    #[arg(long, default_value_t = 4)]
    max_exports: usize,
    /// Bearer token of the admin endpoints (close, decryptions); also read from
    /// OSTRACON_ADMIN_TOKEN. Without one they are disabled.
    #[arg(long, env = "OSTRACON_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Submissions waiting for validation before the service answers 503.
    #[arg(long, default_value_t = 8192)]
    queue: usize,
    /// Largest batch validated and committed at once.
    #[arg(long, default_value_t = 1024)]
    max_batch: usize,
    /// Validator threads taking batches from the queue (each batch's proofs are checked
    /// on the shared pool).
    #[arg(long, default_value_t = 2)]
    validators: usize,
    /// Threads validating proofs [default: one per core].
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Write the election record held by the database to this file (`.jsonl`: JSON
    /// Lines, otherwise binary) and exit, without serving.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
}

fn runtime(threads: Option<usize>) -> Result<tokio::runtime::Runtime, CliError> {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    if let Some(t) = threads {
        b.worker_threads(t);
    }
    b.enable_all()
        .build()
        .map_err(|e| CliError::internal(format!("cannot start the runtime: {e}"), "tokio"))
}

/// Runs `ostracon serve`.
pub fn serve(a: ServeArgs) -> Result<(), CliError> {
    let db = Location::parse(&a.db);
    // Shown in errors without a URL's password.
    let shown = PathBuf::from(db.to_string());
    if let Some(out) = &a.export {
        let n = ostracon_serve::export_file(&db, out)
            .map_err(|e| CliError::file(e.to_string(), &shown, "give the service's database"))?;
        println!("exported {n} entries to {}", out.display());
        return Ok(());
    }
    let config = Config {
        db,
        init: a.init,
        listen: a.listen,
        limits: Limits {
            max_body: a.max_body,
            rate: a.rate_limit,
            client_rate: a.client_rate_limit,
            trusted_proxies: a.trusted_proxy,
            client_prefix_v6: a.client_prefix_v6,
            max_import: a.max_import,
            max_exports: a.max_exports.max(1),
            admin_token: a.admin_token.filter(|t| !t.is_empty()),
        },
        pipeline: PipelineConfig {
            queue: a.queue,
            max_batch: a.max_batch.max(1),
            validators: a.validators.max(1),
        },
        workers: a.workers,
    };
    runtime(None)?
        .block_on(ostracon_serve::serve(config))
        .map_err(|e| CliError::file(e.to_string(), &shown, "check the database and --init"))
}

/// The steps of `ostracon loadgen`.
#[derive(Subcommand, Debug)]
pub enum LoadgenCommand {
    /// Make a test election and pre-encrypt its ballots (signed; some challenged, some
    /// revoted).
    Prepare(PrepareArgs),
    /// Send pre-encrypted ballots to a running service and report throughput and latency.
    Run(RunArgs),
    /// Look every receipt up on a running service's board.
    Check(CheckArgs),
}

/// Arguments of `loadgen prepare`.
#[derive(Args, Debug)]
pub struct PrepareArgs {
    /// Output directory.
    #[arg(long, default_value = "loadgen")]
    out: PathBuf,
    /// Number of voters (one counted ballot each).
    #[arg(long, default_value_t = 10_000)]
    voters: u64,
    /// Options of the approval contest.
    #[arg(long, default_value_t = 10)]
    options: usize,
    /// Also a ranked (instant-runoff) contest of this many candidates, counted through
    /// the mixnet (0: none).
    #[arg(long, value_name = "N", default_value_t = 0)]
    ranked: u32,
    /// Trustees.
    #[arg(long, default_value_t = 3)]
    trustees: u32,
    /// Trustees needed to decrypt.
    #[arg(long, default_value_t = 2)]
    threshold: u32,
    /// Every K-th voter first challenges a ballot (0: never).
    #[arg(long, value_name = "K", default_value_t = 100)]
    challenge_every: u64,
    /// Every K-th voter casts twice (0: never).
    #[arg(long, value_name = "K", default_value_t = 50)]
    revote_every: u64,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Request encoding on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WireArg {
    /// application/octet-stream (canonical binary submission).
    Binary,
    /// application/json.
    Json,
}

/// Arguments of `loadgen run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The service (loopback only), e.g. http://127.0.0.1:8080.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Submissions written by `loadgen prepare`.
    #[arg(long, default_value = "loadgen/ballots.bin")]
    ballots: PathBuf,
    /// Send only the first N submissions.
    #[arg(long)]
    limit: Option<usize>,
    /// Concurrent connections.
    #[arg(long, short = 'c', default_value_t = 64)]
    connections: usize,
    /// Target submissions per second [default: as fast as possible].
    #[arg(long)]
    rate: Option<f64>,
    /// Stop after this many seconds.
    #[arg(long)]
    seconds: Option<f64>,
    /// Request encoding.
    #[arg(long, value_enum, default_value_t = WireArg::Binary)]
    format: WireArg,
    /// Write every receipt to this file (JSON Lines).
    #[arg(long)]
    receipts: Option<PathBuf>,
    /// Client threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `loadgen check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The service (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Receipts written by `loadgen run --receipts`.
    #[arg(long)]
    receipts: PathBuf,
}

/// Runs `ostracon loadgen`.
pub fn loadgen(cmd: LoadgenCommand) -> Result<(), CliError> {
    match cmd {
        LoadgenCommand::Prepare(a) => {
            let start = Instant::now();
            let config = PrepareConfig {
                out: a.out.clone(),
                voters: a.voters,
                options: a.options,
                ranked: a.ranked,
                trustees: a.trustees,
                threshold: a.threshold,
                challenge_every: a.challenge_every,
                revote_every: a.revote_every,
                seed: a.seed,
            };
            let pb = crate::ui::progress(a.voters, "voters", false);
            let n = loadgen::prepare(&config, &|done| pb.set_position(done)).map_err(|e| {
                CliError::usage(e.to_string(), "loadgen prepare", "check the arguments")
            })?;
            pb.finish_and_clear();
            println!(
                "{n} submissions for {} voters in {:.1} s, written to {}",
                a.voters,
                start.elapsed().as_secs_f64(),
                a.out.display()
            );
            Ok(())
        }
        LoadgenCommand::Run(a) => {
            let addr = loadgen::loopback(&a.url).map_err(|e| {
                CliError::usage(e.to_string(), "--url", "use http://127.0.0.1:PORT")
            })?;
            let subs = loadgen::read_submissions(&a.ballots, a.limit).map_err(|e| {
                CliError::file(
                    e.to_string(),
                    &a.ballots,
                    "run `ostracon loadgen prepare` first",
                )
            })?;
            let config = RunConfig {
                addr,
                connections: a.connections,
                rate: a.rate.filter(|r| *r > 0.0),
                format: match a.format {
                    WireArg::Binary => WireFormat::Binary,
                    WireArg::Json => WireFormat::Json,
                },
                receipts: a.receipts,
                duration: a.seconds.map(Duration::from_secs_f64),
            };
            let report = runtime(Some(a.threads.max(1)))?
                .block_on(loadgen::run(&config, subs))
                .map_err(|e| CliError::failed(e.to_string(), &a.url, "is the service running?"))?;
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string(&report)
                        .map_err(|e| CliError::internal(e.to_string(), "loadgen report"))?
                );
            } else {
                println!("{report}");
            }
            Ok(())
        }
        LoadgenCommand::Check(a) => {
            let addr = loadgen::loopback(&a.url).map_err(|e| {
                CliError::usage(e.to_string(), "--url", "use http://127.0.0.1:PORT")
            })?;
            let report = runtime(Some(1))?
                .block_on(loadgen::check(addr, &a.receipts))
                .map_err(|e| CliError::failed(e.to_string(), &a.url, "is the service running?"))?;
            println!(
                "receipts {}  on the board {}  missing {}  board entries {}",
                report.receipts,
                report.found,
                report.missing.len(),
                report.board_count
            );
            if let Some(m) = report.missing.first() {
                return Err(CliError::failed(
                    format!(
                        "{} receipts are not on the board (first: {m})",
                        report.missing.len()
                    ),
                    a.receipts.display().to_string(),
                    "the service lost acknowledged ballots",
                ));
            }
            Ok(())
        }
    }
}
