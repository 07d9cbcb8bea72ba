"""The resume ledger: `forms.jsonl` itself, appended atomically, keyed by content hash.

Each input's result lines are appended with one write and an fsync. On reopening, a torn
last line (a `kill -9` in the middle of a write) is cut off, and an input whose pages are
not all present is dropped so that it is processed again: nothing lost, nothing doubled.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from pipeline.atomic import write_chunks_atomic


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, str] = {}  # sha256 -> the input name processed for it
        self._recover()

    def _recover(self) -> None:
        """Read the file line by line (it may hold 100,000 results: never all at once),
        then, only if something must go, copy the lines kept to a new file atomically."""
        if not self.path.exists():
            return
        pages: dict[str, set[int]] = defaultdict(set)
        counts: dict[str, int] = {}
        names: dict[str, str] = {}
        damaged = False
        with self.path.open("rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    damaged = True  # a torn last line: its input is processed again
                    break
                if not line.strip():
                    continue
                source = _source(line)
                if source is None:
                    damaged = True  # a damaged line: dropped, its input is processed again
                    continue
                sha, page, count, name = source
                pages[sha].add(page)
                counts[sha] = count
                names[sha] = name
        whole = {sha for sha, seen in pages.items() if len(seen) >= counts[sha]}
        if damaged or len(whole) != len(pages):
            write_chunks_atomic(self.path, self._lines_of(whole))
        self.done = {sha: names[sha] for sha in whole}

    def _lines_of(self, whole: set[str]) -> Iterator[bytes]:
        with self.path.open("rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    return
                source = _source(line) if line.strip() else None
                if source is not None and source[0] in whole:
                    yield line

    def append(self, sha256: str, name: str, lines: list[str]) -> None:
        """Record one input's result lines durably (one write, then fsync)."""
        payload = "".join(line + "\n" for line in lines).encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.done[sha256] = name


def _source(line: bytes) -> tuple[str, int, int, str] | None:
    """(sha256, page, page_count, path) of a result line; None when it is damaged."""
    try:
        source = json.loads(line)["source"]
        return (
            str(source["sha256"]),
            int(source["page"]),
            int(source.get("page_count", 1)),
            str(source["path"]),
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def append_jsonl(path: Path, record: dict[str, object]) -> None:
    """Append one JSON record durably (errors.jsonl)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
