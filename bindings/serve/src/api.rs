//! The HTTP API (see `openapi.yaml` beside this crate).

use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::mpsc::TrySendError;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::{BodyExt, Limited};
use ostracon::ballot::TrackingCode;
use ostracon::board::{BallotSubmission, EncodedSubmission, EntryKind, Submission};
use ostracon::election::Election;
use ostracon::keyceremony::PublicCeremony;
use ostracon::record::{Format, RecordItem};
use ostracon::tally::TallyAccumulator;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::error::ApiError;
use crate::pipeline::{self, Job, Pipeline, ToAppender, Wire};
use crate::store::{self, Db, Location, StoreError};

/// The OpenAPI description of this API.
pub const OPENAPI: &str = include_str!("../openapi.yaml");

/// Every route, as `(method, path)` in the OpenAPI file's spelling.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/health"),
    ("get", "/v1/openapi.yaml"),
    ("get", "/v1/election"),
    ("get", "/v1/manifest"),
    ("post", "/v1/ballots"),
    ("post", "/v1/challenges"),
    ("get", "/v1/ballots/{tracking_code}"),
    ("get", "/v1/board"),
    ("get", "/v1/board/head"),
    ("get", "/v1/record"),
    ("post", "/v1/admin/close"),
    ("post", "/v1/admin/decryptions"),
];

/// Limits of the API.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Submissions per second over all clients (token bucket; `None`: unlimited).
    pub rate: Option<f64>,
    /// Submissions per second from one client (token bucket per address; `None`:
    /// unlimited). The client is the peer address, or, when the peer is one of
    /// `trusted_proxies`, the last address of its `X-Forwarded-For` header.
    pub client_rate: Option<f64>,
    /// Proxies (load balancers) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// IPv6 clients are limited per network of this prefix length (bits, at most 128):
    /// one host usually holds a whole /64, so limiting single addresses would not limit
    /// it. IPv4 clients are limited per address.
    pub client_prefix_v6: u8,
    /// Largest admin import body (`POST /v1/admin/decryptions`), bytes. It is parsed line
    /// by line as it arrives, never buffered whole.
    pub max_import: usize,
    /// Record exports (`GET /v1/record`) served at once, each with a database
    /// connection of its own; beyond, 503 with Retry-After. At least 1.
    pub max_exports: usize,
    /// Bearer token of the admin endpoints (`None`: they are disabled).
    pub admin_token: Option<String>,
}

impl Default for Limits {
    /// 1 MiB bodies, no rate limits, no trusted proxy, IPv6 clients per /64, 256 MiB
    /// imports, 4 concurrent exports, admin endpoints disabled.
    fn default() -> Self {
        Self {
            max_body: 1 << 20,
            rate: None,
            client_rate: None,
            trusted_proxies: Vec::new(),
            client_prefix_v6: 64,
            max_import: 256 << 20,
            max_exports: 4,
            admin_token: None,
        }
    }
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn full(rate: f64, now: Instant) -> Self {
        Self {
            tokens: rate.max(1.0),
            last: now,
        }
    }

    /// Refills at `rate` per second up to a burst of `max(rate, 1)` and takes a token.
    fn take(&mut self, rate: f64, now: Instant) -> bool {
        let burst = rate.max(1.0);
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * rate).min(burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Clients tracked by the per-client limit before idle ones are forgotten.
const MAX_CLIENTS: usize = 1 << 16;

/// The client a request counts against: the peer, or the last `X-Forwarded-For`
/// address when the peer is a trusted proxy (an unparsable header counts against the
/// proxy itself). Without a known peer, one shared "unknown" client.
fn client_of(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let unknown = IpAddr::from([0u8; 4]);
    let Some(peer) = peer else {
        return unknown;
    };
    if !trusted.contains(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or(peer)
}

/// The key a client's rate limit is kept under: an IPv4 address (an IPv4-mapped IPv6
/// address counts as its IPv4 address), or an IPv6 address masked to its first `prefix`
/// bits.
fn client_key(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let bits = u32::from(prefix.min(128));
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// What the handlers share.
pub struct AppState {
    pub(crate) election: Arc<Election>,
    pub(crate) ceremony: PublicCeremony,
    pub(crate) db: Location,
    pub(crate) reader: Mutex<Db>,
    pub(crate) pipeline: Pipeline,
    pub(crate) limits: Limits,
    pub(crate) genesis: [u8; 32],
    bucket: Mutex<Bucket>,
    clients: Mutex<HashMap<IpAddr, Bucket>>,
    exports: ExportGate,
}

/// At most a fixed number of record exports at once (each holds a database connection
/// until the client has read it).
struct ExportGate(Arc<tokio::sync::Semaphore>);

impl ExportGate {
    fn new(max: usize) -> Self {
        Self(Arc::new(tokio::sync::Semaphore::new(max.max(1))))
    }

    /// A permit for one export, held until it is dropped; 503 `exports_busy` when all
    /// are taken.
    fn enter(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.0
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::busy_exporting())
    }
}

impl AppState {
    pub(crate) fn new(
        election: Arc<Election>,
        ceremony: PublicCeremony,
        db: Location,
        reader: Db,
        pipeline: Pipeline,
        limits: Limits,
    ) -> Self {
        let genesis = ostracon::board::genesis(&election);
        let now = Instant::now();
        let exports = ExportGate::new(limits.max_exports);
        let bucket = Mutex::new(Bucket::full(limits.rate.unwrap_or(0.0), now));
        Self {
            election,
            ceremony,
            db,
            reader: Mutex::new(reader),
            pipeline,
            limits,
            genesis,
            bucket,
            clients: Mutex::new(HashMap::new()),
            exports,
        }
    }

    /// Takes a token from `client`'s bucket, then from the global one.
    fn take_token(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        if let Some(rate) = self.limits.client_rate {
            let Ok(mut clients) = self.clients.lock() else {
                return false;
            };
            if clients.len() >= MAX_CLIENTS && !clients.contains_key(&client) {
                // Forget clients whose bucket has refilled (idle for a full burst).
                let idle = std::time::Duration::from_secs_f64(rate.max(1.0) / rate.max(1e-9));
                clients.retain(|_, b| now.duration_since(b.last) < idle);
                if clients.len() >= MAX_CLIENTS {
                    return false;
                }
            }
            let b = clients
                .entry(client)
                .or_insert_with(|| Bucket::full(rate, now));
            if !b.take(rate, now) {
                return false;
            }
        }
        let Some(rate) = self.limits.rate else {
            return true;
        };
        let Ok(mut b) = self.bucket.lock() else {
            return false;
        };
        b.take(rate, now)
    }
}

type Shared = Arc<AppState>;

/// The router of the service.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/openapi.yaml", get(openapi))
        .route("/v1/election", get(election))
        .route("/v1/manifest", get(manifest))
        .route("/v1/ballots", post(cast))
        .route("/v1/challenges", post(challenge))
        .route("/v1/ballots/{tracking_code}", get(lookup))
        .route("/v1/board", get(board))
        .route("/v1/board/head", get(board_head))
        .route("/v1/record", get(record))
        .route("/v1/admin/close", post(close))
        .route("/v1/admin/decryptions", post(decryptions))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .with_state(state)
}

fn store_error(e: StoreError) -> ApiError {
    eprintln!("ostracon serve: {e}");
    ApiError::internal("storage error")
}

/// Runs `f` with the read connection on the blocking pool.
async fn with_reader<T: Send + 'static>(
    state: &Shared,
    f: impl FnOnce(&mut Db, &AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let mut db = state
            .reader
            .lock()
            .map_err(|_| ApiError::internal("storage unavailable"))?;
        f(&mut db, &state)
    })
    .await
    .map_err(|_| ApiError::internal("task failed"))?
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(v) => (status, [(header::CONTENT_TYPE, "application/json")], v).into_response(),
        Err(_) => ApiError::internal("serialisation failed").into_response(),
    }
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    entries: u64,
    closed: bool,
}

async fn health(State(s): State<Shared>) -> Result<Response, ApiError> {
    // From the database: another service sharing it may have closed the board.
    let (entries, closed) = with_reader(&s, |c, _| {
        Ok((
            store::head(c).map_err(store_error)?.0,
            store::is_closed(c).map_err(store_error)?,
        ))
    })
    .await?;
    Ok(json(
        StatusCode::OK,
        &Health {
            status: "ok",
            entries,
            closed,
        },
    ))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI).into_response()
}

async fn election(State(s): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        s.election.to_json(),
    )
        .into_response()
}

async fn manifest(State(s): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        s.election.manifest().to_json(),
    )
        .into_response()
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body exceeds the limit of {limit} bytes"),
        )),
        Err(e) => Err(ApiError::malformed(format!(
            "the body could not be read: {e}"
        ))),
    }
}

/// Reads a body of JSON lines as it arrives, calling `each(line number, line)` on every
/// non-blank line as soon as it is complete: the raw text is never held whole, only the
/// line being read. At most `limit` bytes in all (413 `body_too_large` beyond).
async fn read_lines(
    body: Body,
    limit: usize,
    mut each: impl FnMut(usize, &str) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    use http_body_util::BodyExt;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body exceeds the limit of {limit} bytes"),
        )
    };
    let mut body = body;
    let mut line: Vec<u8> = Vec::new();
    let mut read = 0usize;
    let mut number = 0usize;
    let mut take = |line: &mut Vec<u8>, number: &mut usize| -> Result<(), ApiError> {
        *number += 1;
        let text = std::str::from_utf8(line).map_err(|_| {
            ApiError::malformed(format!("line {number}: not UTF-8 (JSON lines are UTF-8)"))
        })?;
        if !text.trim().is_empty() {
            each(*number, text)?;
        }
        line.clear();
        Ok(())
    };
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| ApiError::malformed(format!("the body could not be read: {e}")))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        read = read.saturating_add(data.len());
        if read > limit {
            return Err(too_large());
        }
        let mut rest: &[u8] = &data;
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            line.extend_from_slice(&rest[..end]);
            take(&mut line, &mut number)?;
            rest = &rest[end + 1..];
        }
        line.extend_from_slice(rest);
    }
    if !line.is_empty() {
        take(&mut line, &mut number)?;
    }
    Ok(())
}

/// The encoding of a submission body, from its content type.
fn wire_of(headers: &HeaderMap) -> Result<Wire, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
        "application/json" => Ok(Wire::Json),
        "application/octet-stream" => Ok(Wire::Binary),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send application/json or application/octet-stream",
        )),
    }
}

/// Decodes a submission body and checks it asks for what the endpoint does. Runs on
/// the validation pool (decoding decompresses every point of the ballot).
pub(crate) fn decode_submission(
    wire: Wire,
    body: &[u8],
    challenge: bool,
) -> Result<EncodedSubmission, ApiError> {
    let submission = match wire {
        Wire::Json => serde_json::from_slice::<BallotSubmission>(body)
            .map(EncodedSubmission::from)
            .map_err(|e| ApiError::malformed(format!("invalid submission JSON: {e}")))?,
        Wire::Binary => EncodedSubmission::from_bytes(body)
            .map_err(|e| ApiError::malformed(format!("invalid binary submission: {e}")))?,
    };
    match (&submission.submission().submission, challenge) {
        (Submission::Cast { .. }, false) | (Submission::Challenge(_), true) => Ok(submission),
        (Submission::Cast { .. }, true) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_action",
            "this endpoint takes challenges (action \"challenge\"); cast at /v1/ballots",
        )),
        (Submission::Challenge(_), false) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_action",
            "this endpoint takes cast ballots; challenge at /v1/challenges",
        )),
    }
}

async fn submit(s: Shared, req: Request, challenge: bool) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    if s.pipeline.closed.load(Ordering::SeqCst) {
        return Err(ApiError::closed());
    }
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = client_of(peer, &headers, &s.limits.trusted_proxies);
    if !s.take_token(client_key(client, s.limits.client_prefix_v6)) {
        return Err(ApiError::rate_limited());
    }
    let wire = wire_of(&headers)?;
    let body = read_body(body, s.limits.max_body).await?;
    let (tx, rx) = oneshot::channel();
    match s.pipeline.ingest.try_send(Job {
        wire,
        body,
        challenge,
        reply: tx,
    }) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => return Err(ApiError::overloaded()),
        Err(TrySendError::Disconnected(_)) => {
            return Err(ApiError::internal("the validation pipeline stopped"))
        }
    }
    let receipt = rx
        .await
        .map_err(|_| ApiError::internal("the validation pipeline stopped"))??;
    Ok(json(StatusCode::CREATED, &receipt))
}

async fn cast(State(s): State<Shared>, req: Request) -> Result<Response, ApiError> {
    submit(s, req, false).await
}

async fn challenge(State(s): State<Shared>, req: Request) -> Result<Response, ApiError> {
    submit(s, req, true).await
}

/// One entry as listed on the board and by look-ups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    /// Position.
    pub position: u64,
    /// Tracking code, hex.
    pub tracking_code: String,
    /// Ballot id.
    pub ballot_id: String,
    /// `cast` or `challenged`.
    pub status: String,
    /// Voter id of a cast ballot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voter: Option<String>,
    /// Head after the entry, hex.
    pub head: String,
    /// Whether the ballot counts (look-ups only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<bool>,
}

impl EntryView {
    fn of(s: &store::EntrySummary, counted: Option<bool>) -> Self {
        Self {
            position: s.position,
            tracking_code: s.tracking_code.to_hex(),
            ballot_id: s.ballot_id.clone(),
            status: pipeline::status(&s.kind).into(),
            voter: match &s.kind {
                EntryKind::Cast { voter, .. } => voter.clone(),
                EntryKind::Challenged { .. } => None,
            },
            head: ostracon::hex::encode(&s.head),
            counted,
        }
    }
}

async fn lookup(State(s): State<Shared>, Path(code): Path<String>) -> Result<Response, ApiError> {
    let bad = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_tracking_code",
            "a tracking code is 64 hex digits, or its human form XXXX-XXXX-XXXX-XXXX",
        )
    };
    let code = code.trim();
    let found = if code.len() == 64 {
        let code = TrackingCode::from_hex(code).map_err(|_| bad())?;
        with_reader(&s, move |c, _| store::lookup(c, &code).map_err(store_error))
            .await?
            .into_iter()
            .collect::<Vec<_>>()
    } else {
        let prefix = TrackingCode::parse_human(code).map_err(|_| bad())?;
        with_reader(&s, move |c, _| {
            store::lookup_human(c, &prefix).map_err(store_error)
        })
        .await?
    };
    match found.as_slice() {
        [(e, counted)] => Ok(json(StatusCode::OK, &EntryView::of(e, Some(*counted)))),
        [] => Err(ApiError::not_found(
            "no ballot with this tracking code is on the board",
        )),
        _ => Err(ApiError::new(
            StatusCode::CONFLICT,
            "ambiguous_tracking_code",
            "several ballots share this human code: give the full 64-digit code",
        )),
    }
}

/// Query of `GET /v1/board`.
#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    from: u64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    100
}

/// Largest page of the board.
pub const MAX_PAGE: u32 = 1000;

/// The board head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadView {
    /// Number of entries.
    pub count: u64,
    /// Head after the last entry (the genesis head when empty), hex.
    pub head: String,
}

/// A page of the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView {
    /// Number of entries on the whole board.
    pub count: u64,
    /// Head of the whole board, hex.
    pub head: String,
    /// The entries of the page.
    pub entries: Vec<EntryView>,
    /// Position of the next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
}

async fn board(
    State(s): State<Shared>,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("invalid query: {e}"),
        )
    })?;
    if q.limit == 0 || q.limit > MAX_PAGE {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("limit must be between 1 and {MAX_PAGE}"),
        ));
    }
    let page = with_reader(&s, move |c, st| {
        let store::BoardPage {
            count,
            head,
            entries,
        } = store::page(c, q.from, q.limit).map_err(store_error)?;
        let next = entries
            .last()
            .map(|e| e.position + 1)
            .filter(|n| *n < count);
        Ok(PageView {
            count,
            head: ostracon::hex::encode(&head.unwrap_or(st.genesis)),
            entries: entries.iter().map(|e| EntryView::of(e, None)).collect(),
            next,
        })
    })
    .await?;
    Ok(json(StatusCode::OK, &page))
}

async fn board_head(State(s): State<Shared>) -> Result<Response, ApiError> {
    let view = with_reader(&s, |c, st| {
        let (count, head) = store::head(c).map_err(store_error)?;
        Ok(HeadView {
            count,
            head: ostracon::hex::encode(&head.unwrap_or(st.genesis)),
        })
    })
    .await?;
    Ok(json(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct RecordQuery {
    #[serde(default)]
    format: Option<String>,
}

/// A writer that sends its bytes, in chunks, down a channel (the response body).
struct ChannelWriter {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 1 << 18 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("client went away"))
    }
}

async fn record(
    State(s): State<Shared>,
    q: Result<Query<RecordQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("invalid query: {e}"),
        )
    })?;
    let (format, ct) = match q.format.as_deref() {
        None | Some("binary") => (Format::Binary, "application/octet-stream"),
        Some("json") | Some("jsonl") => (Format::Json, "application/jsonl"),
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                "format is binary or json",
            ))
        }
    };
    // Each export holds a database connection for as long as the client reads: a bounded
    // number at once.
    let permit = s.exports.enter()?;
    let mut conn = {
        let db = s.db.clone();
        tokio::task::spawn_blocking(move || Db::open(&db))
            .await
            .map_err(|_| ApiError::internal("task failed"))?
            .map_err(store_error)?
    };
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let genesis = s.genesis;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut w = ChannelWriter {
            buf: Vec::with_capacity(1 << 18),
            tx: tx.clone(),
        };
        if let Err(e) = store::export(&mut conn, &mut w, format, genesis) {
            eprintln!("ostracon serve: export failed: {e}");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    Ok(([(header::CONTENT_TYPE, ct)], body).into_response())
}

fn authorise(s: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &s.limits.admin_token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "admin_disabled",
            "admin endpoints are disabled: start the service with --admin-token",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Constant-time comparison of the token.
    let ok = given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid admin bearer token is required",
        ))
    }
}

/// The answer of `POST /v1/admin/close`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseView {
    /// Entries on the closed board.
    pub count: u64,
    /// Final head, hex.
    pub head: String,
    /// Ballots counted in the tally.
    pub counted: u64,
}

async fn close(State(s): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    authorise(&s, &headers)?;
    // Through the appender, so that nothing is appended after the tally is taken.
    let (tx, rx) = oneshot::channel();
    let app = s.pipeline.appender.clone();
    tokio::task::spawn_blocking(move || app.send(ToAppender::Close(tx)))
        .await
        .map_err(|_| ApiError::internal("task failed"))?
        .map_err(|_| ApiError::internal("the appender stopped"))?;
    rx.await
        .map_err(|_| ApiError::internal("the appender stopped"))??;
    let view = with_reader(&s, |c, st| {
        let tally = match store::load_tally(c).map_err(store_error)? {
            Some(t) => t,
            None => {
                // Another service sharing the database may compute it too: both
                // tallies are of the same closed board, hence equal.
                let t = compute_tally(c, &st.election)?;
                store::store_tally(c, &t).map_err(store_error)?;
                t
            }
        };
        let (count, head) = store::head(c).map_err(store_error)?;
        Ok(CloseView {
            count,
            head: ostracon::hex::encode(&head.unwrap_or(st.genesis)),
            counted: tally.ballots,
        })
    })
    .await?;
    Ok(json(StatusCode::OK, &view))
}

/// The homomorphic tally of the counted ballots of the stored board.
fn compute_tally(
    c: &mut Db,
    election: &Election,
) -> Result<ostracon::tally::EncryptedTally, ApiError> {
    let mut acc = TallyAccumulator::new(election);
    crate::import::for_each_counted(c, |e| {
        if let EntryKind::Cast { weight, .. } = &e.kind {
            acc.add(&e.ballot, *weight)
                .map_err(|e| ApiError::internal(format!("tally: {e}")))?;
        }
        Ok(())
    })?;
    Ok(acc.finish())
}

/// The answer of `POST /v1/admin/decryptions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecryptionsView {
    /// Trustees whose partial decryptions of the tally are stored.
    pub trustees: Vec<u32>,
    /// Ranked and write-in contests: shuffles and decryptions stored (empty when the
    /// election has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mixnet: Vec<crate::import::MixnetView>,
    /// Whether the results are decrypted (enough trustees, every contest shuffled and
    /// its final list decrypted).
    pub decrypted: bool,
}

async fn decryptions(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorise(&s, &headers)?;
    // Parsed line by line as the body arrives (a shuffle of a large list is a large
    // line; the whole body is never buffered as text).
    let mut items = Vec::new();
    read_lines(
        body,
        s.limits.max_import,
        |n, line| match RecordItem::from_json_line(line) {
            Ok(
                item @ (RecordItem::Decryption { .. }
                | RecordItem::Mix { .. }
                | RecordItem::MixDecryption { .. }),
            ) => {
                items.push(item);
                Ok(())
            }
            Ok(other) => Err(ApiError::malformed(format!(
                "line {n}: expected decryption, mix or mix_decryption lines, found a {} item",
                other.kind()
            ))),
            Err(e) => Err(ApiError::malformed(format!(
                "line {n}: invalid record line: {e}"
            ))),
        },
    )
    .await?;
    if items.is_empty() {
        return Err(ApiError::malformed(
            "no decryption, mix or mix_decryption line in the body",
        ));
    }
    let view = with_reader(&s, move |c, st| {
        let tally = store::load_tally(c).map_err(store_error)?.ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "not_closed",
                "close the board first: there is no tally to decrypt",
            )
        })?;
        let stored = store::load_imports(c).map_err(store_error)?;
        let stored_mix = stored.mixnet;
        let mut mix = crate::import::Mixnet::load(&st.election, tally.ballots, &stored_mix)?;
        let flat = tally.flat();
        let ctx = st.election.context();
        // Every line is verified, in order, before anything is stored.
        let mut partials = Vec::new();
        let mut mix_items = Vec::new();
        for item in items {
            match item {
                RecordItem::Decryption { partial: p } => {
                    let share = st.ceremony.verification_share(p.trustee).map_err(|_| {
                        ApiError::new(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "unknown_trustee",
                            format!("trustee {} is not in the ceremony", p.trustee),
                        )
                    })?;
                    p.verify(&ctx, &share, &flat, &mut OsRng).map_err(|e| {
                        ApiError::new(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "invalid_decryption",
                            format!("trustee {}: {e}", p.trustee),
                        )
                    })?;
                    partials.push(p);
                }
                // A line already stored (a retried request) is taken as it is.
                RecordItem::Mix { .. } | RecordItem::MixDecryption { .. }
                    if stored_mix.contains(&item) => {}
                RecordItem::Mix { contest, ref step } => {
                    if mix.is_empty() {
                        return Err(ApiError::new(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "not_a_mixnet_contest",
                            "this election has no ranked or write-in contest",
                        ));
                    }
                    mix.add_mix(c, &st.election, contest, step)?;
                    mix_items.push(item);
                }
                RecordItem::MixDecryption {
                    contest,
                    ref partial,
                } => {
                    mix.add_decryption(&st.election, &st.ceremony, contest, partial)?;
                    // As for the tally: a trustee's later decryption of a list replaces
                    // the earlier one.
                    let trustee = partial.trustee;
                    mix_items.retain(|i| !crate::import::is_decryption_of(i, contest, trustee));
                    mix_items.push(item);
                }
                _ => return Err(ApiError::internal("unexpected item")),
            }
        }
        let replaced: Vec<&RecordItem> = stored_mix
            .iter()
            .filter(|s| {
                mix_items.iter().any(|i| match i {
                    RecordItem::MixDecryption { contest, partial } => {
                        crate::import::is_decryption_of(s, *contest, partial.trustee)
                    }
                    _ => false,
                })
            })
            .collect();
        store::store_imports(c, &partials, &mix_items, &replaced, stored.mixnet_version).map_err(
            |e| match e {
                StoreError::Conflict(m) => ApiError::new(
                    StatusCode::CONFLICT,
                    "concurrent_import",
                    format!("{m}: send the body again"),
                ),
                e => store_error(e),
            },
        )?;
        let all = store::load_imports(c).map_err(store_error)?.decryptions;
        let mut decrypted = store::load_results(c).map_err(store_error)?.is_some();
        if !decrypted {
            if let Some(results) =
                crate::import::results(&st.election, &st.ceremony, &tally, &all, &mix)?
            {
                store::store_results(c, &results).map_err(store_error)?;
                decrypted = true;
            }
        }
        Ok(DecryptionsView {
            trustees: all.iter().map(|p| p.trustee).collect(),
            mixnet: mix.view(),
            decrypted,
        })
    })
    .await?;
    Ok(json(StatusCode::OK, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_bounded() {
        let gate = ExportGate::new(2);
        let a = gate.enter().unwrap();
        let _b = gate.enter().unwrap();
        let busy = gate.enter().unwrap_err();
        assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.code, "exports_busy");
        drop(a);
        assert!(gate.enter().is_ok());
        // At least one, whatever is configured.
        assert!(ExportGate::new(0).enter().is_ok());
    }

    #[test]
    fn the_client_is_the_peer_or_what_a_trusted_proxy_says() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let peer: IpAddr = "192.0.2.5".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "198.51.100.1, 203.0.113.9".parse().unwrap(),
        );
        assert_eq!(client_of(Some(peer), &h, &[proxy]), peer);
        assert_eq!(
            client_of(Some(proxy), &h, &[proxy]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        h.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(client_of(Some(proxy), &h, &[proxy]), proxy);
        assert_eq!(client_of(Some(proxy), &HeaderMap::new(), &[proxy]), proxy);
        assert_eq!(client_of(None, &h, &[proxy]), IpAddr::from([0u8; 4]));
    }

    /// A body in chunks that cut lines anywhere.
    fn chunked(parts: &[&str]) -> Body {
        let parts: Vec<Result<Bytes, std::io::Error>> = parts
            .iter()
            .map(|p| Ok(Bytes::from(p.to_string())))
            .collect();
        Body::from_stream(tokio_stream::iter(parts))
    }

    #[tokio::test]
    async fn admin_imports_are_read_line_by_line_within_a_limit() {
        let mut seen = Vec::new();
        read_lines(
            chunked(&["{\"a\":", "1}\n\n{\"b\"", ":2}\n{\"c\":3}"]),
            1000,
            |n, l| {
                seen.push((n, l.to_string()));
                Ok(())
            },
        )
        .await
        .unwrap();
        assert_eq!(
            seen,
            [
                (1, "{\"a\":1}".to_string()),
                (3, "{\"b\":2}".to_string()),
                (4, "{\"c\":3}".to_string())
            ]
        );
        // Beyond the limit: 413, even before a line ends.
        let err = read_lines(
            chunked(&["x".repeat(600).as_str(), "y".repeat(600).as_str()]),
            1000,
            |_, _| Ok(()),
        )
        .await
        .unwrap_err();
        assert_eq!(
            (err.status, err.code),
            (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
        );
        // The first bad line stops the read, named by its number.
        let err = read_lines(chunked(&["ok\n", "\u{0}\n"]), 1000, |n, l| {
            if l == "ok" {
                Ok(())
            } else {
                Err(ApiError::malformed(format!("line {n}: bad")))
            }
        })
        .await
        .unwrap_err();
        assert_eq!(err.code, "malformed_body");
        let bad_utf8 = Body::from(vec![b'{', 0xff, b'\n']);
        let err = read_lines(bad_utf8, 1000, |_, _| Ok(())).await.unwrap_err();
        assert_eq!(err.code, "malformed_body");
    }

    #[test]
    fn ipv6_clients_are_limited_per_network() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // Two addresses of one /64 share a key; another /64 does not.
        let a = client_key(ip("2001:db8:1:2:aaaa::1"), 64);
        assert_eq!(a, ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("2001:db8:1:2:ffff:1:2:3"), 64), a);
        assert_ne!(client_key(ip("2001:db8:1:3::1"), 64), a);
        // Other prefix lengths, and the edges.
        assert_eq!(client_key(ip("2001:db8:1:2::1"), 48), ip("2001:db8:1::"));
        assert_eq!(client_key(ip("2001:db8::1"), 128), ip("2001:db8::1"));
        assert_eq!(client_key(ip("2001:db8::1"), 200), ip("2001:db8::1"));
        assert_eq!(client_key(ip("2001:db8::1"), 0), ip("::"));
        // IPv4, and IPv4-mapped IPv6, per address.
        assert_eq!(client_key(ip("192.0.2.7"), 64), ip("192.0.2.7"));
        assert_eq!(client_key(ip("::ffff:192.0.2.7"), 64), ip("192.0.2.7"));
    }
}
