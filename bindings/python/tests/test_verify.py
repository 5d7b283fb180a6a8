"""Verifying records: reports, progress, formats, shards, records made by the CLI."""

from __future__ import annotations

import json
import pickle
import subprocess
from pathlib import Path

import pytest

import ostracon
from conftest import cli_binary


def test_valid_record(sim: ostracon.Simulation) -> None:
    record = ostracon.Record.open(sim.path)
    assert record.format == "json"
    assert record.manifest.election_id == "demo-2026"
    assert record.election == sim.election
    report = record.verify()
    assert report.ok, report.summary()
    assert report.failures == [] and report.failed_checks == []
    assert set(report.checks) == set(ostracon.CHECKS) == set(range(1, 24))
    assert all(c.status == "passed" for c in report.checks.values())
    assert report.counts.entries == sim.entries
    assert report.counts.counted == 40
    assert report.results == sim.results == sim.expected
    assert report.base_hash == sim.election.base_hash


def test_mixnet_results(sim: ostracon.Simulation) -> None:
    """Ranked and write-in contests: decrypted ballots, IRV and STV rounds."""
    mixnet = ostracon.Record.open(sim.path).verify().results.mixnet
    assert [m["contest"] for m in mixnet] == ["president", "council-stv", "mascot"]
    president, council, mascot = mixnet
    assert len(president["ballots"]) == 40
    assert all("ranking" in b for b in president["ballots"])
    irv = president["count"]
    assert len(irv["elected"]) == 1 and irv["seats"] == 1
    assert irv["rounds"][-1]["action"] == {"type": "elected", "options": irv["elected"]}
    stv = council["count"]
    assert stv["seats"] == 2 and len(stv["elected"]) == 2 and stv["quota"] > 0
    assert sum(n for _, n in mascot["texts"]) + sum(
        1 for b in mascot["ballots"] if b == {"text": ""}
    ) == 40
    # The record's mixnet items come back as MixnetItem objects and round-trip.
    items = [i for i in ostracon.Record.open(sim.path).items() if isinstance(i, ostracon.MixnetItem)]
    kinds = {i.kind for i in items}
    assert kinds == {"mix", "mix_decryption"}
    again = ostracon.MixnetItem.from_json(items[0].to_json())
    assert again.to_dict() == items[0].to_dict() and again.contest == items[0].contest


def test_report_repr_and_dict(sim: ostracon.Simulation) -> None:
    report = ostracon.Record.open(sim.path).verify()
    text = repr(report)
    assert text.startswith("<Report VALID: 23 checks passed;")
    assert f"{sim.entries} entries" in text
    assert "VALID: every check passed" in str(report)
    d = report.to_dict()
    assert d["ok"] is True
    assert d["checks"][11]["name"] == ostracon.CHECKS[11]
    assert d["checks"][11]["passed"] == sim.entries
    assert d["counts"] == report.counts.to_dict()
    assert d["results"] == sim.results.to_dict()
    json.dumps(d)  # plain data
    again = ostracon.Report.from_json(report.to_json())
    assert again == report
    assert json.loads(report.to_json(indent=2)) == json.loads(report.to_json())


def test_progress_callback(sim: ostracon.Simulation) -> None:
    calls: list[tuple[int, int]] = []
    ostracon.Record.open(sim.path).verify(progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, sim.entries)
    assert calls[-1] == (sim.entries, sim.entries)
    assert all(0 <= d <= t for d, t in calls)


def test_progress_callback_exception_propagates(sim: ostracon.Simulation) -> None:
    def boom(done: int, total: int) -> None:
        raise KeyError("stop")

    with pytest.raises(KeyError, match="stop"):
        ostracon.Record.open(sim.path).verify(progress=boom)


def test_binary_record(sim_binary: ostracon.Simulation, sim: ostracon.Simulation) -> None:
    record = ostracon.Record.open(sim_binary.path)
    assert record.format == "binary"
    report = record.verify()
    assert report.ok
    # Same seed, same election, whichever the encoding.
    assert report.results == ostracon.Record.open(sim.path).verify().results


def test_verify_bytes_and_function(sim: ostracon.Simulation) -> None:
    data = Path(sim.path).read_bytes()
    a = ostracon.verify_bytes(data)
    b = ostracon.verify_record(str(sim.path))
    assert a.ok and b.ok
    assert a.results == b.results


def test_items_stream(sim: ostracon.Simulation) -> None:
    record = ostracon.Record.open(sim.path)
    kinds = [type(item).__name__ for item in record]
    assert kinds[0] == "RecordHeader" and kinds[1] == "VoterRegistry"
    assert kinds.count("BoardEntry") == sim.entries
    # 3 trustees: 3 shuffles and 3 partial decryptions for each of the 3 ranked and
    # write-in contests.
    tail = ["BoardSummary", "EncryptedTally"] + ["PartialDecryption"] * 3
    assert kinds[-(len(tail) + 19) :] == tail + ["MixnetItem"] * 18 + ["Results"]
    entries = list(record.entries())
    assert [e.position for e in entries] == list(range(sim.entries))
    challenged = [e for e in entries if e.status == "challenged"]
    assert challenged and all(e.opening is not None and e.voter is None for e in challenged)
    election = record.election
    for e in challenged:
        election.verify_opening(e.ballot, e.opening)  # type: ignore[arg-type]
    cast = [e for e in entries if e.status == "cast"]
    assert all(e.signature is not None and len(e.signature) == 64 for e in cast)
    assert ostracon.verify_ballot(election, cast[0].ballot) == cast[0].tracking_code


@pytest.mark.parametrize("shards", [1, 2, 3, 5])
def test_sharded_equals_whole(sim: ostracon.Simulation, shards: int) -> None:
    from report_compare import assert_same_report

    record = ostracon.Record.open(sim.path)
    whole = record.verify()
    parts = [record.verify_shard(i, shards) for i in range(shards)]
    # Merging is associative and commutative: merge in reverse, pairwise.
    merged = parts[-1]
    for p in reversed(parts[:-1]):
        merged = record.merge_partials([p, merged])
    assert_same_report(record.finish(merged), whole, shards)


def test_shard_arguments(sim: ostracon.Simulation) -> None:
    record = ostracon.Record.open(sim.path)
    with pytest.raises(ValueError):
        record.verify_shard(3, 3)
    with pytest.raises(ValueError):
        record.merge_partials([])
    with pytest.raises(ostracon.DecodeError):
        record.finish(b"not a partial")


def test_record_pickles(sim: ostracon.Simulation) -> None:
    record = ostracon.Record.open(sim.path)
    again = pickle.loads(pickle.dumps(record))
    assert again.path == record.path and again.format == record.format


def test_cli_record(cli_record: Path) -> None:
    """A record made by `ostracon demo` verifies from Python exactly as the CLI says."""
    path = cli_record / "record.jsonl"
    report = ostracon.Record.open(path).verify()
    assert report.ok, report.summary()
    assert report.counts.counted == 30
    election = ostracon.Election.from_json((cli_record / "election.json").read_text())
    assert ostracon.Record.open(path).election == election
    cli = cli_binary()
    out = subprocess.run(
        [str(cli), "verify", "--json", "--quiet", str(path)], capture_output=True, check=True
    )
    assert json.loads(out.stdout) == json.loads(report.to_json())


def test_gil_released_during_verification(sim: ostracon.Simulation) -> None:
    """Python threads keep running while the core verifies in another thread."""
    import threading

    record = ostracon.Record.open(sim.path)
    started = threading.Event()
    done = threading.Event()

    def work() -> None:
        record.verify(progress=lambda d, t: started.set())
        done.set()

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(30)
    spins = 0
    while not done.is_set():
        spins += 1
    thread.join()
    assert spins > 10_000, spins
