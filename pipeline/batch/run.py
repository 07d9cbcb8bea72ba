"""One batch run: inputs -> per-form pass (resumable) -> cross-form pass -> outputs.

OUTDIR/forms.jsonl      one FormResult per page (also the resume ledger)
OUTDIR/errors.jsonl     one line per input that could not be processed or was refused
OUTDIR/crossform.json   duplicate stamps, signatures and scans across the forms
OUTDIR/reconcile.json   Form 45s against Form 47, diverging copies (+ reconcile.csv)
OUTDIR/findings.csv     every finding, one row each, for spreadsheets
OUTDIR/summary.json     counts; OUTDIR/report.html the page to review the run
OUTDIR/evidence/        crops of the evidence; OUTDIR/overlays/ forms that need review
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.atomic import write_chunks_atomic, write_png_atomic, write_text_atomic
from pipeline.batch.executors import Worker, run_dask, run_local
from pipeline.batch.inputs import InputItem, Refusal, expand_inputs
from pipeline.batch.ledger import Ledger, append_jsonl
from pipeline.batch.results import LeanResults, cycle_collector_off
from pipeline.batch.work import WorkOutcome, content_hash, process_item
from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.crossform import crossform_findings
from pipeline.model import Evidence, Finding, FormResult
from pipeline.options import Options
from pipeline.pages import Page
from pipeline.reconcile import Reconciliation, reconcile, reconciliation_csv


@dataclass
class BatchSummary:
    inputs: int = 0
    processed: int = 0
    skipped_done: int = 0
    duplicate_inputs: int = 0
    failed: int = 0
    refused: int = 0
    pages: int = 0
    forms_needing_review: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    # the passes after the per-form pass: "crossform", "pair_crops", "reconcile", "outputs" (s)
    pass_seconds: dict[str, float] = field(default_factory=dict)

    def lap(self, name: str, since: float) -> float:
        """Record a pass's seconds since `since`; returns now."""
        now = time.perf_counter()
        self.pass_seconds[name] = round(now - since, 2)
        return now

    def as_dict(self) -> dict[str, object]:
        return {k: (dict(v) if isinstance(v, Counter) else v) for k, v in self.__dict__.items()}


def _write_overlay(result: FormResult, out_dir: Path) -> str | None:
    """`result`: the full one (its fields' boxes), not the lean copy."""
    from pipeline.overlay import draw_overlay

    page = _page_of(result)
    if page is None:
        return None
    target = out_dir / "overlays" / f"{result.source.sha256[:12]}-p{result.source.page}.png"
    write_png_atomic(target, draw_overlay(page.image, result))
    return str(target.relative_to(out_dir))


def _page_of(result: FormResult) -> Page | None:
    """The original page of a result, read again from its file (not archive members)."""
    from pipeline.stages.load import load_pages

    path = result.source.path
    if "!" in path and not Path(path).exists():
        return None  # an archive member: its bytes are not kept
    try:
        pages = load_pages(Path(path), limits=Options().limits)
    except Exception:
        return None
    return next((p for p in pages if p.index == result.source.page), None)


def _with_pair_crops(
    results: Sequence[FormResult], cross: dict[int, tuple[Finding, ...]], evidence_dir: Path
) -> dict[int, tuple[Finding, ...]]:
    """A PNG of both marks of each cross-form copy (this form's, then the other's)."""
    from pipeline.evidence import stack_crops

    where = {f"{r.source.path}#{r.source.page}": i for i, r in enumerate(results)}
    cache: dict[int, Page | None] = {}

    def page(i: int) -> Page | None:
        if i not in cache:
            if len(cache) > 16:  # a few pages at a time: memory stays flat
                cache.clear()
            cache[i] = _page_of(results[i])
        return cache[i]

    out: dict[int, tuple[Finding, ...]] = {}
    for i, found in sorted(cross.items()):
        updated = []
        for n, finding in enumerate(found):
            evidence = finding.evidence
            j = where.get(evidence.related[0]) if evidence.related else None
            if (
                finding.code in (FindingCode.STAMP_DUPLICATE, FindingCode.SIGNATURE_DUPLICATE)
                and len(evidence.boxes) == 2
                and evidence.crop is None
                and j is not None
            ):
                mine, other = page(i), page(j)
                if mine is not None and other is not None:
                    source = results[i].source
                    name = (
                        f"{source.sha256[:12]}-p{source.page}-x{n:02d}-{finding.code.lower()}.png"
                    )
                    write_png_atomic(
                        evidence_dir / name,
                        stack_crops([(mine, evidence.boxes[0]), (other, evidence.boxes[1])]),
                    )
                    crop = str(evidence_dir / name)
                    finding = finding.model_copy(
                        update={"evidence": evidence.model_copy(update={"crop": crop})}
                    )
            updated.append(finding)
        out[i] = tuple(updated)
    return out


def _findings_rows(
    results: Sequence[FormResult], cross: dict[int, tuple[Finding, ...]], recon: Reconciliation
) -> Iterator[dict[str, str]]:
    """The findings table: each result's own findings and its cross-form ones, then
    reconciliation's, one row at a time."""
    for i, result in enumerate(results):
        constituency = result.header.get("constituency")
        station = result.header.get("polling_station_number")
        for finding in (*result.findings, *cross.get(i, ())):
            yield (
                {
                    "form": result.source.path,
                    "page": str(result.source.page),
                    "form_type": result.form.type,
                    "constituency": str(constituency.value or "") if constituency else "",
                    "polling_station_number": str(station.value or "") if station else "",
                    "code": finding.code.value,
                    "severity": finding.severity.value,
                    "message": finding.message,
                    "bbox": ""
                    if finding.evidence.bbox is None
                    else ",".join(str(v) for v in finding.evidence.bbox.model_dump().values()),
                    "crop": finding.evidence.crop or "",
                    "values": "; ".join(f"{k}={v}" for k, v in finding.evidence.values.items()),
                }
            )
    for item in recon.findings:
        yield (
            {
                "form": " ".join(item.forms),
                "page": "",
                "form_type": "",
                "constituency": item.constituency,
                "polling_station_number": str(item.polling_station_number or ""),
                "code": item.finding.code.value,
                "severity": item.finding.severity.value,
                "message": item.finding.message,
                "bbox": "",
                "crop": "",
                "values": "; ".join(f"{k}={v}" for k, v in item.finding.evidence.values.items()),
            }
        )


FINDINGS_FIELDS = (
    "form",
    "page",
    "form_type",
    "constituency",
    "polling_station_number",
    "code",
    "severity",
    "message",
    "bbox",
    "crop",
    "values",
)


def _csv_chunks(
    rows: Iterable[dict[str, str]], codes: Counter[str], constituencies: set[str]
) -> Iterator[bytes]:
    """findings.csv, a few hundred rows at a time, counting codes and constituencies."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FINDINGS_FIELDS)
    writer.writeheader()
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        codes[row["code"]] += 1
        if row["constituency"]:
            constituencies.add(row["constituency"])
        if n % 500 == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def _csv_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def run_batch(
    specs: list[str],
    out_dir: Path,
    options: Options,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    worker: Worker = process_item,
    on_outcome: Callable[[WorkOutcome | Refusal], None] | None = None,
    write_overlays: bool = True,
) -> BatchSummary:
    """Process every input once (resuming a previous run), then the cross-form pass."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    options = options.model_copy(update={"evidence_dir": out_dir / "evidence"})
    ledger = Ledger(out_dir / "forms.jsonl")
    ledger.path.touch()  # present even when nothing succeeds
    errors_path = out_dir / "errors.jsonl"
    write_text_atomic(errors_path, "")  # failures of earlier runs are retried
    summary = BatchSummary()
    duplicates: list[tuple[str, str]] = []  # (skipped name, processed name) of equal content
    claimed: dict[str, str] = dict(ledger.done)

    def todo() -> Iterator[InputItem]:
        for entry in expand_inputs(specs):
            if isinstance(entry, Refusal):
                summary.refused += 1
                append_jsonl(
                    errors_path, {"path": entry.name, "code": entry.code, "reason": entry.reason}
                )
                if on_outcome:
                    on_outcome(entry)
                continue
            summary.inputs += 1
            try:
                sha = content_hash(entry)
            except OSError as exc:
                summary.failed += 1
                append_jsonl(
                    errors_path, {"path": entry.name, "code": "INPUT_MISSING", "reason": str(exc)}
                )
                continue
            if sha in claimed:
                if claimed[sha] == entry.name:
                    summary.skipped_done += 1
                else:
                    summary.duplicate_inputs += 1
                    duplicates.append((entry.name, claimed[sha]))
                continue
            claimed[sha] = entry.name
            yield entry

    outcomes = (
        run_dask(todo(), worker, options, scheduler=scheduler)
        if scheduler
        else run_local(todo(), worker, options, workers=workers)
    )
    for outcome in outcomes:
        if outcome.error_code is None:
            ledger.append(outcome.sha256, outcome.name, list(outcome.lines))
            summary.processed += 1
        else:
            summary.failed += 1
            append_jsonl(
                errors_path,
                {"path": outcome.name, "code": outcome.error_code, "reason": outcome.reason},
            )
        if on_outcome:
            on_outcome(outcome)
    _passes_over_all_forms(
        ledger.path, out_dir, options, summary, duplicates, started, write_overlays
    )
    return summary


def _passes_over_all_forms(
    forms: Path,
    out_dir: Path,
    options: Options,
    summary: BatchSummary,
    duplicates: list[tuple[str, str]],
    started: float,
    write_overlays: bool,
) -> None:
    """Cross-form findings, reconciliation and the outputs, from `forms` (forms.jsonl)."""
    passes = time.perf_counter()
    results = LeanResults(forms)
    with cycle_collector_off():
        cross = crossform_findings(results.reading())  # one full result at a time, kept lean
    passes = summary.lap("crossform", passes)
    if duplicates:
        by_name = {r.source.path: i for i, r in enumerate(results)}
        for skipped, kept in duplicates:
            if kept in by_name:
                i = by_name[kept]
                cross[i] = (
                    *cross.get(i, ()),
                    Finding(
                        code=FindingCode.DUPLICATE_FORM,
                        severity=FINDING_DOCS[FindingCode.DUPLICATE_FORM][0],
                        message=f"the same file was also submitted as {skipped} (processed once)",
                        evidence=Evidence(
                            values={"sha256": results[i].source.sha256}, related=(skipped,)
                        ),
                    ),
                )
    if options.evidence_dir is not None:
        cross = _with_pair_crops(results, cross, options.evidence_dir)
    passes = summary.lap("pair_crops", passes)  # both pages of each copy loaded again
    with cycle_collector_off():
        recon = reconcile(results)
    passes = summary.lap("reconcile", passes)
    with cycle_collector_off():
        review = [i for i, r in enumerate(results) if r.needs_review or cross.get(i)]
    overlays: dict[tuple[str, str], str] = {}
    for i in review if write_overlays else ():
        full = results.full(i)
        path = _write_overlay(full, out_dir)
        if path:
            overlays[(full.source.path, str(full.source.page))] = path
    summary.pages = len(results)
    summary.forms_needing_review = len(review)
    with cycle_collector_off():
        _write_outputs(results, cross, recon, summary, overlays, out_dir, started, passes)


def _write_outputs(
    results: LeanResults,
    cross: dict[int, tuple[Finding, ...]],
    recon: Reconciliation,
    summary: BatchSummary,
    overlays: dict[tuple[str, str], str],
    out_dir: Path,
    started: float,
    passes: float,
) -> None:
    constituencies: set[str] = set()
    findings_csv = out_dir / "findings.csv"
    write_chunks_atomic(
        findings_csv,
        _csv_chunks(_findings_rows(results, cross, recon), summary.findings, constituencies),
    )
    summary.lap("outputs", passes)  # overlays, findings.csv (report.html and the rest after)
    summary.seconds = round(time.perf_counter() - started, 2)
    write_chunks_atomic(
        out_dir / "crossform.json",
        _json_chunks(
            {
                "form": results[i].source.path,
                "page": results[i].source.page,
                "findings": [f.model_dump(mode="json") for f in found],
            }
            for i, found in sorted(cross.items())
        ),
    )
    write_text_atomic(out_dir / "reconcile.json", recon.model_dump_json(indent=1))
    write_text_atomic(out_dir / "reconcile.csv", reconciliation_csv(recon))
    write_text_atomic(out_dir / "summary.json", json.dumps(summary.as_dict(), indent=2))
    from pipeline.report.html import render_report

    page = render_report(
        _csv_rows(findings_csv),
        summary.findings,
        constituencies,
        recon,
        summary.as_dict(),
        overlays,
        out_dir,
    )
    write_chunks_atomic(out_dir / "report.html", (part.encode("utf-8") for part in page))


def _json_chunks(items: Iterable[dict[str, object]]) -> Iterator[bytes]:
    """A JSON list, an item at a time (as `json.dumps(list, indent=1)` writes it)."""
    first = True
    for item in items:
        body = json.dumps(item, indent=1).replace("\n", "\n ")
        yield (b"[\n " if first else b",\n ") + body.encode("utf-8")
        first = False
    yield b"[]" if first else b"\n]"
