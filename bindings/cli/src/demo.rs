//! `ostracon demo`: a whole simulated election, written as a record.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use ostracon::election::Parameters;
use ostracon::hex::Hex;
use ostracon::record::io::RecordWriter;
use ostracon::record::{Format, RecordItem};
use ostracon::simulation::{self, Config};
use rand::rngs::OsRng;
use rand::RngCore;

use crate::error::CliError;
use crate::{files, ui};

/// Record encoding on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// JSON Lines (`record.jsonl`).
    Json,
    /// Framed canonical binary (`record.bin`).
    Binary,
}

/// Arguments of `ostracon demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Number of voters (one counted ballot each).
    #[arg(long, default_value_t = 10_000)]
    ballots: u64,
    /// Number of trustees.
    #[arg(long, default_value_t = 5)]
    trustees: u32,
    /// Trustees needed to decrypt.
    #[arg(long, default_value_t = 3)]
    threshold: u32,
    /// Trustees (indices from 1, comma-separated) absent at decryption [default: the
    /// trustees beyond the threshold, even indices first, e.g. 2,4 for 3 of 5].
    #[arg(long, value_delimiter = ',')]
    absent: Option<Vec<u32>>,
    /// Seed of every random choice [default: random, printed].
    #[arg(long)]
    seed: Option<u64>,
    /// Record encoding.
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    format: FormatArg,
    /// Output directory.
    #[arg(long, default_value = "ostracon-demo")]
    out: PathBuf,
    /// Voters do not sign their ballots.
    #[arg(long)]
    no_signatures: bool,
    /// Voters have weights 1 to 5.
    #[arg(long)]
    weights: bool,
    /// The registry's fingerprint is fixed in the election before the key ceremony
    /// (default: the trustees present attest the registry after it).
    #[arg(long)]
    fixed_registry: bool,
    /// Every K-th voter first challenges a ballot (0: never).
    #[arg(long, value_name = "K", default_value_t = 50)]
    challenge_every: u64,
    /// Every K-th voter casts twice; the first ballot is superseded (0: never).
    #[arg(long, value_name = "K", default_value_t = 20)]
    revote_every: u64,
    /// Use this manifest (JSON) instead of the built-in demo manifest.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
}

/// The default absent trustees: `n − t` of them, even indices first, never trustee 1.
fn default_absent(n: u32, t: u32) -> Vec<u32> {
    let mut candidates: Vec<u32> = (2..=n).collect();
    candidates.sort_by_key(|i| (i % 2, *i));
    let mut absent: Vec<u32> = candidates
        .into_iter()
        .take(n.saturating_sub(t) as usize)
        .collect();
    absent.sort_unstable();
    absent
}

/// Points in time at which the simulation produced each kind of record item.
#[derive(Default)]
struct Marks {
    header: Option<Instant>,
    voters: Option<Instant>,
    board: Option<Instant>,
    tally: Option<Instant>,
    results: Option<Instant>,
    mix: Option<Instant>,
}

/// Runs `ostracon demo`.
pub fn run(args: DemoArgs) -> Result<(), CliError> {
    let params = Parameters::new(args.trustees, args.threshold);
    params.validate().map_err(|e| {
        CliError::usage(
            e.to_string(),
            "--trustees/--threshold",
            "choose 1 <= threshold <= trustees <= 255",
        )
    })?;
    let absent = args
        .absent
        .clone()
        .unwrap_or_else(|| default_absent(args.trustees, args.threshold));
    if let Some(bad) = absent.iter().find(|i| **i == 0 || **i > args.trustees) {
        return Err(CliError::usage(
            format!("trustee {bad} does not exist"),
            "--absent",
            format!("list trustees between 1 and {}", args.trustees),
        ));
    }
    let seed = args.seed.unwrap_or_else(|| OsRng.next_u64());
    let mut config = Config::demo(args.ballots, seed);
    config.trustees = args.trustees;
    config.threshold = args.threshold;
    config.absent = absent.clone();
    config.signatures = !args.no_signatures;
    config.weights = args.weights;
    config.fixed_registry = args.fixed_registry;
    config.challenge_every = args.challenge_every;
    config.revote_every = args.revote_every;
    if let Some(path) = &args.manifest {
        let bytes = std::fs::read(path).map_err(|e| CliError::unreadable(path, &e))?;
        config.manifest = ostracon::manifest::Manifest::from_json(&bytes).map_err(|e| {
            CliError::file(format!("invalid manifest: {e}"), path, "fix the manifest")
        })?;
    }

    files::create_dir(&args.out)?;
    let (format, name) = match args.format {
        FormatArg::Json => (Format::Json, "record.jsonl"),
        FormatArg::Binary => (Format::Binary, "record.bin"),
    };
    let record_path = args.out.join(name);
    let mut writer = RecordWriter::create(&record_path, format)
        .map_err(|e| CliError::unwritable(&record_path, &e))?;

    let absent_text = if absent.is_empty() {
        "none".to_string()
    } else {
        absent
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!(
        "demo election: {} voters, {}-of-{} trustees (absent: {absent_text}), seed {seed}",
        args.ballots, args.threshold, args.trustees
    );
    eprintln!("(run again with --seed {seed} to reproduce this election)");

    let total = config.expected_entries();
    let pb = ui::progress(total, "entries", false);
    pb.set_message("encrypting ballots");
    let start = Instant::now();
    let mut marks = Marks::default();
    let mut write_error: Option<std::io::Error> = None;
    let mut entries = 0u64;
    let mut sink = |item: RecordItem| -> Result<(), ostracon::Error> {
        let now = Instant::now();
        match &item {
            RecordItem::Header(_) => marks.header = Some(now),
            RecordItem::Voters(_) => marks.voters = Some(now),
            RecordItem::RegistryAttestation(_) => {}
            RecordItem::Entry(_) => {
                entries += 1;
                if entries > pb.length().unwrap_or(0) {
                    pb.set_length(entries);
                }
                pb.inc(1);
            }
            RecordItem::Board(_) => marks.board = Some(now),
            RecordItem::Tally(_) => marks.tally = Some(now),
            RecordItem::Results(_) => marks.results = Some(now),
            RecordItem::Mix { .. } if marks.mix.is_none() => marks.mix = Some(now),
            RecordItem::Decryption { .. } | RecordItem::Mix { .. } => {}
            RecordItem::MixDecryption { .. } => {}
        }
        writer.write(&item).map_err(|e| {
            let msg = e.to_string();
            write_error = Some(e);
            ostracon::Error::InvalidInput(msg)
        })
    };
    let outcome = simulation::run(&config, &mut sink);
    pb.finish_and_clear();
    if let Some(e) = write_error {
        return Err(CliError::unwritable(&record_path, &e));
    }
    let outcome = outcome.map_err(|e| {
        if marks.header.is_none() {
            // Before the first record item: the configuration was refused.
            CliError::usage(
                e.to_string(),
                "--trustees/--threshold/--absent",
                "check the election parameters",
            )
        } else {
            CliError::internal(format!("simulation failed: {e}"), "ostracon demo")
        }
    })?;
    let written = Instant::now();
    writer
        .finish()
        .map_err(|e| CliError::unwritable(&record_path, &e))?;
    let finished = Instant::now();

    let election_path = args.out.join("election.json");
    files::write(&election_path, outcome.election.to_json().as_bytes())?;
    let manifest_path = args.out.join("manifest.json");
    files::write(
        &manifest_path,
        outcome.election.manifest().to_json().as_bytes(),
    )?;

    // Phases.
    let span = |a: Option<Instant>, b: Option<Instant>| match (a, b) {
        (Some(a), Some(b)) => b.saturating_duration_since(a),
        _ => Duration::ZERO,
    };
    let ballots_time = span(marks.voters, marks.board);
    eprintln!("phases:");
    eprintln!(
        "  key ceremony         {:>12}",
        ui::duration(span(Some(start), marks.header))
    );
    eprintln!(
        "  voter registry       {:>12}",
        ui::duration(span(marks.header, marks.voters))
    );
    eprintln!(
        "  ballots              {:>12}  ({} entries, {} ballots/s: encryption and the board's validation)",
        ui::duration(ballots_time),
        outcome.entries,
        ui::rate(outcome.entries, ballots_time)
    );
    eprintln!(
        "  tally                {:>12}",
        ui::duration(span(marks.board, marks.tally))
    );
    let decrypted = marks.mix.or(marks.results);
    eprintln!(
        "  decryption           {:>12}",
        ui::duration(span(marks.tally, decrypted))
    );
    if marks.mix.is_some() {
        eprintln!(
            "  mixnet               {:>12}  (shuffles, proofs, decryption of ranked and write-in ballots)",
            ui::duration(span(marks.mix, marks.results))
        );
    }
    eprintln!(
        "  writing the record   {:>12}",
        ui::duration(finished.saturating_duration_since(written))
    );
    eprintln!(
        "  total                {:>12}",
        ui::duration(finished.saturating_duration_since(start))
    );

    println!("Results of \"{}\"", outcome.election.manifest().title);
    println!();
    print!(
        "{}",
        ui::results_table(outcome.election.manifest(), &outcome.results)
    );
    println!();
    println!("board entries  {}", outcome.entries);
    println!("board head     {}", Hex(&outcome.head));
    println!("record         {}", record_path.display());
    println!("election       {}", election_path.display());
    println!("manifest       {}", manifest_path.display());

    if outcome.results != outcome.expected {
        return Err(CliError::internal(
            "the decrypted results differ from the count of the plaintexts",
            record_path.display().to_string(),
        ));
    }
    println!("results match the plaintexts: OK");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_defaults() {
        assert_eq!(default_absent(5, 3), vec![2, 4]);
        assert_eq!(default_absent(3, 2), vec![2]);
        assert_eq!(default_absent(5, 1), vec![2, 3, 4, 5]);
        assert_eq!(default_absent(4, 4), Vec::<u32>::new());
        assert_eq!(default_absent(7, 3), vec![2, 3, 4, 6]);
    }

    #[test]
    fn entry_count_matches_the_simulation_rules() {
        let mut c = Config::demo(30, 1);
        assert_eq!(c.expected_entries(), 30 + 1 + 2); // i = 0; i = 1, 21
        c.revote_every = 1;
        c.challenge_every = 0;
        assert_eq!(c.expected_entries(), 30);
        c.ballots = 0;
        assert_eq!(c.expected_entries(), 0);
    }
}
