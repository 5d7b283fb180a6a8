//! The load generator: a pre-encrypted election, and a client that sends it to a
//! running service over many connections and measures throughput and latency.
//!
//! * [`prepare`] makes an election (a key ceremony with `n` trustees, a signing voter
//!   registry, a manifest with one approval contest of `options` options) and encrypts
//!   every ballot in advance: each voter casts one signed ballot; every `challenge_every`
//!   -th voter first challenges one, every `revote_every`-th casts twice. It writes
//!   `header.jsonl` (the record's header and voter registry, for `serve --init`),
//!   `election.json`, the trustees' `key-I.secret` files (for the decryption step of a
//!   test election) and `ballots.bin` (length-prefixed binary submissions).
//! * [`run`] sends them to a service on the loopback interface over `connections`
//!   keep-alive connections, at a target rate or as fast as possible, and reports
//!   accepted ballots per second, refusals by error code, and latency percentiles.
//! * [`check`] looks every receipt up on the board.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use ostracon::ballot::PlaintextBallot;
use ostracon::board::{self, BallotSubmission, Submission, Voter, VoterRegistry};
use ostracon::election::{ceremony_context, Election, Parameters};
use ostracon::keyceremony::CeremonyParams;
use ostracon::manifest::{Contest, ContestOption, Manifest, VoteRule};
use ostracon::record::io::RecordWriter;
use ostracon::record::{Format, Header, RecordItem, Voters};
use ostracon::registry::{RegistryAttestation, RegistryCommitment};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{EntryView, HeadView};
use crate::pipeline::Receipt;

/// A load generator failure.
#[derive(Debug)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

fn err(what: impl std::fmt::Display) -> LoadError {
    LoadError(what.to_string())
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> LoadError + '_ {
    move |e| LoadError(format!("{}: {e}", path.display()))
}

/// What [`prepare`] makes.
#[derive(Clone, Debug)]
pub struct PrepareConfig {
    /// Output directory.
    pub out: PathBuf,
    /// Number of voters.
    pub voters: u64,
    /// Options of the approval contest.
    pub options: usize,
    /// Candidates of a second, ranked (instant-runoff) contest counted through the
    /// mixnet; 0: no such contest. Each voter ranks a random subset.
    pub ranked: u32,
    /// Trustees.
    pub trustees: u32,
    /// Decryption threshold.
    pub threshold: u32,
    /// Every K-th voter challenges a ballot first (0: never).
    pub challenge_every: u64,
    /// Every K-th voter casts twice (0: never).
    pub revote_every: u64,
    /// Seed of every random choice.
    pub seed: u64,
}

/// The manifest of a load test: one approval contest ("approve any number"), and a
/// ranked contest of `ranked` candidates when `ranked > 0`.
pub fn manifest(options: usize, ranked: u32) -> Manifest {
    let mut m = approval_manifest(options);
    if ranked > 0 {
        m.contests.push(Contest {
            id: "ranked".into(),
            title: "Rank the candidates".into(),
            options: (0..ranked)
                .map(|i| ContestOption {
                    id: format!("candidate-{i}"),
                    label: format!("Candidate {i}"),
                })
                .collect(),
            rule: VoteRule::Ranked { seats: 1 },
        });
    }
    m
}

fn approval_manifest(options: usize) -> Manifest {
    Manifest {
        election_id: "loadgen".into(),
        title: format!("Load test: approval of {options} options"),
        contests: vec![Contest {
            id: "approval".into(),
            title: "Approve any number".into(),
            options: (0..options)
                .map(|i| ContestOption {
                    id: format!("option-{i}"),
                    label: format!("Option {i}"),
                })
                .collect(),
            rule: VoteRule::Approval {
                min: 0,
                max: u32::try_from(options).unwrap_or(u32::MAX),
            },
        }],
    }
}

/// The signing key of voter `i` of a prepared election.
pub fn voter_key(seed: u64, i: u64) -> board::SigningKey {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&seed.to_le_bytes());
    s[8..16].copy_from_slice(&i.to_le_bytes());
    s[16..24].copy_from_slice(b"loadgen.");
    board::SigningKey::from_bytes(&s)
}

/// Writes a pre-encrypted election into `config.out`; returns the number of
/// submissions written.
pub fn prepare(config: &PrepareConfig, progress: &dyn Fn(u64)) -> Result<u64, LoadError> {
    std::fs::create_dir_all(&config.out).map_err(io_err(&config.out))?;
    let mut rng = ChaCha20Rng::seed_from_u64(config.seed);
    let manifest = manifest(config.options, config.ranked);
    // The registry is attested by every trustee after the ceremony.
    let params = Parameters::new(config.trustees, config.threshold)
        .with_registry(RegistryCommitment::Attested)
        .with_signatures(true);
    params.validate().map_err(err)?;
    manifest.validate().map_err(err)?;
    let cparams = CeremonyParams::new(
        params.trustees,
        params.threshold,
        ceremony_context(&manifest, &params),
    )
    .map_err(err)?;
    let (ceremony, transcript, keys) =
        ostracon::simulation::run_ceremony(cparams, &mut rng).map_err(err)?;
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    let election = Election::new(manifest.clone(), params, commitments).map_err(err)?;

    let mut registry = VoterRegistry::new();
    for i in 0..config.voters {
        registry.insert(
            format!("voter-{i}"),
            Voter {
                key: Some(voter_key(config.seed, i).verifying_key()),
                weight: 1,
            },
        );
    }
    let header_path = config.out.join("header.jsonl");
    let mut w = RecordWriter::create(&header_path, Format::Json).map_err(io_err(&header_path))?;
    w.write(&RecordItem::Header(Header::new(&election, transcript)))
        .map_err(io_err(&header_path))?;
    let voters = Voters::from_registry(&registry);
    let attestations = keys
        .iter()
        .map(|k| RegistryAttestation::sign(&election, &voters, k, &mut rng).map_err(err))
        .collect::<Result<Vec<_>, _>>()?;
    w.write(&RecordItem::Voters(voters))
        .map_err(io_err(&header_path))?;
    for a in attestations {
        w.write(&RecordItem::RegistryAttestation(a))
            .map_err(io_err(&header_path))?;
    }
    w.finish().map_err(io_err(&header_path))?;
    drop(registry);
    let election_path = config.out.join("election.json");
    ostracon::record::io::write_atomic(&election_path, election.to_json().as_bytes())
        .map_err(io_err(&election_path))?;
    for k in &keys {
        let p = config.out.join(format!("key-{}.secret", k.index()));
        ostracon::record::io::write_atomic(&p, &k.to_bytes()).map_err(io_err(&p))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                .map_err(io_err(&p))?;
        }
    }

    let ballots_path = config.out.join("ballots.bin");
    let mut out = BufWriter::with_capacity(
        1 << 20,
        File::create(&ballots_path).map_err(io_err(&ballots_path))?,
    );
    let mut written = 0u64;
    let chunk = 2048u64;
    let mut start = 0;
    while start < config.voters {
        let end = (start + chunk).min(config.voters);
        // (voter, ballot id, challenge?)
        let mut jobs: Vec<(u64, String, bool)> = Vec::new();
        for i in start..end {
            if config.challenge_every > 0 && i % config.challenge_every == 0 {
                jobs.push((i, format!("b{i}-audit"), true));
            }
            if config.revote_every > 0 && i % config.revote_every == 1 {
                jobs.push((i, format!("b{i}-first"), false));
            }
            jobs.push((i, format!("b{i}"), false));
        }
        let seed = config.seed;
        let encoded: Vec<Result<Vec<u8>, LoadError>> = jobs
            .par_iter()
            .map(|(i, id, challenge)| {
                let mut r = ChaCha20Rng::seed_from_u64(
                    seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (id.len() as u64) << 56,
                );
                let values: Vec<u64> = (0..config.options)
                    .map(|_| r.next_u32() as u64 & 1)
                    .collect();
                let mut plain = PlaintextBallot::new().with("approval", values);
                if config.ranked > 0 {
                    // A random ranking of a random number of candidates (possibly none).
                    let mut order: Vec<u32> = (0..config.ranked).collect();
                    for k in (1..order.len()).rev() {
                        order.swap(k, (r.next_u32() as usize) % (k + 1));
                    }
                    order.truncate((r.next_u32() % (config.ranked + 1)) as usize);
                    plain = plain.with_ranking("ranked", &order);
                }
                let (ballot, opening) = election
                    .encrypt_ballot(id, &plain, None, &mut r)
                    .map_err(err)?;
                let submission = if *challenge {
                    Submission::Challenge(opening)
                } else {
                    let voter = format!("voter-{i}");
                    let signature = board::sign_ballot(
                        &voter_key(seed, *i),
                        &election,
                        &ballot.tracking_code(),
                        &voter,
                    );
                    Submission::Cast {
                        voter: Some(voter),
                        signature: Some(signature),
                    }
                };
                Ok(BallotSubmission { ballot, submission }.to_bytes())
            })
            .collect();
        for e in encoded {
            let b = e?;
            out.write_all(&(b.len() as u32).to_le_bytes())
                .and_then(|()| out.write_all(&b))
                .map_err(io_err(&ballots_path))?;
            written += 1;
        }
        progress(end);
        start = end;
    }
    let file = out
        .into_inner()
        .map_err(|e| LoadError(format!("{}: {}", ballots_path.display(), e.error())))?;
    file.sync_all().map_err(io_err(&ballots_path))?;
    Ok(written)
}

/// Reads the submissions written by [`prepare`] (binary, length-prefixed).
pub fn read_submissions(path: &Path, limit: Option<usize>) -> Result<Vec<Bytes>, LoadError> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(path).map_err(io_err(path))?);
    let mut out = Vec::new();
    let mut len = [0u8; 4];
    while limit.is_none_or(|l| out.len() < l) {
        match r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(io_err(path)(e)),
        }
        let n = u32::from_le_bytes(len) as usize;
        if n > 64 << 20 {
            return Err(LoadError(format!("{}: corrupt length", path.display())));
        }
        let mut b = vec![0u8; n];
        r.read_exact(&mut b).map_err(io_err(path))?;
        out.push(Bytes::from(b));
    }
    Ok(out)
}

/// Whether a binary submission is a challenge (without decoding the ballot).
pub fn is_challenge(bytes: &[u8]) -> bool {
    let n = bytes
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .unwrap_or(0) as usize;
    bytes.get(4 + n) == Some(&2)
}

/// Encoding of the requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireFormat {
    /// `application/octet-stream`: [`BallotSubmission::to_bytes`].
    Binary,
    /// `application/json`.
    Json,
}

/// What [`run`] does.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Service address (loopback only).
    pub addr: SocketAddr,
    /// Concurrent connections.
    pub connections: usize,
    /// Target submissions per second (`None`: as fast as possible).
    pub rate: Option<f64>,
    /// Request encoding.
    pub format: WireFormat,
    /// Where to write each receipt (one JSON line per accepted ballot).
    pub receipts: Option<PathBuf>,
    /// Stop after this long.
    pub duration: Option<Duration>,
}

/// What [`run`] measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// Submissions sent (each counted once, however often retried).
    pub sent: u64,
    /// Accepted (receipt received).
    pub accepted: u64,
    /// Refused, by error code.
    pub rejected: BTreeMap<String, u64>,
    /// 503 answers retried.
    pub retried: u64,
    /// Requests that failed at the connection level.
    pub connection_errors: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Accepted per second.
    pub accepted_per_second: f64,
    /// Latency of accepted submissions, milliseconds: p50, p95, p99, max.
    pub latency_ms: [f64; 4],
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "sent           {}", self.sent)?;
        writeln!(f, "accepted       {}", self.accepted)?;
        let rejected: u64 = self.rejected.values().sum();
        write!(f, "rejected       {rejected}")?;
        for (k, v) in &self.rejected {
            write!(f, "  {k}: {v}")?;
        }
        writeln!(f)?;
        writeln!(f, "retried (503)  {}", self.retried)?;
        writeln!(f, "conn. errors   {}", self.connection_errors)?;
        writeln!(f, "wall time      {:.2} s", self.seconds)?;
        writeln!(f, "accepted/s     {:.0}", self.accepted_per_second)?;
        write!(
            f,
            "latency ms     p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2}",
            self.latency_ms[0], self.latency_ms[1], self.latency_ms[2], self.latency_ms[3]
        )
    }
}

/// Checks that an address is on the loopback interface.
pub fn loopback(addr: &str) -> Result<SocketAddr, LoadError> {
    let rest = addr.strip_prefix("http://").unwrap_or(addr);
    let hostport = rest.split('/').next().unwrap_or("");
    let hostport = hostport.replacen("localhost", "127.0.0.1", 1);
    let a: SocketAddr = hostport
        .parse()
        .map_err(|_| LoadError(format!("'{addr}' is not http://IP:PORT")))?;
    if !a.ip().is_loopback() {
        return Err(LoadError(format!(
            "{addr}: the load generator only targets the loopback interface"
        )));
    }
    Ok(a)
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    send: SendRequest<Full<Bytes>>,
    host: String,
}

impl Conn {
    /// Connects.
    pub async fn open(addr: SocketAddr) -> Result<Self, LoadError> {
        let stream = tokio::net::TcpStream::connect(addr).await.map_err(err)?;
        let _ = stream.set_nodelay(true);
        let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(err)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Self {
            send,
            host: addr.to_string(),
        })
    }

    /// Sends a request; returns the status, the Retry-After header and the body.
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<(StatusCode, Option<u64>, Bytes), LoadError> {
        self.request_with(method, path, content_type, None, body)
            .await
    }

    /// [`Conn::request`] with an optional bearer token.
    pub async fn request_with(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        bearer: Option<&str>,
        body: Bytes,
    ) -> Result<(StatusCode, Option<u64>, Bytes), LoadError> {
        self.send.ready().await.map_err(err)?;
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, &self.host);
        if let Some(ct) = content_type {
            req = req.header(hyper::header::CONTENT_TYPE, ct);
        }
        if let Some(t) = bearer {
            req = req.header(hyper::header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = req.body(Full::new(body)).map_err(err)?;
        let resp = self.send.send_request(req).await.map_err(err)?;
        let status = resp.status();
        let retry = resp
            .headers()
            .get(hyper::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body = resp.into_body().collect().await.map_err(err)?.to_bytes();
        Ok((status, retry, body))
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[derive(Deserialize)]
struct ErrorInner {
    code: String,
}

#[derive(Default)]
struct Tally {
    accepted: u64,
    rejected: BTreeMap<String, u64>,
    retried: u64,
    connection_errors: u64,
    latencies: Vec<u32>,
}

/// Sends the submissions to the service and measures.
pub async fn run(config: &RunConfig, submissions: Vec<Bytes>) -> Result<Report, LoadError> {
    let bodies: Vec<(Bytes, bool)> = match config.format {
        WireFormat::Binary => submissions
            .into_iter()
            .map(|b| {
                let c = is_challenge(&b);
                (b, c)
            })
            .collect(),
        WireFormat::Json => submissions
            .par_iter()
            .map(|b| {
                let s = BallotSubmission::from_bytes(b).map_err(err)?;
                let c = matches!(s.submission, Submission::Challenge(_));
                Ok((Bytes::from(serde_json::to_vec(&s).map_err(err)?), c))
            })
            .collect::<Result<_, LoadError>>()?,
    };
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let receipts: Option<Arc<Mutex<BufWriter<File>>>> = match &config.receipts {
        Some(p) => Some(Arc::new(Mutex::new(BufWriter::new(
            File::create(p).map_err(io_err(p))?,
        )))),
        None => None,
    };
    let ct = match config.format {
        WireFormat::Binary => "application/octet-stream",
        WireFormat::Json => "application/json",
    };
    let start = Instant::now();
    let deadline = config.duration.map(|d| start + d);
    let mut tasks = Vec::new();
    for _ in 0..config.connections.max(1) {
        let bodies = bodies.clone();
        let next = next.clone();
        let sent = sent.clone();
        let receipts = receipts.clone();
        let addr = config.addr;
        let rate = config.rate;
        tasks.push(tokio::spawn(async move {
            let mut t = Tally::default();
            let mut conn: Option<Conn> = None;
            let mut failures = 0u32;
            'jobs: loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((body, challenge)) = bodies.get(i) else {
                    break;
                };
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                if let Some(r) = rate {
                    let due = start + Duration::from_secs_f64(i as f64 / r);
                    tokio::time::sleep_until(due.into()).await;
                }
                sent.fetch_add(1, Ordering::Relaxed);
                let path = if *challenge {
                    "/v1/challenges"
                } else {
                    "/v1/ballots"
                };
                loop {
                    if conn.is_none() {
                        match Conn::open(addr).await {
                            Ok(c) => conn = Some(c),
                            Err(_) => {
                                t.connection_errors += 1;
                                failures += 1;
                                if failures > 20 {
                                    break 'jobs;
                                }
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                continue;
                            }
                        }
                    }
                    let Some(c) = conn.as_mut() else { continue };
                    let sent_at = Instant::now();
                    match c.request(Method::POST, path, Some(ct), body.clone()).await {
                        Ok((StatusCode::CREATED, _, resp)) => {
                            failures = 0;
                            t.accepted += 1;
                            let us = sent_at.elapsed().as_micros();
                            t.latencies.push(u32::try_from(us).unwrap_or(u32::MAX));
                            if let Some(r) = &receipts {
                                if let Ok(mut w) = r.lock() {
                                    let _ = w.write_all(&resp).and_then(|()| w.write_all(b"\n"));
                                }
                            }
                            break;
                        }
                        Ok((StatusCode::SERVICE_UNAVAILABLE, retry, _))
                        | Ok((StatusCode::TOO_MANY_REQUESTS, retry, _)) => {
                            t.retried += 1;
                            // Back off briefly (not the whole Retry-After: the point is
                            // to measure the service at capacity), then resend.
                            let _ = retry;
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        Ok((_, _, resp)) => {
                            failures = 0;
                            let code = serde_json::from_slice::<ErrorBody>(&resp)
                                .map(|e| e.error.code)
                                .unwrap_or_else(|_| "unknown".into());
                            *t.rejected.entry(code).or_default() += 1;
                            break;
                        }
                        Err(_) => {
                            // The connection failed: the ballot may or may not have been
                            // stored (no receipt, so nothing is claimed); do not resend it.
                            conn = None;
                            t.connection_errors += 1;
                            failures += 1;
                            if failures > 20 {
                                break 'jobs;
                            }
                            break;
                        }
                    }
                }
            }
            t
        }));
    }
    let mut total = Tally::default();
    for task in tasks {
        let t = task.await.map_err(err)?;
        total.accepted += t.accepted;
        total.retried += t.retried;
        total.connection_errors += t.connection_errors;
        for (k, v) in t.rejected {
            *total.rejected.entry(k).or_default() += v;
        }
        total.latencies.extend(t.latencies);
    }
    let seconds = start.elapsed().as_secs_f64();
    if let Some(r) = &receipts {
        if let Ok(mut w) = r.lock() {
            w.flush().map_err(err)?;
        }
    }
    total.latencies.sort_unstable();
    let pct = |p: f64| {
        let n = total.latencies.len();
        if n == 0 {
            return 0.0;
        }
        let i = ((n as f64 * p).ceil() as usize).clamp(1, n) - 1;
        f64::from(total.latencies[i]) / 1000.0
    };
    Ok(Report {
        sent: sent.load(Ordering::Relaxed),
        accepted: total.accepted,
        rejected: total.rejected,
        retried: total.retried,
        connection_errors: total.connection_errors,
        seconds,
        accepted_per_second: total.accepted as f64 / seconds.max(1e-9),
        latency_ms: [pct(0.50), pct(0.95), pct(0.99), pct(1.0)],
    })
}

/// What [`check`] found.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CheckReport {
    /// Receipts read.
    pub receipts: u64,
    /// Receipts whose ballot is on the board at the receipt's position with its head.
    pub found: u64,
    /// Receipts whose ballot is missing or differs (tracking codes, hex).
    pub missing: Vec<String>,
    /// Entries on the board.
    pub board_count: u64,
}

/// Looks every receipt (JSON lines) up on the board of the service at `addr`.
pub async fn check(addr: SocketAddr, receipts: &Path) -> Result<CheckReport, LoadError> {
    let file = File::open(receipts).map_err(io_err(receipts))?;
    let mut conn = Conn::open(addr).await?;
    let mut report = CheckReport::default();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(io_err(receipts))?;
        if line.trim().is_empty() {
            continue;
        }
        let r: Receipt = serde_json::from_str(&line)
            .map_err(|e| LoadError(format!("{}: bad receipt: {e}", receipts.display())))?;
        report.receipts += 1;
        let (status, _, body) = conn
            .request(
                Method::GET,
                &format!("/v1/ballots/{}", r.tracking_code),
                None,
                Bytes::new(),
            )
            .await?;
        let ok = status == StatusCode::OK
            && serde_json::from_slice::<EntryView>(&body)
                .is_ok_and(|e| e.position == r.position && e.head == r.head);
        if ok {
            report.found += 1;
        } else {
            report.missing.push(r.tracking_code);
        }
    }
    let (status, _, body) = conn
        .request(Method::GET, "/v1/board/head", None, Bytes::new())
        .await?;
    if status != StatusCode::OK {
        return Err(LoadError(format!("board head: HTTP {status}")));
    }
    let head: HeadView = serde_json::from_slice(&body).map_err(err)?;
    report.board_count = head.count;
    Ok(report)
}
