//! `ostracon lookup`: find a ballot on the board by its tracking code.

use std::path::PathBuf;

use clap::Args;
use ostracon::ballot::TrackingCode;
use ostracon::board::{BoardEntry, EntryKind};
use ostracon::manifest::Manifest;
use ostracon::record::io::RecordReader;
use ostracon::record::RecordItem;

use crate::error::CliError;

/// Arguments of `ostracon lookup`.
#[derive(Args, Debug)]
pub struct LookupArgs {
    /// The record (`.jsonl` or `.bin`).
    record: PathBuf,
    /// The tracking code: the human form `XXXX-XXXX-XXXX-XXXX` (any case, dashes
    /// optional) or the full 64-digit hex.
    code: String,
}

/// A code as typed by the user.
enum Code {
    Full(TrackingCode),
    Human(String),
}

impl Code {
    fn parse(s: &str) -> Result<Self, CliError> {
        let s = s.trim();
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return TrackingCode::from_hex(s)
                .map(Code::Full)
                .map_err(|e| CliError::usage(e.to_string(), "CODE", "give the code as printed"));
        }
        let symbols = s.chars().filter(|c| *c != '-' && !c.is_whitespace());
        let (count, alnum) = symbols.fold((0, true), |(n, ok), c| {
            (n + 1, ok && c.is_ascii_alphanumeric())
        });
        if count != 16 || !alnum {
            return Err(CliError::usage(
                format!("'{s}' is not a tracking code"),
                "CODE",
                "give the 16-character code as XXXX-XXXX-XXXX-XXXX, or the 64-digit hex",
            ));
        }
        Ok(Code::Human(s.to_string()))
    }

    fn matches(&self, code: &TrackingCode) -> bool {
        match self {
            Code::Full(c) => c == code,
            Code::Human(h) => code.matches_human(h),
        }
    }
}

/// Runs `ostracon lookup`.
pub fn run(args: LookupArgs) -> Result<(), CliError> {
    let code = Code::parse(&args.code)?;
    let path = &args.record;
    let mut reader = RecordReader::open(path).map_err(|e| CliError::record(path, e))?;
    let mut manifest: Option<Manifest> = None;
    let mut found: Option<BoardEntry> = None;
    // Other matches of a human code (80 bits; a collision is astronomically unlikely).
    let mut also: Vec<u64> = Vec::new();
    // The last later cast ballot of the found ballot's voter.
    let mut superseded_by: Option<u64> = None;
    while let Some(item) = reader.next_item().map_err(|e| CliError::record(path, e))? {
        match item {
            RecordItem::Header(h) => manifest = Some(h.manifest),
            RecordItem::Entry(e) => match &found {
                None if code.matches(&e.tracking_code) => found = Some(e),
                None => {}
                Some(f) => {
                    if code.matches(&e.tracking_code) {
                        also.push(e.position);
                    }
                    if let (
                        EntryKind::Cast { voter: Some(v), .. },
                        EntryKind::Cast { voter: Some(w), .. },
                    ) = (&f.kind, &e.kind)
                    {
                        if v == w && e.position > f.position {
                            superseded_by = Some(e.position);
                        }
                    }
                }
            },
            _ => {}
        }
    }
    let Some(entry) = found else {
        return Err(CliError::failed(
            format!("tracking code {} not found on the board", args.code.trim()),
            path.display().to_string(),
            "check the code for typing errors, and that this is the record of your election",
        ));
    };
    println!("tracking code  {}", entry.tracking_code.human());
    println!("full code      {}", entry.tracking_code.to_hex());
    println!("position       {}", entry.position);
    println!("ballot id      {}", entry.ballot.ballot_id);
    match &entry.kind {
        EntryKind::Cast { voter, weight, .. } => {
            let status = match superseded_by {
                None => "cast (counted)".to_string(),
                Some(p) => {
                    format!("cast (superseded by a later ballot of the same voter at position {p})")
                }
            };
            println!("status         {status}");
            if let Some(v) = voter {
                println!("voter          {v}");
            }
            if *weight != 1 {
                println!("weight         {weight}");
            }
        }
        EntryKind::Challenged { opening } => {
            println!("status         challenged (not counted; its encryption was opened)");
            println!("opened choices:");
            if let Some(m) = &manifest {
                for (c, values) in m.contests.iter().zip(&opening.selections) {
                    println!("  {}", c.title);
                    let w = c
                        .options
                        .iter()
                        .map(|o| o.label.chars().count())
                        .max()
                        .unwrap_or(0);
                    for (o, v) in c.options.iter().zip(values) {
                        println!("    {:<w$}  {v}", o.label);
                    }
                }
            }
        }
    }
    if !also.is_empty() {
        println!(
            "note: the same human code also matches positions {:?}; compare the full code",
            also
        );
    }
    println!("(this looks the code up; run `ostracon verify` to check the whole record)");
    Ok(())
}
