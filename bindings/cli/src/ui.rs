//! Progress bars and output formatting.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use ostracon::manifest::Manifest;
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
    for r in &results.contests {
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
    out
}
