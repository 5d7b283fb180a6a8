//! A whole election run in one process: the engine of `ostracon demo`, of the
//! end-to-end tests and of the benchmarks that need a realistic record.
//!
//! [`run`] performs, with a seeded RNG so every run is reproducible:
//! the key ceremony of `n` trustees (threshold `t`) through the message API; a voter
//! registry with Ed25519 keys (and weights, if asked); `N` ballots encrypted with
//! random valid choices, some challenged (then re-encrypted and cast), some cast twice
//! (the first superseded); the board; the homomorphic tally; partial decryptions by
//! the trustees not listed as absent; the combination and the results. Every record
//! item goes to `sink` as soon as it exists, so a million-ballot election runs in
//! bounded memory.
//!
//! The simulation knows the plaintexts, so [`Outcome::expected`] holds the count the
//! results must equal.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRngCore, RngCore, SeedableRng};

use crate::ballot::{EncryptedBallot, PlaintextBallot};
use crate::board::{self, Board, Submission, Voter, VoterRegistry};
use crate::dlog::DlogTable;
use crate::election::{ceremony_context, Election, Parameters};
use crate::error::Error;
use crate::keyceremony::{
    self, CeremonyParams, CeremonyTranscript, KeyShare, PublicCeremony, Trustee,
};
use crate::manifest::{Contest, ContestOption, Manifest, VoteRule};
use crate::mixnet::{MixList, MixnetResult, ShuffleGenerators};
use crate::record::{BoardSummary, Header, RecordItem, Voters};
use crate::registry::{RegistryAttestation, RegistryCommitment};
use crate::tally::{Results, TallyAccumulator};
use crate::threshold::PartialDecryption;

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Config {
    /// The manifest.
    pub manifest: Manifest,
    /// Number of trustees.
    pub trustees: u32,
    /// Decryption threshold.
    pub threshold: u32,
    /// Trustees (indices from 1) who do not take part in decryption.
    pub absent: Vec<u32>,
    /// Number of counted ballots (one per voter).
    pub ballots: u64,
    /// Every `k`-th voter first challenges a ballot (0: never).
    pub challenge_every: u64,
    /// Every `k`-th voter casts twice; the first ballot is superseded (0: never).
    pub revote_every: u64,
    /// Voters sign their ballots and the board requires signatures.
    pub signatures: bool,
    /// Voters have weights 1 to 5 (instead of 1); in an election with a ranked or
    /// write-in contest, which admits weights 0 and 1 only, every third voter has
    /// weight 0.
    pub weights: bool,
    /// The registry's fingerprint is fixed in the election parameters (voters known
    /// before the key ceremony); otherwise the trustees present attest it after the
    /// ceremony (spec §10.1).
    pub fixed_registry: bool,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Config {
    /// A demo configuration: the [`demo_manifest`], 3-of-5 trustees with two absent,
    /// signatures, a challenge every 50 voters and a revote every 20.
    pub fn demo(ballots: u64, seed: u64) -> Self {
        Self {
            manifest: demo_manifest(),
            trustees: 5,
            threshold: 3,
            absent: vec![2, 4],
            ballots,
            challenge_every: 50,
            revote_every: 20,
            signatures: true,
            weights: false,
            fixed_registry: false,
            seed,
        }
    }
}

impl Config {
    /// How many board entries [`run`] makes: one per voter, one more per challenging
    /// voter (`i % challenge_every == 0`), one more per revoting voter
    /// (`i % revote_every == 1`).
    pub fn expected_entries(&self) -> u64 {
        let every = |k: u64, r: u64| {
            if k == 0 || r >= k {
                0
            } else {
                self.ballots.saturating_sub(r).div_ceil(k)
            }
        };
        self.ballots + every(self.challenge_every, 0) + every(self.revote_every, 1)
    }
}

fn options(labels: &[&str]) -> Vec<ContestOption> {
    labels
        .iter()
        .map(|l| ContestOption {
            id: l.to_lowercase().replace(' ', "-"),
            label: (*l).into(),
        })
        .collect()
}

/// A manifest with every vote rule: plurality, approval, cumulative, score, ranked
/// (instant-runoff and STV) and write-in.
pub fn demo_manifest() -> Manifest {
    Manifest {
        election_id: "demo-2026".into(),
        title: "Demo general assembly 2026".into(),
        contests: vec![
            Contest {
                id: "chair".into(),
                title: "Chair (choose one)".into(),
                options: options(&["Ada", "Grace", "Edsger", "Barbara"]),
                rule: VoteRule::Approval { min: 1, max: 1 },
            },
            Contest {
                id: "board".into(),
                title: "Board members (up to 3)".into(),
                options: options(&[
                    "Alan", "Donald", "Frances", "John", "Karen", "Leslie", "Margaret", "Niklaus",
                    "Radia", "Tony",
                ]),
                rule: VoteRule::Approval { min: 0, max: 3 },
            },
            Contest {
                id: "budget".into(),
                title: "Budget priorities (6 points, at most 4 per item)".into(),
                options: options(&["Housing", "Transport", "Parks"]),
                rule: VoteRule::Cumulative {
                    per_option: 4,
                    min: 0,
                    max: 6,
                },
            },
            Contest {
                id: "projects".into(),
                title: "Rate each project from 0 to 10".into(),
                options: options(&["Library", "Bridge"]),
                rule: VoteRule::Score { max: 10 },
            },
            Contest {
                id: "motion".into(),
                title: "Adopt the motion?".into(),
                options: options(&["Yes", "No", "Abstain"]),
                rule: VoteRule::Approval { min: 1, max: 1 },
            },
            Contest {
                id: "president".into(),
                title: "President (rank the candidates; instant-runoff)".into(),
                options: options(&["Hopper", "Liskov", "Knuth", "Perlman"]),
                rule: VoteRule::Ranked { seats: 1 },
            },
            Contest {
                id: "council-stv".into(),
                title: "Council, 2 seats (rank the candidates; single transferable vote)".into(),
                options: options(&["Turing", "Shannon", "Noether", "Church"]),
                rule: VoteRule::Ranked { seats: 2 },
            },
            Contest {
                id: "mascot".into(),
                title: "Name the mascot (write-in)".into(),
                options: options(&["Write-in"]),
                rule: VoteRule::WriteIn { max_len: 6 },
            },
        ],
    }
}

/// Random valid choices for every contest.
pub fn random_plaintext(manifest: &Manifest, rng: &mut impl RngCore) -> PlaintextBallot {
    let mut p = PlaintextBallot::new();
    for c in &manifest.contests {
        let n = c.options.len();
        let pick = |rng: &mut dyn RngCore, k: u64| (rng.next_u64() % k.max(1)) as usize;
        let values = match c.rule {
            VoteRule::Approval { min, max } => {
                let k = min as usize + pick(rng, u64::from(max - min) + 1);
                let mut v = vec![0u64; n];
                let mut chosen = 0;
                while chosen < k {
                    let i = pick(rng, n as u64);
                    if v[i] == 0 {
                        v[i] = 1;
                        chosen += 1;
                    }
                }
                v
            }
            VoteRule::Cumulative {
                per_option,
                min,
                max,
            } => {
                let target = u64::from(min) + pick(rng, u64::from(max - min) + 1) as u64;
                let mut v = vec![0u64; n];
                let mut total = 0;
                let mut guard = 0;
                while total < target && guard < 10_000 {
                    let i = pick(rng, n as u64);
                    if v[i] < u64::from(per_option) {
                        v[i] += 1;
                        total += 1;
                    }
                    guard += 1;
                }
                v
            }
            VoteRule::Score { max } => (0..n)
                .map(|_| pick(rng, u64::from(max) + 1) as u64)
                .collect(),
            VoteRule::Ranked { .. } => {
                // A random ranking of a random length (sometimes blank).
                let mut order: Vec<u64> = (0..n as u64).collect();
                for i in (1..n).rev() {
                    order.swap(i, pick(rng, i as u64 + 1));
                }
                order.truncate(pick(rng, n as u64 + 1));
                order
            }
            VoteRule::WriteIn { max_len } => {
                const NAMES: [&str; 6] = ["", "Ada", "Grace", "Zoë", "Hedy", "Émilie"];
                let name = NAMES[pick(rng, NAMES.len() as u64)];
                let name = if name.len() <= max_len as usize {
                    name
                } else {
                    ""
                };
                name.bytes().map(u64::from).collect()
            }
        };
        p = p.with(&c.id, values);
    }
    p
}

/// What a simulation produced.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The election.
    pub election: Election,
    /// The verified ceremony.
    pub ceremony: PublicCeremony,
    /// The decrypted results.
    pub results: Results,
    /// The count the results must equal, computed from the plaintexts.
    pub expected: Results,
    /// Board entries (cast + challenged).
    pub entries: u64,
    /// Final board head.
    pub head: [u8; 32],
}

/// Runs a local key ceremony through the message API and returns the verified
/// ceremony, its transcript and every trustee's key share.
pub fn run_ceremony(
    params: CeremonyParams,
    rng: &mut impl CryptoRngCore,
) -> Result<(PublicCeremony, CeremonyTranscript, Vec<KeyShare>), Error> {
    let ce = |e: keyceremony::CeremonyError| Error::invalid_input(format!("key ceremony: {e}"));
    let mut trustees = (1..=params.n())
        .map(|i| Trustee::new(params, i, rng))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ce)?;
    let announcements: Vec<_> = trustees.iter().map(|t| t.announcement().clone()).collect();
    let mut inbox: Vec<Vec<keyceremony::EncryptedShare>> = vec![Vec::new(); trustees.len()];
    for t in trustees.iter_mut() {
        for share in t.receive_announcements(&announcements, rng).map_err(ce)? {
            if let Some(b) = inbox.get_mut((share.to as usize).wrapping_sub(1)) {
                b.push(share);
            }
        }
    }
    let mut keys = Vec::with_capacity(trustees.len());
    for (t, shares) in trustees.iter_mut().zip(&inbox) {
        match t.receive_shares(shares, rng).map_err(ce)? {
            keyceremony::Outcome::Finished(k) => keys.push(*k),
            keyceremony::Outcome::Complaints(c) => {
                return Err(Error::invalid_input(format!(
                    "key ceremony: {} complaints",
                    c.len()
                )))
            }
        }
    }
    let transcript = CeremonyTranscript {
        params,
        announcements,
    };
    let ceremony = transcript.clone().verify(rng).map_err(ce)?;
    Ok((ceremony, transcript, keys))
}

fn tally_values(expected: &mut [Vec<u64>], values: &[Vec<u64>], weight: u64) {
    for (e, v) in expected.iter_mut().zip(values) {
        for (x, y) in e.iter_mut().zip(v) {
            *x += y * weight;
        }
    }
}

/// Ballots encrypted and submitted together.
const BATCH: u64 = 256;

/// Runs the election described by `config`, sending every record item to `sink`.
pub fn run(
    config: &Config,
    sink: &mut dyn FnMut(RecordItem) -> Result<(), Error>,
) -> Result<Outcome, Error> {
    let mut rng = ChaCha20Rng::seed_from_u64(config.seed);
    // Voters: keys derived from the seed, so the registry can be fixed before the
    // ceremony.
    let mut registry = VoterRegistry::new();
    let voter_key = |i: u64| {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&config.seed.to_le_bytes());
        seed[8..16].copy_from_slice(&i.to_le_bytes());
        board::SigningKey::from_bytes(&seed)
    };
    let mixnet = config.manifest.has_mixnet_contest();
    let weight_of = |i: u64| match (config.weights, mixnet) {
        (false, _) => 1,
        (true, false) => 1 + (i * 7 + 3) % 5,
        (true, true) => u64::from(i % 3 != 1),
    };
    for i in 0..config.ballots {
        let key = config.signatures.then(|| voter_key(i).verifying_key());
        registry.insert(
            format!("voter-{i}"),
            Voter {
                key,
                weight: weight_of(i),
            },
        );
    }
    let voters = Voters::from_registry(&registry);
    let commitment = if config.fixed_registry {
        RegistryCommitment::Fixed {
            fingerprint: voters.fingerprint(),
        }
    } else {
        RegistryCommitment::Attested
    };
    let params = Parameters::new(config.trustees, config.threshold)
        .with_registry(commitment)
        .with_signatures(config.signatures);
    params.validate()?;
    config.manifest.validate()?;
    let present: Vec<u32> = (1..=config.trustees)
        .filter(|i| !config.absent.contains(i))
        .collect();
    if present.len() < config.threshold as usize {
        return Err(Error::invalid_input(format!(
            "only {} trustees present; {} needed to decrypt",
            present.len(),
            config.threshold
        )));
    }
    // Key ceremony.
    let context = ceremony_context(&config.manifest, &params);
    let cparams = CeremonyParams::new(params.trustees, params.threshold, context)
        .map_err(|e| Error::invalid_input(e.to_string()))?;
    let (ceremony, transcript, keys) = run_ceremony(cparams, &mut rng)?;
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    let election = Election::new(config.manifest.clone(), params, commitments)?;
    sink(RecordItem::Header(Header::new(&election, transcript)))?;
    // The registry, attested by the trustees present when it is not fixed.
    let mut attestations = Vec::new();
    if !config.fixed_registry {
        for k in keys.iter().filter(|k| present.contains(&k.index())) {
            attestations.push(
                RegistryAttestation::sign(&election, &voters, k, &mut rng)
                    .map_err(|e| Error::invalid_input(e.to_string()))?,
            );
        }
    }
    let registry = crate::registry::open_registry(&election, Some(&voters), &attestations)
        .map_err(|e| Error::invalid_input(e.to_string()))?
        .unwrap_or(registry);
    sink(RecordItem::Voters(voters))?;
    for a in attestations {
        sink(RecordItem::RegistryAttestation(a))?;
    }

    // Ballots, in batches: encrypted (in parallel with std), submitted, recorded.
    let mut board = Board::new(&election, Some(registry));
    let mut acc = TallyAccumulator::new(&election);
    let shape = election.manifest().tally_shape();
    let mut expected: Vec<Vec<u64>> = shape.iter().map(|n| vec![0; *n]).collect();
    // Ranked and write-in contests: the counted ballots' rows in board order (the
    // mixnet's input) and their plaintexts.
    let mut lists = MixList::for_manifest(election.manifest());
    let mut mix_plain: Vec<Vec<u64>> = vec![Vec::new(); lists.len()];
    let mut start = 0;
    while start < config.ballots {
        let end = (start + BATCH).min(config.ballots);
        // (voter, ballot id, plaintext, submission kind, counted?)
        let mut jobs: Vec<(u64, String, PlaintextBallot, u8, bool)> = Vec::new();
        for i in start..end {
            let mut prng =
                ChaCha20Rng::seed_from_u64(config.seed ^ (i.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
            if config.challenge_every > 0 && i % config.challenge_every == 0 {
                jobs.push((
                    i,
                    format!("ballot-{i}-audit"),
                    random_plaintext(&config.manifest, &mut prng),
                    1,
                    false,
                ));
            }
            if config.revote_every > 0 && i % config.revote_every == 1 {
                jobs.push((
                    i,
                    format!("ballot-{i}-first"),
                    random_plaintext(&config.manifest, &mut prng),
                    0,
                    false,
                ));
            }
            jobs.push((
                i,
                format!("ballot-{i}"),
                random_plaintext(&config.manifest, &mut prng),
                0,
                true,
            ));
        }
        let encrypt = |(i, id, p, kind, counted): &(u64, String, PlaintextBallot, u8, bool)| {
            let mut brng = ChaCha20Rng::seed_from_u64(
                config.seed.wrapping_add(0x5eed) ^ i.wrapping_mul(31).wrapping_add(id.len() as u64),
            );
            let (ballot, opening) = election.encrypt_ballot(id, p, None, &mut brng)?;
            let sub = if *kind == 1 {
                Submission::Challenge(opening)
            } else {
                let voter = format!("voter-{i}");
                let signature = config.signatures.then(|| {
                    board::sign_ballot(&voter_key(*i), &election, &ballot.tracking_code(), &voter)
                });
                Submission::Cast {
                    voter: Some(voter),
                    signature,
                }
            };
            Ok::<(EncryptedBallot, Submission, bool), Error>((ballot, sub, *counted))
        };
        #[cfg(feature = "std")]
        let encrypted: Vec<Result<(EncryptedBallot, Submission, bool), Error>> = {
            use rayon::prelude::*;
            jobs.par_iter().map(encrypt).collect()
        };
        #[cfg(not(feature = "std"))]
        let encrypted: Vec<Result<(EncryptedBallot, Submission, bool), Error>> =
            jobs.iter().map(encrypt).collect();
        let mut batch = Vec::with_capacity(encrypted.len());
        let mut counted = Vec::with_capacity(encrypted.len());
        for e in encrypted {
            let (b, s, c) = e?;
            counted.push(c);
            batch.push((b, s));
        }
        let mut brng = ChaCha20Rng::seed_from_u64(config.seed ^ start);
        for ((res, c), job) in board
            .submit_batch(batch, &mut brng)
            .into_iter()
            .zip(counted)
            .zip(&jobs)
        {
            let entry = res.map_err(Error::InvalidBallot)?;
            if c {
                let w = weight_of(job.0);
                acc.add(&entry.ballot, w)?;
                let plain = election.check_selection(&job.2)?;
                tally_values(&mut expected, &plain, w);
                for (list, plain_rows) in lists.iter_mut().zip(&mut mix_plain) {
                    // A weight-0 ballot has no row.
                    if list.push_counted(&entry)? {
                        if let Some(p) = plain.get(list.contest() as usize) {
                            plain_rows.extend_from_slice(p);
                        }
                    }
                }
            }
            sink(RecordItem::Entry(entry))?;
        }
        start = end;
    }
    let head = *board.head();
    sink(RecordItem::Board(BoardSummary {
        count: board.len(),
        head,
    }))?;

    // Tally and decryption.
    let tally = acc.finish();
    sink(RecordItem::Tally(tally.clone()))?;
    let flat = tally.flat();
    let ctx = election.decryption_context();
    let mut partials: Vec<PartialDecryption> = Vec::new();
    for k in keys.iter().filter(|k| present.contains(&k.index())) {
        let d = PartialDecryption::from_key_share(&ctx, k, &flat, &mut rng);
        sink(RecordItem::Decryption { partial: d.clone() })?;
        partials.push(d);
    }
    let table = DlogTable::default();
    let mut results = tally.decrypt(&election, &ceremony, &partials, &table, &mut rng)?;

    // Ranked and write-in contests: every present trustee shuffles once, then they
    // decrypt the final lists.
    let m = election.manifest();
    let rows = lists.first().map_or(0, MixList::row_count);
    let generators = ShuffleGenerators::derive(election.base_hash(), rows);
    for list in &mut lists {
        if list.row_count() == 0 {
            continue;
        }
        for key in keys.iter().filter(|k| present.contains(&k.index())) {
            let step = list.mix(&election, key, &generators, &mut rng)?;
            sink(RecordItem::Mix {
                contest: list.contest(),
                step,
            })?;
        }
    }
    let mut expected_mixnet = Vec::with_capacity(lists.len());
    for (list, plain_rows) in lists.iter_mut().zip(&mix_plain) {
        for key in keys.iter().filter(|k| present.contains(&k.index())) {
            let d = list.partial_decryption(&election, key, true, &mut rng)?;
            sink(RecordItem::MixDecryption {
                contest: list.contest(),
                partial: d.clone(),
            })?;
            // Made here from the ceremony's own key shares: nothing to verify.
            list.restore_decryption(d);
        }
        results.mixnet.push(list.result(&election, &table)?);
        if let Some(contest) = m.contests.get(list.contest() as usize) {
            expected_mixnet.push(MixnetResult::from_rows(contest, plain_rows));
        }
    }

    sink(RecordItem::Results(results.clone()))?;
    let mut expected = Results::from_values(&election, &expected);
    expected.mixnet = expected_mixnet;
    Ok(Outcome {
        expected,
        results,
        entries: board.len(),
        head,
        election,
        ceremony,
    })
}
