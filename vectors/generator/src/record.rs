//! A small but complete election record, in both encodings, and tampered copies.

use ostracon::manifest::{Contest, ContestOption, Manifest, VoteRule};
use ostracon::record::{RecordItem, MAGIC, RECORD_VERSION};
use ostracon::simulation::{self, Config};
use ostracon::verify::{self, Report};
use serde_json::{json, Value};

use crate::util::{file, hex, rng, Case, Gen, Group};

fn verify(bytes: &[u8]) -> Result<Report, &'static str> {
    verify::verify_bytes(bytes, &mut rng("record verification")).map_err(|e| e.code())
}

fn expected(report: &Report) -> Value {
    json!({
        "ok": report.is_ok(),
        "failedChecks": report.failed_checks(),
        "counts": {
            "entries": report.counts.entries,
            "cast": report.counts.cast,
            "challenged": report.counts.challenged,
            "superseded": report.counts.superseded,
            "counted": report.counts.counted,
        },
        "baseHash": report.base_hash,
        "results": report.results.as_ref().map(|r| {
            r.contests.iter().map(|c| json!({
                "contest": c.contest,
                "counts": c.counts.iter().map(|(o, n)| json!([o, n])).collect::<Vec<_>>(),
            })).collect::<Vec<_>>()
        }),
    })
}

fn case(comment: &str, bytes: &[u8], json_text: bool) -> Case {
    let c = match verify(bytes) {
        Ok(report) if report.is_ok() => Case::valid(comment).with("expected", expected(&report)),
        Ok(report) => {
            Case::invalid(comment, verify::Report::CHECK_FAILED).with("expected", expected(&report))
        }
        Err(code) => Case::invalid(comment, code),
    };
    if json_text {
        c.with("format", "json")
            .with("record", String::from_utf8_lossy(bytes))
    } else {
        c.with("format", "binary").with("record", hex(bytes))
    }
}

/// A small manifest (two rules, seven options) keeps the record short.
fn manifest() -> Manifest {
    let opts = |ids: &[&str]| {
        ids.iter()
            .map(|id| ContestOption {
                id: (*id).into(),
                label: id.to_uppercase(),
            })
            .collect()
    };
    Manifest {
        election_id: "vectors-2026".into(),
        title: "Test vector election".into(),
        contests: vec![
            Contest {
                id: "chair".into(),
                title: "Chair (choose one)".into(),
                options: opts(&["ada", "grace", "edsger"]),
                rule: VoteRule::Approval { min: 1, max: 1 },
            },
            Contest {
                id: "projects".into(),
                title: "Rate each project from 0 to 3".into(),
                options: opts(&["library", "bridge"]),
                rule: VoteRule::Score { max: 3 },
            },
            Contest {
                id: "motion".into(),
                title: "Adopt the motion?".into(),
                options: opts(&["yes", "no"]),
                rule: VoteRule::Approval { min: 0, max: 1 },
            },
        ],
    }
}

/// `record.json`.
pub fn record() -> Gen<Value> {
    let mut config = Config::demo(12, 0x0057_7ac0);
    config.manifest = manifest();
    config.challenge_every = 5;
    config.revote_every = 6;
    let mut items: Vec<RecordItem> = Vec::new();
    let outcome = simulation::run(&config, &mut |i| {
        items.push(i);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    if outcome.results != outcome.expected {
        return Err("the simulated election's results differ from its plaintexts".into());
    }
    let mut jsonl = String::new();
    let mut binary = MAGIC.to_vec();
    binary.extend_from_slice(&RECORD_VERSION.to_le_bytes());
    for item in &items {
        jsonl.push_str(&item.to_json_line()?);
        jsonl.push('\n');
        binary.extend_from_slice(&item.to_frame());
    }
    let mut g = Group::new("RecordVerification")
        .with("trustees", 5)
        .with("threshold", 3)
        .with("absentTrustees", json!([2, 4]));
    let ok = |c: Case| -> Gen<Case> {
        if c.is_invalid() {
            Err("the simulated record does not verify".into())
        } else {
            Ok(c)
        }
    };
    let bad = |c: Case| -> Gen<Case> {
        if c.is_invalid() {
            Ok(c)
        } else {
            Err("a tampered record verifies".into())
        }
    };
    g.push(ok(case(
        "the record as JSON Lines",
        jsonl.as_bytes(),
        true,
    ))?);
    g.push(ok(case(
        "the record in the binary encoding",
        &binary,
        false,
    ))?);

    // Tampered copies, each through the public item types (so they stay readable).
    let tampered = |f: &dyn Fn(&mut Vec<RecordItem>) -> Gen<()>| -> Gen<String> {
        let mut copy = items.clone();
        f(&mut copy)?;
        let mut s = String::new();
        for item in &copy {
            s.push_str(&item.to_json_line()?);
            s.push('\n');
        }
        Ok(s)
    };
    let results_changed = tampered(&|items| {
        for i in items.iter_mut() {
            if let RecordItem::Results(r) = i {
                let n = r
                    .contests
                    .first_mut()
                    .and_then(|c| c.counts.first_mut())
                    .ok_or("no results")?;
                n.1 += 1;
            }
        }
        Ok(())
    })?;
    g.push(bad(case(
        "the published results changed (one more vote)",
        results_changed.as_bytes(),
        true,
    )
    .flag("FalseResults"))?);
    let dropped = tampered(&|items| {
        let pos = items
            .iter()
            .position(|i| matches!(i, RecordItem::Entry(_)))
            .ok_or("no entries")?;
        items.remove(pos);
        Ok(())
    })?;
    g.push(bad(case(
        "the first board entry removed",
        dropped.as_bytes(),
        true,
    )
    .flag("BoardAltered"))?);
    let stuffed = tampered(&|items| {
        for i in items.iter_mut() {
            if let RecordItem::Entry(e) = i {
                if let ostracon::board::EntryKind::Cast { signature, .. } = &mut e.kind {
                    if signature.is_some() {
                        *signature = None;
                        return Ok(());
                    }
                }
            }
        }
        Err("no signed entry".into())
    })?;
    g.push(bad(case(
        "a cast ballot's voter signature removed (signatures are required)",
        stuffed.as_bytes(),
        true,
    )
    .flag("MissingSignature"))?);
    let registry_edited = tampered(&|items| {
        for i in items.iter_mut() {
            if let RecordItem::Voters(v) = i {
                v.voters.first_mut().ok_or("no voters")?.weight += 1;
                return Ok(());
            }
        }
        Err("no registry".into())
    })?;
    g.push(bad(case(
        "a voter's weight raised in the registry the trustees attested",
        registry_edited.as_bytes(),
        true,
    )
    .flag("RegistryAltered"))?);
    let unattested = tampered(&|items| {
        items.retain(|i| !matches!(i, RecordItem::RegistryAttestation(_)));
        Ok(())
    })?;
    g.push(bad(case(
        "the trustees' registry attestations removed",
        unattested.as_bytes(),
        true,
    )
    .flag("RegistryAltered"))?);
    g.push(bad(case(
        "the binary record cut inside its first frame",
        &binary[..600],
        false,
    )
    .flag("Corrupt"))?);
    let mut version = binary[..12].to_vec();
    version[8] = 9;
    g.push(bad(case(
        "a binary header with an unknown record version",
        &version,
        false,
    )
    .flag("Corrupt"))?);
    g.push(bad(case(
        "a line that is not a record item",
        b"{\"kind\": \"nonsense\"}\n",
        true,
    )
    .flag("Corrupt"))?);
    file(
        "a complete election record (3-of-5 ceremony, two trustees absent, twelve voters with challenges and revotes, tally, threshold decryption) and the universal verifier",
        &[
            ("FalseResults", "The published results differ from the decryption of the tally."),
            ("BoardAltered", "A board entry is missing: the hash chain no longer leads to the published head."),
            ("MissingSignature", "A cast ballot lacks the voter signature the election requires."),
            ("RegistryAltered", "The voter registry is not the one the trustees attested (check 6): edited, or its attestations missing."),
            ("Corrupt", "The bytes are not a readable record; the verifier refuses them with record.corrupt before any check."),
        ],
        vec![g],
    )
    .map(|mut v| {
        v["note"] = json!("A record that reads but fails checks has error record.check_failed and the expected report (failedChecks lists the verifier's check numbers); an unreadable one has record.corrupt.");
        v
    })
}
