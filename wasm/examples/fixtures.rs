//! Fixtures for the JavaScript tests of `ostracon-wasm`, made and checked by the native
//! core, so the tests compare two builds of the core (x86_64 and wasm32) on the same
//! ballots, errors and records.
//!
//! ```text
//! cargo run -p ostracon-wasm --example fixtures -- write DIR     # fixtures for wasm/tests
//! cargo run -p ostracon-wasm --example fixtures -- check-js DIR  # check DIR/js/*.json
//! cargo run -p ostracon-wasm --example fixtures -- booth DIR     # the booth page's elections
//! ```
//!
//! `write` makes (all deterministic, from fixed seeds):
//! * `election.json`: the demo election (simulation's demo manifest, 3-of-5 trustees);
//!   `bench-election.json`: one contest, ten options, choose up to three
//!   (`examples/approval-10.json`);
//! * `record.bin`, `record.jsonl`: a simulated election record, `record-tampered.jsonl`:
//!   the same with one cast weight changed, and `reports.json`: the native verifier's
//!   report of each;
//! * `rust-ballot.json`: a ballot encrypted natively, with its opening, plaintext and
//!   tracking code;
//! * `cases.json`: invalid selections, ballots and openings with the code, message,
//!   contest and option the native core gives for each.
//!
//! `check-js` reads the ballots the JavaScript tests wrote (`DIR/js/*.json`) and checks
//! natively: canonical re-encoding, full validation, tracking code, opening
//! (re-encryption), voter signature against a registry holding the voter's key.

use std::error::Error as StdError;
use std::fs;
use std::path::{Path, PathBuf};

use ostracon::ballot::{verify_opening, BallotOpening, EncryptedBallot, PlaintextBallot};
use ostracon::board::{self, Voter, VoterRegistry};
use ostracon::election::Election;
use ostracon::manifest::Manifest;
use ostracon::record::io::RecordWriter;
use ostracon::record::{Format, RecordItem};
use ostracon::simulation::{self, Config};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{json, Value};

type Res<T> = Result<T, Box<dyn StdError>>;

const SEED: u64 = 2026;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = match (args.first().map(String::as_str), args.get(1)) {
        (Some("write"), Some(dir)) => write(Path::new(dir)),
        (Some("check-js"), Some(dir)) => check_js(Path::new(dir)),
        (Some("booth"), Some(dir)) => booth(Path::new(dir)),
        _ => Err("usage: fixtures (write | check-js | booth) DIR".into()),
    };
    if let Err(e) = run {
        eprintln!("fixtures: {e}");
        std::process::exit(1);
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs a simulated election; returns the election and its record items.
fn simulate(manifest: Manifest, ballots: u64, seed: u64) -> Res<(Election, Vec<RecordItem>)> {
    let config = Config {
        manifest,
        ballots,
        challenge_every: 4,
        revote_every: 3,
        ..Config::demo(ballots, seed)
    };
    let mut items = Vec::new();
    let outcome = simulation::run(&config, &mut |item| {
        items.push(item);
        Ok(())
    })?;
    if outcome.results != outcome.expected {
        return Err("simulation: results differ from the expected count".into());
    }
    Ok((outcome.election, items))
}

fn bench_manifest() -> Res<Manifest> {
    Ok(Manifest::from_json(&fs::read(
        repo_root().join("examples/approval-10.json"),
    )?)?)
}

fn write_record(path: &Path, items: &[RecordItem], format: Format) -> Res<()> {
    let mut w = RecordWriter::create(path, format)?;
    for item in items {
        w.write(item)?;
    }
    w.finish()?;
    Ok(())
}

fn report_json(bytes: &[u8]) -> Res<Value> {
    let report = ostracon::verify::verify_bytes(bytes, &mut ChaCha20Rng::seed_from_u64(1))?;
    let mut v = serde_json::to_value(&report)?;
    v["ok"] = json!(report.is_ok());
    Ok(v)
}

fn hex(b: &[u8]) -> String {
    ostracon::hex::encode(b)
}

fn booth(dir: &Path) -> Res<()> {
    fs::create_dir_all(dir)?;
    let (demo, _) = simulate(simulation::demo_manifest(), 2, SEED)?;
    fs::write(dir.join("election.json"), demo.to_json())?;
    let (bench, _) = simulate(bench_manifest()?, 2, SEED + 1)?;
    fs::write(dir.join("bench-election.json"), bench.to_json())?;
    println!(
        "wrote {}/election.json and bench-election.json",
        dir.display()
    );
    Ok(())
}

fn write(dir: &Path) -> Res<()> {
    fs::create_dir_all(dir.join("js"))?;
    booth(dir)?;
    let election = Election::from_json(&fs::read(dir.join("election.json"))?)?;
    let bench = Election::from_json(&fs::read(dir.join("bench-election.json"))?)?;

    // A record, in both encodings, plus a tampered copy; the native reports of each.
    let (_, items) = simulate(simulation::demo_manifest(), 12, SEED + 2)?;
    write_record(&dir.join("record.bin"), &items, Format::Binary)?;
    write_record(&dir.join("record.jsonl"), &items, Format::Json)?;
    let jsonl = fs::read_to_string(dir.join("record.jsonl"))?;
    let tampered = jsonl.replacen("\"weight\":1", "\"weight\":2", 1);
    if tampered == jsonl {
        return Err("record.jsonl: no cast weight to tamper with".into());
    }
    fs::write(dir.join("record-tampered.jsonl"), &tampered)?;
    let reports = json!({
        "record.bin": report_json(&fs::read(dir.join("record.bin"))?)?,
        "record.jsonl": report_json(jsonl.as_bytes())?,
        "record-tampered.jsonl": report_json(tampered.as_bytes())?,
    });
    fs::write(
        dir.join("reports.json"),
        serde_json::to_string_pretty(&reports)?,
    )?;

    // A ballot encrypted natively.
    let mut rng = ChaCha20Rng::seed_from_u64(SEED + 3);
    let plaintext = PlaintextBallot::new()
        .with("chair", vec![0, 1, 0, 0])
        .with("board", vec![1, 0, 0, 1, 0, 0, 0, 0, 0, 1])
        .with("budget", vec![2, 0, 4])
        .with("projects", vec![7, 10])
        .with("motion", vec![1, 0, 0])
        .with_ranking("president", &[1, 3])
        .with_ranking("council-stv", &[0, 2, 1])
        .with_write_in("mascot", "Hedy");
    let (ballot, opening) = election.encrypt_ballot("rust-ballot-1", &plaintext, None, &mut rng)?;
    let code = election.validate_ballot(&ballot)?;
    fs::write(
        dir.join("rust-ballot.json"),
        serde_json::to_string_pretty(&json!({
            "ballotId": ballot.ballot_id,
            "ballot": hex(&ballot.to_bytes()),
            "ballotJson": serde_json::to_string(&ballot)?,
            "trackingCode": code.human(),
            "trackingCodeHex": code.to_hex(),
            "plaintext": plaintext,
            "opening": serde_json::to_value(&opening)?,
        }))?,
    )?;

    // Invalid inputs and what the native core says about each.
    let mut cases = Vec::new();
    let selection_case = |name: &str, p: Value| -> Res<Value> {
        let pb: PlaintextBallot = serde_json::from_value(p.clone())?;
        let e = election
            .check_selection(&pb)
            .err()
            .ok_or_else(|| format!("selection case {name} is valid"))?;
        let contest = match &e {
            ostracon::Error::InvalidSelection { contest, .. } => Some(contest.clone()),
            _ => None,
        };
        Ok(json!({"kind": "selection", "name": name, "plaintext": p,
                  "code": e.code(), "message": e.to_string(), "contest": contest}))
    };
    cases.push(selection_case(
        "too many approvals",
        json!({"chair": [1,0,0,0], "board": [1,1,1,1,0,0,0,0,0,0], "motion": [1,0,0]}),
    )?);
    cases.push(selection_case(
        "plurality left empty",
        json!({"chair": [0,0,0,0], "motion": [1,0,0]}),
    )?);
    cases.push(selection_case(
        "too many points on one option",
        json!({"chair": [1,0,0,0], "budget": [5,0,0], "motion": [0,1,0]}),
    )?);
    cases.push(selection_case(
        "wrong number of values",
        json!({"chair": [1,0,0], "motion": [1,0,0]}),
    )?);
    cases.push(selection_case(
        "unknown contest",
        json!({"chair": [1,0,0,0], "motion": [1,0,0], "treasurer": [1]}),
    )?);

    let bytes = ballot.to_bytes();
    let ballot_case = |name: &str, b: &[u8]| -> Res<Value> {
        let (code, message, contest, option) = match EncryptedBallot::from_bytes(b) {
            Err(e) => {
                let e = ostracon::Error::Decode(e);
                (e.code(), e.to_string(), None, None)
            }
            Ok(decoded) => {
                let e = election
                    .validate_ballot(&decoded)
                    .err()
                    .ok_or_else(|| format!("ballot case {name} is valid"))?;
                (e.code(), e.to_string(), e.contest.clone(), e.option.clone())
            }
        };
        Ok(
            json!({"kind": "ballot", "name": name, "ballot": hex(b), "code": code,
                  "message": message, "contest": contest, "option": option}),
        )
    };
    cases.push(ballot_case("truncated", &bytes[..bytes.len() - 1])?);
    let mut trailing = bytes.clone();
    trailing.push(0);
    cases.push(ballot_case("trailing byte", &trailing)?);
    let mut swapped = ballot.clone();
    if let ostracon::ballot::SelectionProofs::Disjunctive(p) =
        &mut swapped.contests[1].selection_proofs
    {
        p.swap(0, 1);
    } else {
        return Err("demo contest 'board' should carry disjunctive proofs".into());
    }
    cases.push(ballot_case(
        "proofs swapped between options",
        &swapped.to_bytes(),
    )?);
    let (other, _) = bench.encrypt_ballot(
        "bench-ballot",
        &PlaintextBallot::new().with("council", vec![1, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        None,
        &mut rng,
    )?;
    cases.push(ballot_case(
        "ballot of another election",
        &other.to_bytes(),
    )?);

    let mut bad_opening = opening.clone();
    bad_opening.selections[1][0] = 0;
    bad_opening.selections[1][1] = 1;
    let e = verify_opening(&election, &ballot, &bad_opening)
        .err()
        .ok_or("opening case is valid")?;
    cases.push(
        json!({"kind": "opening", "name": "opening with other choices",
                      "ballot": hex(&bytes), "opening": serde_json::to_value(&bad_opening)?,
                      "code": e.code(), "message": e.to_string(),
                      "contest": e.contest, "option": e.option}),
    );
    fs::write(
        dir.join("cases.json"),
        serde_json::to_string_pretty(&cases)?,
    )?;
    println!(
        "wrote fixtures to {} ({} error cases)",
        dir.display(),
        cases.len()
    );
    Ok(())
}

/// Checks one ballot written by the JavaScript tests; returns what was checked.
fn check_one(election: &Election, v: &Value) -> Res<Vec<&'static str>> {
    let s = |k: &str| v[k].as_str().ok_or(format!("missing string '{k}'"));
    let bytes = ostracon::hex::decode(s("ballot")?, "ballot")?;
    let ballot = EncryptedBallot::from_bytes(&bytes)?;
    let mut done = vec!["decodes"];
    if ballot.to_bytes() != bytes {
        return Err("re-encoding differs from the bytes JavaScript wrote".into());
    }
    done.push("canonical");
    if let Some(j) = v["ballotJson"].as_str() {
        let from_json: EncryptedBallot = serde_json::from_str(j)?;
        if from_json != ballot {
            return Err("the JSON form is another ballot".into());
        }
        done.push("json");
    }
    let code = election.validate_ballot(&ballot)?;
    done.push("validates");
    if code.to_hex() != s("trackingCodeHex")? || code.human() != s("trackingCode")? {
        return Err("tracking code differs".into());
    }
    done.push("tracking code");
    if !v["opening"].is_null() {
        let opening: BallotOpening = serde_json::from_value(v["opening"].clone())?;
        verify_opening(election, &ballot, &opening)?;
        let plaintext: PlaintextBallot = serde_json::from_value(v["plaintext"].clone())?;
        if election.check_selection(&plaintext)? != opening.selections {
            return Err("the opening reveals other choices than the plaintext".into());
        }
        done.push("opening re-encrypts");
    }
    if !v["signature"].is_null() {
        let voter = s("voter")?;
        let key: [u8; 32] = ostracon::hex::decode(s("voterPublicKey")?, "key")?
            .try_into()
            .map_err(|_| "voter key: 32 bytes expected")?;
        let mut registry = VoterRegistry::new();
        registry.insert(
            voter,
            Voter {
                key: Some(
                    board::VerifyingKey::from_bytes(&key).map_err(|e| format!("voter key: {e}"))?,
                ),
                weight: 1,
            },
        );
        let sig: [u8; 64] = ostracon::hex::decode(s("signature")?, "signature")?
            .try_into()
            .map_err(|_| "signature: 64 bytes expected")?;
        board::check_voter(
            election,
            Some(&registry),
            &ballot.ballot_id,
            &code,
            Some(voter),
            Some(&sig),
        )?;
        done.push("signature");
    }
    Ok(done)
}

fn check_js(dir: &Path) -> Res<()> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join("js"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no ballots in {}/js", dir.display()).into());
    }
    let (mut passed, mut failed) = (0, 0);
    for f in &files {
        let v: Value = serde_json::from_slice(&fs::read(f)?)?;
        let election_file = v["election"].as_str().unwrap_or("election.json");
        let election = Election::from_json(&fs::read(dir.join(election_file))?)?;
        match check_one(&election, &v) {
            Ok(done) => {
                passed += 1;
                println!("ok   {}: {}", f.display(), done.join(", "));
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {}: {e}", f.display());
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        return Err(format!("{failed} JavaScript ballots failed the native checks").into());
    }
    Ok(())
}
