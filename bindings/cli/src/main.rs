//! `ostracon`: the command-line tool of the ostracon election library.
//!
//! Parses arguments, reads and writes files, shows progress and calls the core; all the
//! cryptography and every check live in the `ostracon` crate.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod demo;
mod error;
mod files;
mod lookup;
mod serve;
mod trustee;
mod ui;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::EXIT_CODES;

/// End-to-end verifiable elections: run a demo, verify a record, look up a ballot, run a
/// key ceremony and a threshold decryption.
#[derive(Parser, Debug)]
#[command(name = "ostracon", version, about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a whole simulated election and write its record, election and manifest.
    Demo(demo::DemoArgs),
    /// Verify an election record: every numbered check, every failure reported.
    Verify(verify::VerifyArgs),
    /// Find a ballot on the board by its tracking code and show its status.
    Lookup(lookup::LookupArgs),
    /// One trustee's steps of a key ceremony and of the decryption, messages as files.
    #[command(subcommand, after_help = EXIT_CODES)]
    Trustee(trustee::TrusteeCommand),
    /// Run the reference ballot box service (HTTP API, durable board on SQLite or PostgreSQL).
    Serve(serve::ServeArgs),
    /// Pre-encrypt a test election, send it to a running service, check receipts.
    #[command(subcommand, after_help = EXIT_CODES)]
    Loadgen(serve::LoadgenCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Lookup(a) => lookup::run(a),
        Command::Trustee(c) => trustee::run(c),
        Command::Serve(a) => serve::serve(a),
        Command::Loadgen(c) => serve::loadgen(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}
