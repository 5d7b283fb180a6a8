#!/usr/bin/env python3
"""Verification cost from Python vs. the CLI on the same record.

    python bench/compare_cli.py path/to/ostracon path/to/record.jsonl [runs]

Runs `ostracon verify --quiet --json RECORD` and `ostracon.Record.open(RECORD).verify()`
alternately, `runs` times each (default 5), and prints the medians of wall time and of
CPU time (user + system, all threads): CPU time is the fairer figure on a busy machine.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

import ostracon


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_cli(cli: str, path: str) -> tuple[float, float]:
    t = time.perf_counter()
    proc = subprocess.Popen([cli, "verify", "--quiet", "--json", path], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, f"CLI exited with {proc.returncode}"
    return wall, usage.ru_utime + usage.ru_stime


def run_py(path: str) -> tuple[float, float]:
    c, t = cpu_self(), time.perf_counter()
    report = ostracon.Record.open(path).verify(progress=lambda done, total: None)
    wall, cpu = time.perf_counter() - t, cpu_self() - c
    assert report.ok, report.summary()
    return wall, cpu


def main() -> None:
    cli, path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    c, p = [], []
    for _ in range(runs):
        c.append(run_cli(cli, path))
        p.append(run_py(path))
    med = lambda xs, k: statistics.median(x[k] for x in xs)  # noqa: E731
    out = {
        "record": path,
        "runs": runs,
        "cli_wall_s": round(med(c, 0), 3),
        "py_wall_s": round(med(p, 0), 3),
        "wall_ratio": round(med(p, 0) / med(c, 0), 3),
        "cli_cpu_s": round(med(c, 1), 3),
        "py_cpu_s": round(med(p, 1), 3),
        "cpu_ratio": round(med(p, 1) / med(c, 1), 3),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
