"""Every kind of error, raised from bad input, as its own class with the core's code."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

import ostracon
from conftest import MANIFEST_JSON
from test_tamper import swap_first_two_ciphertexts


@pytest.fixture(scope="module")
def setup(manifest: ostracon.Manifest):  # type: ignore[no-untyped-def]
    return ostracon.run_ceremony(manifest, 3, 2)


def test_hierarchy() -> None:
    for cls in (
        ostracon.DecodeError, ostracon.ProofError, ostracon.InvalidInput, ostracon.DlogNotFound,
        ostracon.BallotError, ostracon.RecordError, ostracon.Unsupported,
    ):
        assert issubclass(cls, ostracon.Error) and cls.__module__ == "ostracon"
    assert issubclass(ostracon.SelectionError, ostracon.InvalidInput)
    assert issubclass(ostracon.ManifestError, ostracon.InvalidInput)
    assert issubclass(ostracon.Error, Exception)


def test_decode_errors() -> None:
    with pytest.raises(ostracon.DecodeError) as e:
        ostracon.EncryptedBallot.from_bytes(b"\x01")
    assert e.value.code == "decode.truncated" and "ballot" in str(e.value)
    with pytest.raises(ostracon.DecodeError) as e:
        ostracon.TrackingCode.from_hex("zz")
    assert e.value.code == "decode.invalid_hex"
    with pytest.raises(ostracon.DecodeError) as e:
        ostracon.TrackingCode.from_hex("00" * 31)
    assert e.value.code == "decode.wrong_length" and "expected 32 bytes, found 31" in str(e.value)
    bad_point = struct.pack("<II", 1, 1) + b"\xff" * 32 + struct.pack("<I", 0)
    with pytest.raises(ostracon.DecodeError) as e:
        ostracon.PartialDecryption.from_bytes(bad_point)
    assert e.value.code == "decode.invalid_point"
    with pytest.raises(ostracon.DecodeError) as e:
        ostracon.KeyShare.from_bytes(b"")
    assert e.value.code.startswith("decode.")
    with pytest.raises(ostracon.DecodeError):
        ostracon.VoterKey.from_bytes(b"short")
    with pytest.raises(ostracon.DecodeError):
        ostracon.VoterRegistry().add("v", key=b"\xff" * 31)


def test_proof_error(setup, manifest: ostracon.Manifest) -> None:  # type: ignore[no-untyped-def]
    _, transcript, _ = setup
    anns = transcript.announcements
    a = anns[0]
    # The last two 64-byte Schnorr proofs (t = 2) swapped: valid encodings, wrong proofs.
    anns[0] = a[:-128] + a[-64:] + a[-128:-64]
    bad = ostracon.CeremonyTranscript(manifest, 3, 2, anns)
    with pytest.raises(ostracon.ProofError) as e:
        bad.verify()
    assert e.value.code == "proof.invalid" and "schnorr" in str(e.value)


def test_invalid_input(setup, manifest: ostracon.Manifest) -> None:  # type: ignore[no-untyped-def]
    election = setup[0]
    with pytest.raises(ostracon.InvalidInput) as e:
        election.encrypt_ballot("x" * 1000, {"mayor": [1, 0, 0]})
    assert e.value.code == "input.invalid"
    with pytest.raises(ostracon.InvalidInput) as e:
        ostracon.run_ceremony(manifest, 2, 3)
    assert e.value.code == "input.invalid" and "threshold" in str(e.value)


def test_selection_error(setup) -> None:  # type: ignore[no-untyped-def]
    election = setup[0]
    with pytest.raises(ostracon.SelectionError) as e:
        election.encrypt_ballot("b", {"mayor": [1, 1, 0]})
    assert e.value.code == "selection.invalid" and e.value.contest == "mayor"
    assert "contest 'mayor'" in str(e.value)
    with pytest.raises(ostracon.SelectionError) as e:
        election.check_selection({"nope": [1]})
    assert e.value.contest == "nope"
    assert election.check_selection({"mayor": [0, 0, 1]}) == [[0, 0, 1], [0, 0, 0]]


def test_manifest_error() -> None:
    doc = json.loads(MANIFEST_JSON)
    doc["contests"][1]["id"] = "mayor"
    with pytest.raises(ostracon.ManifestError) as e:
        ostracon.Manifest.from_json(json.dumps(doc))
    assert e.value.code == "manifest.invalid" and "mayor" in str(e.value)
    with pytest.raises(ostracon.ManifestError):
        ostracon.Manifest.from_json("{not json")


def test_dlog_not_found(setup) -> None:  # type: ignore[no-untyped-def]
    election, transcript, keys = setup
    acc = ostracon.TallyAccumulator(election)
    for i in range(3):
        acc.add(election.encrypt_ballot(f"b{i}", {"mayor": [1, 0, 0]})[0])
    doc = json.loads(acc.finish().to_json())
    doc["total_weight"] = 0  # claims no votes: a count of 3 is out of range
    tally = ostracon.EncryptedTally.from_json(json.dumps(doc))
    partials = [k.decrypt(election, tally) for k in keys[:2]]
    with pytest.raises(ostracon.DlogNotFound) as e:
        ostracon.decrypt_tally(election, transcript, tally, partials)
    assert e.value.code == "dlog.not_found"


def test_ballot_errors(setup, manifest: ostracon.Manifest) -> None:  # type: ignore[no-untyped-def]
    election = setup[0]
    other = ostracon.run_ceremony(manifest, 1, 1)[0]
    ballot, opening = election.encrypt_ballot("b1", {"mayor": [1, 0, 0]})
    with pytest.raises(ostracon.BallotError) as e:
        other.validate(ballot)
    assert e.value.code == "ballot.wrong_election" and e.value.ballot == "b1"

    tampered = swap_first_two_ciphertexts(ballot.to_bytes())
    with pytest.raises(ostracon.BallotError) as e:
        ostracon.verify_ballot(election, tampered)
    assert e.value.code == "ballot.proof" and e.value.contest == "mayor"
    assert "ballot 'b1', contest 'mayor'" in str(e.value)

    other_ballot, other_opening = election.encrypt_ballot("b2", {"mayor": [0, 1, 0]})
    with pytest.raises(ostracon.BallotError) as e:
        election.verify_opening(ballot, other_opening)
    assert e.value.code == "ballot.bad_opening"
    with pytest.raises(ostracon.BallotError):
        ostracon.verify_ballot(election, ballot, other_opening)
    assert ostracon.verify_ballot(election, ballot, opening) == ballot.tracking_code

    # An election whose voters must sign, its registry attested by the trustees.
    signing, _, keys = ostracon.run_ceremony(manifest, 1, 1, registry="attested", require_signatures=True)
    registry = ostracon.VoterRegistry()
    key = ostracon.VoterKey.generate()
    registry.add("alice", key=key.public_key)
    board = ostracon.Board(signing, registry, [keys[0].attest_registry(signing, registry)])
    election = signing
    ballot, opening = election.encrypt_ballot("b1", {"mayor": [1, 0, 0]})
    with pytest.raises(ostracon.BallotError) as e:
        board.cast(ballot, "alice")
    assert e.value.code == "ballot.missing_signature"
    with pytest.raises(ostracon.BallotError) as e:
        board.cast(ballot, "alice", ostracon.VoterKey.generate().sign(election, ballot.tracking_code, "alice"))
    assert e.value.code == "ballot.bad_signature"
    with pytest.raises(ostracon.BallotError) as e:
        board.cast(ballot, "mallory", key.sign(election, ballot.tracking_code, "mallory"))
    assert e.value.code == "ballot.unknown_voter"
    board.cast(ballot, "alice", key.sign(election, ballot.tracking_code, "alice"))
    with pytest.raises(ostracon.BallotError) as e:
        board.cast(ballot, "alice", key.sign(election, ballot.tracking_code, "alice"))
    assert e.value.code in ("ballot.duplicate_code", "ballot.duplicate_id")


def test_record_errors(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(ostracon.RecordError) as e:
        ostracon.Record.open(path)
    assert e.value.line == 1 and e.value.code == "record.corrupt"
    with pytest.raises(FileNotFoundError) as f:
        ostracon.Record.open(tmp_path / "missing.jsonl")
    assert f.value.filename == str(tmp_path / "missing.jsonl")
    with pytest.raises(ValueError):
        ostracon.RecordWriter(tmp_path / "r.x", format="xml")


def test_unsupported(setup, manifest: ostracon.Manifest) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(setup[0].to_json())
    doc["protocol"] = "ostracon/v99"
    with pytest.raises(ostracon.Unsupported) as e:
        ostracon.Election.from_json(json.dumps(doc))
    assert e.value.code == "unsupported" and "ostracon/v99" in str(e.value)


def test_election_json_checked(setup) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(setup[0].to_json())
    doc["base_hash"] = "00" * 32
    with pytest.raises(ostracon.InvalidInput) as e:
        ostracon.Election.from_json(json.dumps(doc))
    assert "base hash" in str(e.value)
