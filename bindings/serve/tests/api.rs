//! The HTTP API over a real socket: every endpoint and every error class, on SQLite and
//! on PostgreSQL, and two services sharing one database. Each refusal is checked to
//! leave the board unchanged.
//!
//! The PostgreSQL variants need a server: `OSTRACON_TEST_POSTGRES` is the URL of a
//! role allowed to create databases, without a database name
//! (`postgres://postgres@127.0.0.1:5432`); each test creates a database of its own.
//! Without it they say so and pass, unless `OSTRACON_REQUIRE_POSTGRES` is set
//! (`scripts/test-serve` starts a throwaway server and sets both).

use std::net::SocketAddr;
use std::path::Path;

use bytes::Bytes;
use hyper::{Method, StatusCode};
use ostracon::board::{self, BallotSubmission, Submission};
use ostracon::election::Election;
use ostracon::keyceremony::KeyShare;
use ostracon::record::{RecordItem, SliceReader};
use ostracon::threshold::PartialDecryption;
use ostracon_serve::api::{self, Limits};
use ostracon_serve::loadgen::{self, Conn, PrepareConfig};
use ostracon_serve::pipeline::PipelineConfig;
use ostracon_serve::store::{self, Location};
use ostracon_serve::{Config, Receipt};
use rand::rngs::OsRng;
use serde_json::Value;

const SEED: u64 = 7;
const TOKEN: &str = "s3cret-token";

fn prepare(dir: &Path, voters: u64) -> Vec<BallotSubmission> {
    prepare_with(dir, voters, 0)
}

/// A test election of 4 approval options and, if `ranked > 0`, a ranked contest.
fn prepare_with(dir: &Path, voters: u64, ranked: u32) -> Vec<BallotSubmission> {
    let config = PrepareConfig {
        out: dir.to_path_buf(),
        voters,
        options: 4,
        ranked,
        trustees: 3,
        threshold: 2,
        challenge_every: 3,
        revote_every: 0,
        seed: SEED,
    };
    loadgen::prepare(&config, &|_| {}).unwrap();
    loadgen::read_submissions(&dir.join("ballots.bin"), None)
        .unwrap()
        .iter()
        .map(|b| BallotSubmission::from_bytes(b).unwrap())
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A new, empty database for one test (`None`: PostgreSQL is not available here).
fn database(backend: Backend, dir: &Path, name: &str) -> Option<Location> {
    match backend {
        Backend::Sqlite => Some(Location::Sqlite(dir.join(format!("{name}.sqlite")))),
        Backend::Postgres => {
            let Ok(base) = std::env::var("OSTRACON_TEST_POSTGRES") else {
                assert!(
                    std::env::var_os("OSTRACON_REQUIRE_POSTGRES").is_none(),
                    "OSTRACON_REQUIRE_POSTGRES is set but OSTRACON_TEST_POSTGRES is not"
                );
                eprintln!("{name}: skipped on PostgreSQL (OSTRACON_TEST_POSTGRES is not set)");
                return None;
            };
            let base = base.trim_end_matches('/').to_owned();
            let db = format!("ostracon_test_{name}_{}", std::process::id());
            // The synchronous client must not run on an async worker: a thread of its own.
            let admin_url = format!("{base}/postgres");
            let create = db.clone();
            std::thread::spawn(move || {
                let mut c = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
                c.batch_execute(&format!("DROP DATABASE IF EXISTS {create}"))
                    .unwrap();
                c.batch_execute(&format!("CREATE DATABASE {create}"))
                    .unwrap();
            })
            .join()
            .unwrap();
            Some(Location::Postgres(format!("{base}/{db}")))
        }
    }
}

async fn start(dir: &Path, db: &Location, rate: Option<f64>) -> SocketAddr {
    start_with(dir, db, rate, 64).await
}

async fn start_with(dir: &Path, db: &Location, rate: Option<f64>, queue: usize) -> SocketAddr {
    let limits = Limits {
        max_body: 256 << 10,
        rate,
        admin_token: Some(TOKEN.into()),
        ..Limits::default()
    };
    start_limited(dir, db, limits, queue).await
}

async fn start_limited(dir: &Path, db: &Location, limits: Limits, queue: usize) -> SocketAddr {
    let config = Config {
        db: db.clone(),
        init: Some(dir.join("header.jsonl")),
        listen: "127.0.0.1:0".parse().unwrap(),
        limits,
        pipeline: PipelineConfig {
            queue,
            max_batch: 16,
            validators: 2,
        },
        workers: 2,
    };
    let router = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || ostracon_serve::prepare(&config).unwrap())
            .await
            .unwrap()
    };
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    addr
}

/// One HTTP/1.1 request on a fresh connection, with extra headers; the status.
async fn post_with_headers(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> StatusCode {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        req += &format!("{k}: {v}\r\n");
    }
    req += "\r\n";
    tcp.write_all(req.as_bytes()).await.unwrap();
    tcp.write_all(body).await.unwrap();
    let mut resp = Vec::new();
    tcp.read_to_end(&mut resp).await.unwrap();
    let line = String::from_utf8_lossy(&resp);
    let code: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    StatusCode::from_u16(code).unwrap()
}

struct Client {
    conn: Conn,
}

impl Client {
    async fn new(addr: SocketAddr) -> Self {
        Self {
            conn: Conn::open(addr).await.unwrap(),
        }
    }

    async fn raw(
        &mut self,
        method: Method,
        path: &str,
        ct: Option<&str>,
        body: impl Into<Bytes>,
    ) -> (StatusCode, Bytes) {
        let (s, _, b) = self
            .conn
            .request(method, path, ct, body.into())
            .await
            .unwrap();
        (s, b)
    }

    async fn get(&mut self, path: &str) -> (StatusCode, Value) {
        let (s, b) = self.raw(Method::GET, path, None, Bytes::new()).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    async fn post_json(&mut self, path: &str, body: impl Into<Bytes>) -> (StatusCode, Value) {
        let (s, b) = self
            .raw(Method::POST, path, Some("application/json"), body)
            .await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    async fn post_bin(&mut self, path: &str, body: impl Into<Bytes>) -> (StatusCode, Value) {
        let (s, b) = self
            .raw(Method::POST, path, Some("application/octet-stream"), body)
            .await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    async fn count(&mut self) -> u64 {
        self.get("/v1/board/head").await.1["count"]
            .as_u64()
            .unwrap()
    }
}

/// Expects a typed refusal with this status and code, and an unchanged board.
async fn refused(
    addr: SocketAddr,
    (status, body): (StatusCode, Value),
    want: StatusCode,
    code: &str,
    before: u64,
) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    let mut c = Client::new(addr).await;
    assert_eq!(
        c.count().await,
        before,
        "a refused submission changed the board"
    );
}

/// An admin request with a bearer token.
async fn admin(
    addr: SocketAddr,
    path: &str,
    token: &str,
    body: impl Into<Bytes>,
) -> (StatusCode, Value) {
    let mut conn = Conn::open(addr).await.unwrap();
    let (s, _, b) = conn
        .request_with(Method::POST, path, None, Some(token), body.into())
        .await
        .unwrap();
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn cast_index(subs: &[BallotSubmission]) -> Vec<usize> {
    (0..subs.len())
        .filter(|i| matches!(subs[*i].submission, Submission::Cast { .. }))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_and_every_error_class_sqlite() {
    every_endpoint_and_every_error_class(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_and_every_error_class_postgres() {
    every_endpoint_and_every_error_class(Backend::Postgres).await;
}

async fn every_endpoint_and_every_error_class(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = database(backend, dir.path(), "endpoints") else {
        return;
    };
    let subs = prepare(dir.path(), 6);
    let election =
        Election::from_json(&std::fs::read(dir.path().join("election.json")).unwrap()).unwrap();
    let addr = start(dir.path(), &db, None).await;
    let mut c = Client::new(addr).await;

    // Election data, health, OpenAPI.
    let (s, v) = c.get("/v1/health").await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, v) = c.get("/v1/election").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        Election::from_json(v.to_string().as_bytes())
            .unwrap()
            .base_hash(),
        election.base_hash()
    );
    let (s, v) = c.get("/v1/manifest").await;
    assert_eq!(
        (s, v["election_id"].as_str()),
        (StatusCode::OK, Some("loadgen"))
    );
    let (s, b) = c
        .raw(Method::GET, "/v1/openapi.yaml", None, Bytes::new())
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b, api::OPENAPI.as_bytes());
    let (s, v) = c.get("/v1/board/head").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["count"], 0);
    assert_eq!(v["head"], ostracon::hex::encode(&board::genesis(&election)));
    refused(
        addr,
        c.get("/v1/nothing").await,
        StatusCode::NOT_FOUND,
        "not_found",
        0,
    )
    .await;

    // Casting, binary and JSON; challenging.
    let casts = cast_index(&subs);
    let challenge = (0..subs.len())
        .find(|i| matches!(subs[*i].submission, Submission::Challenge(_)))
        .unwrap();
    let (s, v) = c.post_bin("/v1/ballots", subs[casts[0]].to_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let r0: Receipt = serde_json::from_value(v).unwrap();
    assert_eq!(r0.position, 0);
    assert_eq!(
        r0.tracking_code,
        subs[casts[0]].ballot.tracking_code().to_hex()
    );
    assert_eq!(r0.code, subs[casts[0]].ballot.tracking_code().human());
    assert_eq!(r0.status, "cast");
    let (s, v) = c
        .post_json("/v1/ballots", serde_json::to_vec(&subs[casts[1]]).unwrap())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let r1: Receipt = serde_json::from_value(v).unwrap();
    assert_eq!(r1.position, 1);
    let (s, v) = c
        .post_bin("/v1/challenges", subs[challenge].to_bytes())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "challenged");
    let mut n = 3;

    // Look-ups and the board.
    let (s, v) = c.get(&format!("/v1/ballots/{}", r1.tracking_code)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["position"].as_u64(), v["counted"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(v["head"], r1.head);
    let unknown = "00".repeat(32);
    refused(
        addr,
        c.get(&format!("/v1/ballots/{unknown}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        n,
    )
    .await;
    refused(
        addr,
        c.get("/v1/ballots/not-a-code").await,
        StatusCode::BAD_REQUEST,
        "bad_tracking_code",
        n,
    )
    .await;
    // The human form voters see finds the same entry, typed any way Crockford allows.
    for typed in [
        r1.code.clone(),
        r1.code.to_lowercase().replace('-', ""),
        r1.code.replace('0', "o").replace('1', "l"),
    ] {
        let (s, v) = c.get(&format!("/v1/ballots/{typed}")).await;
        assert_eq!(s, StatusCode::OK, "{typed}: {v}");
        assert_eq!(v["tracking_code"], r1.tracking_code.as_str());
        assert_eq!(v["position"], 1);
    }
    refused(
        addr,
        c.get("/v1/ballots/0000-0000-0000-0000").await,
        StatusCode::NOT_FOUND,
        "not_found",
        n,
    )
    .await;
    refused(
        addr,
        c.get("/v1/ballots/UUUU-0000-0000-0000").await,
        StatusCode::BAD_REQUEST,
        "bad_tracking_code",
        n,
    )
    .await;
    let (s, v) = c.get("/v1/board?from=0&limit=2").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["entries"].as_array().unwrap().len(), 2);
    assert_eq!(v["next"], 2);
    assert_eq!(v["count"], 3);
    let (_, v) = c.get("/v1/board?from=2").await;
    assert_eq!(v["entries"][0]["status"], "challenged");
    assert!(v.get("next").is_none());
    refused(
        addr,
        c.get("/v1/board?limit=0").await,
        StatusCode::BAD_REQUEST,
        "bad_query",
        n,
    )
    .await;
    refused(
        addr,
        c.get("/v1/board?from=x").await,
        StatusCode::BAD_REQUEST,
        "bad_query",
        n,
    )
    .await;

    // Bad bodies.
    refused(
        addr,
        c.post_json("/v1/ballots", "{not json").await,
        StatusCode::BAD_REQUEST,
        "malformed_body",
        n,
    )
    .await;
    refused(
        addr,
        c.post_json("/v1/ballots", "{\"ballot\":\"00\",\"action\":\"cast\"}")
            .await,
        StatusCode::BAD_REQUEST,
        "malformed_body",
        n,
    )
    .await;
    refused(
        addr,
        c.post_bin("/v1/ballots", vec![1u8, 2, 3]).await,
        StatusCode::BAD_REQUEST,
        "malformed_body",
        n,
    )
    .await;
    let mut trailing = subs[casts[2]].to_bytes();
    trailing.push(0);
    refused(
        addr,
        c.post_bin("/v1/ballots", trailing).await,
        StatusCode::BAD_REQUEST,
        "malformed_body",
        n,
    )
    .await;
    let (s, b) = c
        .raw(Method::POST, "/v1/ballots", Some("text/plain"), "hello")
        .await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    refused(
        addr,
        (s, v),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        n,
    )
    .await;
    refused(
        addr,
        c.post_bin("/v1/ballots", vec![0u8; 300 << 10]).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        n,
    )
    .await;
    // The service closes a connection whose body it did not read: reconnect.
    c = Client::new(addr).await;
    refused(
        addr,
        c.post_bin("/v1/challenges", subs[casts[2]].to_bytes())
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong_action",
        n,
    )
    .await;

    // Ballots the core refuses.
    let mut bad_proof = subs[casts[2]].clone();
    bad_proof.ballot.contests[0].selections.swap(0, 1);
    refused(
        addr,
        c.post_bin("/v1/ballots", bad_proof.to_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_proof",
        n,
    )
    .await;
    let mut bad_shape = subs[casts[2]].clone();
    bad_shape.ballot.contests.clear();
    refused(
        addr,
        c.post_bin("/v1/ballots", bad_shape.to_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "malformed_ballot",
        n,
    )
    .await;
    let mut wrong_election = subs[casts[2]].clone();
    wrong_election.ballot.election[0] ^= 1;
    refused(
        addr,
        c.post_bin("/v1/ballots", wrong_election.to_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong_election",
        n,
    )
    .await;
    refused(
        addr,
        c.post_bin("/v1/ballots", subs[casts[0]].to_bytes()).await,
        StatusCode::CONFLICT,
        "duplicate_tracking_code",
        n,
    )
    .await;
    let mut bad_opening = subs[challenge].clone();
    if let Submission::Challenge(o) = &mut bad_opening.submission {
        o.selections[0][0] ^= 1;
    }
    refused(
        addr,
        c.post_bin("/v1/challenges", bad_opening.to_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_opening",
        n,
    )
    .await;
    let with_voter = |voter: Option<&str>, signature: Option<[u8; 64]>| BallotSubmission {
        ballot: subs[casts[2]].ballot.clone(),
        submission: Submission::Cast {
            voter: voter.map(Into::into),
            signature,
        },
    };
    let Submission::Cast {
        voter: Some(v2),
        signature: Some(sig2),
    } = &subs[casts[2]].submission
    else {
        panic!("a signed cast ballot")
    };
    let mut bad_sig = *sig2;
    bad_sig[3] ^= 1;
    refused(
        addr,
        c.post_bin(
            "/v1/ballots",
            with_voter(Some(v2), Some(bad_sig)).to_bytes(),
        )
        .await,
        StatusCode::FORBIDDEN,
        "bad_signature",
        n,
    )
    .await;
    refused(
        addr,
        c.post_bin("/v1/ballots", with_voter(Some(v2), None).to_bytes())
            .await,
        StatusCode::FORBIDDEN,
        "missing_signature",
        n,
    )
    .await;
    refused(
        addr,
        c.post_bin(
            "/v1/ballots",
            with_voter(Some("nobody"), Some(*sig2)).to_bytes(),
        )
        .await,
        StatusCode::FORBIDDEN,
        "unknown_voter",
        n,
    )
    .await;
    // A new ballot reusing a ballot id already on the board.
    let mut r = OsRng;
    let plain = ostracon::ballot::PlaintextBallot::new().with("approval", vec![1, 0, 0, 1]);
    let (again, _) = election
        .encrypt_ballot(&subs[casts[0]].ballot.ballot_id, &plain, None, &mut r)
        .unwrap();
    let voter = "voter-5";
    let sig = board::sign_ballot(
        &loadgen::voter_key(SEED, 5),
        &election,
        &again.tracking_code(),
        voter,
    );
    let dup_id = BallotSubmission {
        ballot: again,
        submission: Submission::Cast {
            voter: Some(voter.into()),
            signature: Some(sig),
        },
    };
    refused(
        addr,
        c.post_bin("/v1/ballots", dup_id.to_bytes()).await,
        StatusCode::CONFLICT,
        "duplicate_ballot_id",
        n,
    )
    .await;
    // The good one is still accepted after all that.
    let (s, _) = c.post_bin("/v1/ballots", subs[casts[2]].to_bytes()).await;
    assert_eq!(s, StatusCode::CREATED);
    n += 1;

    // Admin: token required; close; no ballot after; decryptions; the record verifies.
    let (s, b) = c
        .raw(Method::POST, "/v1/admin/close", None, Bytes::new())
        .await;
    refused(
        addr,
        (s, serde_json::from_slice(&b).unwrap()),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        n,
    )
    .await;
    let (s, v) = admin(addr, "/v1/admin/close", "wrong-token", Bytes::new()).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (s, b) = c
        .raw(Method::POST, "/v1/admin/decryptions", None, "x")
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b:?}");
    let (s, v) = admin(addr, "/v1/admin/close", TOKEN, Bytes::new()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["count"], n);
    assert_eq!(v["counted"], 3);
    refused(
        addr,
        c.post_bin("/v1/ballots", subs[casts[3]].to_bytes()).await,
        StatusCode::CONFLICT,
        "board_closed",
        n,
    )
    .await;

    let (s, record) = c.raw(Method::GET, "/v1/record", None, Bytes::new()).await;
    assert_eq!(s, StatusCode::OK);
    let tally = {
        let mut rd = SliceReader::new(&record).unwrap();
        let mut t = None;
        while let Some(item) = rd.next_item().unwrap() {
            if let RecordItem::Tally(x) = item {
                t = Some(x);
            }
        }
        t.unwrap()
    };
    let mut lines = String::new();
    for i in [1u32, 3] {
        let key = KeyShare::from_bytes(
            &std::fs::read(dir.path().join(format!("key-{i}.secret"))).unwrap(),
        )
        .unwrap();
        let partial =
            PartialDecryption::from_key_share(&election.context(), &key, &tally.flat(), &mut r);
        lines.push_str(&RecordItem::Decryption { partial }.to_json_line().unwrap());
        lines.push('\n');
    }
    let (s, v) = admin(addr, "/v1/admin/decryptions", TOKEN, "{\"type\":\"board\"}").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_body"))
    );
    let (s, v) = admin(addr, "/v1/admin/decryptions", TOKEN, lines).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["decrypted"], true);
    for format in ["binary", "json"] {
        let (s, record) = c
            .raw(
                Method::GET,
                &format!("/v1/record?format={format}"),
                None,
                Bytes::new(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let report = ostracon::verify::verify_bytes(&record, &mut r).unwrap();
        assert!(report.is_ok(), "{format}: {}", report.summary());
        assert_eq!(report.counts.entries, n);
    }
    refused(
        addr,
        c.get("/v1/record?format=xml").await,
        StatusCode::BAD_REQUEST,
        "bad_query",
        n,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_and_restart_keeps_the_board_sqlite() {
    rate_limit_answers_429_and_restart_keeps_the_board(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_and_restart_keeps_the_board_postgres() {
    rate_limit_answers_429_and_restart_keeps_the_board(Backend::Postgres).await;
}

async fn rate_limit_answers_429_and_restart_keeps_the_board(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = database(backend, dir.path(), "limited") else {
        return;
    };
    let subs = prepare(dir.path(), 4);
    let casts = cast_index(&subs);
    let addr = start(dir.path(), &db, Some(1.0)).await;
    let mut c = Client::new(addr).await;
    let (s, _) = c.post_bin("/v1/ballots", subs[casts[0]].to_bytes()).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, b) = c
        .raw(
            Method::POST,
            "/v1/ballots",
            Some("application/octet-stream"),
            subs[casts[1]].to_bytes(),
        )
        .await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    refused(
        addr,
        (s, v),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        1,
    )
    .await;
    let head = c.get("/v1/board/head").await.1;
    // A second service on the same database rebuilds the same board and goes on.
    let addr2 = start(dir.path(), &db, None).await;
    let mut c2 = Client::new(addr2).await;
    assert_eq!(c2.get("/v1/board/head").await.1, head);
    let (s, v) = c2.post_bin("/v1/ballots", subs[casts[1]].to_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["position"], 1);
}

/// One client cannot starve the others: each client address has its own bucket; behind
/// a trusted proxy the client is the last `X-Forwarded-For` address, and from any other
/// peer that header is ignored (a client cannot pose as many).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_client_rate_limits() {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = database(Backend::Sqlite, dir.path(), "clients") else {
        return;
    };
    let subs = prepare(dir.path(), 6);
    let casts = cast_index(&subs);
    let body = |i: usize| subs[casts[i]].to_bytes();
    let behind_proxy = Limits {
        client_rate: Some(0.001),
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        max_exports: 1,
        admin_token: Some(TOKEN.into()),
        ..Limits::default()
    };
    let addr = start_limited(dir.path(), &db, behind_proxy, 64).await;
    let a = [("X-Forwarded-For", "198.51.100.7, 203.0.113.1")];
    let b = [("X-Forwarded-For", "203.0.113.2")];
    assert_eq!(
        post_with_headers(addr, "/v1/ballots", &a, &body(0)).await,
        StatusCode::CREATED
    );
    // Client A's second submission is refused; B, behind the same proxy, is not.
    assert_eq!(
        post_with_headers(addr, "/v1/ballots", &a, &body(1)).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        post_with_headers(addr, "/v1/ballots", &b, &body(1)).await,
        StatusCode::CREATED
    );
    // Changing the first (client-written) address does not make A a new client.
    let a2 = [("X-Forwarded-For", "192.0.2.9, 203.0.113.1")];
    assert_eq!(
        post_with_headers(addr, "/v1/ballots", &a2, &body(2)).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut c = Client::new(addr).await;
    assert_eq!(c.count().await, 2);

    // Without a trusted proxy the header is the client's own claim: ignored.
    let direct = Limits {
        client_rate: Some(0.001),
        admin_token: Some(TOKEN.into()),
        ..Limits::default()
    };
    let addr2 = start_limited(dir.path(), &db, direct, 64).await;
    assert_eq!(
        post_with_headers(addr2, "/v1/ballots", &a, &body(2)).await,
        StatusCode::CREATED
    );
    assert_eq!(
        post_with_headers(addr2, "/v1/ballots", &b, &body(3)).await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Exports are served (their bound is the unit test `api::tests::exports_are_bounded`).
    assert_eq!(
        c.raw(Method::GET, "/v1/record", None, Bytes::new()).await.0,
        StatusCode::OK
    );
}

#[test]
fn every_route_is_in_the_openapi_file() {
    let doc = api::OPENAPI;
    for (method, path) in api::ROUTES {
        let at = doc
            .find(&format!("\n  {path}:\n"))
            .unwrap_or_else(|| panic!("{path} is not in openapi.yaml"));
        let rest = &doc[at + path.len() + 4..];
        let end = rest.find("\n  /").unwrap_or(rest.len());
        assert!(
            rest[..end].contains(&format!("\n    {method}:")),
            "{method} {path} is not in openapi.yaml"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_with_retry_after_and_stores_nothing_extra_sqlite() {
    a_full_queue_answers_503_with_retry_after_and_stores_nothing_extra(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_with_retry_after_and_stores_nothing_extra_postgres() {
    a_full_queue_answers_503_with_retry_after_and_stores_nothing_extra(Backend::Postgres).await;
}

async fn a_full_queue_answers_503_with_retry_after_and_stores_nothing_extra(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = database(backend, dir.path(), "busy") else {
        return;
    };
    let subs = prepare(dir.path(), 40);
    let casts = cast_index(&subs);
    let addr = start_with(dir.path(), &db, None, 1).await;
    let mut accepted = 0u64;
    let mut busy = 0u64;
    let mut next = 0;
    // Rounds of concurrent submissions against a queue of one, until one is turned away.
    while busy == 0 && next < casts.len() {
        let round: Vec<_> = casts[next..(next + 8).min(casts.len())]
            .iter()
            .map(|&i| {
                let body = subs[i].to_bytes();
                tokio::spawn(async move {
                    let mut conn = Conn::open(addr).await.unwrap();
                    conn.request(
                        Method::POST,
                        "/v1/ballots",
                        Some("application/octet-stream"),
                        body.into(),
                    )
                    .await
                    .unwrap()
                })
            })
            .collect();
        next += 8;
        for t in round {
            let (status, retry, body) = t.await.unwrap();
            match status {
                StatusCode::CREATED => accepted += 1,
                StatusCode::SERVICE_UNAVAILABLE => {
                    busy += 1;
                    assert_eq!(retry, Some(1));
                    let v: Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(v["error"]["code"], "overloaded");
                }
                other => panic!("unexpected {other}: {body:?}"),
            }
        }
    }
    assert!(busy > 0, "no submission was turned away by a queue of one");
    let mut c = Client::new(addr).await;
    assert_eq!(c.count().await, accepted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_services_share_one_board_sqlite() {
    two_services_share_one_board(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_services_share_one_board_postgres() {
    two_services_share_one_board(Backend::Postgres).await;
}

/// Two services on one database, as behind a load balancer: every submission is sent to
/// both at once; each is stored exactly once (the other service refuses it as a
/// duplicate), the board chains across both, a close on one stops the other, and the
/// exported record verifies.
async fn two_services_share_one_board(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = database(backend, dir.path(), "shared") else {
        return;
    };
    let subs = prepare(dir.path(), 24);
    let a = start(dir.path(), &db, None).await;
    let b = start(dir.path(), &db, None).await;
    let casts = cast_index(&subs);
    let late = *casts.last().unwrap();
    let sent: Vec<usize> = (0..subs.len()).filter(|i| *i != late).collect();
    let mut tasks = Vec::new();
    for &i in &sent {
        for addr in [a, b] {
            let body = subs[i].to_bytes();
            let path = match subs[i].submission {
                Submission::Cast { .. } => "/v1/ballots",
                Submission::Challenge(_) => "/v1/challenges",
            };
            tasks.push(tokio::spawn(async move {
                let mut conn = Conn::open(addr).await.unwrap();
                let (s, _, body) = conn
                    .request(
                        Method::POST,
                        path,
                        Some("application/octet-stream"),
                        body.into(),
                    )
                    .await
                    .unwrap();
                (i, s, serde_json::from_slice::<Value>(&body).unwrap())
            }));
        }
    }
    let mut receipts = Vec::new();
    let mut refusals = 0;
    for t in tasks {
        let (i, s, v) = t.await.unwrap();
        match s {
            StatusCode::CREATED => {
                receipts.push((i, serde_json::from_value::<Receipt>(v).unwrap()))
            }
            StatusCode::CONFLICT => {
                assert!(
                    ["duplicate_ballot_id", "duplicate_tracking_code"]
                        .contains(&v["error"]["code"].as_str().unwrap_or("")),
                    "{v}"
                );
                refusals += 1;
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    // Every submission stored exactly once, at distinct consecutive positions.
    receipts.sort_by_key(|(_, r)| r.position);
    let mut stored: Vec<usize> = receipts.iter().map(|(i, _)| *i).collect();
    stored.sort_unstable();
    assert_eq!(stored, sent, "each submission is stored once");
    assert_eq!(refusals, sent.len());
    let positions: Vec<u64> = receipts.iter().map(|(_, r)| r.position).collect();
    assert_eq!(positions, (0..sent.len() as u64).collect::<Vec<_>>());
    // Both services see the same board and head, and find every receipt.
    let (mut ca, mut cb) = (Client::new(a).await, Client::new(b).await);
    let head = ca.get("/v1/board/head").await.1;
    assert_eq!(cb.get("/v1/board/head").await.1, head);
    assert_eq!(head["head"], receipts.last().unwrap().1.head.as_str());
    for (_, r) in &receipts {
        let (s, v) = cb.get(&format!("/v1/ballots/{}", r.tracking_code)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["position"], r.position);
    }
    // Closing through one service closes the board for the other too.
    let (s, v) = admin(a, "/v1/admin/close", TOKEN, Bytes::new()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["count"], sent.len());
    refused(
        b,
        cb.post_bin("/v1/ballots", subs[late].to_bytes()).await,
        StatusCode::CONFLICT,
        "board_closed",
        sent.len() as u64,
    )
    .await;
    assert_eq!(cb.get("/v1/health").await.1["closed"], true);
    let (s, record) = cb.raw(Method::GET, "/v1/record", None, Bytes::new()).await;
    assert_eq!(s, StatusCode::OK);
    let report = ostracon::verify::verify_bytes(&record, &mut OsRng).unwrap();
    // Everything up to the encrypted tally verifies; only the decryption (check 19) is
    // missing, since no trustee has decrypted yet.
    assert_eq!(report.failed_checks(), vec![19], "{}", report.summary());
    assert_eq!(report.checks[&17].passed, 1);
    assert_eq!(report.counts.entries, sent.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranked_contest_goes_through_the_mixnet_sqlite() {
    a_ranked_contest_goes_through_the_mixnet(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranked_contest_goes_through_the_mixnet_postgres() {
    a_ranked_contest_goes_through_the_mixnet(Backend::Postgres).await;
}

/// An election with a ranked contest completed through the service: two trustees
/// shuffle in turn, two decrypt the tally and the final list; each line is verified on
/// import (a shuffle of the wrong list, a decryption before any shuffle and a shuffle
/// after a decryption are refused, and nothing of a refused body is stored); the record
/// passes every check and its results hold the decrypted rankings.
async fn a_ranked_contest_goes_through_the_mixnet(backend: Backend) {
    use ostracon::mixnet::{self, MixStep, ShuffleGenerators};
    use ostracon::verify::Prepass;

    let dir = tempfile::tempdir().unwrap();
    let Some(db) = database(backend, dir.path(), "mixnet") else {
        return;
    };
    let subs = prepare_with(dir.path(), 9, 3);
    let election =
        Election::from_json(&std::fs::read(dir.path().join("election.json")).unwrap()).unwrap();
    let contest = 1u32;
    let width = election.manifest().contests[1].width();
    let addr = start(dir.path(), &db, None).await;
    let mut c = Client::new(addr).await;
    for sub in &subs {
        let path = match sub.submission {
            Submission::Cast { .. } => "/v1/ballots",
            Submission::Challenge(_) => "/v1/challenges",
        };
        let (s, v) = c.post_bin(path, sub.to_bytes()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let key = |i: u32| {
        KeyShare::from_bytes(&std::fs::read(dir.path().join(format!("key-{i}.secret"))).unwrap())
            .unwrap()
    };
    let line = |item: RecordItem| item.to_json_line().unwrap() + "\n";
    let import = |body: String| admin(addr, "/v1/admin/decryptions", TOKEN, body);

    // Before the close there is nothing to complete.
    let (s, v) = import(line(RecordItem::Decryption {
        partial: PartialDecryption::from_key_share(&election.context(), &key(1), &[], &mut OsRng),
    }))
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_closed"))
    );
    let (s, v) = admin(addr, "/v1/admin/close", TOKEN, Bytes::new()).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // What a trustee reads from the exported record: the tally, and the counted
    // ballots' rows of the ranked contest in board order.
    let (_, record) = c.raw(Method::GET, "/v1/record", None, Bytes::new()).await;
    let mut items = Vec::new();
    let mut rd = SliceReader::new(&record).unwrap();
    while let Some(item) = rd.next_item().unwrap() {
        items.push(item);
    }
    let mut prepass = Prepass::new();
    for item in &items {
        if let RecordItem::Entry(e) = item {
            prepass.note(e);
        }
    }
    let mut rows = Vec::new();
    let mut tally = None;
    for item in &items {
        match item {
            RecordItem::Entry(e) if prepass.is_counted(e) => {
                rows.extend_from_slice(&e.ballot.contests[1].selections);
            }
            RecordItem::Tally(t) => tally = Some(t.clone()),
            _ => {}
        }
    }
    let tally = tally.unwrap();
    let voters = rows.len() / width;
    assert_eq!(voters, 9);
    let generators = ShuffleGenerators::derive(election.base_hash(), voters);
    let ek = election.encryption_key();
    let shuffle = |step: u32, mixer: u32, input: &[ostracon::elgamal::Ciphertext]| {
        MixStep::run(
            &election.context(),
            contest,
            step,
            &key(mixer),
            ek,
            &generators,
            input,
            width,
            &mut OsRng,
        )
        .unwrap()
    };
    let before = c.raw(Method::GET, "/v1/record", None, Bytes::new()).await.1;

    // A decryption of the list before any shuffle, and a mix of the approval contest.
    let pctx = mixnet::decryption_context(&election.decryption_context(), contest);
    let early = PartialDecryption::from_key_share(&pctx, &key(1), &rows, &mut OsRng);
    let (s, v) = import(line(RecordItem::MixDecryption {
        contest,
        partial: early,
    }))
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_mixed")),
        "{v}"
    );
    let (s, v) = import(line(RecordItem::Mix {
        contest: 0,
        step: shuffle(0, 1, &rows),
    }))
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("not_a_mixnet_contest")
        ),
        "{v}"
    );

    // Trustee 1 shuffles the counted rows; trustee 2 shuffles trustee 1's output.
    let first = shuffle(0, 1, &rows);
    let (s, v) = import(line(RecordItem::Mix {
        contest,
        step: first.clone(),
    }))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["mixnet"][0]["shuffles"], 1);
    assert_eq!(v["decrypted"], false);
    // One trustee's shuffle is not enough to decrypt (t = 2 distinct mixers).
    let (s, v) = import(line(RecordItem::MixDecryption {
        contest,
        partial: PartialDecryption::from_key_share(&pctx, &key(2), &first.output, &mut OsRng),
    }))
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("too_few_mixers")),
        "{v}"
    );
    // A second step made from the counted rows instead of the first step's output, in
    // one body with a valid tally decryption: the body is refused whole.
    let wrong = shuffle(1, 2, &rows);
    let good_partial =
        PartialDecryption::from_key_share(&election.context(), &key(1), &tally.flat(), &mut OsRng);
    let (s, v) = import(
        line(RecordItem::Decryption {
            partial: good_partial.clone(),
        }) + &line(RecordItem::Mix {
            contest,
            step: wrong,
        }),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_shuffle")),
        "{v}"
    );
    // A service that verified a line against the state before another service's import
    // stores nothing: its write finds the mixnet items changed.
    // (The store's PostgreSQL client is synchronous: it runs on the blocking pool.)
    let location = db.clone();
    let (mut other, snapshot) = tokio::task::spawn_blocking(move || {
        let mut other = store::Db::open(&location).unwrap();
        let snapshot = store::load_imports(&mut other).unwrap();
        (other, snapshot)
    })
    .await
    .unwrap();
    assert_eq!(snapshot.mixnet.len(), 1);
    let second = shuffle(1, 2, &first.output);
    let (s, v) = import(line(RecordItem::Mix {
        contest,
        step: second.clone(),
    }))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let stale = RecordItem::Mix {
        contest,
        step: shuffle(1, 3, &first.output),
    };
    let version = snapshot.mixnet_version;
    let (refused, now) = tokio::task::spawn_blocking(move || {
        let refused = store::store_imports(&mut other, &[], &[stale], &[], version);
        let refused = matches!(refused, Err(store::StoreError::Conflict(_)));
        (refused, store::load_imports(&mut other).unwrap())
    })
    .await
    .unwrap();
    assert!(refused, "a write verified against a stale state is refused");
    assert_eq!(now.mixnet.len(), 2, "the stale write stored nothing");
    assert!(now.mixnet_version > snapshot.mixnet_version);
    assert_eq!(
        v["trustees"],
        serde_json::json!([]),
        "the refused body stored nothing"
    );
    assert_eq!(v["mixnet"][0]["shuffles"], 2);

    // Trustees 1 and 3 decrypt the tally and the final list.
    let mut body = String::new();
    let mut sent = Vec::new();
    for i in [1u32, 3] {
        let k = key(i);
        body += &line(RecordItem::Decryption {
            partial: PartialDecryption::from_key_share(
                &election.context(),
                &k,
                &tally.flat(),
                &mut OsRng,
            ),
        });
        let item = RecordItem::MixDecryption {
            contest,
            partial: PartialDecryption::from_key_share(&pctx, &k, &second.output, &mut OsRng),
        };
        body += &line(item.clone());
        sent.push(item);
    }
    let (s, v) = import(body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["trustees"], serde_json::json!([1, 3]));
    assert_eq!(v["mixnet"][0]["decrypted_by"], serde_json::json!([1, 3]));
    assert_eq!(v["decrypted"], true);
    let (s, v) = import(line(RecordItem::Mix {
        contest,
        step: shuffle(2, 3, &second.output),
    }))
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("mix_after_decryption")),
        "{v}"
    );

    // Retried requests: lines already stored are taken as they are (even the second
    // shuffle, now that decryption has begun); a trustee's new decryption of the list
    // replaces its earlier one. The record keeps one decryption per trustee.
    let (s, v) = import(
        line(RecordItem::Mix {
            contest,
            step: second.clone(),
        }) + &line(sent[0].clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["mixnet"][0]["shuffles"], 2);
    let again = PartialDecryption::from_key_share(&pctx, &key(3), &second.output, &mut OsRng);
    assert_ne!(
        RecordItem::MixDecryption {
            contest,
            partial: again.clone()
        },
        sent[1]
    );
    let (s, v) = import(line(RecordItem::MixDecryption {
        contest,
        partial: again.clone(),
    }))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["mixnet"][0]["decrypted_by"], serde_json::json!([1, 3]));

    // The record passes every check, the mixnet's included.
    let (s, record) = c.raw(Method::GET, "/v1/record", None, Bytes::new()).await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(record, before);
    let report = ostracon::verify::verify_bytes(&record, &mut OsRng).unwrap();
    assert!(report.is_ok(), "{}", report.summary());
    assert_eq!(
        report.checks[&21].passed, 3,
        "two shuffles verified, by two distinct trustees"
    );
    let mut reader = ostracon::record::SliceReader::new(&record).unwrap();
    let mut mixed = Vec::new();
    while let Some(item) = reader.next_item().unwrap() {
        if matches!(
            item,
            RecordItem::Mix { .. } | RecordItem::MixDecryption { .. }
        ) {
            mixed.push(item);
        }
    }
    assert_eq!(mixed.len(), 4, "two shuffles, two decryptions: {mixed:?}");
    assert!(mixed.contains(&RecordItem::MixDecryption {
        contest,
        partial: again
    }));
    let results = report.results.unwrap();
    assert_eq!(results.mixnet.len(), 1);
    assert_eq!(results.mixnet[0].contest, "ranked");
    assert_eq!(results.mixnet[0].ballots.len(), 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranked_contest_without_ballots_needs_no_shuffle_sqlite() {
    a_ranked_contest_without_ballots_needs_no_shuffle(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranked_contest_without_ballots_needs_no_shuffle_postgres() {
    a_ranked_contest_without_ballots_needs_no_shuffle(Backend::Postgres).await;
}

/// An election with a ranked contest and no ballot at all: there is nothing to shuffle
/// (a shuffle is refused with `nothing_to_mix`), the tally's decryptions alone give the
/// results (an empty ranked result), and the record verifies.
async fn a_ranked_contest_without_ballots_needs_no_shuffle(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = database(backend, dir.path(), "empty_mixnet") else {
        return;
    };
    prepare_with(dir.path(), 3, 3);
    let election =
        Election::from_json(&std::fs::read(dir.path().join("election.json")).unwrap()).unwrap();
    let addr = start(dir.path(), &db, None).await;
    let mut c = Client::new(addr).await;
    let (s, v) = admin(addr, "/v1/admin/close", TOKEN, Bytes::new()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let key = |i: u32| {
        KeyShare::from_bytes(&std::fs::read(dir.path().join(format!("key-{i}.secret"))).unwrap())
            .unwrap()
    };
    let line = |item: RecordItem| item.to_json_line().unwrap() + "\n";
    let import = |body: String| admin(addr, "/v1/admin/decryptions", TOKEN, body);
    let (_, record) = c.raw(Method::GET, "/v1/record", None, Bytes::new()).await;
    let mut rd = SliceReader::new(&record).unwrap();
    let mut tally = None;
    while let Some(item) = rd.next_item().unwrap() {
        if let RecordItem::Tally(t) = item {
            tally = Some(t);
        }
    }
    let tally = tally.unwrap();
    assert_eq!(tally.ballots, 0);
    // A shuffle of the empty list is refused (here, a valid shuffle of some other row).
    let ek = election.encryption_key();
    let width = election.manifest().contests[1].width();
    let row: Vec<_> = (0..width)
        .map(|_| ek.encrypt(0, &ostracon::elgamal::Nonce::random(&mut OsRng)))
        .collect();
    let gens = ostracon::mixnet::ShuffleGenerators::derive(election.base_hash(), 1);
    let step = ostracon::mixnet::MixStep::run(
        &election.context(),
        1,
        0,
        &key(1),
        ek,
        &gens,
        &row,
        width,
        &mut OsRng,
    )
    .unwrap();
    let (s, v) = import(line(RecordItem::Mix { contest: 1, step })).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("nothing_to_mix")),
        "{v}"
    );
    // Two trustees decrypt the (empty) tally: that completes the election.
    let mut body = String::new();
    for i in [1u32, 2] {
        body += &line(RecordItem::Decryption {
            partial: PartialDecryption::from_key_share(
                &election.context(),
                &key(i),
                &tally.flat(),
                &mut OsRng,
            ),
        });
    }
    let (s, v) = import(body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["decrypted"], true, "{v}");
    assert_eq!(v["mixnet"][0]["shuffles"], 0);
    let (_, record) = c.raw(Method::GET, "/v1/record", None, Bytes::new()).await;
    let report = ostracon::verify::verify_bytes(&record, &mut OsRng).unwrap();
    assert!(report.is_ok(), "{}", report.summary());
    let results = report.results.unwrap();
    assert_eq!(results.mixnet.len(), 1);
    assert!(results.mixnet[0].ballots.is_empty());
}

/// Board/host: a ballot box started from an opening whose registry the trustees did not
/// attest (attestations dropped, too few, or the registry edited after they signed)
/// refuses to start, naming the rule, and stores nothing; the attested opening starts,
/// and the record it exports carries the attestations.
/// A small service configuration on `db`, started from the opening `init`.
fn opened_from(db: &Location, init: std::path::PathBuf) -> Config {
    Config {
        db: db.clone(),
        init: Some(init),
        listen: "127.0.0.1:0".parse().unwrap(),
        limits: Limits::default(),
        pipeline: PipelineConfig {
            queue: 16,
            max_batch: 16,
            validators: 1,
        },
        workers: 1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_box_opens_only_on_the_registry_the_trustees_attested() {
    let dir = tempfile::TempDir::new().unwrap();
    prepare(dir.path(), 6);
    let header = dir.path().join("header.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&header)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let attestation = |l: &String| l.starts_with("{\"type\":\"registry_attestation\"");
    assert_eq!(lines.iter().filter(|l| attestation(l)).count(), 3);
    let variants: [(&str, Vec<String>, &str); 3] = [
        (
            "dropped",
            lines.iter().filter(|l| !attestation(l)).cloned().collect(),
            "registry.too_few_attestations",
        ),
        (
            "one left",
            lines
                .iter()
                .enumerate()
                .filter(|(k, l)| !attestation(l) || *k == 2)
                .map(|(_, l)| l.clone())
                .collect(),
            "registry.too_few_attestations",
        ),
        (
            "registry edited",
            lines
                .iter()
                .map(|l| {
                    if l.starts_with("{\"type\":\"voters\"") {
                        l.replacen("\"weight\":1,", "\"weight\":7,", 1)
                    } else {
                        l.clone()
                    }
                })
                .collect(),
            "registry.other_registry",
        ),
    ];
    for (what, opening, code) in variants {
        let init = dir.path().join(format!("{what}.jsonl"));
        std::fs::write(&init, opening.join("\n") + "\n").unwrap();
        let db = Location::Sqlite(dir.path().join(format!("{what}.sqlite")));
        let config = opened_from(&db, init);
        let err = tokio::task::spawn_blocking(move || ostracon_serve::prepare(&config).err())
            .await
            .unwrap()
            .expect(what);
        assert!(err.to_string().contains(code), "{what}: {err}");
        // Nothing stored: the database holds no election.
        let mut conn = store::Db::open(&db).unwrap();
        assert!(store::load_opening(&mut conn).is_err(), "{what}");
    }
    let db = Location::Sqlite(dir.path().join("ok.sqlite"));
    let config = opened_from(&db, header);
    tokio::task::spawn_blocking(move || ostracon_serve::prepare(&config).map(drop))
        .await
        .unwrap()
        .unwrap();
    let out = dir.path().join("export.bin");
    ostracon_serve::export_file(&db, &out).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    let mut reader = SliceReader::new(&bytes).unwrap();
    let mut n = 0;
    while let Some(item) = reader.next_item().unwrap() {
        n += usize::from(matches!(item, RecordItem::RegistryAttestation(_)));
    }
    assert_eq!(n, 3);
}
