"""Shared fixtures: small records made by the core's simulation (through this
binding) and, when the CLI is available, by `ostracon demo`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

import pytest

import ostracon

REPO = Path(__file__).resolve().parents[3]

# A small manifest for scripted elections: one plurality contest, one approval contest.
MANIFEST_JSON = """
{
  "election_id": "py-test-2026",
  "title": "Python test election",
  "contests": [
    {"id": "mayor", "title": "Mayor", "rule": {"type": "approval", "min": 1, "max": 1},
     "options": [{"id": "alice", "label": "Alice"}, {"id": "bob", "label": "Bob"},
                 {"id": "carol", "label": "Carol"}]},
    {"id": "council", "title": "Council (up to 2)", "rule": {"type": "approval", "min": 0, "max": 2},
     "options": [{"id": "dan", "label": "Dan"}, {"id": "eve", "label": "Eve"},
                 {"id": "fay", "label": "Fay"}]}
  ]
}
"""


def cli_binary() -> Optional[Path]:
    """The `ostracon` CLI: $OSTRACON_CLI, else a release build in the repository."""
    env = os.environ.get("OSTRACON_CLI")
    if env:
        return Path(env)
    for candidate in (REPO / "target/release/ostracon", REPO / "target/python/release/ostracon"):
        if candidate.exists():
            return candidate
    found = shutil.which("ostracon")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def manifest() -> ostracon.Manifest:
    return ostracon.Manifest.from_json(MANIFEST_JSON)


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory) -> ostracon.Simulation:
    """A 40-voter demo election (JSON Lines), reproducible."""
    path = tmp_path_factory.mktemp("sim") / "record.jsonl"
    return ostracon.simulate(path, ballots=40, seed=7)


@pytest.fixture(scope="session")
def sim_binary(tmp_path_factory: pytest.TempPathFactory) -> ostracon.Simulation:
    path = tmp_path_factory.mktemp("simbin") / "record.bin"
    return ostracon.simulate(path, ballots=40, seed=7)


@pytest.fixture(scope="session")
def cli_record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A record made by `ostracon demo --ballots 30 --seed 1`."""
    cli = cli_binary()
    if cli is None or not cli.exists():
        if os.environ.get("OSTRACON_REQUIRE_CLI"):
            pytest.fail("the ostracon CLI is required (OSTRACON_REQUIRE_CLI) but was not found")
        pytest.skip("the ostracon CLI is not built (cargo build --release -p ostracon-cli)")
    out = tmp_path_factory.mktemp("cli") / "demo"
    subprocess.run(
        [str(cli), "demo", "--ballots", "30", "--seed", "1", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out
