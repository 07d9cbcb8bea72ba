"""The emit stage: results as JSON, the JSON Schema, and overlay images."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.atomic import write_png_atomic
from pipeline.model import SCHEMA_VERSION, FormResult
from pipeline.options import Options
from pipeline.overlay import draw_overlay
from pipeline.stages.load import load_pages


def result_json(result: FormResult) -> str:
    return result.model_dump_json()


def results_json(results: Sequence[FormResult]) -> str:
    """One page: the result object. Several pages: a JSON array of results, in page order."""
    if len(results) == 1:
        return results[0].model_dump_json(indent=2)
    return "[\n" + ",\n".join(r.model_dump_json(indent=2) for r in results) + "\n]"


def result_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one FormResult."""
    schema = FormResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://tallyscope.invalid/schema/form-result-{SCHEMA_VERSION}.json"
    schema["title"] = "tallyscope FormResult"
    return schema


def overlay_paths(target: Path, pages: int) -> list[Path]:
    """`out.png` for one page; `out-p1.png`, `out-p2.png`, ... for several."""
    if pages == 1:
        return [target]
    return [target.with_name(f"{target.stem}-p{i + 1}{target.suffix}") for i in range(pages)]


def write_overlays(
    file: Path, results: Sequence[FormResult], target: Path, options: Options
) -> list[Path]:
    """Draw each page's result on its original scan and write PNGs; return their paths."""
    pages = {page.index: page for page in load_pages(file, limits=options.limits)}
    paths = overlay_paths(target, len(results))
    for path, result in zip(paths, results, strict=True):
        write_png_atomic(path, draw_overlay(pages[result.source.page].image, result))
    return paths


def dumps_line(result: FormResult) -> str:
    """One JSONL line (no newline inside)."""
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
