//! Writes ostracon's JSON test vectors from fixed seeds.
//!
//! ```text
//! ostracon-vectors [OUT_DIR]     # default: the `vectors/` directory of the repository
//! ```
//!
//! Every file has the same envelope (see `vectors/schema.json`): `schema`, `generator`,
//! `protocol`, `algorithm`, `numberOfTests`, `notes` (one line per flag) and
//! `testGroups[].tests[]`, each test with `tcId`, `comment`, `flags`, its inputs, the
//! expected output and `result` (`valid` or `invalid`, then `error`: the core's stable
//! error code). The same seeds always give the same bytes; the files are regenerated,
//! never edited.

mod ballots;
mod encodings;
mod proofs;
mod record;
mod util;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let files = [
        ("group.json", encodings::group()),
        ("elgamal.json", encodings::elgamal()),
        ("proofs.json", proofs::proofs()),
        ("transcript.json", proofs::transcript()),
        ("ballots.json", ballots::ballots()),
        ("record.json", record::record()),
    ];
    for (name, result) in files {
        let doc = match result {
            Ok(d) => d,
            Err(e) => {
                eprintln!("ostracon-vectors: {name}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let path = out.join(name);
        let text = match serde_json::to_string_pretty(&doc) {
            Ok(t) => t + "\n",
            Err(e) => {
                eprintln!("ostracon-vectors: {name}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("ostracon-vectors: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
