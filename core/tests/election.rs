//! Whole elections: simulation, record encodings, the verifier and its numbered checks.

mod common;
use common::verify_items;
use ostracon::board::EntryKind;
use ostracon::record::io::{RecordReader, RecordWriter};
use ostracon::record::{Format, RecordItem};
use ostracon::simulation::{self, Config};
use ostracon::verify::{self, Partial, Prepass, Verifier};
use ostracon::Error;
use rand::rngs::StdRng;
use rand::SeedableRng;

fn simulate(config: &Config) -> (simulation::Outcome, Vec<RecordItem>) {
    let mut items = Vec::new();
    let outcome = simulation::run(config, &mut |item| {
        items.push(item);
        Ok(())
    })
    .unwrap();
    (outcome, items)
}

fn small() -> Config {
    Config {
        challenge_every: 7,
        revote_every: 5,
        ..Config::demo(24, 42)
    }
}

#[test]
fn demo_election_verifies_and_counts_right() {
    let (outcome, items) = simulate(&small());
    assert_eq!(outcome.results, outcome.expected);
    let report = verify_items(&items);
    assert!(report.is_ok(), "{}", report.summary());
    assert_eq!(report.results.as_ref(), Some(&outcome.results));
    // Every check ran.
    for c in verify::CHECKS {
        assert!(
            report.checks.get(&c.id).is_some_and(|x| x.passed > 0),
            "check {} never ran",
            c.id
        );
    }
    let c = report.counts;
    assert_eq!(c.counted, 24);
    assert_eq!(c.challenged, 4); // voters 0, 7, 14, 21
    assert_eq!(c.superseded, 5); // voters 1, 6, 11, 16, 21
    assert_eq!(c.entries, 24 + 4 + 5);
}

#[test]
fn thresholds_weights_and_rules() {
    for (n, t, absent) in [
        (1, 1, vec![]),
        (2, 2, vec![]),
        (3, 2, vec![1]),
        (5, 3, vec![2, 4]),
    ] {
        let config = Config {
            trustees: n,
            threshold: t,
            absent,
            weights: true,
            signatures: n % 2 == 1,
            ..Config::demo(10, u64::from(n))
        };
        let (outcome, items) = simulate(&config);
        assert_eq!(outcome.results, outcome.expected, "{n}-of-{t}");
        let report = verify_items(&items);
        assert!(report.is_ok(), "{}", report.summary());
    }
    // Weights 1 to 5 where every contest is tallied homomorphically.
    let mut manifest = simulation::demo_manifest();
    manifest.contests.retain(|c| c.rule.is_homomorphic());
    let config = Config {
        manifest,
        weights: true,
        ..Config::demo(10, 77)
    };
    let (outcome, items) = simulate(&config);
    assert_eq!(outcome.results, outcome.expected);
    assert!(items.iter().any(|i| matches!(i, RecordItem::Entry(e)
        if matches!(e.kind, EntryKind::Cast { weight: 5, .. }))));
    let report = verify_items(&items);
    assert!(report.is_ok(), "{}", report.summary());
    // Too many absent trustees: refused up front.
    let config = Config {
        absent: vec![1, 2, 3],
        ..Config::demo(2, 1)
    };
    assert!(matches!(
        simulation::run(&config, &mut |_| Ok(())),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn thousand_ballots() {
    let config = Config {
        challenge_every: 100,
        revote_every: 50,
        ..Config::demo(1000, 7)
    };
    let (outcome, items) = simulate(&config);
    assert_eq!(outcome.results, outcome.expected);
    let report = verify_items(&items);
    assert!(report.is_ok(), "{}", report.summary());
    assert_eq!(report.counts.counted, 1000);
}

#[test]
fn record_files_round_trip_in_both_formats() {
    let (_, items) = simulate(&small());
    let dir = std::env::temp_dir().join(format!("ostracon-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (format, name) in [
        (Format::Json, "record.jsonl"),
        (Format::Binary, "record.bin"),
    ] {
        let path = dir.join(name);
        let mut w = RecordWriter::create(&path, format).unwrap();
        for i in &items {
            w.write(i).unwrap();
        }
        assert!(!path.exists(), "nothing visible before finish");
        w.finish().unwrap();
        let back: Vec<RecordItem> = RecordReader::open(&path)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(back.len(), items.len());
        for (a, b) in back.iter().zip(&items) {
            assert_eq!(a, b, "{name}: {}", a.kind());
        }
        // The file verifies, with progress reported.
        let mut calls = Vec::new();
        let report = verify::io::verify_file(
            &path,
            &mut |d, t| calls.push((d, t)),
            &mut StdRng::seed_from_u64(5),
        )
        .unwrap();
        assert!(report.is_ok(), "{}", report.summary());
        assert_eq!(calls.last(), Some(&(33, 33)));
        // In memory, the same.
        let bytes = std::fs::read(&path).unwrap();
        let in_memory = verify::verify_bytes(&bytes, &mut StdRng::seed_from_u64(6)).unwrap();
        assert!(in_memory.is_ok());
        assert_eq!(in_memory.results, report.results);
        // In shards shipped as bytes between "workers", merged out of order.
        let mut rng = StdRng::seed_from_u64(7);
        let mut partials: Vec<Partial> = (0..3)
            .map(|k| {
                let p = verify::io::verify_file_shard(&path, k, 3, &mut rng).unwrap();
                Partial::from_bytes(&p.to_bytes()).unwrap()
            })
            .collect();
        let mut merged = partials.pop().unwrap();
        merged.merge(partials.remove(0));
        merged.merge(partials.remove(0));
        let sharded = verify::io::finish_file(&path, merged, &mut rng).unwrap();
        assert!(sharded.is_ok(), "{}", sharded.summary());
        assert_eq!(sharded.results, report.results);
        assert_eq!(sharded.counts, report.counts);
        // Truncation is an error naming where, never a panic.
        let bytes = std::fs::read(&path).unwrap();
        let cut = dir.join(format!("cut-{name}"));
        std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
        let err = RecordReader::open(&cut)
            .unwrap()
            .find_map(Result::err)
            .expect("truncated record must fail");
        let msg = err.to_string();
        assert!(msg.contains("byte") || msg.contains("line"), "{msg}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sharded_verification_equals_single() {
    let (_, items) = simulate(&small());
    let single = verify_items(&items);
    let mut pre = Prepass::new();
    let mut entries = Vec::new();
    let mut head = Vec::new();
    let mut tail = Vec::new();
    for i in &items {
        match i {
            RecordItem::Entry(e) => {
                pre.note(e);
                entries.push(e.clone());
            }
            RecordItem::Header(_) | RecordItem::Voters(_) => head.push(i.clone()),
            _ => tail.push(i.clone()),
        }
    }
    let mut v = Verifier::new(pre.clone(), &mut StdRng::seed_from_u64(2));
    for i in &head {
        v.feed(i.clone());
    }
    let election = v.election().unwrap().clone();
    let registry = match &head[1] {
        RecordItem::Voters(vs) => Some(vs.to_registry().unwrap()),
        _ => None,
    };
    let mut rng = StdRng::seed_from_u64(3);
    let shards: Vec<Partial> = entries
        .chunks(10)
        .map(|c| Verifier::shard(&election, registry.as_ref(), &pre, c, &mut rng))
        .collect();
    // Merge in a scrambled grouping: (s2 + s0) + (s3 + s1).
    let mut it = shards.into_iter();
    let (s0, s1, s2, s3) = (
        it.next().unwrap(),
        it.next().unwrap(),
        it.next().unwrap(),
        it.next().unwrap(),
    );
    let mut a = s2;
    a.merge(s0);
    let mut b = s3;
    b.merge(s1);
    a.merge(b);
    for i in tail {
        v.feed(i);
    }
    let merged = v.finish_with(Some(a));
    assert!(merged.is_ok(), "{}", merged.summary());
    assert_eq!(merged.results, single.results);
    assert_eq!(merged.counts, single.counts);
    assert_eq!(merged.failed_checks(), single.failed_checks());
    // Every check counted exactly as often as in one process.
    assert_eq!(merged.checks, single.checks);
}

/// Applies `mutate` to a valid record and returns the failed check numbers.
/// Every way of cheating on the mixnet path is reported under checks 21–23 (or 1).
fn mixnet_mutations(items: &[RecordItem]) {
    use ostracon::mixnet::MixedBallot;
    let mix_positions: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i, RecordItem::Mix { .. }))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(mix_positions.len(), 3 * 3, "3 contests × 3 mixers");
    // A shuffle's output altered after its proof (one ciphertext re-used from another row).
    let f = failed_after(items, |it| {
        if let RecordItem::Mix { step, .. } = &mut it[mix_positions[1]] {
            step.output[0] = step.output[step.output.len() - 1];
        }
    });
    assert!(f.contains(&verify::MIX_CHAIN), "{f:?}");
    // A step dropped from the chain: the next step no longer shuffles its input.
    let f = failed_after(items, |it| {
        it.remove(mix_positions[1]);
    });
    assert!(f.contains(&verify::MIX_CHAIN), "{f:?}");
    // Every shuffle of a contest removed: its rows would be decrypted unmixed.
    let f = failed_after(items, |it| {
        for &k in mix_positions[..3].iter().rev() {
            it.remove(k);
        }
    });
    assert!(f.contains(&verify::MIX_CHAIN), "{f:?}");
    // A shuffle claimed for a homomorphic contest.
    let f = failed_after(items, |it| {
        if let RecordItem::Mix { contest, .. } = &mut it[mix_positions[8]] {
            *contest = 0;
        }
    });
    assert!(f.contains(&verify::RECORD_STRUCTURE), "{f:?}");
    // A forged partial decryption of a mixed list.
    let f = failed_after(items, |it| {
        for i in it.iter_mut() {
            if let RecordItem::MixDecryption { partial, .. } = i {
                partial.shares.swap(0, 1);
                break;
            }
        }
    });
    assert!(f.contains(&verify::MIX_DECRYPTION), "{f:?}");
    // Too few partial decryptions for one contest.
    let f = failed_after(items, |it| {
        let first = it
            .iter()
            .position(|i| matches!(i, RecordItem::MixDecryption { .. }))
            .unwrap();
        it.remove(first);
    });
    assert!(f.contains(&verify::MIX_DECRYPTION), "{f:?}");
    // A decrypted ballot changed, or the count changed, in the results.
    let f = failed_after(items, |it| {
        if let Some(RecordItem::Results(r)) = it.last_mut() {
            r.mixnet[0].ballots[0] = MixedBallot::Ranking(vec![3, 2, 1, 0]);
        }
    });
    assert_eq!(f, vec![verify::MIX_RESULTS]);
    let f = failed_after(items, |it| {
        if let Some(RecordItem::Results(r)) = it.last_mut() {
            let count = r.mixnet[1].count.as_mut().unwrap();
            count.elected.reverse();
        }
    });
    assert_eq!(f, vec![verify::MIX_RESULTS]);
    let f = failed_after(items, |it| {
        if let Some(RecordItem::Results(r)) = it.last_mut() {
            r.mixnet[2].texts.push(("Mallory".into(), 1));
        }
    });
    assert_eq!(f, vec![verify::MIX_RESULTS]);
    // A contest's result left out of the results.
    let f = failed_after(items, |it| {
        if let Some(RecordItem::Results(r)) = it.last_mut() {
            r.mixnet.pop();
        }
    });
    assert_eq!(f, vec![verify::MIX_RESULTS]);
}

fn failed_after(items: &[RecordItem], mutate: impl FnOnce(&mut Vec<RecordItem>)) -> Vec<u16> {
    let mut items = items.to_vec();
    mutate(&mut items);
    verify_items(&items).failed_checks()
}

fn entry_mut(items: &mut [RecordItem], pos: u64) -> &mut ostracon::board::BoardEntry {
    items
        .iter_mut()
        .find_map(|i| match i {
            RecordItem::Entry(e) if e.position == pos => Some(e),
            _ => None,
        })
        .unwrap()
}

#[test]
fn every_mutation_is_reported_with_its_check_number() {
    let (_, items) = simulate(&small());
    let cast_pos = |items: &[RecordItem], counted_only: bool| -> u64 {
        items
            .iter()
            .filter_map(|i| match i {
                RecordItem::Entry(e)
                    if matches!(e.kind, EntryKind::Cast { .. })
                        && (!counted_only
                            || e.ballot.ballot_id.ends_with(|c: char| c.is_ascii_digit())) =>
                {
                    Some(e.position)
                }
                _ => None,
            })
            .nth(3)
            .unwrap()
    };
    let p = cast_pos(&items, true);
    let idx = items
        .iter()
        .position(|i| matches!(i, RecordItem::Entry(e) if e.position == p))
        .unwrap();

    // Flipped proof bytes (selection swapped within a contest): proof check.
    let f = failed_after(&items, |it| {
        let e = entry_mut(it, p);
        e.ballot.contests[1].selections.swap(0, 1);
        e.tracking_code = e.ballot.tracking_code();
    });
    assert!(f.contains(&verify::BALLOT_PROOFS), "{f:?}");
    // Dropped ballot: positions, chain, tally.
    let f = failed_after(&items, |it| {
        it.remove(idx);
    });
    assert!(
        f.contains(&verify::POSITIONS) && f.contains(&verify::TALLY),
        "{f:?}"
    );
    // Duplicated ballot: ids and codes.
    let f = failed_after(&items, |it| {
        let dup = it[idx].clone();
        it.insert(idx + 1, dup);
    });
    assert!(
        f.contains(&verify::BALLOT_IDS) && f.contains(&verify::TRACKING_CODES),
        "{f:?}"
    );
    // Ballot moved between contests.
    let f = failed_after(&items, |it| {
        let e = entry_mut(it, p);
        let c = e.ballot.contests[0].selections[0];
        e.ballot.contests[4].selections[0] = c;
        e.tracking_code = e.ballot.tracking_code();
    });
    assert!(f.contains(&verify::BALLOT_PROOFS), "{f:?}");
    // A recorded tracking code that is not the ballot's.
    let f = failed_after(&items, |it| entry_mut(it, p).tracking_code.0[0] ^= 1);
    assert!(f.contains(&verify::TRACKING_CODES), "{f:?}");
    // Forged partial decryption.
    let f = failed_after(&items, |it| {
        for i in it.iter_mut() {
            if let RecordItem::Decryption { partial: d } = i {
                d.shares.swap(0, 1);
                break;
            }
        }
    });
    assert!(
        f.contains(&verify::PARTIAL_DECRYPTIONS) && f.contains(&verify::COMBINATION),
        "{f:?}"
    );
    // Changed result.
    let f = failed_after(&items, |it| {
        if let Some(RecordItem::Results(r)) = it.last_mut() {
            r.contests[0].counts[0].1 += 1;
        }
    });
    assert_eq!(f, vec![verify::RESULTS]);
    mixnet_mutations(&items);
    // Broken board chain.
    let f = failed_after(&items, |it| entry_mut(it, p).head[5] ^= 1);
    assert!(f.contains(&verify::BOARD_CHAIN), "{f:?}");
    // A challenged ballot whose opening lies.
    let f = failed_after(&items, |it| {
        let e = it.iter_mut().find_map(|i| match i {
            RecordItem::Entry(e) if matches!(e.kind, EntryKind::Challenged { .. }) => Some(e),
            _ => None,
        });
        if let Some(e) = e {
            if let EntryKind::Challenged { opening } = &mut e.kind {
                opening.master_nonce[0] ^= 1;
            }
        }
    });
    assert!(f.contains(&verify::CHALLENGES), "{f:?}");
    // A tally that counts a challenged ballot, or a superseded one: tally check.
    for (suffix, label) in [("-audit", "challenged"), ("-first", "superseded")] {
        let f = failed_after(&items, |it| {
            let ballot = it
                .iter()
                .find_map(|i| match i {
                    RecordItem::Entry(e) if e.ballot.ballot_id.ends_with(suffix) => {
                        Some(e.ballot.clone())
                    }
                    _ => None,
                })
                .unwrap();
            for i in it.iter_mut() {
                if let RecordItem::Tally(t) = i {
                    for (c, enc) in t.contests.iter_mut().zip(&ballot.contests) {
                        for (x, y) in c.iter_mut().zip(&enc.selections) {
                            *x = (x.raw() + y.raw()).to_ciphertext();
                        }
                    }
                    t.ballots += 1;
                    t.total_weight += 1;
                }
            }
        });
        assert!(f.contains(&verify::TALLY), "{label}: {f:?}");
    }
    // Unsigned ballot where signatures are required.
    let f = failed_after(&items, |it| {
        if let EntryKind::Cast { signature, .. } = &mut entry_mut(it, p).kind {
            *signature = None;
        }
    });
    assert!(f.contains(&verify::VOTER_SIGNATURES), "{f:?}");
    // Wrong weight.
    let f = failed_after(&items, |it| {
        if let EntryKind::Cast { weight, .. } = &mut entry_mut(it, p).kind {
            *weight = 9;
        }
    });
    assert!(f.contains(&verify::WEIGHTS), "{f:?}");
    // Board summary that hides an entry.
    let f = failed_after(&items, |it| {
        for i in it.iter_mut() {
            if let RecordItem::Board(b) = i {
                b.count -= 1;
            }
        }
    });
    assert_eq!(f, vec![verify::BOARD_SUMMARY]);
    // Items out of order; header missing.
    let f = failed_after(&items, |it| {
        let last = it.pop().unwrap();
        it.insert(3, last);
    });
    assert!(f.contains(&verify::RECORD_STRUCTURE), "{f:?}");
    let f = failed_after(&items, |it| {
        it.remove(0);
    });
    assert!(f.contains(&verify::RECORD_STRUCTURE), "{f:?}");
    // A ceremony proof replaced.
    let f = failed_after(&items, |it| {
        if let RecordItem::Header(h) = &mut it[0] {
            let p0 = h.ceremony.announcements[0].proofs[0];
            h.ceremony.announcements[0].proofs[0] = h.ceremony.announcements[1].proofs[0];
            h.ceremony.announcements[1].proofs[0] = p0;
        }
    });
    assert!(f.contains(&verify::CEREMONY_PROOFS), "{f:?}");
    // A manifest changed after the ceremony.
    let f = failed_after(&items, |it| {
        if let RecordItem::Header(h) = &mut it[0] {
            h.manifest.title.push('!');
        }
    });
    assert!(f.contains(&verify::CEREMONY_CONTEXT), "{f:?}");
    let _ = cast_pos(&items, false);
}

#[test]
fn every_item_round_trips_as_a_json_line() {
    let (_, items) = simulate(&small());
    let lines: Vec<String> = items.iter().map(|i| i.to_json_line().unwrap()).collect();
    for (i, l) in lines.iter().enumerate() {
        match RecordItem::from_json_line(l) {
            Ok(x) => assert_eq!(&x, &items[i]),
            Err(e) => panic!(
                "line {i} ({}): {e}: {}",
                items[i].kind(),
                &l[..200.min(l.len())]
            ),
        }
    }
}

#[test]
fn results_binary_form_is_canonical() {
    let (outcome, _) = simulate(&small());
    let item = RecordItem::Results(outcome.results.clone());
    let payload = item.payload();
    assert_eq!(
        RecordItem::from_payload(item.tag(), &payload).unwrap(),
        item
    );
    // The mixnet results are the last field: LE32(len) ‖ JSON. Re-encode that JSON with
    // extra whitespace, or as an empty list: both are refused.
    let json = serde_json::to_vec(&outcome.results.mixnet).unwrap();
    let head = &payload[..payload.len() - json.len() - 4];
    for bad_json in [
        serde_json::to_vec_pretty(&outcome.results.mixnet).unwrap(),
        b"[]".to_vec(),
    ] {
        let mut bad = head.to_vec();
        bad.extend_from_slice(&(bad_json.len() as u32).to_le_bytes());
        bad.extend_from_slice(&bad_json);
        assert!(RecordItem::from_payload(item.tag(), &bad).is_err());
    }
}
