"""Compare two forms.jsonl files: the image's batch output against the local install's.

Timings (`timings_ms`) are ignored, and absolute paths are reduced to their file name,
since the container sees the scans under /data while the host sees them elsewhere.
Usage: compare.py IMAGE_FORMS.jsonl LOCAL_FORMS.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path, PurePosixPath
from typing import Any

IGNORED_KEYS = frozenset({"timings_ms"})


def normalised(value: Any) -> Any:
    """The value without timings and with absolute paths reduced to their file name."""
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items() if k not in IGNORED_KEYS}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, str) and value.startswith("/") and "\n" not in value:
        return PurePosixPath(value).name
    return value


def records(path: Path) -> list[Any]:
    """The normalised records of a JSONL file, in a stable order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    items = [normalised(json.loads(line)) for line in lines if line.strip()]
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def differences(left: Any, right: Any, where: str = "") -> list[str]:
    """Paths (and values) at which two normalised JSON values differ."""
    if isinstance(left, dict) and isinstance(right, dict):
        keys = sorted(set(left) | set(right))
        return [d for k in keys for d in differences(left.get(k), right.get(k), f"{where}/{k}")]
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [
            d
            for i, (a, b) in enumerate(zip(left, right, strict=True))
            for d in differences(a, b, f"{where}/{i}")
        ]
    return [] if left == right else [f"{where or '/'}: {left!r} != {right!r}"]


def main(argv: list[str]) -> int:
    image, local = records(Path(argv[1])), records(Path(argv[2]))
    if not image:
        print(f"FAIL: no records in {argv[1]}", file=sys.stderr)
        return 1
    if len(image) != len(local):
        print(
            f"FAIL: {len(image)} records in the image output, {len(local)} locally", file=sys.stderr
        )
        for name, side in (("image", image), ("local", local)):
            other = local if side is image else image
            for item in side:
                if item not in other:
                    print(f"only {name}: {json.dumps(item)[:200]}", file=sys.stderr)
        return 1
    diffs = differences(image, local)
    for line in diffs[:20]:
        print(f"DIFF {line[:300]}", file=sys.stderr)
    if diffs:
        print(f"FAIL: {len(diffs)} difference(s) between image and local output", file=sys.stderr)
        return 1
    print(f"{len(image)} record(s): image output equals local output", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
