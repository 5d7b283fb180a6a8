//! Writes the fixtures of the Kotlin tests (and of the benchmark) into a directory,
//! all made by the core itself:
//!
//! ```sh
//! cargo run -p ostracon-ffi --example fixtures -- OUT_DIR
//! ```
//!
//! `election.json` (the demo election), `bench-election.json` (one approval contest,
//! 10 options, choose up to 3), `demo-plaintext.json`, `bench-plaintext.json`, and a
//! ballot encrypted here for Kotlin to validate: `rust-ballot.bin`,
//! `rust-ballot.opening.json`, `rust-ballot.code.txt` (`hex human`); `voter.txt`
//! (`id seed-hex public-key-hex`).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::{env, fs};

use ostracon::ballot::PlaintextBallot;
use ostracon::board::SigningKey;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env::args().nth(1).ok_or("usage: fixtures OUT_DIR")?);
    fs::create_dir_all(&out)?;
    let demo = common::demo_election();
    fs::write(out.join("election.json"), demo.to_json())?;
    fs::write(
        out.join("bench-election.json"),
        common::bench_election().to_json(),
    )?;
    fs::write(out.join("demo-plaintext.json"), common::DEMO_PLAINTEXT)?;
    fs::write(out.join("bench-plaintext.json"), common::BENCH_PLAINTEXT)?;

    let plaintext: PlaintextBallot = serde_json::from_str(common::DEMO_PLAINTEXT)?;
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let (ballot, opening) = demo.encrypt_ballot("rust-1", &plaintext, None, &mut rng)?;
    let code = ballot.tracking_code();
    fs::write(out.join("rust-ballot.bin"), ballot.to_bytes())?;
    fs::write(
        out.join("rust-ballot.opening.json"),
        serde_json::to_string(&opening)?,
    )?;
    fs::write(
        out.join("rust-ballot.code.txt"),
        format!("{} {}\n", code.to_hex(), code.human()),
    )?;
    let public = SigningKey::from_bytes(&common::VOTER_SEED).verifying_key();
    fs::write(
        out.join("voter.txt"),
        format!(
            "{} {} {}\n",
            common::VOTER,
            ostracon::hex::encode(&common::VOTER_SEED),
            ostracon::hex::encode(public.as_bytes())
        ),
    )?;
    println!("fixtures written to {}", out.display());
    Ok(())
}
