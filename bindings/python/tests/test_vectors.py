"""The shared test vectors (vectors/*.json), checked through the Python binding.

The binding exposes ballots, tracking codes, challenge openings and record
verification; the point, proof and transcript vectors have no Python API and are
checked by the Rust tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest

import ostracon

VECTORS = Path(__file__).resolve().parents[3] / "vectors"


def load(name: str) -> dict[str, Any]:
    doc = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert doc["schema"] == "ostracon-vectors/v1"
    return doc


def cases(doc: dict[str, Any], kind: str) -> Iterator[Tuple[dict[str, Any], dict[str, Any]]]:
    for group in doc["testGroups"]:
        if group["type"] == kind:
            for test in group["tests"]:
                yield group, test


BALLOTS = load("ballots.json")
RECORD = load("record.json")


def ids(kind: str, doc: dict[str, Any]) -> list[Any]:
    return [pytest.param(g, t, id=f"tc{t['tcId']}") for g, t in cases(doc, kind)]


@pytest.mark.parametrize("group,test", ids("BallotValidation", BALLOTS))
def test_ballot_validation(group: dict[str, Any], test: dict[str, Any]) -> None:
    election = ostracon.Election.from_json(group["election"])
    data = bytes.fromhex(test["ballot"])
    if test["result"] == "valid":
        ballot = ostracon.EncryptedBallot.from_bytes(data)
        assert ballot.to_bytes() == data
        code = election.validate(ballot)
        assert code.hex == test["trackingCode"]
        assert code.human == test["trackingCodeHuman"]
        assert code.matches(test["trackingCodeHuman"])
        assert ballot.tracking_code.hex == test["trackingCode"]
        assert ballot.ballot_id == test["ballotId"]
        previous = ballot.previous_code
        assert (previous.hex if previous else None) == test.get("previousCode")
        assert ostracon.verify_ballot(election, data).hex == test["trackingCode"]
    else:
        with pytest.raises(ostracon.Error) as err:
            ballot = ostracon.EncryptedBallot.from_bytes(data)
            election.validate(ballot)
        assert err.value.code == test["error"], test["comment"]


@pytest.mark.parametrize("group,test", ids("ChallengeOpening", BALLOTS))
def test_challenge_opening(group: dict[str, Any], test: dict[str, Any]) -> None:
    election = ostracon.Election.from_json(group["election"])
    ballot = ostracon.EncryptedBallot.from_bytes(bytes.fromhex(test["ballot"]))
    assert ballot.tracking_code.hex == test["trackingCode"]
    opening = ostracon.BallotOpening.from_json(test["opening"])
    assert opening.plaintext(election) == test["plaintext"]
    if test["result"] == "valid":
        election.verify_opening(ballot, opening)
    else:
        with pytest.raises(ostracon.BallotError) as err:
            election.verify_opening(ballot, opening)
        assert err.value.code == test["error"], test["comment"]


def record_bytes(test: dict[str, Any]) -> bytes:
    if test["format"] == "json":
        return test["record"].encode("utf-8")
    return bytes.fromhex(test["record"])


@pytest.mark.parametrize("group,test", ids("RecordVerification", RECORD))
def test_record_verification(group: dict[str, Any], test: dict[str, Any]) -> None:
    data = record_bytes(test)
    if test["result"] == "invalid" and test["error"] == "record.corrupt":
        with pytest.raises(ostracon.RecordError) as err:
            ostracon.verify_bytes(data)
        assert err.value.code == "record.corrupt"
        return
    report = ostracon.verify_bytes(data)
    expected = test["expected"]
    assert report.ok == expected["ok"] == (test["result"] == "valid")
    assert report.failed_checks == expected["failedChecks"]
    assert report.base_hash == expected["baseHash"]
    assert report.counts.to_dict() == expected["counts"]
    if expected["results"] is None:
        assert report.results is None
    else:
        results = report.results
        assert results is not None
        assert results.contests == [c["contest"] for c in expected["results"]]
        for c in expected["results"]:
            assert results[c["contest"]] == {o: n for o, n in c["counts"]}
            assert list(results[c["contest"]]) == [o for o, _ in c["counts"]]
