//! `ostracon verify`: the universal verifier over a record file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use ostracon::verify::{self, Report};
use rand::rngs::OsRng;

use crate::error::CliError;
use crate::ui;

/// Arguments of `ostracon verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The record (`.jsonl` or `.bin`; the format is detected from the content).
    record: PathBuf,
    /// Print the report as JSON instead of the human summary.
    #[arg(long)]
    json: bool,
    /// No progress bar and no timing on stderr.
    #[arg(long)]
    quiet: bool,
    /// The base hash published for this election (hex): the record must be of exactly
    /// this election (manifest, parameters, trustees' commitments).
    #[arg(long, value_name = "HEX")]
    expect_base_hash: Option<String>,
    /// The voter registry fingerprint published for this election (hex), or `none`
    /// for an election without a registry: the record's registry (voters, weights,
    /// keys, whether signatures are required) must be exactly that one.
    #[arg(long, value_name = "HEX|none")]
    expect_registry: Option<String>,
}

/// Verifies `path` with a progress bar (unless `quiet`) and returns the report and the
/// number of board entries verified per second.
pub fn verify_with_progress(path: &Path, quiet: bool) -> Result<Report, CliError> {
    let pb = ui::progress(0, "entries", quiet);
    pb.set_message("verifying");
    let start = Instant::now();
    let mut progress = |done: u64, total: u64| {
        pb.set_length(total);
        pb.set_position(done);
    };
    let report = verify::io::verify_file(path, &mut progress, &mut OsRng);
    pb.finish_and_clear();
    let report = report.map_err(|e| CliError::record(path, e))?;
    if !quiet {
        let elapsed = start.elapsed();
        eprintln!(
            "verified {} entries in {} ({} ballots/s)",
            report.counts.entries,
            ui::duration(elapsed),
            ui::rate(report.counts.entries, elapsed)
        );
    }
    Ok(report)
}

/// `checks 9, 11, 17`.
pub fn failed_list(report: &Report) -> String {
    let failed = report.failed_checks();
    let list = failed
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if failed.len() == 1 {
        format!("check {list}")
    } else {
        format!("checks {list}")
    }
}

/// Runs `ostracon verify`.
pub fn run(args: VerifyArgs) -> Result<(), CliError> {
    let report = verify_with_progress(&args.record, args.quiet)?;
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| {
            CliError::internal(format!("cannot serialise the report: {e}"), "--json")
        })?;
        println!("{json}");
    } else {
        print!("{}", report.summary());
    }
    // Values published out of band: (expected, found, what, hint).
    let expected = [
        (
            &args.expect_base_hash,
            report.base_hash.as_deref().unwrap_or("unknown"),
            "base hash",
            "this is not the election that was announced: do not accept its results",
        ),
        (
            &args.expect_registry,
            report.registry.as_deref().unwrap_or("none"),
            "voter registry fingerprint",
            "the registry was changed after it was announced: do not accept its results",
        ),
    ];
    for (want, got, what, hint) in expected {
        let Some(want) = want.as_deref().map(|w| w.trim().to_ascii_lowercase()) else {
            continue;
        };
        if want != got {
            return Err(CliError::failed(
                format!("the record's {what} is {got}, not the expected {want}"),
                args.record.display().to_string(),
                hint,
            ));
        }
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(CliError::failed(
            format!(
                "the record is INVALID: {} failed ({} failures)",
                failed_list(&report),
                report.failures.len()
            ),
            args.record.display().to_string(),
            "the report lists every failure with its check number and object",
        ))
    }
}
