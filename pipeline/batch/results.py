"""Reading a batch's results back from `forms.jsonl` for the passes over all forms.

A page's full result is about 45 KB of JSON and ten times that as Python objects: held
all at once, 10,000 forms would need gigabytes. The file is read once, as a stream
(`LeanResults.reading`): the cross-form pass takes each full result as it passes and
keeps only its marks; reconciliation, the findings table and the report use a lean copy
of each (`lean`: the figures, names and confidences reconciliation compares, the header,
the findings), kept compressed and rebuilt one at a time, and where the full result is
in the file, to read it again for a form's overlay.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import overload

from pydantic import ValidationError

from pipeline.errors import InputCorrupt
from pipeline.model import CandidateRow, FieldReading, FormResult, Transform

_NOT_KEPT = FieldReading()
_NO_TRANSFORM = Transform()


@contextmanager
def cycle_collector_off() -> Iterator[None]:
    """The passes over the results alone make and drop millions of objects that hold no
    reference cycles; Python's cycle collector would walk every live one again and again
    (30,000 results: reconciliation 30 s with it, 11 s without). Off during them, then as
    before (keep it on while pages are loaded again: their readers may leave cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    if not path.exists():
        return
    with path.open("rb") as handle:
        offset = 0
        for line in handle:
            if line.strip():
                yield offset, line
            offset += len(line)


def _lean_field(reading: FieldReading | None) -> FieldReading | None:
    """A reading without its box, raw text and alternatives (the full result keeps them)."""
    if reading is None:
        return None
    return FieldReading.model_construct(
        value=reading.value,
        confidence=reading.confidence,
        source=reading.source,
        confirmed_by=reading.confirmed_by,
    )


def _lean_header_field(reading: FieldReading) -> FieldReading | None:
    """A header reading lean, but a withheld one keeps its raw text: reconcile places a
    form whose constituency code was withheld by the number that text reads."""
    kept = _lean_field(reading)
    if kept is not None and reading.value is None and reading.text:
        kept = kept.model_copy(update={"text": reading.text})
    return kept


def _lean_row(row: CandidateRow) -> CandidateRow:
    return CandidateRow.model_construct(
        serial=_lean_field(row.serial),
        name=_lean_field(row.name),
        party=_NOT_KEPT,
        votes=_lean_field(row.votes),
        total_valid_votes=_lean_field(row.total_valid_votes),
    )


def lean(result: FormResult) -> FormResult:
    """What the passes over all forms use of a result: source, form type, header, each
    candidate's serial, name and votes, totals, findings and review state. No tables,
    checks, marks, transform, parties, boxes of fields or raw texts (but a withheld
    header value's)."""
    return result.model_copy(
        update={
            "transform": _NO_TRANSFORM,
            "tables": (),
            "checks": (),
            "stamps": (),
            "signatures": (),
            "timings_ms": {},
            "header": {k: _lean_header_field(v) for k, v in result.header.items()},
            "totals": {k: _lean_field(v) for k, v in result.totals.items()},
            "candidates": tuple(_lean_row(row) for row in result.candidates),
        }
    )


class LeanResults(Sequence[FormResult]):
    """Every result of the file, lean: each kept as its compressed JSON (about 1.1 KB a
    page, where the result as objects is about 45 KB lean, 400 KB full) and rebuilt when
    asked for, so that a pass over all forms holds one result at a time. Empty until
    `reading` has passed over the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._packed: list[bytes] = []
        self._offsets: list[int] = []

    def reading(self) -> Iterator[FormResult]:
        """Each full result of the file, in order, keeping its lean copy as it passes (one
        read of the file serves the cross-form pass and the lean copies)."""
        self._packed.clear()
        self._offsets.clear()
        for number, (offset, line) in enumerate(_lines(self.path), start=1):
            yield self._keep(number, offset, line)

    def _keep(self, number: int, offset: int, line: bytes) -> FormResult:
        """One line of the file parsed, its lean copy packed and its offset kept."""
        try:
            result = FormResult.model_validate_json(line)
        except ValidationError as exc:
            raise InputCorrupt(f"{self.path}: result {number} is not a result") from exc
        packed = lean(result).model_dump_json(exclude_defaults=True).encode("utf-8")
        self._packed.append(zlib.compress(packed, 1))
        self._offsets.append(offset)
        return result

    def __len__(self) -> int:
        return len(self._packed)

    @overload
    def __getitem__(self, index: int) -> FormResult: ...

    @overload
    def __getitem__(self, index: slice) -> list[FormResult]: ...

    def __getitem__(self, index: int | slice) -> FormResult | list[FormResult]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return FormResult.model_validate_json(zlib.decompress(self._packed[index]))

    def full(self, index: int) -> FormResult:
        """The complete result of one page, read again from the file."""
        with self.path.open("rb") as handle:
            handle.seek(self._offsets[index])
            return FormResult.model_validate_json(handle.readline())

    @classmethod
    def read(cls, path: Path) -> LeanResults:
        """All of a file's results, lean (for reconciliation alone)."""
        results = cls(path)
        for number, (offset, line) in enumerate(_lines(path), start=1):
            results._keep(number, offset, line)
        return results
