"""Comparing a sharded verification's report with the single-process one."""

from __future__ import annotations

import ostracon


def assert_same_report(sharded: ostracon.Report, whole: ostracon.Report, shards: int) -> None:
    """Asserts the sharded report (from `shards` shards) equals the single-process one."""
    assert shards >= 1
    assert sharded.to_dict() == whole.to_dict(), "sharded and single-process reports differ"
    assert sharded == whole
