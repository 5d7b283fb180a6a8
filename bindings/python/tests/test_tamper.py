"""Tampered records: the report names the right numbered checks."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

import ostracon


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def write(path: Path, content: list[str]) -> Path:
    path.write_text("\n".join(content) + "\n")
    return path


def entry_index(content: list[str], status: str = "cast", nth: int = 0) -> int:
    seen = 0
    for i, line in enumerate(content):
        item = json.loads(line)
        if item["type"] == "entry" and item["status"] == status:
            if seen == nth:
                return i
            seen += 1
    raise AssertionError("no such entry")


def swap_first_two_ciphertexts(ballot: bytes) -> bytes:
    """Swaps the ciphertexts of options 0 and 1 of the first contest (canonical ballot
    encoding: version, election hash, id, previous code, contest count, then per
    contest the ciphertext count and 64-byte ciphertexts)."""
    at = 1 + 32
    (id_len,) = struct.unpack_from("<I", ballot, at)
    at += 4 + id_len
    at += 1 if ballot[at] == 0 else 33
    at += 4 + 4  # contest count, first contest's ciphertext count
    a, b = ballot[at : at + 64], ballot[at + 64 : at + 128]
    return ballot[:at] + b + a + ballot[at + 128 :]


def test_result_count_changed(sim: ostracon.Simulation, tmp_path: Path) -> None:
    content = lines(Path(sim.path))
    results = json.loads(content[-1])
    assert results["type"] == "results"
    results["contests"][0]["counts"][0][1] += 1
    content[-1] = json.dumps(results)
    report = ostracon.Record.open(write(tmp_path / "r.jsonl", content)).verify()
    assert not report.ok
    assert report.failed_checks == [20]
    assert report.failures[0].check == 20
    assert "contest chair" in report.failures[0].object
    assert "INVALID: check 20 failed" in repr(report)
    assert report.checks[20].status == "FAILED"


def test_ballot_flipped(sim: ostracon.Simulation, tmp_path: Path) -> None:
    content = lines(Path(sim.path))
    i = entry_index(content, "cast", 3)
    entry = json.loads(content[i])
    original = bytes.fromhex(entry["ballot"])
    ballot_id = ostracon.EncryptedBallot.from_bytes(original).ballot_id
    entry["ballot"] = swap_first_two_ciphertexts(original).hex()
    content[i] = json.dumps(entry)
    report = ostracon.Record.open(write(tmp_path / "r.jsonl", content)).verify()
    failed = report.failed_checks
    assert 9 in failed and 11 in failed, report.summary()
    bad = [f for f in report.failures if f.check == 11]
    assert bad[0].object.startswith(f"ballot {ballot_id}")
    assert f"entry {entry['position']}" in bad[0].object
    assert "contest chair" in bad[0].object


def test_entry_removed(sim: ostracon.Simulation, tmp_path: Path) -> None:
    content = lines(Path(sim.path))
    del content[entry_index(content, "cast", 5)]
    failed = ostracon.Record.open(write(tmp_path / "r.jsonl", content)).verify().failed_checks
    assert 7 in failed and 16 in failed


def test_tally_changed(sim: ostracon.Simulation, tmp_path: Path) -> None:
    content = lines(Path(sim.path))
    i = next(k for k, line in enumerate(content) if json.loads(line)["type"] == "tally")
    tally = json.loads(content[i])
    c = tally["contests"][0]
    c[0], c[1] = c[1], c[0]
    content[i] = json.dumps(tally)
    failed = ostracon.Record.open(write(tmp_path / "r.jsonl", content)).verify().failed_checks
    assert 17 in failed


def test_challenge_opening_changed(sim: ostracon.Simulation, tmp_path: Path) -> None:
    content = lines(Path(sim.path))
    i = entry_index(content, "challenged")
    entry = json.loads(content[i])
    sel = entry["opening"]["selections"][0]
    entry["opening"]["selections"][0] = sel[1:] + sel[:1]
    content[i] = json.dumps(entry)
    failed = ostracon.Record.open(write(tmp_path / "r.jsonl", content)).verify().failed_checks
    assert 15 in failed


def test_corrupt_json_line(sim: ostracon.Simulation, tmp_path: Path) -> None:
    content = lines(Path(sim.path))
    content[4] = content[4][: len(content[4]) // 2]
    path = write(tmp_path / "r.jsonl", content)
    with pytest.raises(ostracon.RecordError) as info:
        ostracon.Record.open(path).verify()
    err = info.value
    assert err.code == "record.corrupt"
    assert err.line == 5 and err.at == "line 5" and err.offset is None
    assert "line 5" in str(err) and str(path) in str(err)


def test_truncated_binary(sim_binary: ostracon.Simulation, tmp_path: Path) -> None:
    data = Path(sim_binary.path).read_bytes()
    path = tmp_path / "r.bin"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ostracon.RecordError) as info:
        ostracon.Record.open(path).verify()
    err = info.value
    assert err.offset is not None and 12 <= err.offset < len(data) // 2
    assert err.line is None
    assert f"byte {err.offset}" in str(err)
    with pytest.raises(ostracon.RecordError):
        ostracon.verify_bytes(data[: len(data) // 2])
