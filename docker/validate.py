"""Validate tallyscope JSON output against `tallyscope schema`.

Usage: validate.py SCHEMA.json OUTPUT  (OUTPUT: one result, an array of results, or JSONL)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator


def load_results(path: Path) -> list[dict[str, Any]]:
    """Results held by an `inspect --json` file (object or array) or a forms.jsonl file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    data = json.loads(text)
    return list(data) if isinstance(data, list) else [data]


def schema_errors(schema: dict[str, Any], results: list[dict[str, Any]]) -> list[str]:
    """One line per schema violation, prefixed by the result's index."""
    validator = Draft202012Validator(schema)
    return [
        f"result {index}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for index, result in enumerate(results)
        for error in validator.iter_errors(result)
    ]


def main(argv: list[str]) -> int:
    schema = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    results = load_results(Path(argv[2]))
    if not results:
        print(f"FAIL: no results in {argv[2]}", file=sys.stderr)
        return 1
    errors = schema_errors(schema, results)
    for line in errors[:20]:
        print(f"FAIL: {line}", file=sys.stderr)
    if errors:
        return 1
    print(f"{len(results)} result(s) in {argv[2]} match the schema", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
