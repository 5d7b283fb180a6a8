//! Progress bars and output formatting.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use ostracon::manifest::Manifest;
use ostracon::mixnet::count::{Action, VOTE_SCALE};
use ostracon::mixnet::{MixedBallot, MixnetResult};
use ostracon::tally::Results;

/// A progress bar on stderr, counting `unit`s. Hidden when `quiet` or when stderr is not
/// a terminal (indicatif draws nothing then).
pub fn progress(len: u64, unit: &str, quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let pb = ProgressBar::with_draw_target(Some(len), target);
    let template = format!(
        "{{spinner}} {{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{rate}}/s, {{eta}} left)"
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        let style = style.progress_chars("=> ").with_key(
            "rate",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}", s.per_sec());
            },
        );
        pb.set_style(style);
    }
    if !quiet {
        pb.enable_steady_tick(Duration::from_millis(120));
    }
    pb
}

/// `1.23 s`, `456 ms`, `2 min 03.4 s`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 60.0 {
        format!("{s:.2} s")
    } else {
        format!("{} min {:04.1} s", (s / 60.0) as u64, s % 60.0)
    }
}

/// `n / d` per second, for display.
pub fn rate(n: u64, d: Duration) -> String {
    let s = d.as_secs_f64();
    if s <= 0.0 {
        return "-".into();
    }
    format!("{:.0}", n as f64 / s)
}

/// The results as a table per contest: option labels and counts.
pub fn results_table(manifest: &Manifest, results: &Results) -> String {
    let mut out = String::new();
    for r in results.contests.iter().filter(|r| !r.counts.is_empty()) {
        let contest = manifest.contests.iter().find(|c| c.id == r.contest);
        let title = contest.map_or(r.contest.as_str(), |c| c.title.as_str());
        let label = |id: &str| -> String {
            contest
                .and_then(|c| c.options.iter().find(|o| o.id == id))
                .map_or_else(|| id.to_string(), |o| o.label.clone())
        };
        let labels: Vec<String> = r.counts.iter().map(|(id, _)| label(id)).collect();
        let lw = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let nw = r
            .counts
            .iter()
            .map(|(_, n)| n.to_string().len())
            .max()
            .unwrap_or(1);
        out.push_str(&format!("{title}\n"));
        for (l, (_, n)) in labels.iter().zip(&r.counts) {
            out.push_str(&format!("  {l:<lw$}  {n:>nw$}\n"));
        }
    }
    for r in &results.mixnet {
        out.push_str(&mixnet_table(manifest, r));
    }
    out
}

/// A ranked contest's rounds and winners, or a write-in contest's texts.
fn mixnet_table(manifest: &Manifest, r: &MixnetResult) -> String {
    let contest = manifest.contests.iter().find(|c| c.id == r.contest);
    let title = contest.map_or(r.contest.as_str(), |c| c.title.as_str());
    let label = |o: u32| -> String {
        contest
            .and_then(|c| c.options.get(o as usize))
            .map_or_else(|| format!("#{o}"), |x| x.label.clone())
    };
    let mut out = format!("{title}\n");
    if let Some(count) = &r.count {
        // IRV tallies are whole ballots; STV tallies are in 1/VOTE_SCALE units.
        let stv = count.quota > 0;
        let votes = |v: u64| -> String {
            if stv {
                format!("{:.2}", v as f64 / VOTE_SCALE as f64)
            } else {
                v.to_string()
            }
        };
        out.push_str(&format!(
            "  {} ballots ({} blank), {}\n",
            count.ballots,
            count.blank,
            if stv {
                format!("{} seats, quota {}", count.seats, votes(count.quota))
            } else {
                "instant-runoff".to_string()
            }
        ));
        for (i, round) in count.rounds.iter().enumerate() {
            let tallies: Vec<String> = round
                .tallies
                .iter()
                .enumerate()
                .filter(|(_, v)| **v > 0)
                .map(|(o, v)| format!("{} {}", label(o as u32), votes(*v)))
                .collect();
            let action = match &round.action {
                Action::Elected { options } => format!(
                    "elected {}",
                    options
                        .iter()
                        .map(|o| label(*o))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Action::Surplus { option } => format!("surplus of {} transferred", label(*option)),
                Action::Eliminated { option } => format!("{} eliminated", label(*option)),
                Action::NoWinner => "no winner".to_string(),
            };
            out.push_str(&format!(
                "  round {}: {}; exhausted {} → {action}\n",
                i + 1,
                tallies.join(", "),
                votes(round.exhausted)
            ));
        }
        let elected: Vec<String> = count.elected.iter().map(|o| label(*o)).collect();
        out.push_str(&format!("  elected: {}\n", elected.join(", ")));
    } else {
        let blank = r
            .ballots
            .iter()
            .filter(|b| matches!(b, MixedBallot::Text(t) if t.is_empty()))
            .count();
        let w = r
            .texts
            .iter()
            .map(|(t, _)| t.chars().count())
            .max()
            .unwrap_or(0);
        for (t, n) in r.texts.iter().take(20) {
            out.push_str(&format!("  {t:<w$}  {n}\n"));
        }
        if r.texts.len() > 20 {
            out.push_str(&format!("  ... {} more texts\n", r.texts.len() - 20));
        }
        out.push_str(&format!("  ({} ballots, {blank} blank)\n", r.ballots.len()));
    }
    out
}
