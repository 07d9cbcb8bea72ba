"""The orchestrator: one file in, one `FormResult` per page out.

Composes the stages in one direction: load -> normalise -> locate -> read -> marks and
tamper -> corroborate -> check -> emit. A form whose candidates table continues over
several pages is corroborated and checked as a whole (header from its first page, totals
from its last); each page still
gets its own result, with the form-level checks on the page that carries the totals.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pipeline.atomic import write_png_atomic
from pipeline.codes import FindingCode, Severity
from pipeline.evidence import write_evidence_crops
from pipeline.layout import LocatedForm
from pipeline.model import (
    VOTE_COLUMNS,
    BBox,
    Check,
    CheckStatus,
    Evidence,
    FieldReading,
    Finding,
    FormIdentity,
    FormResult,
    Signature,
    Source,
    Stamp,
    figure_fields,
)
from pipeline.options import Options
from pipeline.pages import NormalisedPage, Page
from pipeline.stages.check import FormFigures, check_form
from pipeline.stages.copymove import copy_move_findings
from pipeline.stages.corroborate import corroborate
from pipeline.stages.load import load_pages, load_pages_from_bytes
from pipeline.stages.locate import locate_form
from pipeline.stages.marks import (
    assess_signatures,
    find_stamps,
    mark_findings,
    stamp_text_findings,
)
from pipeline.stages.normalise import normalise_page
from pipeline.stages.read import FormReadings, read_form
from pipeline.stages.splice import splice_findings
from pipeline.stages.stamp_text import constituency_codes, header_text
from pipeline.stages.tamper import tamper_findings
from pipeline.templates import Template, bundled_templates, resolve_template

T = TypeVar("T")
REVIEW_CONFIDENCE = 0.5  # fields read below this confidence need a person


@dataclass(frozen=True)
class PageAnalysis:
    """Everything the per-page stages found on one page, before form-level checks."""

    page: NormalisedPage
    located: LocatedForm
    template: Template | None
    readings: FormReadings
    stamps: tuple[Stamp, ...]
    signatures: tuple[Signature, ...]
    findings: tuple[Finding, ...]
    timings_ms: dict[str, float]


def _timed(timings: dict[str, float], stage: str, call: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = call()
    timings[stage] = round((time.perf_counter() - start) * 1000, 1)
    return value


def _template_for(located: LocatedForm, candidates: Sequence[Template]) -> Template | None:
    return next((t for t in candidates if t.name == located.template_name), None)


INHERITED_TYPE_CONFIDENCE = 0.6  # a page typed by the page before it, not by its own title


def locate_page(
    page: NormalisedPage,
    templates: Sequence[Template],
    forced: Template | None,
    follows: Template | None,
) -> tuple[LocatedForm, Template | None]:
    """Locate; a page whose title was not read, after a typed page of the same file,
    continues that form when that form's candidates table is on it."""
    located = locate_form(page, templates, forced=forced)
    if forced is not None:
        return located, forced
    if located.template_name is None and follows is not None:
        continued = locate_form(page, templates, forced=follows)
        if continued.candidates_table is not None:
            note = "title not read: typed as a continuation of the previous page"
            located = replace(
                continued,
                type_confidence=INHERITED_TYPE_CONFIDENCE,
                continuation=True,
                notes=(*continued.notes, note),
            )
            return located, follows
    return located, _template_for(located, templates)


def analyse_page(
    page: Page,
    templates: Sequence[Template],
    options: Options,
    follows: Template | None = None,
) -> PageAnalysis:
    """Run the per-page stages on one decoded page (`follows`: the previous page's form)."""
    timings: dict[str, float] = {}
    forced = resolve_template(options.template) if options.template else None
    normalised = _timed(timings, "normalise", lambda: normalise_page(page))
    if options.debug_dir is not None:
        write_debug_images(normalised, options.debug_dir)
    located, template = _timed(
        timings, "locate", lambda: locate_page(normalised, templates, forced, follows)
    )
    readings = _timed(timings, "read", lambda: read_form(normalised, located, template))

    def marks() -> tuple[tuple[Stamp, ...], tuple[Signature, ...], tuple[Finding, ...]]:
        stamps = find_stamps(normalised, located, template)
        signatures = assess_signatures(normalised, located, template)
        area = located.stamp_area
        expected = normalised.to_original(area) if area is not None else None
        found = mark_findings(stamps, signatures, located, template, expected)
        return stamps, signatures, found

    stamps, signatures, mark_found = _timed(timings, "marks", marks)
    tampering = _timed(
        timings,
        "tamper",
        lambda: (
            tamper_findings(normalised, located, evidence_dir=options.evidence_dir)
            + copy_move_findings(normalised, located, signatures)
            + splice_findings(page)
        ),
    )
    return PageAnalysis(
        page=replace(normalised, rules=None),  # a file's pages wait here; masks were for locate
        located=located,
        template=template,
        readings=readings,
        stamps=stamps,
        signatures=signatures,
        findings=readings.findings + mark_found + tampering,
        timings_ms=timings,
    )


def write_debug_images(page: NormalisedPage, debug_dir: Path) -> None:
    """The normalise stage's images, as PNG, for a person debugging a form."""
    stem = f"{Path(page.source.path).stem}-p{page.source.index}"
    write_png_atomic(debug_dir / f"{stem}-original.png", page.source.image)
    write_png_atomic(debug_dir / f"{stem}-normalised.png", page.image)
    write_png_atomic(debug_dir / f"{stem}-binary.png", page.binary)


def group_form_pages(analyses: Sequence[PageAnalysis]) -> list[list[int]]:
    """Indices of pages that make one form: a page continuing a table joins the previous."""
    groups: list[list[int]] = []
    for index, analysis in enumerate(analyses):
        if groups and analysis.located.continuation:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _unreadable_findings(readings: FormReadings) -> tuple[Finding, ...]:
    fields: list[tuple[str, FieldReading]] = [
        *((f"header.{k}", v) for k, v in readings.header.items()),
        *((f"totals.{k}", v) for k, v in readings.totals.items()),
    ]
    for row in readings.candidates:
        serial = row.serial.value or "?"
        for key in VOTE_COLUMNS:
            reading = getattr(row, key)
            if reading is not None:
                fields.append((f"candidates[{serial}].{key}", reading))
    return tuple(
        Finding(
            code=FindingCode.FIELD_UNREADABLE,
            severity=Severity.WARNING,
            message=f"{name} not read with confidence (read {reading.text!r}, "
            f"confidence {reading.confidence:.2f})",
            evidence=Evidence(
                bbox=reading.bbox,
                values={
                    "field": name,
                    "text": reading.text,
                    "confidence": round(reading.confidence, 3),
                    # what else it may be: the digit reader's runners-up, or OCR's figure
                    # where it read a typed one otherwise (`read._typed_otherwise`)
                    **(
                        {"alternatives": " ".join(str(a) for a, _ in reading.alternatives)}
                        if reading.alternatives
                        else {}
                    ),
                },
            ),
        )
        for name, reading in fields
        if isinstance(reading.value, int) or reading.value is None
        if reading.value is None or reading.confidence < REVIEW_CONFIDENCE
        if reading.bbox is not None
    )


def review_reasons(
    identity: FormIdentity,
    checks: Sequence[Check],
    findings: Sequence[Finding],
    notes: Sequence[str],
) -> tuple[str, ...]:
    """Why a person must look at this page (empty: nothing to look at)."""
    reasons: list[str] = []
    if identity.type == "unknown":
        reasons.append("form type not recognised")
    reasons += [f"check {c.name} failed" for c in checks if c.status is CheckStatus.FAIL]
    reasons += [
        f"check {c.name} unknown: {c.reason}"
        for c in checks
        if c.status is CheckStatus.UNKNOWN and c.name != "candidate_columns"
    ]
    reasons += sorted(
        {f"finding {f.code.value}" for f in findings if f.severity is not Severity.INFO}
    )
    reasons += list(notes)
    return tuple(dict.fromkeys(reasons))


def _result(
    analysis: PageAnalysis,
    checks: tuple[Check, ...],
    findings: tuple[Finding, ...],
    options: Options,
    form_pages: Mapping[int, Page] | None = None,
    pointed: Sequence[str] = (),
) -> FormResult:
    """`pointed`: review reasons from the form's findings (carried by its last page) that
    point at a figure on this page."""
    page = analysis.page
    source = page.source
    identity = FormIdentity(
        template=analysis.template.name if analysis.template else None,
        type=analysis.template.type if analysis.template else analysis.located.form_type,
        confidence=round(analysis.located.type_confidence, 3),
    )
    if options.evidence_dir is not None:
        findings = write_evidence_crops(source, findings, options.evidence_dir, form_pages)
    reasons = review_reasons(identity, checks, findings, [*analysis.located.notes, *pointed])
    return FormResult(
        source=Source(
            path=source.path,
            sha256=source.sha256,
            page=source.index,
            page_count=source.page_count,
            width=source.width,
            height=source.height,
            media_type=source.media_type,
        ),
        form=identity,
        transform=page.transform,
        header=analysis.readings.header,
        candidates=analysis.readings.candidates,
        totals=analysis.readings.totals,
        tables=analysis.readings.tables,
        stamps=analysis.stamps,
        signatures=analysis.signatures,
        checks=checks,
        findings=findings,
        needs_review=bool(reasons),
        review_reasons=reasons,
        timings_ms=analysis.timings_ms,
    )


def _with_stamp_constituency(result: FormResult, stamps: Sequence[Sequence[Stamp]]) -> FormResult:
    """A form whose header constituency is unread takes the one its stamps name, if they
    name exactly one (marked derived, with the stamp's box), so that reconciliation can
    still place it; STAMP_TEXT_MISMATCH was already judged against the header alone."""
    own = result.header.get("constituency")
    if own is not None and own.value is not None:
        return result
    named = [
        (code, stamp, page)
        for page, page_stamps in enumerate(stamps)
        for stamp in page_stamps
        for code in constituency_codes(f"{stamp.centre_text or ''} {stamp.ring_text or ''}")
    ]
    if len({code for code, _, _ in named}) != 1:
        return result
    code, stamp, page = named[0]
    derived = FieldReading(
        value=code,
        confidence=0.4,  # below the review line: the header itself was not legible
        text=(stamp.centre_text or stamp.ring_text or "").strip(),
        bbox=stamp.bbox if page == 0 else None,  # a box on this page only
        source="derived",
    )
    return result.model_copy(update={"header": {**result.header, "constituency": derived}})


def _field_pages(analyses: Sequence[PageAnalysis]) -> dict[BBox, int]:
    """The page (0-based, in the file) of every figure and header box of a form's pages."""
    where: dict[BBox, int] = {}
    for analysis in analyses:
        readings = analysis.readings
        for field in figure_fields(readings.header, readings.totals, readings.candidates):
            if field is not None and field.bbox is not None:
                where.setdefault(field.bbox, analysis.page.source.index)
    return where


def on_their_pages(
    findings: Sequence[Finding], where: Mapping[BBox, int], here: int
) -> tuple[Finding, ...]:
    """A form's check findings with the page of their boxes: a sum over a table that runs
    over two pages names figures on both (its crop and overlay must find them there)."""
    out = []
    for finding in findings:
        evidence = finding.evidence
        known = [where[box] for box in evidence.boxes if box in where]
        # a box drawn around others (a candidate's row) lies where they lie
        around = max(set(known), key=known.count) if known else here
        page = where.get(evidence.bbox, around) if evidence.bbox is not None else around
        box_pages = tuple(where.get(box, page) for box in evidence.boxes)
        if page != here or any(p != here for p in box_pages):
            spread = box_pages if any(p != page for p in box_pages) else ()
            moved = evidence.model_copy(update={"page": page, "box_pages": spread})
            finding = finding.model_copy(update={"evidence": moved})
        out.append(finding)
    return tuple(out)


def pointed_at(findings: Sequence[Finding], page: int) -> tuple[str, ...]:
    """Review reasons for an earlier page of a form from the form's check findings (its
    last page carries them) whose evidence lies on that page: a vote figure on a table's
    first page that its row's columns contradict is named by a finding on the last page,
    and the page holding the figure must say it needs review too (seed 9002: 27 such
    wrong figures sat on pages marked as needing none)."""
    return tuple(
        f"finding {f.code.value} of the form, on this page"
        for f in findings
        if f.evidence.page == page and f.severity is not Severity.INFO
    )


def assemble_results(analyses: Sequence[PageAnalysis], options: Options) -> tuple[FormResult, ...]:
    """Form-level checks over each group of pages, then one FormResult per page."""
    results: list[FormResult] = []
    analyses = list(analyses)
    for group in group_form_pages(analyses):
        template = analyses[group[0]].template
        without_table = [
            n
            for n, i in enumerate(group, start=1)
            if template is not None
            and template.candidates is not None
            and analyses[i].located.candidates_table is None
        ]
        if template is not None:  # figures the form's own sums vouch for are accepted
            corroborated = corroborate(
                [analyses[i].readings for i in group],
                template,
                every_table_found=not without_table,
            )
            for index, readings in zip(group, corroborated, strict=True):
                analyses[index] = replace(analyses[index], readings=readings)
        first, last = analyses[group[0]], analyses[group[-1]]
        figures = FormFigures(
            header=first.readings.header,
            candidates=[row for i in group for row in analyses[i].readings.candidates],
            totals=last.readings.totals,
            pages_without_candidates=without_table,
        )
        # the form's header (its first page) is what every page's stamp must name
        header = header_text(first.readings.header)
        start = time.perf_counter()
        form_checks: tuple[Check, ...] = ()
        form_findings: tuple[Finding, ...] = ()
        if template is not None:
            form_checks, form_findings = check_form(figures, template)
            if len(group) > 1:
                where = _field_pages([analyses[i] for i in group])
                form_findings = on_their_pages(form_findings, where, last.page.source.index)
        form_check_ms = (time.perf_counter() - start) * 1000
        for index in group:
            analysis = analyses[index]
            start = time.perf_counter()
            last_page = index == group[-1]
            checks = form_checks if last_page else ()
            check_findings = form_findings if last_page else ()
            pointed = () if last_page else pointed_at(form_findings, analysis.page.source.index)
            stamp_text = stamp_text_findings(analysis.stamps, header)
            findings = (
                analysis.findings
                + stamp_text
                + check_findings
                + _unreadable_findings(analysis.readings)
            )
            check_ms = (time.perf_counter() - start) * 1000
            check_ms = round(check_ms + (form_check_ms if last_page else 0.0), 1)
            form_pages = {analyses[i].page.source.index: analyses[i].page.source for i in group}
            result = _result(analysis, checks, findings, options, form_pages, pointed)
            if index == group[0]:
                result = _with_stamp_constituency(result, [analyses[i].stamps for i in group])
            timings = {**result.timings_ms, "check": check_ms}
            results.append(result.model_copy(update={"timings_ms": timings}))
    return tuple(results)


def process_pages(pages: Sequence[Page], options: Options) -> tuple[FormResult, ...]:
    templates = bundled_templates()
    analyses: list[PageAnalysis] = []
    for page in pages:
        follows = analyses[-1].template if analyses else None
        analyses.append(analyse_page(page, templates, options, follows))
    return assemble_results(analyses, options)


def process_file(path: Path, options: Options) -> tuple[FormResult, ...]:
    """Every page of one file through the pipeline. Bad input raises a TallyscopeError."""
    start = time.perf_counter()
    pages = load_pages(path, limits=options.limits)
    load_ms = round((time.perf_counter() - start) * 1000 / max(1, len(pages)), 1)
    return tuple(
        r.model_copy(update={"timings_ms": {"load": load_ms, **r.timings_ms}})
        for r in process_pages(pages, options)
    )


def process_bytes(data: bytes, name: str, options: Options) -> tuple[FormResult, ...]:
    """Like `process_file`, for bytes already in memory (archive members)."""
    pages = load_pages_from_bytes(data, name, limits=options.limits)
    return process_pages(pages, options)
