#!/usr/bin/env python3
"""Verify an election record across a Dask cluster.

Each task verifies one contiguous shard of the board (``Record.verify_shard``) and
returns the partial result as bytes; partial results are merged pairwise on the
workers (``Record.merge_partials``: associative and commutative), and the client
finishes against the record's tail (``Record.finish``). The report is the one
single-process verification gives (``Record.verify``).

Every worker must see the record at the same path (a shared or copied file).

    python dask_verify.py record.jsonl                       # local cluster, 2 processes
    python dask_verify.py record.jsonl --workers 4 --compare # also verify in one process
    python dask_verify.py record.jsonl --scheduler tcp://host:8786

Needs ``pip install ostracon "dask[distributed]"``.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Optional

from dask.distributed import Client, LocalCluster

import ostracon


def verify_shard(path: str, index: int, count: int) -> bytes:
    """On a worker: verify one shard (the GIL is released while the core works)."""
    return ostracon.Record.open(path).verify_shard(index, count)


def merge(path: str, a: bytes, b: bytes) -> bytes:
    """On a worker: merge two partial results."""
    return ostracon.Record.open(path).merge_partials([a, b])


def verify_on_cluster(client: Client, path: str, shards: Optional[int] = None) -> ostracon.Report:
    """Verifies the record at `path` on the cluster behind `client`."""
    record = ostracon.Record.open(path)  # fails fast here if it is not a record
    if shards is None:
        shards = max(1, 2 * sum(client.nthreads().values()))
    futures = [
        client.submit(verify_shard, path, i, shards, pure=False) for i in range(shards)
    ]
    # Pairwise merge tree: log2(shards) rounds, the bytes never leave the cluster.
    while len(futures) > 1:
        merged = [
            client.submit(merge, path, futures[i], futures[i + 1], pure=False)
            for i in range(0, len(futures) - 1, 2)
        ]
        if len(futures) % 2:
            merged.append(futures[-1])
        futures = merged
    partial = futures[0].result()
    return record.finish(partial)


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("record", help="the record file (.jsonl or .bin)")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler")
    ap.add_argument("--workers", type=int, default=2, help="local cluster: worker processes")
    ap.add_argument("--shards", type=int, help="number of shards (default: 2 per worker thread)")
    ap.add_argument("--compare", action="store_true", help="also verify in this process and compare")
    ap.add_argument("--json-out", help="write the report's JSON here")
    args = ap.parse_args(argv)

    if args.scheduler:
        client = Client(args.scheduler)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        start = time.perf_counter()
        report = verify_on_cluster(client, args.record, args.shards)
        elapsed = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    print(report.summary(), end="")
    print(f"cluster verification: {report.counts.entries} entries in {elapsed:.2f} s", file=sys.stderr)
    if args.json_out:
        with open(args.json_out, "w") as f:
            f.write(report.to_json())
    status = 0 if report.ok else 1
    if args.compare:
        single = ostracon.Record.open(args.record).verify()
        same = single == report
        print(f"identical to single-process verification: {'yes' if same else 'NO'}")
        if not same:
            status = 3
    return status


if __name__ == "__main__":
    sys.exit(main())
