//! Counting decrypted rankings: instant-runoff voting (one seat) and the single
//! transferable vote (several seats), round by round.
//!
//! Both counts are exact and deterministic, so a verifier recomputes them bit for bit.
//!
//! **Instant-runoff** ([`irv`]): each round counts every ballot for its most preferred
//! continuing option. An option holding more than half of the ballots still counting
//! (not exhausted) wins; otherwise the option with the fewest votes is eliminated and
//! its ballots pass to their next continuing preference. When one option remains, it
//! wins. If every ballot is exhausted, there is no winner.
//!
//! **STV** ([`stv`]), weighted inclusive Gregory method with the Droop quota
//! `⌊V / (seats + 1)⌋ + 1` (`V` the number of non-blank ballots). Votes are fixed-point
//! numbers with [`VOTE_SCALE`] units per ballot. Each round either:
//! 1. elects every continuing option whose total reaches the quota (largest first);
//! 2. or, when an elected option has an untransferred surplus, transfers the largest
//!    surplus: every ballot it holds moves to its next continuing preference with its
//!    weight multiplied by `surplus / total` (rounded down to a unit; what rounding
//!    loses is reported as `lost`);
//! 3. or, when the continuing options are no more than the seats left, elects them all;
//! 4. or eliminates the continuing option with the fewest votes and moves its ballots
//!    at their current weight.
//!
//! **Ties** (fewest votes to eliminate, equal surpluses, equal totals when electing)
//! are broken by the earlier rounds: the option that had fewer votes in the most recent
//! round where the tied options differed is eliminated (had more votes: goes first);
//! if they never differed, the option listed last in the manifest is eliminated (listed
//! first: goes first). The rule is deterministic on purpose: a count that a verifier
//! must reproduce cannot draw lots.

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// Fixed-point units per ballot in STV counts.
pub const VOTE_SCALE: u64 = 1_000_000;

/// What happened at the end of a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// These options reached the quota (or a majority) and are elected.
    Elected {
        /// Option indices, in order of election.
        options: Vec<u32>,
    },
    /// The option's surplus was transferred.
    Surplus {
        /// Option index.
        option: u32,
    },
    /// The option was eliminated and its ballots transferred.
    Eliminated {
        /// Option index.
        option: u32,
    },
    /// Every ballot is exhausted: nobody can win.
    NoWinner,
}

/// One round of a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// Votes of each option at the start of the round (whole ballots for IRV, units of
    /// `1/VOTE_SCALE` ballot for STV); eliminated options hold 0, elected options hold
    /// what they keep.
    pub tallies: Vec<u64>,
    /// Votes of ballots with no continuing preference left.
    pub exhausted: u64,
    /// What the round decided.
    pub action: Action,
}

/// The result of a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Seats to fill.
    pub seats: u32,
    /// Non-blank ballots counted.
    pub ballots: u64,
    /// Blank ballots (empty rankings).
    pub blank: u64,
    /// The quota (STV, in units of `1/VOTE_SCALE`); the majority threshold of the last
    /// round for IRV is implicit (more than half).
    pub quota: u64,
    /// The elected options, in order of election.
    pub elected: Vec<u32>,
    /// Every round, in order.
    pub rounds: Vec<Round>,
    /// Votes lost to rounding in surplus transfers (STV), in units.
    pub lost: u64,
}

/// The option to eliminate among `tied` (fewest votes now): by the earlier rounds, then
/// the one listed last.
fn lowest(tied: &[u32], history: &[Vec<u64>]) -> Option<u32> {
    pick(tied, history, false)
}

/// The option to take first among `tied` (most votes now).
fn highest(tied: &[u32], history: &[Vec<u64>]) -> Option<u32> {
    pick(tied, history, true)
}

fn pick(tied: &[u32], history: &[Vec<u64>], most: bool) -> Option<u32> {
    let mut candidates: Vec<u32> = tied.to_vec();
    for tallies in history.iter().rev() {
        if candidates.len() <= 1 {
            break;
        }
        let value = |o: &u32| tallies.get(*o as usize).copied().unwrap_or(0);
        let best = if most {
            candidates.iter().map(value).max()
        } else {
            candidates.iter().map(value).min()
        };
        if let Some(best) = best {
            candidates.retain(|o| value(o) == best);
        }
    }
    if most {
        candidates.into_iter().min()
    } else {
        candidates.into_iter().max()
    }
}

/// Instant-runoff count of `rankings` (option indices, most preferred first, as
/// [`super::encoding::decode_ranking`] returns them) over `options` options.
pub fn irv(rankings: &[Vec<u32>], options: usize) -> Count {
    let mut count = stv_like(rankings, options, 1, false);
    count.quota = 0;
    count
}

/// STV count of `rankings` over `options` options for `seats` seats (weighted
/// inclusive Gregory, Droop quota; see the module documentation).
pub fn stv(rankings: &[Vec<u32>], options: usize, seats: u32) -> Count {
    stv_like(rankings, options, seats, true)
}

struct Ballot<'a> {
    prefs: &'a [u32],
    /// Index into `prefs` of the current preference; `prefs.len()` when exhausted.
    pos: usize,
    weight: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Continuing,
    Elected,
    Eliminated,
}

fn stv_like(rankings: &[Vec<u32>], options: usize, seats: u32, weighted: bool) -> Count {
    let unit = if weighted { VOTE_SCALE } else { 1 };
    // Drop preferences for options that do not exist (a decoded ranking never has them).
    let valid: Vec<Vec<u32>> = rankings
        .iter()
        .map(|r| {
            r.iter()
                .copied()
                .filter(|&o| (o as usize) < options)
                .collect()
        })
        .collect();
    let blank = valid.iter().filter(|r| r.is_empty()).count() as u64;
    let mut ballots: Vec<Ballot<'_>> = valid
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| Ballot {
            prefs: r,
            pos: 0,
            weight: unit,
        })
        .collect();
    let total = ballots.len() as u64;
    let quota = if weighted {
        (total / (u64::from(seats) + 1) + 1) * unit
    } else {
        0
    };
    let mut state = alloc::vec![State::Continuing; options];
    // Elected options with a surplus still to transfer, and what each keeps.
    let mut pending: Vec<u32> = Vec::new();
    let mut elected: Vec<u32> = Vec::new();
    let mut rounds: Vec<Round> = Vec::new();
    let mut history: Vec<Vec<u64>> = Vec::new();
    let mut lost = 0u64;
    // What an elected option keeps once its ballots moved on with its surplus.
    let mut retained = alloc::vec![0u64; options];
    let seats_total = seats as usize;

    // Moves every ballot resting on `from` to its next continuing preference, or
    // exhausts it.
    let advance = |ballots: &mut Vec<Ballot<'_>>, state: &[State], from: u32| {
        for b in ballots.iter_mut() {
            if b.prefs.get(b.pos) != Some(&from) {
                continue;
            }
            b.pos += 1;
            while let Some(&o) = b.prefs.get(b.pos) {
                if state[o as usize] == State::Continuing {
                    break;
                }
                b.pos += 1;
            }
        }
    };

    let mut guard = 0usize;
    while elected.len() < seats_total && guard <= 4 * options + 4 {
        guard += 1;
        let mut tallies = alloc::vec![0u64; options];
        let mut exhausted = 0u64;
        for b in &ballots {
            match b.prefs.get(b.pos) {
                Some(&o) => tallies[o as usize] += b.weight,
                None => exhausted += b.weight,
            }
        }
        for (t, r) in tallies.iter_mut().zip(&retained) {
            *t += r;
        }
        let continuing: Vec<u32> = (0..options as u32)
            .filter(|&o| state[o as usize] == State::Continuing)
            .collect();
        let live: u64 = continuing.iter().map(|&o| tallies[o as usize]).sum();

        let action;
        // 1. Election by quota (STV) or majority (IRV).
        let mut winners: Vec<u32> = continuing
            .iter()
            .copied()
            .filter(|&o| {
                let t = tallies[o as usize];
                if weighted {
                    t >= quota
                } else {
                    t > 0 && 2 * t > live
                }
            })
            .collect();
        if !winners.is_empty() {
            let mut order = Vec::new();
            while !winners.is_empty() {
                let top = winners
                    .iter()
                    .map(|&o| tallies[o as usize])
                    .max()
                    .unwrap_or(0);
                let tied: Vec<u32> = winners
                    .iter()
                    .copied()
                    .filter(|&o| tallies[o as usize] == top)
                    .collect();
                let Some(first) = highest(&tied, &history) else {
                    break;
                };
                winners.retain(|&o| o != first);
                order.push(first);
            }
            for &o in &order {
                if elected.len() < seats_total {
                    state[o as usize] = State::Elected;
                    elected.push(o);
                    if weighted && tallies[o as usize] > quota {
                        pending.push(o);
                    }
                }
            }
            action = Action::Elected { options: order };
        } else if let Some(option) = {
            // 2. Transfer the largest pending surplus.
            let top = pending
                .iter()
                .map(|&o| tallies[o as usize].saturating_sub(quota))
                .max();
            top.and_then(|top| {
                let tied: Vec<u32> = pending
                    .iter()
                    .copied()
                    .filter(|&o| tallies[o as usize].saturating_sub(quota) == top)
                    .collect();
                highest(&tied, &history)
            })
        } {
            pending.retain(|&o| o != option);
            let t = tallies[option as usize];
            let surplus = t.saturating_sub(quota);
            let mut after = 0u64;
            for b in ballots.iter_mut() {
                if b.prefs.get(b.pos) == Some(&option) && t > 0 {
                    // weight·surplus/t, rounded down (u128: no overflow).
                    b.weight = (u128::from(b.weight) * u128::from(surplus) / u128::from(t)) as u64;
                    after += b.weight;
                }
            }
            lost += surplus.saturating_sub(after);
            retained[option as usize] = quota;
            advance(&mut ballots, &state, option);
            action = Action::Surplus { option };
        } else if continuing.len() + elected.len() <= seats_total && !continuing.is_empty() {
            // 3. No more continuing options than seats left: elect them all, most
            //    votes first.
            let mut rest = continuing.clone();
            let mut order = Vec::new();
            while !rest.is_empty() {
                let top = rest.iter().map(|&o| tallies[o as usize]).max().unwrap_or(0);
                let tied: Vec<u32> = rest
                    .iter()
                    .copied()
                    .filter(|&o| tallies[o as usize] == top)
                    .collect();
                let Some(first) = highest(&tied, &history) else {
                    break;
                };
                rest.retain(|&o| o != first);
                order.push(first);
            }
            for &o in &order {
                state[o as usize] = State::Elected;
                elected.push(o);
            }
            action = Action::Elected { options: order };
        } else if live == 0 && !weighted {
            action = Action::NoWinner;
        } else if let Some(option) = {
            // 4. Eliminate the option with the fewest votes.
            let low = continuing.iter().map(|&o| tallies[o as usize]).min();
            low.and_then(|low| {
                let tied: Vec<u32> = continuing
                    .iter()
                    .copied()
                    .filter(|&o| tallies[o as usize] == low)
                    .collect();
                lowest(&tied, &history)
            })
        } {
            state[option as usize] = State::Eliminated;
            advance(&mut ballots, &state, option);
            action = Action::Eliminated { option };
        } else {
            action = Action::NoWinner;
        }
        // Elected options show what they keep (the quota) once their surplus is gone.
        let done = matches!(action, Action::NoWinner);
        history.push(tallies.clone());
        rounds.push(Round {
            tallies,
            exhausted,
            action,
        });
        if done {
            break;
        }
    }
    Count {
        seats,
        ballots: total,
        blank,
        quota,
        elected,
        rounds,
        lost,
    }
}
