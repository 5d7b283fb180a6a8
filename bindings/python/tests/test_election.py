"""A whole election scripted from Python: key ceremony, voters, ballots, challenges,
revotes, the board, the tally, threshold decryption, the record, and its verification."""

from __future__ import annotations

from pathlib import Path

import pytest

import ostracon


def ceremony_by_messages(
    manifest: ostracon.Manifest, n: int, t: int
) -> tuple[ostracon.CeremonyTranscript, list[ostracon.KeyShare]]:
    """The key ceremony through the trustee state machine, messages as bytes."""
    trustees = [
        ostracon.Trustee(manifest, n, t, i, registry="attested", require_signatures=True)
        for i in range(1, n + 1)
    ]
    assert all(tr.phase == "awaiting_announcements" for tr in trustees)
    announcements = [tr.announcement for tr in trustees]
    inbox: dict[int, list[bytes]] = {i: [] for i in range(1, n + 1)}
    for tr in trustees:
        shares = tr.receive_announcements(announcements)
        assert len(shares) == n - 1
        for share in shares:
            inbox[ostracon.share_recipient(share)].append(share)
    keys = []
    for tr in trustees:
        key = tr.receive_shares(inbox[tr.index])
        assert isinstance(key, ostracon.KeyShare), key
        assert tr.phase == "finished"
        keys.append(key)
    transcript = trustees[0].transcript()
    assert transcript is not None
    return transcript, keys


@pytest.mark.parametrize("ceremony", ["state_machine", "run_ceremony"])
def test_scripted_election(manifest: ostracon.Manifest, tmp_path: Path, ceremony: str) -> None:
    n, t = 3, 2
    if ceremony == "state_machine":
        transcript, keys = ceremony_by_messages(manifest, n, t)
        election = transcript.election(manifest, registry="attested", require_signatures=True)
        # Another election's parameters are refused.
        with pytest.raises(ostracon.InvalidInput):
            transcript.election(manifest)
    else:
        election, transcript, keys = ostracon.run_ceremony(
            manifest, n, t, registry="attested", require_signatures=True
        )
    assert transcript.verify() == election.joint_key
    assert (election.trustees, election.threshold) == (n, t)
    assert election == ostracon.Election.from_json(election.to_json())
    assert [k.index for k in keys] == [1, 2, 3]
    assert "secret" in repr(keys[0]) and keys[0].to_bytes() not in repr(keys[0]).encode()

    # Voters with signing keys and weights.
    registry = ostracon.VoterRegistry()
    voter_keys = {f"v{i}": ostracon.VoterKey.generate() for i in range(6)}
    for i, (vid, key) in enumerate(voter_keys.items()):
        registry.add(vid, weight=1 + i % 2, key=key.public_key)
    assert len(registry) == 6 and "v0" in registry and registry.weight("v1") == 2
    assert len(registry.fingerprint) == 64

    # Before voting opens, t trustees attest the registry; fewer are refused.
    attestations = [keys[0].attest_registry(election, registry), keys[2].attest_registry(election, registry)]
    assert [a.trustee for a in attestations] == [1, 3]
    assert attestations[0].fingerprint == registry.fingerprint
    attestations[1].verify(election, registry)
    assert ostracon.RegistryAttestation.from_bytes(attestations[0].to_bytes()) == attestations[0]
    with pytest.raises(ostracon.InvalidInput) as e:
        ostracon.Board(election, registry, attestations[:1])
    assert e.value.code == "registry.too_few_attestations"
    with pytest.raises(ostracon.InvalidInput) as e:
        ostracon.Board(election)
    assert e.value.code == "registry.missing"
    board = ostracon.Board(election, registry, attestations)
    choices = {
        "v0": {"mayor": [1, 0, 0], "council": [1, 1, 0]},
        "v1": {"mayor": [0, 1, 0], "council": [0, 0, 1]},
        "v2": {"mayor": [1, 0, 0]},
        "v3": {"mayor": [0, 0, 1], "council": [0, 1, 0]},
        "v4": {"mayor": [0, 1, 0], "council": [1, 0, 0]},
        "v5": {"mayor": [1, 0, 0], "council": [0, 0, 0]},
    }
    entries: list[ostracon.BoardEntry] = []

    # v0 first challenges a ballot (Benaloh): the opening is published and checked.
    audit, opening = election.encrypt_ballot("b-v0-audit", {"mayor": [0, 0, 1]})
    assert repr(opening) == "BallotOpening(<redacted>)"
    assert opening.plaintext(election)["mayor"] == [0, 0, 1]
    election.verify_opening(audit, opening)
    entries.append(board.challenge(audit, opening))
    assert entries[-1].status == "challenged"

    # v1 casts, then revotes: only the later ballot counts.
    first, _ = election.encrypt_ballot("b-v1-first", {"mayor": [0, 0, 1]})
    sig = voter_keys["v1"].sign(election, first.tracking_code, "v1")
    entries.append(board.cast(first, "v1", sig))

    previous = None
    for vid, sel in choices.items():
        ballot, _ = election.encrypt_ballot(f"b-{vid}", sel, previous_code=previous)
        assert ballot.previous_code == previous
        previous = ballot.tracking_code
        code = election.validate(ballot)
        assert code == ballot.tracking_code and code.matches(str(code).lower())
        assert ostracon.EncryptedBallot.from_bytes(ballot.to_bytes()) == ballot
        assert ostracon.EncryptedBallot.from_json(ballot.to_json()) == ballot
        sig = voter_keys[vid].sign(election, ballot.tracking_code, vid)
        entry = board.cast(ballot, vid, sig)
        assert entry.tracking_code == ballot.tracking_code and entry.weight == registry.weight(vid)
        entries.append(entry)
    assert len(board) == len(entries) == 8
    assert board.head == entries[-1].head
    assert not board.is_counted(entries[0]) and not board.is_counted(entries[1])

    # Tally exactly the counted ballots, weighted.
    acc = ostracon.TallyAccumulator(election)
    for e in entries:
        if board.is_counted(e):
            acc.add(e.ballot, e.weight or 1)
    tally = acc.finish()
    assert tally.ballots == 6 and tally.total_weight == 9 and tally.shape == [3, 3]

    # Trustees 1 and 3 decrypt (t = 2); trustee 2 is absent.
    partials = [keys[0].decrypt(election, tally), keys[2].decrypt(election, tally)]
    partials = [ostracon.PartialDecryption.from_bytes(p.to_bytes()) for p in partials]
    results = ostracon.decrypt_tally(election, transcript, tally, partials)
    expected: dict[str, dict[str, int]] = {
        "mayor": {"alice": 0, "bob": 0, "carol": 0},
        "council": {"dan": 0, "eve": 0, "fay": 0},
    }
    for i, (vid, sel) in enumerate(choices.items()):
        w = registry.weight(vid)
        for contest, values in sel.items():
            for option, v in zip(expected[contest], values):
                expected[contest][option] += w * v
    assert results.to_dict() == expected
    assert results["mayor"]["alice"] == expected["mayor"]["alice"] and "council" in results

    # The record, written atomically, verifies with every check passing.
    path = tmp_path / ("record.bin" if ceremony == "run_ceremony" else "record.jsonl")
    with ostracon.RecordWriter(path) as w:
        w.write(ostracon.RecordHeader(election, transcript))
        w.write(registry)
        for a in attestations:
            w.write(a)
        for e in entries:
            w.write(e)
        w.write(board.summary())
        w.write(tally)
        for p in partials:
            w.write(p)
        w.write(results)
    report = ostracon.Record.open(path).verify()
    assert report.ok, report.summary()
    assert report.results == results
    assert report.counts.to_dict() == {
        "entries": 8, "cast": 7, "challenged": 1, "superseded": 1, "counted": 6
    }


def test_writer_aborts_on_exception(tmp_path: Path) -> None:
    path = tmp_path / "never.jsonl"
    with pytest.raises(RuntimeError):
        with ostracon.RecordWriter(path) as w:
            raise RuntimeError("boom")
    assert not path.exists()
    w = ostracon.RecordWriter(path)
    with pytest.raises(TypeError):
        w.write("not an item")  # type: ignore[arg-type]
    w.close()
    assert path.exists()
    with pytest.raises(ValueError, match="closed"):
        w.write(ostracon.Results.from_json('{"contests": []}'))


def test_cast_many(manifest: ostracon.Manifest) -> None:
    election, _, _ = ostracon.run_ceremony(manifest, 1, 1)
    board = ostracon.Board(election)
    ballots = [election.encrypt_ballot(f"b{i}", {"mayor": [0, 1, 0]})[0] for i in range(5)]
    out = board.cast_many([(b, None, None) for b in ballots] + [(ballots[0], None, None)])
    assert [type(x).__name__ for x in out] == ["BoardEntry"] * 5 + ["BallotError"]
    err = out[-1]
    assert isinstance(err, ostracon.BallotError) and err.code.startswith("ballot.duplicate")
    checked = election.validate_ballots(ballots)
    assert checked == [b.tracking_code for b in ballots]


def test_precomputed_ballot(manifest: ostracon.Manifest) -> None:
    election, _, _ = ostracon.run_ceremony(manifest, 1, 1)
    pre = election.precompute_ballot("pre-1")
    assert pre.ballot_id == "pre-1" and not pre.used
    assert repr(pre) == 'PrecomputedBallot("pre-1", used=False)'
    ballot, opening = election.encrypt_precomputed(pre, {"mayor": [0, 1, 0]})
    assert pre.used
    assert ballot.ballot_id == "pre-1"
    assert election.validate(ballot) == ballot.tracking_code
    election.verify_opening(ballot, opening)
    with pytest.raises(ostracon.InvalidInput, match="already used"):
        election.encrypt_precomputed(pre, {"mayor": [0, 1, 0]})
    with pytest.raises(ostracon.SelectionError):
        election.encrypt_precomputed(election.precompute_ballot("pre-2"), {"mayor": [1, 1, 0]})
    other, _, _ = ostracon.run_ceremony(manifest, 1, 1)
    with pytest.raises(ostracon.InvalidInput, match="another election"):
        election.encrypt_precomputed(other.precompute_ballot("x"), {"mayor": [0, 1, 0]})


def test_simulate_options(tmp_path: Path, manifest: ostracon.Manifest) -> None:
    sim = ostracon.simulate(
        tmp_path / "r.bin", ballots=12, seed=3, manifest=manifest, trustees=3, threshold=2,
        absent=[3], signatures=False, weights=True, challenge_every=4, revote_every=5,
    )
    assert sim.seed == 3 and sim.results == sim.expected
    record = ostracon.Record.open(sim.path)
    assert record.format == "binary" and record.manifest == manifest
    report = record.verify()
    assert report.ok and report.counts.challenged == 3
    with pytest.raises(ostracon.InvalidInput):
        ostracon.simulate(tmp_path / "x.jsonl", ballots=3, trustees=3, threshold=3, absent=[1])
    assert not (tmp_path / "x.jsonl").exists()
