"""The Dask example verifies a record on a LocalCluster (2 worker processes) and gets
the single-process report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import ostracon
from report_compare import assert_same_report

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "dask_verify.py"


def test_dask_example(sim: ostracon.Simulation, tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    out = tmp_path / "report.json"
    shards = 4
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), str(sim.path), "--workers", "2",
         "--shards", str(shards), "--json-out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "VALID: every check passed" in proc.stdout
    sharded = ostracon.Report.from_json(out.read_text())
    whole = ostracon.Record.open(sim.path).verify()
    assert_same_report(sharded, whole, shards)
