//! `ostracon trustee`: one trustee's steps of a key ceremony and of the threshold
//! decryption, run by hand, with messages as files.
//!
//! Files (`I`, `J` are trustee indices):
//!
//! | file                      | secret | written by | content                                  |
//! |---------------------------|--------|------------|------------------------------------------|
//! | `trustee-I.state`         | yes    | `init`     | JSON: index, parameters, manifest, communication key, polynomial seed |
//! | `announcement-I.json`     | no     | `init`     | the announcement (JSON string, hex of its canonical bytes) |
//! | `share-I-J.json`          | no     | `shares`   | the share from `I` to `J`, encrypted for `J` |
//! | `key-I.secret`            | yes    | `finish`   | the key share (canonical bytes)          |
//! | `election.json`           | no     | `finish`   | the election (`Election::to_json`)       |
//! | `ceremony.json`           | no     | `finish`   | the public ceremony transcript, for the record header |
//! | `complaint-I-J.json`      | no     | `finish`   | `I`'s complaint about `J`'s share        |
//! | `partial-I.json`          | no     | `decrypt`  | a `decryption` record line, to append to the record |
//! | `decrypted-I.json`        | no (keep it) | `decrypt` | what `I` decrypted of the election (board, tally, mixed lists; `DecryptionPins`): a second, different version is refused |
//!
//! The trustee state machine is not serialisable, so the state file keeps what recreates
//! it exactly: the communication key and the 32-byte seed of the ChaCha20 generator that
//! draws the polynomial and the announcement's proofs.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use ostracon::election::{ceremony_context, Election, Parameters};
use ostracon::hex;
use ostracon::keyceremony::{
    Announcement, CeremonyError, CeremonyParams, CeremonyTranscript, CommunicationKey,
    EncryptedShare, KeyShare, Outcome, PublicCeremony, ShareFault, Trustee, Verdict,
};
use ostracon::manifest::Manifest;
use ostracon::mixnet::{MixError, MixList, MixStep, ShuffleGenerators};
use ostracon::pins::{DecryptionPins, PinError};
use ostracon::record::io::RecordReader;
use ostracon::record::{BoardSummary, Header, RecordItem};
use ostracon::registry::{RegistryAttestation, RegistryCommitment};
use ostracon::tally::EncryptedTally;
use ostracon::threshold::PartialDecryption;
use ostracon::verify::Prepass;
use ostracon::verify::PARTIAL_DECRYPTIONS;
use rand::rngs::OsRng;
use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::files;

/// The steps of a trustee.
#[derive(Subcommand, Debug)]
pub enum TrusteeCommand {
    /// Step 1: create this trustee's secret state and its announcement.
    Init(InitArgs),
    /// Step 2: read every announcement and write the encrypted shares for the others.
    Shares(SharesArgs),
    /// Step 3: check the shares received; write the key share and election.json.
    Finish(FinishArgs),
    /// Mixnet: shuffle every ranked and write-in contest of a verified record once (after
    /// the shuffles already in it), with proofs.
    Mix(MixArgs),
    /// Decryption: partially decrypt the encrypted tally of a verified record, and the
    /// mixed lists of its ranked and write-in contests.
    Decrypt(DecryptArgs),
    /// Before voting opens: sign the voter registry of an election whose registry is
    /// attested (`init --registry attested`), fixing who may vote and with what weight.
    AttestRegistry(AttestArgs),
}

/// Arguments of `trustee attest-registry`.
#[derive(Args, Debug)]
pub struct AttestArgs {
    /// This trustee's key share (`key-I.secret`).
    #[arg(long)]
    key: PathBuf,
    /// The record's opening: its header, then its `voters` item (e.g. the file a ballot
    /// box is started from).
    #[arg(long)]
    record: PathBuf,
    /// The registry fingerprint announced out of band (hex): refuse to sign any other.
    #[arg(long, value_name = "HEX")]
    expect_registry: Option<String>,
    /// Output file [default: attestation-I.json]: one `registry_attestation` record
    /// line, to append after the `voters` item.
    #[arg(long)]
    out: Option<PathBuf>,
    /// What this trustee has attested and decrypted of the election [default:
    /// decrypted-I.json beside the key, the file `trustee decrypt` keeps]: a second,
    /// different registry of the same election is refused.
    #[arg(long)]
    pins: Option<PathBuf>,
}

/// Arguments of `trustee mix`.
#[derive(Args, Debug)]
pub struct MixArgs {
    /// This trustee's key share (`key-I.secret`): names the mixer and checks the election.
    #[arg(long)]
    key: PathBuf,
    /// The record holding the board (and the shuffles so far). It is verified first.
    #[arg(long)]
    record: PathBuf,
    /// Output file [default: mix-I.jsonl]: one `mix` record line per contest.
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bar while the record is verified.
    #[arg(long)]
    quiet: bool,
}

/// Arguments of `trustee init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// The election manifest (JSON).
    #[arg(long)]
    manifest: PathBuf,
    /// Number of trustees.
    #[arg(long)]
    trustees: u32,
    /// Trustees needed to decrypt.
    #[arg(long)]
    threshold: u32,
    /// Distinct trustees that must shuffle each ranked or write-in contest before its
    /// list is decrypted [default: the threshold]. Every trustee must give the same.
    #[arg(long)]
    mixers: Option<u32>,
    /// How the voter registry is committed: `open` (no registry: anyone may cast,
    /// unsigned, weight 1), `attested` (fixed after the ceremony by `threshold`
    /// trustees' `attest-registry`), or `fixed:HEX` (the registry with this
    /// fingerprint, known before the ceremony). Every trustee must give the same.
    #[arg(long, default_value = "open", value_name = "open|attested|fixed:HEX")]
    registry: String,
    /// Every cast ballot must carry its registered voter's signature (needs a registry).
    #[arg(long)]
    require_signatures: bool,
    /// This trustee's index, from 1.
    #[arg(long)]
    index: u32,
    /// Output directory.
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

/// Arguments of `trustee shares`.
#[derive(Args, Debug)]
pub struct SharesArgs {
    /// This trustee's state file (`trustee-I.state`).
    #[arg(long)]
    state: PathBuf,
    /// Announcement files, or directories holding `announcement-*.json`.
    #[arg(long, num_args = 1.., required = true)]
    announcements: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

/// Arguments of `trustee finish`.
#[derive(Args, Debug)]
pub struct FinishArgs {
    /// This trustee's state file (`trustee-I.state`).
    #[arg(long)]
    state: PathBuf,
    /// Announcement files, or directories holding `announcement-*.json`.
    #[arg(long, num_args = 1.., required = true)]
    announcements: Vec<PathBuf>,
    /// Share files addressed to this trustee, or directories holding `share-*.json`
    /// (only the shares addressed to this trustee are taken from a directory).
    #[arg(long, num_args = 1.., required = true)]
    shares: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

/// Arguments of `trustee decrypt`.
#[derive(Args, Debug)]
pub struct DecryptArgs {
    /// This trustee's key share (`key-I.secret`).
    #[arg(long)]
    key: PathBuf,
    /// The record holding the encrypted tally. It is verified first.
    #[arg(long)]
    record: PathBuf,
    /// Output file [default: partial-I.json]: the `decryption` record line, then one
    /// `mix_decryption` line per ranked or write-in contest already shuffled.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Decrypt a ranked or write-in contest's mixed list only if one of its shuffles is
    /// this trustee's own (the list is then anonymous to everyone else, whoever they
    /// are). Without it, the election's number of distinct trustee mixers is required.
    #[arg(long)]
    require_own_shuffle: bool,
    /// What this trustee has decrypted of the election [default: decrypted-I.json beside
    /// the key]: the first decryption pins the board, the tally and each mixed list;
    /// a different board, tally or list of the same election is refused (decrypting two
    /// versions would reveal the ballots in which they differ).
    #[arg(long)]
    pins: Option<PathBuf>,
    /// No progress bar while the record is verified.
    #[arg(long)]
    quiet: bool,
}

/// Runs a trustee step.
pub fn run(cmd: TrusteeCommand) -> Result<(), CliError> {
    match cmd {
        TrusteeCommand::Init(a) => init(a),
        TrusteeCommand::Shares(a) => shares(a),
        TrusteeCommand::Finish(a) => finish(a),
        TrusteeCommand::Mix(a) => mix(a),
        TrusteeCommand::Decrypt(a) => decrypt(a),
        TrusteeCommand::AttestRegistry(a) => attest_registry(a),
    }
}

/// The `--registry` argument.
fn registry_commitment(arg: &str) -> Result<RegistryCommitment, CliError> {
    let bad = || {
        CliError::usage(
            format!("unknown registry commitment '{arg}'"),
            "--registry",
            "give open, attested, or fixed:HEX (the registry's 64-digit fingerprint)",
        )
    };
    match arg {
        "open" => Ok(RegistryCommitment::Open),
        "attested" => Ok(RegistryCommitment::Attested),
        _ => {
            let hex_part = arg.strip_prefix("fixed:").ok_or_else(bad)?;
            let fingerprint: [u8; 32] = hex::decode(hex_part, "registry fingerprint")
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(bad)?;
            Ok(RegistryCommitment::Fixed { fingerprint })
        }
    }
}

const STATE_FORMAT: &str = "ostracon-trustee-state/1";

/// What recreates a trustee: its secrets and the ceremony it takes part in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    format: String,
    index: u32,
    parameters: Parameters,
    manifest: Manifest,
    /// The communication key's secret, hex.
    comm_key: String,
    /// Seed of the ChaCha20 generator of the polynomial and proofs, hex.
    seed: String,
}

impl Drop for StateFile {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.comm_key.zeroize();
        self.seed.zeroize();
    }
}

/// A trustee recreated from its state file.
struct Loaded {
    trustee: Trustee,
    manifest: Manifest,
    parameters: Parameters,
}

fn ceremony_params(
    manifest: &Manifest,
    parameters: &Parameters,
) -> Result<CeremonyParams, CeremonyError> {
    let context = ceremony_context(manifest, parameters);
    CeremonyParams::new(parameters.trustees, parameters.threshold, context)
}

fn recreate(
    params: CeremonyParams,
    index: u32,
    comm_key: &[u8],
    seed: [u8; 32],
) -> Result<Trustee, CeremonyError> {
    let comm_key = CommunicationKey::from_bytes(comm_key)?;
    let mut rng = ChaCha20Rng::from_seed(seed);
    Trustee::with_comm_key(params, index, comm_key, &mut rng)
}

fn load_state(path: &Path) -> Result<Loaded, CliError> {
    let bytes = files::read_secret(path)?;
    let bad = |what: String| {
        CliError::file(
            what,
            path,
            "give the trustee-I.state file written by `ostracon trustee init`",
        )
    };
    let state: StateFile = serde_json::from_slice(&bytes)
        .map_err(|e| bad(format!("not a trustee state file ({e})")))?;
    if state.format != STATE_FORMAT {
        return Err(bad(format!("unsupported state format '{}'", state.format)));
    }
    let comm_key = Zeroizing::new(
        hex::decode(&state.comm_key, "communication key").map_err(|e| bad(e.to_string()))?,
    );
    let seed = Zeroizing::new(hex::decode(&state.seed, "seed").map_err(|e| bad(e.to_string()))?);
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        seed.as_slice()
            .try_into()
            .map_err(|_| bad("the seed is not 32 bytes".into()))?,
    );
    let trustee = ceremony_params(&state.manifest, &state.parameters)
        .and_then(|p| recreate(p, state.index, &comm_key, *seed))
        .map_err(|e| bad(e.to_string()))?;
    Ok(Loaded {
        trustee,
        manifest: state.manifest.clone(),
        parameters: state.parameters,
    })
}

fn write_json_lines(path: &Path, lines: &[String]) -> Result<(), CliError> {
    let mut text = lines.join("\n");
    text.push('\n');
    files::write(path, text.as_bytes())
}

fn write_json_line(path: &Path, json: &str) -> Result<(), CliError> {
    let mut s = json.to_string();
    s.push('\n');
    files::write(path, s.as_bytes())
}

fn to_json<T: Serialize>(value: &T, what: &str) -> Result<String, CliError> {
    serde_json::to_string(value)
        .map_err(|e| CliError::internal(format!("cannot serialise {what}: {e}"), "trustee"))
}

/// `trustee init`.
fn init(a: InitArgs) -> Result<(), CliError> {
    let manifest = Manifest::from_json(&files::read(&a.manifest)?).map_err(|e| {
        CliError::file(
            e.to_string(),
            &a.manifest,
            "give the election's manifest (JSON)",
        )
    })?;
    let mut parameters = Parameters::new(a.trustees, a.threshold)
        .with_registry(registry_commitment(&a.registry)?)
        .with_signatures(a.require_signatures);
    if let Some(m) = a.mixers {
        parameters = parameters.with_mixers(m);
    }
    parameters.validate().map_err(|e| {
        CliError::usage(
            e.to_string(),
            "--trustees/--threshold/--mixers/--registry/--require-signatures",
            "choose 1 <= threshold <= mixers <= trustees <= 255, and a registry when signatures are required",
        )
    })?;
    let params = ceremony_params(&manifest, &parameters).map_err(|e| {
        CliError::usage(
            e.to_string(),
            "--trustees/--threshold",
            "check the parameters",
        )
    })?;
    if a.index == 0 || a.index > a.trustees {
        return Err(CliError::usage(
            format!("trustee {} does not exist", a.index),
            "--index",
            format!("give an index between 1 and {}", a.trustees),
        ));
    }
    let comm_key = CommunicationKey::random(&mut OsRng);
    let mut seed = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(seed.as_mut());
    let key_bytes = comm_key.to_bytes();
    let trustee = recreate(params, a.index, key_bytes.as_slice(), *seed)
        .map_err(|e| CliError::internal(e.to_string(), "trustee init"))?;
    // The later steps recreate the trustee from these bytes: check it comes back the same.
    let again = recreate(params, a.index, key_bytes.as_slice(), *seed)
        .map_err(|e| CliError::internal(e.to_string(), "trustee init"))?;
    if again.announcement() != trustee.announcement() {
        return Err(CliError::internal(
            "the trustee does not recreate deterministically from its seed",
            "trustee init",
        ));
    }

    files::create_dir(&a.out)?;
    let state = StateFile {
        format: STATE_FORMAT.into(),
        index: a.index,
        parameters,
        manifest,
        comm_key: hex::encode(key_bytes.as_slice()),
        seed: hex::encode(seed.as_slice()),
    };
    let json = Zeroizing::new(
        serde_json::to_string_pretty(&state)
            .map_err(|e| CliError::internal(format!("cannot serialise the state: {e}"), "init"))?,
    );
    let state_path = a.out.join(format!("trustee-{}.state", a.index));
    files::write_secret(&state_path, json.as_bytes())?;
    let ann_path = a.out.join(format!("announcement-{}.json", a.index));
    write_json_line(
        &ann_path,
        &to_json(trustee.announcement(), "the announcement")?,
    )?;
    println!(
        "trustee {} of {} (threshold {})",
        a.index, a.trustees, a.threshold
    );
    println!("secret state   {} (keep it private)", state_path.display());
    println!(
        "announcement   {} (publish it to every trustee)",
        ann_path.display()
    );
    Ok(())
}

fn read_message<T: for<'de> Deserialize<'de>>(path: &Path, what: &str) -> Result<T, CliError> {
    let bytes = files::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        CliError::file(
            format!("not a valid {what} ({e})"),
            path,
            format!("give the {what} file as it was published"),
        )
    })
}

/// Reads the announcements; adds this trustee's own if it was not among them.
fn read_announcements(paths: &[PathBuf], own: &Trustee) -> Result<Vec<Announcement>, CliError> {
    let mut out: Vec<Announcement> = Vec::new();
    for path in files::gather(paths, "announcement-", ".json")? {
        let a: Announcement = read_message(&path, "announcement")?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if !out.iter().any(|a| a.trustee == own.index()) {
        out.push(own.announcement().clone());
    }
    Ok(out)
}

/// Maps an error of the ceremony to what the user can do.
fn ceremony_error(e: CeremonyError, place: &str) -> CliError {
    match e {
        CeremonyError::Announcement { trustee, .. } => CliError::failed(
            e.to_string(),
            place,
            format!(
                "the announcement of trustee {trustee} is rejected: ask for it again, or re-run the ceremony without this trustee"
            ),
        ),
        CeremonyError::IdentityJointKey => CliError::failed(
            e.to_string(),
            place,
            "the ceremony must be run again",
        ),
        CeremonyError::Delivery { from, .. } => CliError::File {
            what: e.to_string(),
            place: place.into(),
            hint: format!(
                "pass exactly one share from each other trustee (check the share from trustee {from})"
            ),
        },
        CeremonyError::Decode(_) => CliError::File {
            what: e.to_string(),
            place: place.into(),
            hint: "a message file is damaged: obtain it again".into(),
        },
        e => CliError::internal(e.to_string(), place),
    }
}

/// `trustee shares`.
fn shares(a: SharesArgs) -> Result<(), CliError> {
    let Loaded { mut trustee, .. } = load_state(&a.state)?;
    let anns = read_announcements(&a.announcements, &trustee)?;
    let shares = trustee
        .receive_announcements(&anns, &mut OsRng)
        .map_err(|e| ceremony_error(e, "the announcements"))?;
    files::create_dir(&a.out)?;
    for s in &shares {
        let path = a.out.join(format!("share-{}-{}.json", s.from, s.to));
        write_json_line(&path, &to_json(s, "a share")?)?;
        println!(
            "share for trustee {:<3} {} (send it to trustee {})",
            s.to,
            path.display(),
            s.to
        );
    }
    Ok(())
}

/// `trustee finish`.
fn finish(a: FinishArgs) -> Result<(), CliError> {
    let Loaded {
        mut trustee,
        manifest,
        parameters,
    } = load_state(&a.state)?;
    let index = trustee.index();
    let anns = read_announcements(&a.announcements, &trustee)?;
    trustee
        .receive_announcements(&anns, &mut OsRng)
        .map_err(|e| ceremony_error(e, "the announcements"))?;
    // From directories take only the shares addressed to this trustee; explicit files
    // are all passed on (a misaddressed one is an error).
    let mut shares: Vec<EncryptedShare> = Vec::new();
    for path in &a.shares {
        let from_dir = path.is_dir();
        for file in files::gather(std::slice::from_ref(path), "share-", ".json")? {
            let s: EncryptedShare = read_message(&file, "share")?;
            if (!from_dir || s.to == index) && !shares.contains(&s) {
                shares.push(s);
            }
        }
    }
    let outcome = trustee
        .receive_shares(&shares, &mut OsRng)
        .map_err(|e| ceremony_error(e, "the shares"))?;
    let ceremony: PublicCeremony = trustee
        .public_ceremony()
        .cloned()
        .ok_or_else(|| CliError::internal("no verified ceremony after the shares", "finish"))?;
    files::create_dir(&a.out)?;
    match outcome {
        Outcome::Finished(key) => {
            let commitments = ceremony
                .announcements()
                .iter()
                .map(|a| a.commitments.clone())
                .collect();
            let election = Election::new(manifest, parameters, commitments)
                .map_err(|e| CliError::internal(e.to_string(), "building the election"))?;
            if election.joint_key() != key.joint_key() {
                return Err(CliError::internal(
                    "the election key differs from the ceremony's",
                    "finish",
                ));
            }
            let key_path = a.out.join(format!("key-{index}.secret"));
            files::write_secret(&key_path, &key.to_bytes())?;
            let election_path = a.out.join("election.json");
            files::write(&election_path, election.to_json().as_bytes())?;
            let ceremony_path = a.out.join("ceremony.json");
            let transcript: CeremonyTranscript = ceremony.transcript();
            let json = serde_json::to_string_pretty(&transcript).map_err(|e| {
                CliError::internal(format!("cannot serialise the transcript: {e}"), "finish")
            })?;
            files::write(&ceremony_path, json.as_bytes())?;
            println!("trustee {index}: every share checks out; the ceremony is complete");
            println!("key share      {} (keep it private)", key_path.display());
            println!("election       {}", election_path.display());
            println!("ceremony       {}", ceremony_path.display());
            println!(
                "election key   {}",
                hex::encode(&election.joint_key().to_bytes())
            );
            println!("base hash      {}", hex::encode(election.base_hash()));
            Ok(())
        }
        Outcome::Complaints(complaints) => {
            let mut cheaters = Vec::new();
            for c in &complaints {
                let path = a
                    .out
                    .join(format!("complaint-{}-{}.json", c.accuser, c.accused));
                write_json_line(&path, &to_json(c, "a complaint")?)?;
                eprintln!("complaint      {} (publish it)", path.display());
                let share = shares.iter().find(|s| s.from == c.accused);
                let verdict = share.and_then(|s| c.verify(&ceremony, s).ok());
                let who = match verdict {
                    Some(Verdict::AccusedAtFault { accused, fault }) => {
                        let why = match fault {
                            ShareFault::Undecryptable => "its share does not decrypt",
                            ShareFault::NonCanonical => "its share is not a valid scalar",
                            ShareFault::Inconsistent => "its share does not match its commitments",
                        };
                        format!("trustee {accused} ({why})")
                    }
                    Some(v) => format!("trustee {}", v.at_fault()),
                    None => format!("trustee {}", c.accused),
                };
                cheaters.push(who);
            }
            Err(CliError::failed(
                format!(
                    "key ceremony aborted: bad share from {}",
                    cheaters.join(", ")
                ),
                format!("trustee {index}"),
                "publish the complaint files; every trustee can check them, then re-run the ceremony without the trustee at fault",
            ))
        }
    }
}

/// Reads a key share file (`key-I.secret`).
fn load_key(path: &Path) -> Result<KeyShare, CliError> {
    let bytes = files::read_secret(path)?;
    KeyShare::from_bytes(&bytes).map_err(|e| {
        CliError::file(
            format!("not a key share ({e})"),
            path,
            "give the key-I.secret file written by `ostracon trustee finish`",
        )
    })
}

/// `trustee decrypt`.
fn decrypt(a: DecryptArgs) -> Result<(), CliError> {
    let key = load_key(&a.key)?;
    let index = key.index();
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("partial-{index}.json")));

    // Never decrypt what is not the verified tally of the record: everything up to the
    // tally must verify (the decryption checks may fail: they are what is missing).
    let (election, ceremony, tally) = verified_election(&a.record, a.quiet, &key, "decrypt")?;
    let board = read_board(&a.record)?;
    let (pins_path, mut pins) = load_pins(a.pins.as_deref(), &a.key, index, &election)?;
    let refused = |e: PinError| {
        CliError::failed(
            format!("refusing to decrypt: {e}"),
            a.record.display().to_string(),
            format!(
                "{} records what this trustee decrypted; ask the host why the record changed",
                pins_path.display()
            ),
        )
    };
    pins.pin_tally(election.base_hash(), board.count, &board.head, &tally)
        .map_err(refused)?;
    let ctx = election.context();
    let flat = tally.flat();
    let partial = PartialDecryption::from_key_share(&ctx, &key, &flat, &mut OsRng);
    let share = ceremony
        .verification_share(index)
        .map_err(|e| ceremony_error(e, "the record's key ceremony"))?;
    partial
        .verify(&ctx, &share, &flat, &mut OsRng)
        .map_err(|e| {
            CliError::file(
                format!("the key share does not match the ceremony ({e})"),
                &a.key,
                "the key file is damaged: restore it from your backup",
            )
        })?;
    let mut lines = vec![RecordItem::Decryption { partial }
        .to_json_line()
        .map_err(|e| CliError::internal(e, "trustee decrypt"))?];
    // The mixed lists of the ranked and write-in contests, once shuffled.
    let lists = mixnet_lists(&a.record, &election)?;
    let mut unmixed = Vec::new();
    for NamedList { id, list } in &lists {
        if list.steps() == 0 {
            if list.row_count() > 0 {
                unmixed.push(id.clone());
            }
            continue;
        }
        let partial =
            match list.partial_decryption(&election, &key, a.require_own_shuffle, &mut OsRng) {
                Ok(p) => p,
                Err(e @ (MixError::TooFewMixers { .. } | MixError::NotMixedBy { .. })) => {
                    return Err(CliError::failed(
                        format!("refusing to decrypt contest '{id}': {e}"),
                        a.record.display().to_string(),
                        "more trustees must run `ostracon trustee mix` on the record first",
                    ))
                }
                Err(e) => return Err(CliError::internal(e.to_string(), "trustee decrypt")),
            };
        pins.pin_list(election.base_hash(), list.contest(), list.rows())
            .map_err(refused)?;
        lines.push(
            RecordItem::MixDecryption {
                contest: list.contest(),
                partial,
            }
            .to_json_line()
            .map_err(|e| CliError::internal(e, "trustee decrypt"))?,
        );
    }
    // The log first: a decryption is never released without its pin.
    files::write(&pins_path, pins.to_json().as_bytes())?;
    write_json_lines(&out, &lines)?;
    println!(
        "trustee {index}: partial decryption of {} tally values",
        flat.len()
    );
    if lines.len() > 1 {
        println!(
            "                and of {} mixed list(s) of ranked or write-in contests",
            lines.len() - 1
        );
    }
    if !unmixed.is_empty() {
        println!(
            "not decrypted:  {} (not shuffled yet: run `ostracon trustee mix` first)",
            unmixed.join(", ")
        );
    }
    println!(
        "written to     {} (a record line: send it to the host)",
        out.display()
    );
    Ok(())
}

/// Verifies `record` (every check before the decryptions must pass), checks that `key`
/// belongs to its election, and returns the election, the ceremony and the tally.
fn verified_election(
    record: &Path,
    quiet: bool,
    key: &KeyShare,
    verb: &str,
) -> Result<(Election, PublicCeremony, EncryptedTally), CliError> {
    // Never decrypt what is not the verified tally of the record: everything up to the
    // tally must verify (the decryption checks may fail: they are what is missing).
    let report = crate::verify::verify_with_progress(record, quiet)?;
    let before: Vec<_> = report
        .failures
        .iter()
        .filter(|f| f.check < PARTIAL_DECRYPTIONS)
        .collect();
    if let Some(f) = before.first() {
        return Err(CliError::failed(
            format!(
                "refusing to {verb}: the record does not verify ({} failures before decryption; first: check {} failed: {}: {})",
                before.len(),
                f.check,
                f.object,
                f.reason
            ),
            record.display().to_string(),
            "run `ostracon verify` on the record and resolve its failures",
        ));
    }

    let (header, tally) = read_header_and_tally(record)?;
    let (election, ceremony) = election_of_header(header, key, record)?;
    Ok((election, ceremony, tally))
}

/// The election of a record's header, with its verified ceremony, checking that `key`
/// belongs to it.
fn election_of_header(
    header: Header,
    key: &KeyShare,
    record: &Path,
) -> Result<(Election, PublicCeremony), CliError> {
    let not_ours = |what: &str| {
        CliError::usage(
            format!("this key share belongs to another election ({what} differs)"),
            "--key/--record",
            "give the key share made in this election's key ceremony",
        )
    };
    if key.params() != &header.ceremony.params {
        return Err(not_ours("ceremony"));
    }
    let ceremony = header
        .ceremony
        .clone()
        .verify(&mut OsRng)
        .map_err(|e| ceremony_error(e, "the record's key ceremony"))?;
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    let election = Election::new(header.manifest, header.parameters, commitments)
        .map_err(|e| CliError::file(e.to_string(), record, "the record's header is invalid"))?;
    if election.joint_key() != key.joint_key() {
        return Err(not_ours("election key"));
    }
    Ok((election, ceremony))
}

/// The trustee's pins (`--pins`, or `decrypted-I.json` beside the key): what it has
/// decrypted and attested of `election`; new ones when the file does not exist yet.
fn load_pins(
    given: Option<&Path>,
    key: &Path,
    index: u32,
    election: &Election,
) -> Result<(PathBuf, DecryptionPins), CliError> {
    let path = given
        .map(Path::to_path_buf)
        .unwrap_or_else(|| key.with_file_name(format!("decrypted-{index}.json")));
    let pins = if path.exists() {
        DecryptionPins::from_json(&files::read(&path)?).map_err(|e| {
            CliError::file(
                e.to_string(),
                &path,
                "this trustee's decryption log is damaged: restore it from your backup",
            )
        })?
    } else {
        DecryptionPins::new(election.base_hash())
    };
    if pins.election != *election.base_hash() {
        return Err(CliError::usage(
            format!(
                "{} is the decryption log of another election",
                path.display()
            ),
            "--pins",
            "give this election's log, or a new path",
        ));
    }
    Ok((path, pins))
}

/// `trustee attest-registry`.
fn attest_registry(a: AttestArgs) -> Result<(), CliError> {
    let key = load_key(&a.key)?;
    let index = key.index();
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("attestation-{index}.json")));
    let mut reader = RecordReader::open(&a.record).map_err(|e| CliError::record(&a.record, e))?;
    let mut next = || {
        reader
            .next_item()
            .map_err(|e| CliError::record(&a.record, e))
    };
    let not_opening = |what: &str| {
        CliError::file(
            what.to_string(),
            &a.record,
            "give the record's opening: its header, then its voters item",
        )
    };
    let Some(RecordItem::Header(header)) = next()? else {
        return Err(not_opening("the file does not start with a header"));
    };
    let Some(RecordItem::Voters(voters)) = next()? else {
        return Err(not_opening("the header is not followed by a voters item"));
    };
    let (election, _) = election_of_header(header, &key, &a.record)?;
    if election.parameters().registry != RegistryCommitment::Attested {
        return Err(CliError::usage(
            "this election's voter registry is not attested (it is open or fixed before the ceremony)",
            "--record",
            "attest only elections made with `trustee init --registry attested`",
        ));
    }
    let fingerprint = hex::encode(&voters.fingerprint());
    if let Some(expected) = &a.expect_registry {
        if !expected.eq_ignore_ascii_case(&fingerprint) {
            return Err(CliError::failed(
                format!("the registry's fingerprint is {fingerprint}, not the one announced ({expected})"),
                a.record.display().to_string(),
                "attest only the registry announced for this election",
            ));
        }
    }
    let registry = voters
        .to_registry()
        .map_err(|e| CliError::file(e.to_string(), &a.record, "fix the voter registry"))?;
    ostracon::registry::check_keys(&election, &registry)
        .map_err(|e| CliError::file(e.to_string(), &a.record, "fix the voter registry"))?;
    // One registry per election: the pin is stored before the attestation is released.
    let (pins_path, mut pins) = load_pins(a.pins.as_deref(), &a.key, index, &election)?;
    pins.pin_registry(election.base_hash(), &voters.fingerprint())
        .map_err(|e| {
            CliError::failed(
                format!("refusing to attest: {e}"),
                a.record.display().to_string(),
                format!(
                    "{} records what this trustee attested; ask the host why the registry changed",
                    pins_path.display()
                ),
            )
        })?;
    files::write(&pins_path, pins.to_json().as_bytes())?;
    let attestation = RegistryAttestation::sign(&election, &voters, &key, &mut OsRng)
        .map_err(|e| CliError::internal(e.to_string(), "trustee attest-registry"))?;
    let line = RecordItem::RegistryAttestation(attestation)
        .to_json_line()
        .map_err(|e| CliError::internal(e, "trustee attest-registry"))?;
    write_json_line(&out, &line)?;
    let total: u64 = registry.iter().map(|(_, v)| v.weight).sum();
    println!("election       {}", hex::encode(election.base_hash()));
    println!(
        "registry       {fingerprint} ({} voters, total weight {total}, signatures {})",
        registry.len(),
        if election.parameters().require_signatures {
            "required"
        } else {
            "not required"
        }
    );
    println!(
        "written to     {} (a record line: send it to the host, to append after the voters item)",
        out.display()
    );
    Ok(())
}

/// A ranked or write-in contest's list as a record leaves it, with the contest's id.
struct NamedList {
    id: String,
    list: MixList,
}

/// For each ranked or write-in contest: the counted ballots' rows in board order, then
/// the shuffles the record holds, each verified (a record whose chain does not verify is
/// refused), then the partial decryptions of its final list already in the record.
fn mixnet_lists(record: &Path, election: &Election) -> Result<Vec<NamedList>, CliError> {
    let m = election.manifest();
    let mut lists: Vec<NamedList> = MixList::for_manifest(m)
        .into_iter()
        .map(|list| NamedList {
            id: m
                .contests
                .get(list.contest() as usize)
                .map_or_else(String::new, |c| c.id.clone()),
            list,
        })
        .collect();
    if lists.is_empty() {
        return Ok(lists);
    }
    // Pass 1: each voter's latest cast ballot (what is counted).
    let mut prepass = Prepass::new();
    let mut reader = RecordReader::open(record).map_err(|e| CliError::record(record, e))?;
    while let Some(item) = reader
        .next_item()
        .map_err(|e| CliError::record(record, e))?
    {
        if let RecordItem::Entry(e) = &item {
            prepass.note(e);
        }
    }
    // Pass 2: the counted rows; the shuffles and decryptions, taken after all rows.
    let mut steps: Vec<(u32, MixStep)> = Vec::new();
    let mut decryptions: Vec<(u32, PartialDecryption)> = Vec::new();
    let mut reader = RecordReader::open(record).map_err(|e| CliError::record(record, e))?;
    while let Some(item) = reader
        .next_item()
        .map_err(|e| CliError::record(record, e))?
    {
        match item {
            RecordItem::Entry(e) if prepass.is_counted(&e) => {
                for l in &mut lists {
                    l.list.push_counted(&e).map_err(|err| {
                        CliError::file(
                            format!("ballot {}: {err}", e.position),
                            record,
                            "run `ostracon verify` on the record",
                        )
                    })?;
                }
            }
            RecordItem::Mix { contest, step } => steps.push((contest, step)),
            RecordItem::MixDecryption { contest, partial } => {
                decryptions.push((contest, partial));
            }
            _ => {}
        }
    }
    let rows = lists.first().map_or(0, |l| l.list.row_count());
    let generators = ShuffleGenerators::derive(election.base_hash(), rows);
    for (contest, step) in steps {
        let Some(l) = lists.iter_mut().find(|l| l.list.contest() == contest) else {
            continue; // not a mixnet contest: `ostracon verify` reports it
        };
        l.list
            .push_step(election, &generators, step, &mut OsRng)
            .map_err(|e| {
                CliError::failed(
                    format!(
                        "refusing to go on: the shuffles of contest '{}' do not verify ({e})",
                        l.id
                    ),
                    record.display().to_string(),
                    "run `ostracon verify` on the record (check 21)",
                )
            })?;
    }
    for (contest, partial) in decryptions {
        if let Some(l) = lists.iter_mut().find(|l| l.list.contest() == contest) {
            // Only to know that decryption has begun: nothing here relies on them.
            l.list.restore_decryption(partial);
        }
    }
    Ok(lists)
}

/// `trustee mix`.
fn mix(a: MixArgs) -> Result<(), CliError> {
    let key = load_key(&a.key)?;
    let index = key.index();
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("mix-{index}.jsonl")));
    let (election, _, _) = verified_election(&a.record, a.quiet, &key, "shuffle")?;
    let lists = mixnet_lists(&a.record, &election)?;
    if lists.is_empty() {
        return Err(CliError::usage(
            "this election has no ranked or write-in contest: nothing to shuffle",
            "--record",
            "only elections with ranked or write-in contests go through the mixnet",
        ));
    }
    let rows = lists.first().map_or(0, |l| l.list.row_count());
    let generators = ShuffleGenerators::derive(election.base_hash(), rows);
    let mut lines = Vec::new();
    for NamedList { id, mut list } in lists {
        let n = list.steps() + 1;
        let step = match list.mix(&election, &key, &generators, &mut OsRng) {
            Ok(step) => step,
            Err(MixError::EmptyList) => {
                println!("contest {id:<16} no counted ballot: nothing to shuffle");
                continue;
            }
            Err(e @ MixError::AfterDecryption) => {
                println!("contest {id:<16} not shuffled: {e}");
                continue;
            }
            Err(e) => return Err(CliError::internal(e.to_string(), "trustee mix")),
        };
        println!(
            "contest {:<16} shuffle #{n} of {} rows of {} ciphertexts",
            id,
            list.row_count(),
            list.width()
        );
        lines.push(
            RecordItem::Mix {
                contest: list.contest(),
                step,
            }
            .to_json_line()
            .map_err(|e| CliError::internal(e, "trustee mix"))?,
        );
    }
    write_json_lines(&out, &lines)?;
    println!(
        "written to     {} ({} record lines: send them to the host)",
        out.display(),
        lines.len()
    );
    Ok(())
}

/// The final board summary of a record.
fn read_board(path: &Path) -> Result<BoardSummary, CliError> {
    let mut reader = RecordReader::open(path).map_err(|e| CliError::record(path, e))?;
    while let Some(item) = reader.next_item().map_err(|e| CliError::record(path, e))? {
        if let RecordItem::Board(b) = item {
            return Ok(b);
        }
    }
    Err(CliError::file(
        "the record has no board summary",
        path,
        "decrypt a record that holds the closed board",
    ))
}

/// The header and the encrypted tally of a record.
fn read_header_and_tally(path: &Path) -> Result<(Header, EncryptedTally), CliError> {
    let mut reader = RecordReader::open(path).map_err(|e| CliError::record(path, e))?;
    let mut header = None;
    let mut tally = None;
    while let Some(item) = reader.next_item().map_err(|e| CliError::record(path, e))? {
        match item {
            RecordItem::Header(h) => header = header.or(Some(h)),
            RecordItem::Tally(t) => tally = tally.or(Some(t)),
            _ => {}
        }
    }
    let missing = |what: &str| {
        CliError::file(
            format!("the record has no {what}"),
            path,
            "decrypt a record that holds the encrypted tally",
        )
    };
    Ok((
        header.ok_or_else(|| missing("header"))?,
        tally.ok_or_else(|| missing("encrypted tally"))?,
    ))
}
