"""The resume ledger: `forms.jsonl` itself, appended atomically, keyed by content hash.

Each input's result lines are appended with one write and an fsync. On reopening, a torn
last line (a `kill -9` in the middle of a write) is cut off, and an input whose pages are
not all present is dropped so that it is processed again: nothing lost, nothing doubled.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

from pipeline.atomic import write_text_atomic


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, str] = {}  # sha256 -> the input name processed for it
        self._recover()

    def _recover(self) -> None:
        if not self.path.exists():
            return
        raw = self.path.read_bytes()
        complete = raw[: raw.rfind(b"\n") + 1] if b"\n" in raw else b""
        lines = [line for line in complete.decode("utf-8", "replace").splitlines() if line.strip()]
        pages: dict[str, set[int]] = defaultdict(set)
        counts: dict[str, int] = {}
        names: dict[str, str] = {}
        parsed: list[tuple[str, str]] = []
        for line in lines:
            try:
                source = json.loads(line)["source"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a damaged line: dropped, its input is processed again
            sha = source["sha256"]
            pages[sha].add(int(source["page"]))
            counts[sha] = int(source.get("page_count", 1))
            names[sha] = source["path"]
            parsed.append((sha, line))
        whole = {sha for sha, seen in pages.items() if len(seen) >= counts[sha]}
        kept = [line for sha, line in parsed if sha in whole]
        if len(kept) != len(lines) or len(complete) != len(raw):
            write_text_atomic(self.path, "".join(line + "\n" for line in kept))
        self.done = {sha: names[sha] for sha in whole}

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


def append_jsonl(path: Path, record: dict[str, object]) -> None:
    """Append one JSON record durably (errors.jsonl)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
