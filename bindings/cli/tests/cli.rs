//! End-to-end tests of the `ostracon` binary.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ostracon::ballot::TrackingCode;
use ostracon::board::{Board, EntryKind, Submission};
use ostracon::dlog::DlogTable;
use ostracon::election::Election;
use ostracon::keyceremony::{CeremonyTranscript, KeyShare};
use ostracon::record::io::RecordWriter;
use ostracon::record::{BoardSummary, Format, Header, RecordItem};
use ostracon::simulation::{demo_manifest, random_plaintext};
use ostracon::tally::{Results, TallyAccumulator};
use ostracon::threshold;
use ostracon::verify;
use predicates::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tempfile::TempDir;

fn ostracon() -> Command {
    let mut c = Command::cargo_bin("ostracon").unwrap();
    c.env_remove("RUST_BACKTRACE");
    c
}

/// Runs a 30-ballot demo into `dir` and returns the record's path.
fn demo(dir: &Path, format: &str) -> PathBuf {
    ostracon()
        .args([
            "demo",
            "--ballots",
            "30",
            "--seed",
            "1",
            "--format",
            format,
            "--out",
        ])
        .arg(dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("results match the plaintexts: OK"))
        .stdout(predicate::str::contains("Chair (choose one)"));
    let name = if format == "json" {
        "record.jsonl"
    } else {
        "record.bin"
    };
    let record = dir.join(name);
    assert!(record.exists());
    assert!(dir.join("election.json").exists());
    assert!(dir.join("manifest.json").exists());
    record
}

fn verify_json(record: &Path) -> (i32, serde_json::Value) {
    let out = ostracon()
        .args(["verify", "--json", "--quiet"])
        .arg(record)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), report)
}

fn failed_checks(report: &serde_json::Value) -> BTreeSet<u16> {
    report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_u64().unwrap() as u16)
        .collect()
}

fn lines(record: &Path) -> Vec<String> {
    fs::read_to_string(record)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn demo_then_verify_json_record() {
    let dir = TempDir::new().unwrap();
    let record = demo(dir.path(), "json");
    ostracon()
        .arg("verify")
        .arg(&record)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("VALID: every check passed"))
        .stderr(predicate::str::contains("ballots/s"));
    let (code, report) = verify_json(&record);
    assert_eq!(code, 0);
    assert!(report["failures"].as_array().unwrap().is_empty());
    assert_eq!(report["counts"]["counted"], 30);
    assert!(report["results"].is_object());
    // election.json and manifest.json load with the core.
    let election =
        Election::from_json(&fs::read(dir.path().join("election.json")).unwrap()).unwrap();
    assert_eq!(
        report["base_hash"].as_str().unwrap(),
        ostracon::hex::encode(election.base_hash())
    );
    ostracon::manifest::Manifest::from_json(&fs::read(dir.path().join("manifest.json")).unwrap())
        .unwrap();

    // Checked against the base hash and registry fingerprint published out of band.
    let base = report["base_hash"].as_str().unwrap().to_string();
    let registry = report["registry"].as_str().unwrap().to_string();
    assert_eq!(registry.len(), 64);
    ostracon()
        .args([
            "verify",
            "--quiet",
            "--expect-base-hash",
            &base.to_uppercase(),
        ])
        .args(["--expect-registry", &registry])
        .arg(&record)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!("registry  {registry}")));
    let other = "00".repeat(32);
    ostracon()
        .args(["verify", "--quiet", "--expect-base-hash", &other])
        .arg(&record)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "the record's base hash is {base}, not the expected {other}"
        )));
    // A board that raises a voter's weight in the registry it exports: the trustees
    // attested another registry (check 6 fails without any published fingerprint), and
    // the published fingerprint no longer matches.
    let flipped = dir.path().join("flipped.jsonl");
    let edited: Vec<String> = lines(&record)
        .into_iter()
        .map(|l| {
            if l.starts_with("{\"type\":\"voters\"") {
                l.replacen("\"weight\":1,", "\"weight\":9,", 1)
            } else {
                l
            }
        })
        .collect();
    assert_ne!(edited, lines(&record));
    write_lines(&flipped, &edited);
    ostracon()
        .args(["verify", "--quiet"])
        .arg(&flipped)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "attestation is over another registry",
        ));
    ostracon()
        .args(["verify", "--quiet", "--expect-registry", &registry])
        .arg(&flipped)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the registry was changed after it was announced",
        ));
    ostracon()
        .args(["verify", "--quiet", "--expect-registry", "none"])
        .arg(&record)
        .assert()
        .code(1);
}

#[test]
fn demo_then_verify_binary_record() {
    let dir = TempDir::new().unwrap();
    let record = demo(dir.path(), "binary");
    assert_eq!(&fs::read(&record).unwrap()[..8], b"OSTRACON");
    let (code, report) = verify_json(&record);
    assert_eq!(code, 0);
    assert!(report["failures"].as_array().unwrap().is_empty());

    // Truncated binary record: one clean line, exit 3.
    let bytes = fs::read(&record).unwrap();
    let cut = dir.path().join("cut.bin");
    fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let out = ostracon().arg("verify").arg(&cut).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: record is corrupt at byte "),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn tampered_ballot_fails_the_right_checks() {
    let dir = TempDir::new().unwrap();
    let record = demo(dir.path(), "json");
    let mut lines = lines(&record);
    // Swap two ciphertexts of the first counted ballot (position 1): every encoding
    // stays valid, but its proofs no longer verify, its recorded tracking code is no
    // longer its hash, and the tally no longer adds up.
    let i = lines
        .iter()
        .position(|l| l.contains("\"type\":\"entry\"") && l.contains("\"position\":1,"))
        .unwrap();
    let mut item = RecordItem::from_json_line(&lines[i]).unwrap();
    let RecordItem::Entry(entry) = &mut item else {
        panic!("not an entry")
    };
    assert!(matches!(entry.kind, EntryKind::Cast { .. }));
    entry.ballot.contests[0].selections.swap(0, 1);
    lines[i] = item.to_json_line().unwrap();
    let bad = dir.path().join("bad.jsonl");
    write_lines(&bad, &lines);

    let (code, report) = verify_json(&bad);
    assert_eq!(code, 1);
    let failed = failed_checks(&report);
    assert_eq!(
        failed,
        BTreeSet::from([verify::TRACKING_CODES, verify::BALLOT_PROOFS, verify::TALLY]),
        "{report:#}"
    );
    let f = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == verify::BALLOT_PROOFS)
        .unwrap();
    assert!(f["object"].as_str().unwrap().contains("ballot-0"), "{f}");

    // The human summary says INVALID; the error line names the checks.
    ostracon()
        .arg("verify")
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("INVALID"))
        .stderr(predicate::str::contains("checks 9, 11, 17 failed"));
}

#[test]
fn changed_result_fails_results_check() {
    let dir = TempDir::new().unwrap();
    let record = demo(dir.path(), "json");
    let mut lines = lines(&record);
    let last = lines.len() - 1;
    let mut v: serde_json::Value = serde_json::from_str(&lines[last]).unwrap();
    assert_eq!(v["type"], "results");
    let n = v["contests"][0]["counts"][0][1].as_u64().unwrap();
    v["contests"][0]["counts"][0][1] = (n + 1).into();
    lines[last] = v.to_string();
    let bad = dir.path().join("bad.jsonl");
    write_lines(&bad, &lines);
    let (code, report) = verify_json(&bad);
    assert_eq!(code, 1);
    assert_eq!(failed_checks(&report), BTreeSet::from([verify::RESULTS]));
    assert!(report["failures"][0]["object"]
        .as_str()
        .unwrap()
        .contains("chair"));
}

#[test]
fn truncated_json_record_is_a_clean_error() {
    let dir = TempDir::new().unwrap();
    let record = demo(dir.path(), "json");
    let text = fs::read_to_string(&record).unwrap();
    let cut = dir.path().join("cut.jsonl");
    // Cut in the middle of a line.
    fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let out = ostracon().arg("verify").arg(&cut).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: record is corrupt at line "),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"));

    // A missing file: exit 3 too.
    ostracon()
        .arg("verify")
        .arg(dir.path().join("nope.jsonl"))
        .assert()
        .code(3)
        .stderr(predicate::str::starts_with("error: cannot read"));
}

#[test]
fn lookup_cast_challenged_superseded_and_unknown() {
    let dir = TempDir::new().unwrap();
    let record = demo(dir.path(), "json");
    // Codes by ballot id, read from the record.
    let mut codes = std::collections::BTreeMap::new();
    for l in lines(&record) {
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        if v["type"] == "entry" {
            let item = RecordItem::from_json_line(&l).unwrap();
            let RecordItem::Entry(e) = item else {
                unreachable!()
            };
            codes.insert(e.ballot.ballot_id.clone(), (e.position, e.tracking_code));
        }
    }
    let human = |id: &str| codes[id].1.human();

    // Cast and counted, by its human code in lower case.
    ostracon()
        .args(["lookup"])
        .arg(&record)
        .arg(human("ballot-5").to_lowercase())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ballot id      ballot-5"))
        .stdout(predicate::str::contains("status         cast (counted)"));

    // Challenged, by its full hex code: shows the opened choices.
    ostracon()
        .args(["lookup"])
        .arg(&record)
        .arg(codes["ballot-0-audit"].1.to_hex())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("status         challenged"))
        .stdout(predicate::str::contains("Adopt the motion?"))
        .stdout(predicate::str::contains("Abstain"));

    // Superseded: voter 1 cast ballot-1-first, then ballot-1.
    let later = codes["ballot-1"].0;
    ostracon()
        .args(["lookup"])
        .arg(&record)
        .arg(human("ballot-1-first"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "status         cast (superseded by a later ballot of the same voter at position {later})"
        )));
    ostracon()
        .args(["lookup"])
        .arg(&record)
        .arg(human("ballot-1"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("cast (counted)"));

    // Unknown code: exit 1.
    let unknown = TrackingCode([7u8; 32]);
    assert!(codes.values().all(|(_, c)| c != &unknown));
    ostracon()
        .args(["lookup"])
        .arg(&record)
        .arg(unknown.human())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not found"));

    // Not a code at all: usage error.
    ostracon()
        .args(["lookup"])
        .arg(&record)
        .arg("hello")
        .assert()
        .code(2);
}

/// Runs the 2-of-3 ceremony through files; returns (private dirs, public dir).
fn run_ceremony(root: &Path) -> (Vec<PathBuf>, PathBuf) {
    run_ceremony_with(root, &[])
}

/// The same, with further `trustee init` arguments.
fn run_ceremony_with(root: &Path, init_args: &[&str]) -> (Vec<PathBuf>, PathBuf) {
    fs::create_dir_all(root).unwrap();
    let manifest = root.join("manifest.json");
    fs::write(&manifest, demo_manifest().to_json()).unwrap();
    let public = root.join("public");
    let dirs: Vec<PathBuf> = (1..=3).map(|i| root.join(format!("t{i}"))).collect();
    for (i, d) in (1..=3).zip(&dirs) {
        ostracon()
            .args(["trustee", "init", "--trustees", "3", "--threshold", "2"])
            .args(init_args)
            .args(["--index", &i.to_string(), "--manifest"])
            .arg(&manifest)
            .arg("--out")
            .arg(d)
            .assert()
            .success();
        fs::create_dir_all(&public).unwrap();
        let name = format!("announcement-{i}.json");
        fs::copy(d.join(&name), public.join(&name)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(d.join(format!("trustee-{i}.state")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    for (i, d) in (1..=3).zip(&dirs) {
        ostracon()
            .args(["trustee", "shares", "--state"])
            .arg(d.join(format!("trustee-{i}.state")))
            .arg("--announcements")
            .arg(&public)
            .arg("--out")
            .arg(&public)
            .assert()
            .success();
    }
    (dirs, public)
}

fn finish(dir: &Path, i: u32, public: &Path) -> assert_cmd::assert::Assert {
    ostracon()
        .args(["trustee", "finish", "--state"])
        .arg(dir.join(format!("trustee-{i}.state")))
        .arg("--announcements")
        .arg(public)
        .arg("--shares")
        .arg(public)
        .arg("--out")
        .arg(dir)
        .assert()
}

#[test]
fn trustee_ceremony_and_decryption_end_to_end() {
    let root = TempDir::new().unwrap();
    let (dirs, public) = run_ceremony(root.path());
    for (i, d) in (1..=3).zip(&dirs) {
        finish(d, i, &public)
            .success()
            .stdout(predicate::str::contains("the ceremony is complete"));
    }
    // Every trustee derived the same election, and its key is the joint key of every
    // key share.
    let json = fs::read(dirs[0].join("election.json")).unwrap();
    let election = Election::from_json(&json).unwrap();
    for (i, d) in (1..=3).zip(&dirs) {
        assert_eq!(fs::read(d.join("election.json")).unwrap(), json);
        let key =
            KeyShare::from_bytes(&fs::read(d.join(format!("key-{i}.secret"))).unwrap()).unwrap();
        assert_eq!(key.index(), i);
        assert_eq!(key.joint_key(), election.joint_key());
    }
    let transcript: CeremonyTranscript =
        serde_json::from_slice(&fs::read(dirs[0].join("ceremony.json")).unwrap()).unwrap();

    // A small record for this election, made by the host with the core API: ballots,
    // board, encrypted tally; no decryption yet.
    let make_record = |path: &Path, ballots: u32, seed: u64| {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut w = RecordWriter::create(path, Format::Json).unwrap();
        w.write(&RecordItem::Header(Header::new(
            &election,
            transcript.clone(),
        )))
        .unwrap();
        let mut board = Board::new(&election, None);
        let mut acc = TallyAccumulator::new(&election);
        // Homomorphic contests only: ranked and write-in contests are not in the tally.
        let mut expected: Vec<Vec<u64>> = election
            .manifest()
            .tally_shape()
            .into_iter()
            .map(|n| vec![0; n])
            .collect();
        for b in 0..ballots {
            let p = random_plaintext(election.manifest(), &mut rng);
            for (e, v) in expected
                .iter_mut()
                .zip(election.check_selection(&p).unwrap())
            {
                for (x, y) in e.iter_mut().zip(v) {
                    *x += y;
                }
            }
            let (ballot, _) = election
                .encrypt_ballot(&format!("b-{b}"), &p, None, &mut rng)
                .unwrap();
            let entry = board
                .submit(
                    ballot,
                    Submission::Cast {
                        voter: None,
                        signature: None,
                    },
                )
                .unwrap();
            acc.add(&entry.ballot, 1).unwrap();
            w.write(&RecordItem::Entry(entry)).unwrap();
        }
        w.write(&RecordItem::Board(BoardSummary {
            count: board.len(),
            head: *board.head(),
        }))
        .unwrap();
        let tally = acc.finish();
        w.write(&RecordItem::Tally(tally.clone())).unwrap();
        w.finish().unwrap();
        (tally, expected)
    };
    let record = root.path().join("record.jsonl");
    let (tally, expected) = make_record(&record, 6, 9);
    let mut rng = ChaCha20Rng::seed_from_u64(10);

    // Trustees 1 and 3 shuffle the ranked and write-in contests in turn; the host
    // appends each trustee's lines to the record before the next one shuffles.
    let mixed = root.path().join("mixed.jsonl");
    fs::copy(&record, &mixed).unwrap();
    for i in [1u32, 3] {
        let out = root.path().join(format!("mix-{i}.jsonl"));
        ostracon()
            .args(["trustee", "mix", "--quiet", "--key"])
            .arg(dirs[i as usize - 1].join(format!("key-{i}.secret")))
            .arg("--record")
            .arg(&mixed)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let new = self::lines(&out);
        assert_eq!(new.len(), 3, "one shuffle per ranked or write-in contest");
        for l in &new {
            let RecordItem::Mix { step, .. } = RecordItem::from_json_line(l).unwrap() else {
                panic!("not a mix line")
            };
            assert_eq!(step.mixer, i);
        }
        let mut all = self::lines(&mixed);
        all.extend(new);
        write_lines(&mixed, &all);
        if i == 1 {
            // One trustee's shuffle is not enough (t = 2): no trustee decrypts yet.
            ostracon()
                .args(["trustee", "decrypt", "--quiet", "--key"])
                .arg(dirs[1].join("key-2.secret"))
                .arg("--record")
                .arg(&mixed)
                .arg("--out")
                .arg(root.path().join("early.json"))
                .assert()
                .failure()
                .stderr(predicates::str::contains(
                    "shuffled by 1 distinct trustee(s), 2 required",
                ));
            assert!(!root.path().join("early.json").exists());
        }
    }
    // A trustee that requires its own shuffle refuses lists it did not shuffle.
    ostracon()
        .args([
            "trustee",
            "decrypt",
            "--quiet",
            "--require-own-shuffle",
            "--key",
        ])
        .arg(dirs[1].join("key-2.secret"))
        .arg("--record")
        .arg(&mixed)
        .arg("--out")
        .arg(root.path().join("own.json"))
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "trustee 2 has not shuffled this list and requires its own shuffle",
        ));
    // Trustees 1 and 3 decrypt the tally and the mixed lists.
    let mut lines = lines(&mixed);
    let mut partials = Vec::new();
    let mut mix_partials: Vec<(u32, ostracon::threshold::PartialDecryption)> = Vec::new();
    for i in [1u32, 3] {
        let d = &dirs[i as usize - 1];
        let out = root.path().join(format!("partial-{i}.json"));
        ostracon()
            .args(["trustee", "decrypt", "--quiet", "--key"])
            .arg(d.join(format!("key-{i}.secret")))
            .arg("--record")
            .arg(&mixed)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let out_lines = self::lines(&out);
        assert_eq!(out_lines.len(), 4, "the tally and three mixed lists");
        for line in out_lines {
            match RecordItem::from_json_line(&line).unwrap() {
                RecordItem::Decryption { partial } => {
                    assert_eq!(partial.trustee, i);
                    partials.push(partial);
                }
                RecordItem::MixDecryption { contest, partial } => {
                    assert_eq!(partial.trustee, i);
                    mix_partials.push((contest, partial));
                }
                other => panic!("unexpected {} line", other.kind()),
            }
            lines.push(line);
        }
    }
    // A host that asks trustee 1 to decrypt a second board of the same election (here
    // one more ballot) is refused: the difference of the two tallies would reveal it.
    // Asking again for the same record is fine.
    assert!(dirs[0].join("decrypted-1.json").exists());
    let fork = root.path().join("fork.jsonl");
    make_record(&fork, 7, 11);
    let decrypt_as_1 = |record: &Path| {
        ostracon()
            .args(["trustee", "decrypt", "--quiet", "--key"])
            .arg(dirs[0].join("key-1.secret"))
            .arg("--record")
            .arg(record)
            .arg("--out")
            .arg(root.path().join("again-1.json"))
            .assert()
    };
    decrypt_as_1(&fork)
        .failure()
        .stderr(predicates::str::contains(
            "this trustee already decrypted another board of this election (6 entries",
        ));
    assert!(!root.path().join("again-1.json").exists());
    decrypt_as_1(&mixed).success();
    // The host combines them: the results are the count of the plaintexts.
    let ceremony = transcript.verify(&mut rng).unwrap();
    let flat = tally.flat();
    let points =
        threshold::decrypt(&election.context(), &ceremony, &flat, &partials, &mut rng).unwrap();
    let table = DlogTable::default();
    let mut values = Vec::new();
    let mut k = 0;
    for (ci, c) in tally.contests.iter().enumerate() {
        let mut v = Vec::new();
        for _ in c {
            v.push(table.find(&points[k], tally.bound(&election, ci)).unwrap());
            k += 1;
        }
        values.push(v);
    }
    assert_eq!(values, expected);
    let mut results = Results::from_values(&election, &values);
    // The mixed lists: the last shuffle's output of each contest, decrypted.
    for (ci, c) in election.manifest().contests.iter().enumerate() {
        if c.rule.is_homomorphic() {
            continue;
        }
        let last = lines
            .iter()
            .rev()
            .find_map(|l| match RecordItem::from_json_line(l).unwrap() {
                RecordItem::Mix { contest, step } if contest as usize == ci => Some(step.output),
                _ => None,
            })
            .unwrap();
        let mine: Vec<_> = mix_partials
            .iter()
            .filter(|(k, _)| *k as usize == ci)
            .map(|(_, p)| p.clone())
            .collect();
        let pctx = ostracon::mixnet::decryption_context(&election.decryption_context(), ci as u32);
        let points = threshold::decrypt(&pctx, &ceremony, &last, &mine, &mut rng).unwrap();
        let bound = ostracon::mixnet::encoding::value_max(&c.rule, c.options.len()).unwrap() + 1;
        let values: Vec<u64> = points
            .iter()
            .map(|p| table.find(p, bound).unwrap())
            .collect();
        let r = ostracon::mixnet::MixnetResult::from_rows(c, &values);
        assert_eq!(r.ballots.len(), 6);
        results.mixnet.push(r);
    }
    lines.push(RecordItem::Results(results).to_json_line().unwrap());
    let complete = root.path().join("complete.jsonl");
    write_lines(&complete, &lines);
    // The completed record verifies.
    let (code, report) = verify_json(&complete);
    assert_eq!(code, 0, "{report:#}");

    // A trustee never decrypts mixed lists whose shuffles do not verify: here one output
    // ciphertext of the last shuffle is replaced by another of the same list.
    let mut bad_mix = self::lines(&mixed);
    let k = bad_mix
        .iter()
        .rposition(|l| l.contains("\"type\":\"mix\""))
        .unwrap();
    let mut item = RecordItem::from_json_line(&bad_mix[k]).unwrap();
    if let RecordItem::Mix { step, .. } = &mut item {
        step.output[0] = step.output[1];
    }
    bad_mix[k] = item.to_json_line().unwrap();
    let bad_mix_path = root.path().join("bad-mix.jsonl");
    write_lines(&bad_mix_path, &bad_mix);
    ostracon()
        .args(["trustee", "decrypt", "--quiet", "--key"])
        .arg(dirs[0].join("key-1.secret"))
        .arg("--record")
        .arg(&bad_mix_path)
        .arg("--out")
        .arg(root.path().join("nope.json"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("do not verify"));
    assert!(!root.path().join("nope.json").exists());

    // A trustee never decrypts a tally that does not verify: here two of its
    // ciphertexts are swapped (what a host would do to have a single ballot decrypted
    // looks the same to the verifier).
    let mut tampered = self::lines(&record);
    let t = tampered.len() - 1;
    let mut item = RecordItem::from_json_line(&tampered[t]).unwrap();
    let RecordItem::Tally(bad_tally) = &mut item else {
        panic!("the last line is not the tally")
    };
    bad_tally.contests[0].swap(0, 1);
    tampered[t] = item.to_json_line().unwrap();
    let tampered_path = root.path().join("tampered.jsonl");
    write_lines(&tampered_path, &tampered);
    ostracon()
        .args(["trustee", "decrypt", "--quiet", "--key"])
        .arg(dirs[0].join("key-1.secret"))
        .arg("--record")
        .arg(&tampered_path)
        .arg("--out")
        .arg(root.path().join("nope.json"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("refusing to decrypt"))
        .stderr(predicate::str::contains("check 17 failed"));
    assert!(!root.path().join("nope.json").exists());

    // A key share of another ceremony is refused.
    let (other_dirs, other_public) = run_ceremony(&root.path().join("other"));
    finish(&other_dirs[0], 1, &other_public).success();
    ostracon()
        .args(["trustee", "decrypt", "--quiet", "--key"])
        .arg(other_dirs[0].join("key-1.secret"))
        .arg("--record")
        .arg(&record)
        .arg("--out")
        .arg(root.path().join("nope.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("another election"));
}

#[test]
fn tampered_share_yields_a_complaint_naming_the_sender() {
    let root = TempDir::new().unwrap();
    let (dirs, public) = run_ceremony(root.path());
    // Damage the share trustee 2 sent trustee 1 (inside its ciphertext).
    let path = public.join("share-2-1.json");
    let mut s = fs::read_to_string(&path).unwrap();
    let i = s.len() / 2;
    let c = if &s[i..=i] == "0" { "1" } else { "0" };
    s.replace_range(i..=i, c);
    fs::write(&path, s).unwrap();
    finish(&dirs[0], 1, &public)
        .code(1)
        .stderr(predicate::str::contains("bad share from trustee 2"));
    assert!(dirs[0].join("complaint-1-2.json").exists());
    assert!(!dirs[0].join("key-1.secret").exists());
    // Trustee 3 received good shares and finishes.
    finish(&dirs[2], 3, &public).success();
}

#[test]
fn help_lists_exit_codes_and_bad_usage_exits_2() {
    ostracon()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains(
            "3  an input file is unreadable or corrupt",
        ));
    ostracon().arg("frobnicate").assert().code(2);
    let dir = TempDir::new().unwrap();
    ostracon()
        .args([
            "demo",
            "--ballots",
            "3",
            "--trustees",
            "3",
            "--threshold",
            "4",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: "));
    ostracon()
        .args(["demo", "--ballots", "3", "--absent", "9", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--absent"));
}

/// An attested registry: the host writes the opening (header, voters), two trustees
/// (the threshold) sign it, and the opening with their attestations is what the
/// election commits. A trustee refuses to sign another registry than the one announced,
/// or a registry of an election that does not attest one.
#[test]
fn trustees_attest_the_voter_registry() {
    let root = TempDir::new().unwrap();
    let (dirs, public) = run_ceremony_with(
        root.path(),
        &["--registry", "attested", "--require-signatures"],
    );
    for (i, d) in (1..=3).zip(&dirs) {
        finish(d, i, &public).success();
    }
    let election = Election::from_json(&fs::read(dirs[0].join("election.json")).unwrap()).unwrap();
    assert_eq!(
        election.parameters().registry,
        ostracon::registry::RegistryCommitment::Attested
    );
    assert!(election.parameters().require_signatures);
    let transcript: CeremonyTranscript =
        serde_json::from_slice(&fs::read(dirs[0].join("ceremony.json")).unwrap()).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let voters = ostracon::record::Voters {
        voters: (0..4)
            .map(|k| ostracon::record::VoterRecord {
                id: format!("voter-{k}"),
                weight: 1,
                key: Some(ostracon::hex::encode(
                    ostracon::board::generate_voter_key(&mut rng)
                        .verifying_key()
                        .as_bytes(),
                )),
            })
            .collect(),
    };
    let fingerprint = ostracon::hex::encode(&voters.fingerprint());
    let opening = root.path().join("opening.jsonl");
    let transcript_again = transcript.clone();
    let mut w = RecordWriter::create(&opening, Format::Json).unwrap();
    w.write(&RecordItem::Header(Header::new(&election, transcript)))
        .unwrap();
    w.write(&RecordItem::Voters(voters.clone())).unwrap();
    w.finish().unwrap();
    let attest = |i: u32, expect: &str| {
        let out = root.path().join(format!("attestation-{i}.json"));
        let a = ostracon()
            .args(["trustee", "attest-registry", "--key"])
            .arg(dirs[i as usize - 1].join(format!("key-{i}.secret")))
            .arg("--record")
            .arg(&opening)
            .args(["--expect-registry", expect])
            .arg("--out")
            .arg(&out)
            .assert();
        (a, out)
    };
    // Not the registry announced: refused, nothing written.
    let (a, out) = attest(1, &"ab".repeat(32));
    a.code(1).stderr(predicate::str::contains(format!(
        "the registry's fingerprint is {fingerprint}, not the one announced"
    )));
    assert!(!out.exists());
    let mut attestations = Vec::new();
    for i in [1u32, 3] {
        let (a, out) = attest(i, &fingerprint.to_uppercase());
        a.success().stdout(predicate::str::contains(format!(
            "registry       {fingerprint} (4 voters"
        )));
        let line = fs::read_to_string(&out).unwrap();
        match RecordItem::from_json_line(line.trim()).unwrap() {
            RecordItem::RegistryAttestation(x) => {
                assert_eq!(x.trustee, i);
                attestations.push(x);
            }
            other => panic!("not an attestation: {other:?}"),
        }
    }
    // Trustee 1, asked again for another registry of the same election, refuses: the
    // host could otherwise pick either registry with its attestations.
    let mut other_voters = voters.clone();
    other_voters.voters[0].weight = 2;
    let other_opening = root.path().join("other-opening.jsonl");
    let mut w = RecordWriter::create(&other_opening, Format::Json).unwrap();
    w.write(&RecordItem::Header(Header::new(
        &election,
        transcript_again.clone(),
    )))
    .unwrap();
    w.write(&RecordItem::Voters(other_voters)).unwrap();
    w.finish().unwrap();
    ostracon()
        .args(["trustee", "attest-registry", "--key"])
        .arg(dirs[0].join("key-1.secret"))
        .arg("--record")
        .arg(&other_opening)
        .arg("--out")
        .arg(root.path().join("second.json"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "this trustee already attested another voter registry of this election",
        ));
    assert!(!root.path().join("second.json").exists());
    // One attestation is not enough; two (t) are.
    assert_eq!(
        ostracon::registry::open_registry(&election, Some(&voters), &attestations[..1])
            .unwrap_err()
            .code(),
        "registry.too_few_attestations"
    );
    let registry =
        ostracon::registry::open_registry(&election, Some(&voters), &attestations).unwrap();
    assert_eq!(registry.map(|r| r.len()), Some(4));

    // An open election has nothing to attest.
    let open_root = TempDir::new().unwrap();
    let (odirs, opublic) = run_ceremony(open_root.path());
    for (i, d) in (1..=3).zip(&odirs) {
        finish(d, i, &opublic).success();
    }
    let open = Election::from_json(&fs::read(odirs[0].join("election.json")).unwrap()).unwrap();
    let otranscript: CeremonyTranscript =
        serde_json::from_slice(&fs::read(odirs[0].join("ceremony.json")).unwrap()).unwrap();
    let oopening = open_root.path().join("opening.jsonl");
    let mut w = RecordWriter::create(&oopening, Format::Json).unwrap();
    w.write(&RecordItem::Header(Header::new(&open, otranscript)))
        .unwrap();
    w.write(&RecordItem::Voters(voters)).unwrap();
    w.finish().unwrap();
    ostracon()
        .args(["trustee", "attest-registry", "--key"])
        .arg(odirs[0].join("key-1.secret"))
        .arg("--record")
        .arg(&oopening)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not attested"));
    // Signatures without a registry: a usage error at init.
    ostracon()
        .args([
            "trustee",
            "init",
            "--trustees",
            "3",
            "--threshold",
            "2",
            "--index",
            "1",
        ])
        .args(["--require-signatures", "--manifest"])
        .arg(open_root.path().join("manifest.json"))
        .arg("--out")
        .arg(open_root.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("commit no voter registry"));
}

/// `demo --fixed-registry`: the registry's fingerprint is in the election itself (no
/// attestation in the record), and the record verifies; the fingerprint the verifier
/// prints is the one the election's parameters fix.
#[test]
fn demo_with_a_fixed_registry_verifies() {
    let dir = TempDir::new().unwrap();
    ostracon()
        .args([
            "demo",
            "--ballots",
            "12",
            "--seed",
            "2",
            "--fixed-registry",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let record = dir.path().join("record.jsonl");
    let text = fs::read_to_string(&record).unwrap();
    assert!(!text.contains("\"type\":\"registry_attestation\""));
    let election =
        Election::from_json(&fs::read(dir.path().join("election.json")).unwrap()).unwrap();
    let ostracon::registry::RegistryCommitment::Fixed { fingerprint } =
        election.parameters().registry
    else {
        panic!("not a fixed registry")
    };
    ostracon()
        .args(["verify", "--quiet", "--expect-registry"])
        .arg(ostracon::hex::encode(&fingerprint))
        .arg(&record)
        .assert()
        .code(0);
}
