//! The Rust side of the cross-language test: a separate process, using the core alone
//! (not the binding), checks what the Kotlin test produced through the binding.
//!
//! ```sh
//! cargo run -p ostracon-ffi --example check_kotlin_ballots -- FIXTURES_DIR KOTLIN_OUT_DIR
//! ```
//!
//! Reads the election from `FIXTURES_DIR/election.json` and `KOTLIN_OUT_DIR/kotlin-out.json`
//! (a challenged ballot with its opening, and a cast ballot signed by the test voter),
//! validates both ballots, checks that the tracking codes Kotlin showed are the ones
//! Rust computes, and submits both to a ballot box whose registry requires signatures
//! (the challenge's opening and the voter signature are verified there). Exits non-zero
//! on any disagreement.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{env, fs};

use ostracon::ballot::{BallotOpening, EncryptedBallot};
use ostracon::board::{Board, SigningKey, Submission, Voter, VoterRegistry};
use ostracon::election::Election;
use serde_json::Value;

type Failure = Box<dyn std::error::Error>;

fn field<'a>(v: &'a Value, path: &[&str]) -> Result<&'a Value, Failure> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .ok_or_else(|| format!("kotlin-out.json: missing {}", path.join(".")).into())
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Result<&'a str, Failure> {
    field(v, path)?
        .as_str()
        .ok_or_else(|| format!("kotlin-out.json: {} is not a string", path.join(".")).into())
}

fn ballot(v: &Value, which: &str) -> Result<EncryptedBallot, Failure> {
    let bytes = ostracon::hex::decode(text(v, &[which, "ballot"])?, "ballot")?;
    Ok(EncryptedBallot::from_bytes(&bytes)?)
}

fn check(fixtures: &Path, kotlin: &Path) -> Result<(), Failure> {
    let election = Election::from_json(&fs::read(fixtures.join("election.json"))?)?;
    let out: Value = serde_json::from_slice(&fs::read(kotlin.join("kotlin-out.json"))?)?;
    let challenged = ballot(&out, "challenged")?;
    let cast = ballot(&out, "cast")?;

    // Validation and tracking codes agree with what Kotlin showed the voter.
    for (name, b) in [("challenged", &challenged), ("cast", &cast)] {
        let code = election.validate_ballot(b)?;
        if code.to_hex() != text(&out, &[name, "tracking_code_hex"])?
            || code.human() != text(&out, &[name, "tracking_code"])?
        {
            return Err(format!("{name}: Kotlin's tracking code differs from Rust's").into());
        }
        println!(
            "rust: {name} ballot '{}' valid, code {}",
            b.ballot_id,
            code.human()
        );
    }

    // The ballot box: the opening re-encrypts; the signature verifies for the voter.
    let voter = text(&out, &["voter"])?;
    if voter != common::VOTER {
        return Err(format!("unexpected voter '{voter}'").into());
    }
    let mut registry = VoterRegistry::new();
    registry.insert(
        voter,
        Voter {
            key: Some(SigningKey::from_bytes(&common::VOTER_SEED).verifying_key()),
            weight: 1,
        },
    );
    let mut board = Board::new(&election, Some(registry));
    let opening: BallotOpening =
        serde_json::from_value(field(&out, &["challenged", "opening"])?.clone())?;
    board.submit(challenged, Submission::Challenge(opening))?;
    println!("rust: challenge opening verified");
    let signature: [u8; 64] =
        ostracon::hex::decode(text(&out, &["cast", "signature"])?, "signature")?
            .try_into()
            .map_err(|_| "signature: expected 64 bytes")?;
    let entry = board.submit(
        cast,
        Submission::Cast {
            voter: Some(voter.to_owned()),
            signature: Some(signature),
        },
    )?;
    if !board.is_counted(&entry) {
        return Err("the cast ballot is not counted".into());
    }
    println!("rust: cast ballot accepted with the voter's signature and counted");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = env::args().skip(1).map(PathBuf::from).collect();
    let [fixtures, kotlin] = args.as_slice() else {
        eprintln!("usage: check_kotlin_ballots FIXTURES_DIR KOTLIN_OUT_DIR");
        return ExitCode::from(2);
    };
    match check(fixtures, kotlin) {
        Ok(()) => {
            println!("rust: Kotlin's ballots agree with the core");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rust: cross-language check FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
