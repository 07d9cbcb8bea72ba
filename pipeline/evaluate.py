"""Score results against the synthetic generator's ground truth (`tallyscope eval`).

Results (a FormResult JSON file, a folder of them, or a `forms.jsonl`) are paired with
truth pages (`*.truth.json` files: `FileTruth`) by file name and page index. Reported:
exact-match rate per field (every vote figure, header field and total), forms fully
correct, form type accuracy, per-anomaly-code precision and recall, false findings on
clean forms, and silent errors (a wrong value that nothing flagged).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.errors import BadArguments, InputCorrupt, InputMissing
from pipeline.model import (
    VOTE_COLUMNS,
    CandidateRow,
    CheckStatus,
    Evidence,
    FieldReading,
    Finding,
    FormIdentity,
    FormResult,
    Source,
)
from pipeline.truth import FileTruth, PageTruth, TruthValue

# Codes that ask for a person's attention without claiming an irregularity: they are
# review flags, not false findings, when the truth has no anomaly.
REVIEW_CODES = frozenset(
    {FindingCode.FIELD_UNREADABLE, FindingCode.REQUIRED_FIELD_MISSING, FindingCode.TURNOUT_HIGH}
)
FLAG_CONFIDENCE = 0.5  # a field below this confidence counts as flagged for review
# Codes about a whole form or several forms: scored once per file, whichever page has them.
FORM_LEVEL_CODES = frozenset(
    {
        FindingCode.COPY_DIVERGENCE,
        FindingCode.FIGURES_SWAPPED,
        FindingCode.FORM47_MISMATCH,
        FindingCode.STATION_COUNT_MISMATCH,
        FindingCode.REJECTED_EXCEEDS_MARGIN,
        FindingCode.DUPLICATE_FORM,
    }
)
# Codes about a pair of forms that the generator writes on one of them ("swapped on this
# copy"): which copy was changed cannot be told from the two, so both carry it.
PAIR_CODES = frozenset({FindingCode.FIGURES_SWAPPED})


class CodeScore(BaseModel):
    model_config = ConfigDict(frozen=True)
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    precision: float | None = None
    recall: float | None = None


def pooled(scores: Sequence[CodeScore]) -> CodeScore:
    """One code's counts added up over several runs (seeds)."""
    return CodeScore(
        true_positives=sum(s.true_positives for s in scores),
        false_positives=sum(s.false_positives for s in scores),
        false_negatives=sum(s.false_negatives for s in scores),
    )


class FieldScore(BaseModel):
    model_config = ConfigDict(frozen=True)
    total: int
    exact: int
    rate: float | None


class Metrics(BaseModel):
    """The scores `tallyscope eval` prints and writes."""

    model_config = ConfigDict(frozen=True)
    pages_in_truth: int
    pages_scored: int
    pages_missing: list[str] = Field(default_factory=list)
    form_type_accuracy: float | None
    forms_fully_correct: float | None
    vote_fields: FieldScore
    vote_fields_printed: FieldScore
    vote_fields_handwritten: FieldScore
    header_fields: FieldScore
    totals_fields: FieldScore
    per_field: dict[str, FieldScore]
    wrong_fields: int
    wrong_fields_flagged: int
    silent_errors: int
    silent_error_rate: float | None
    # wrong and flagged by section: "header", "totals", "votes" (candidates' figures)
    wrong_by_section: dict[str, int] = Field(default_factory=dict)
    flagged_by_section: dict[str, int] = Field(default_factory=dict)
    confirmed_fields: int = 0  # figures with which one of the form's equations holds
    confirmed_wrong: int = 0  # ... that differ from the truth
    anomalies: dict[str, CodeScore]
    clean_pages: int
    clean_pages_with_false_findings: int
    false_finding_rate: float | None
    # the truth's signature boxes (by role) that a result box of that role overlaps
    # (IoU above SIGNATURE_BOX_IOU): the boxes the signature checks could judge at all
    signature_boxes: dict[str, FieldScore] = Field(default_factory=dict)


# ---------------------------------------------------------------------------- loading


def _read_json_lines(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputCorrupt(f"{path}:{number}: not JSON ({exc.msg})") from exc


def load_results(path: Path) -> list[FormResult]:
    """FormResults from a JSON file (one result or a list), a JSONL file, or a folder."""
    if not path.exists():
        raise InputMissing(f"results not found: {path}")
    files = (
        sorted(path.rglob("*.json")) + sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
    )
    results: list[FormResult] = []
    for file in files:
        if file.name.endswith(".truth.json") or file.name in {"summary.json", "manifest.json"}:
            continue
        try:
            if file.suffix == ".jsonl":
                rows: Iterable[object] = _read_json_lines(file)
            else:
                loaded = json.loads(file.read_text(encoding="utf-8"))
                rows = loaded if isinstance(loaded, list) else [loaded]
            loaded_results = [FormResult.model_validate(row) for row in rows]
            if file.name == "forms.jsonl":  # a batch's output: add its cross-form findings
                loaded_results = with_batch_findings(loaded_results, file.parent)
            results.extend(loaded_results)
        except (json.JSONDecodeError, ValidationError) as exc:
            if path.is_dir():
                continue  # a folder may hold other JSON (metrics, reconcile output)
            raise InputCorrupt(f"{file}: not a tallyscope result ({exc})") from exc
    return results


def stored_batch_findings(folder: Path) -> dict[tuple[str, int], list[Finding]]:
    """Cross-form and reconciliation findings a batch wrote beside its forms.jsonl."""
    extra: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    crossform = folder / "crossform.json"
    if crossform.exists():
        for entry in json.loads(crossform.read_text(encoding="utf-8")):
            for finding in entry["findings"]:
                extra[(str(entry["form"]), int(entry["page"]))].append(
                    Finding.model_validate(finding)
                )
    reconciliation = folder / "reconcile.json"
    if reconciliation.exists():
        for item in json.loads(reconciliation.read_text(encoding="utf-8"))["findings"]:
            for form in item["forms"]:
                path, _, page = str(form).rpartition("#")
                extra[(path, int(page or 0))].append(Finding.model_validate(item["finding"]))
    return extra


def with_batch_findings(results: list[FormResult], folder: Path) -> list[FormResult]:
    """Results with the batch's cross-form findings added to the pages they concern."""
    extra = stored_batch_findings(folder)
    if not extra:
        return results
    return [
        r.model_copy(
            update={"findings": (*r.findings, *extra.get((r.source.path, r.source.page), ()))}
        )
        for r in results
    ]


def load_truth(path: Path) -> list[PageTruth]:
    """Truth pages from one `*.truth.json` file or every one below a folder."""
    if not path.exists():
        raise InputMissing(f"truth not found: {path}")
    files = sorted(path.rglob("*.truth.json")) if path.is_dir() else [path]
    if not files:
        raise BadArguments(f"no *.truth.json files under {path}")
    pages: list[PageTruth] = []
    for file in files:
        try:
            pages.extend(FileTruth.model_validate_json(file.read_bytes()).pages)
        except ValidationError as exc:
            raise InputCorrupt(f"{file}: not a truth file ({exc.errors()[0]['msg']})") from exc
    return pages


# ---------------------------------------------------------------------------- comparing


def normalise_value(value: int | str | None) -> int | str | None:
    """Compare strings ignoring case, Unicode form and runs of spaces."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).casefold()
        return " ".join(text.replace("\u200c", " ").split())
    return value


def _same(truth: TruthValue | None, reading: FieldReading | None) -> bool:
    if truth is None:
        return True
    if reading is None:
        return truth.value is None
    return normalise_value(truth.value) == normalise_value(reading.value)


def _flagged(reading: FieldReading | None, result: FormResult) -> bool:
    if reading is None or reading.value is None or reading.confidence < FLAG_CONFIDENCE:
        return True
    return result.needs_review or any(c.status is not CheckStatus.PASS for c in result.checks)


def _match_rows(truth: PageTruth, result: FormResult) -> list[tuple[int, CandidateRow | None]]:
    """Pair each truth candidate with a result row: by serial number, else by position."""
    by_serial = {row.serial.value: row for row in result.candidates if row.serial.value is not None}
    pairs: list[tuple[int, CandidateRow | None]] = []
    for index, candidate in enumerate(truth.candidates):
        row = by_serial.get(candidate.serial.value) if candidate.serial.value is not None else None
        if row is None and index < len(result.candidates):
            positional = result.candidates[index]
            row = positional if positional.serial.value is None else None
        pairs.append((index, row))
    return pairs


@dataclass
class _Tally:
    total: Counter[str]
    exact: Counter[str]
    wrong: int = 0
    wrong_flagged: int = 0
    wrong_in: Counter[str] = field(default_factory=Counter)  # by section: header, totals, votes
    flagged_in: Counter[str] = field(default_factory=Counter)
    by_hand: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (writing, exact)
    confirmed: int = 0  # figures in an equation of the form that holds (confirmed_by)
    confirmed_wrong: int = 0

    def add(self, key: str, ok: bool, flagged: bool, reading: FieldReading | None) -> None:
        self.total[key] += 1
        if reading is not None and reading.confirmed_by and reading.value is not None:
            self.confirmed += 1
            self.confirmed_wrong += int(not ok)
        if ok:
            self.exact[key] += 1
        else:
            self.wrong += 1
            self.wrong_flagged += int(flagged)
            section = key.split(".")[0].replace("candidates", "votes")
            self.wrong_in[section] += 1
            self.flagged_in[section] += int(flagged)


SIGNATURE_BOX_IOU = 0.3


def _signature_boxes(
    truth: PageTruth, result: FormResult, counts: Counter[tuple[str, bool]]
) -> None:
    """Count the truth's signature boxes by (role, whether a result box of that role
    overlaps it)."""
    for box in truth.signatures:
        found = any(
            mine.role is box.role and mine.bbox.iou(box.bbox) > SIGNATURE_BOX_IOU
            for mine in result.signatures
        )
        counts[box.role.value, found] += 1


def _page_key(file: str, page: int) -> str:
    return f"{Path(file).name}#{page}"


def _score_fields(truth: PageTruth, result: FormResult, tally: _Tally) -> bool:
    """Tally one page's fields; return whether every field was exact."""
    all_ok = True
    for key, value in truth.header.items():
        reading = result.header.get(key)
        ok = _same(value, reading)
        tally.add(f"header.{key}", ok, _flagged(reading, result), reading)
        all_ok &= ok
    for key, value in truth.totals.items():
        reading = result.totals.get(key)
        ok = _same(value, reading)
        tally.add(f"totals.{key}", ok, _flagged(reading, result), reading)
        all_ok &= ok
    for index, row in _match_rows(truth, result):
        candidate = truth.candidates[index]
        for key in VOTE_COLUMNS:
            truth_value = getattr(candidate, key)
            if truth_value is None:
                continue
            reading = getattr(row, key) if row is not None else None
            ok = _same(truth_value, reading)
            tally.add(f"candidates.{key}", ok, _flagged(reading, result), reading)
            tally.by_hand["handwritten" if truth_value.handwritten else "printed", ok] += 1
            all_ok &= ok
    return all_ok


def _tally_codes(
    counts: dict[str, Counter[str]], truth_codes: set[FindingCode], found: set[FindingCode]
) -> None:
    for code in truth_codes | found:
        if code in REVIEW_CODES and code not in truth_codes:
            continue
        outcome = (
            "tp"
            if code in truth_codes and code in found
            else ("fn" if code in truth_codes else "fp")
        )
        counts[code][outcome] += 1


def _figure(value: TruthValue | None) -> int | None:
    return value.value if value is not None and isinstance(value.value, int) else None


def _rejected_exceed_margin(pages: Sequence[PageTruth]) -> bool:
    """On a Form 47's true figures: rejected votes over the winner's margin."""
    ranked = sorted(
        (
            v
            for page in pages
            for c in page.candidates
            if (v := _figure(c.total_valid_votes or c.votes)) is not None
        ),
        reverse=True,
    )
    rejected = next(
        (v for page in pages if (v := _figure(page.totals.get("rejected_votes"))) is not None),
        None,
    )
    return len(ranked) >= 2 and rejected is not None and rejected > ranked[0] - ranked[1]


def file_truth_codes(truth_pages: Sequence[PageTruth]) -> dict[str, set[FindingCode]]:
    """Form-level truth per file: its pages' form-level anomalies, a pair code written
    on the other form of its pair, and REJECTED_EXCEEDS_MARGIN wherever a Form 47's
    true figures have it (a fact of the figures the generator does not label)."""
    codes: dict[str, set[FindingCode]] = defaultdict(set)
    file_of_form = {t.form_id: t.file for t in truth_pages}
    form47s: dict[str, list[PageTruth]] = defaultdict(list)
    for truth in truth_pages:
        codes[truth.file] |= {a.code for a in truth.anomalies} & FORM_LEVEL_CODES
        for anomaly in truth.anomalies:
            if anomaly.code in PAIR_CODES:
                for other in anomaly.related:
                    if other in file_of_form:
                        codes[file_of_form[other]].add(anomaly.code)
        if truth.type == "form47":
            form47s[truth.file].append(truth)
    for file, pages in form47s.items():
        if _rejected_exceed_margin(pages):
            codes[file].add(FindingCode.REJECTED_EXCEEDS_MARGIN)
    return codes


def derived_page_codes(truth_pages: Sequence[PageTruth]) -> dict[tuple[str, int], set[FindingCode]]:
    """Page-level facts of the true figures the generator does not label: a form whose
    true votes polled exceed its true registered voters (a Form 47 whose totals were
    inflated) has TURNOUT_OVER_100, on the page that carries the polled figure."""
    registered: dict[str, int] = {}
    for truth in truth_pages:
        if (value := _figure(truth.header.get("registered_voters"))) is not None:
            registered[truth.file] = value
    out: dict[tuple[str, int], set[FindingCode]] = defaultdict(set)
    for truth in truth_pages:
        polled = _figure(truth.totals.get("total_votes_polled"))
        if polled is not None and truth.file in registered and polled > registered[truth.file]:
            out[(truth.file, truth.page)].add(FindingCode.TURNOUT_OVER_100)
    return out


def unfounded_stamp_duplicates(truth_pages: Sequence[PageTruth]) -> set[tuple[str, int]]:
    """Pages labelled STAMP_DUPLICATE none of whose stamps is an impression also on another
    form. The generator, until 2 Dec 2026, labelled an agent copy of a form with a pasted
    stamp so, though the copy is stamped afresh (its own impression_id)."""
    forms_of: dict[str, set[str]] = defaultdict(set)
    for truth in truth_pages:
        for stamp in truth.stamps:
            forms_of[stamp.impression_id].add(truth.form_id)
    return {
        (truth.file, truth.page)
        for truth in truth_pages
        if any(a.code is FindingCode.STAMP_DUPLICATE for a in truth.anomalies)
        and not any(forms_of[s.impression_id] - {truth.form_id} for s in truth.stamps)
    }


def processed_once(results: Sequence[FormResult]) -> dict[str, FormResult]:
    """The pages of files submitted again byte for byte, which `batch` processes once:
    each is the kept file's page of the same index (whose DUPLICATE_FORM finding names
    the file), and what was found on it was found on them; keyed as `evaluate` keys
    pages. Scored as missing, every such page's anomalies were misses by construction
    (seed 9008: 19 pages, a SIGNATURE_MISSING and two SIGNATURE_DUPLICATEs among them)."""
    again: dict[str, set[str]] = defaultdict(set)  # a kept file: its other names
    for r in results:  # the finding is on one page of the kept file (`batch`: its last)
        for f in r.findings:
            if f.code is FindingCode.DUPLICATE_FORM:
                again[r.source.path].update(f.evidence.related)
    return {
        _page_key(other, r.source.page): r
        for r in results
        for other in again.get(r.source.path, ())
    }


def evaluate(results: Sequence[FormResult], truth_pages: Sequence[PageTruth]) -> Metrics:
    """Score results against truth pages (pure). A page of a file the batch processed
    once, as a byte-for-byte copy of another, is scored with that file's page
    (`processed_once`)."""
    by_key = {
        **processed_once(results),
        **{_page_key(r.source.path, r.source.page): r for r in results},
    }
    tally = _Tally(Counter(), Counter())
    code_counts: dict[str, Counter[str]] = defaultdict(Counter)
    signature_counts: Counter[tuple[str, bool]] = Counter()
    missing: list[str] = []
    scored = type_ok = fully_ok = clean = clean_false = 0
    file_truth = file_truth_codes(truth_pages)
    derived = derived_page_codes(truth_pages)
    unfounded = unfounded_stamp_duplicates(truth_pages)
    file_found: dict[str, set[FindingCode]] = defaultdict(set)
    files_by_name = {Path(t.file).name: t.file for t in truth_pages}
    for truth in truth_pages:
        key = _page_key(truth.file, truth.page)
        result = by_key.get(key)
        truth_codes = {a.code for a in truth.anomalies} | derived[(truth.file, truth.page)]
        if (truth.file, truth.page) in unfounded:
            truth_codes.discard(FindingCode.STAMP_DUPLICATE)
        if result is None:
            missing.append(key)
            for code in truth_codes - FORM_LEVEL_CODES:  # form-level: scored per file below
                code_counts[code]["fn"] += 1
            continue
        scored += 1
        _signature_boxes(truth, result, signature_counts)
        type_ok += int(result.form.type == truth.type)
        fully_ok += int(_score_fields(truth, result, tally))
        found = {f.code for f in result.findings}
        _tally_codes(code_counts, truth_codes - FORM_LEVEL_CODES, found - FORM_LEVEL_CODES)
        file_found[truth.file] |= found & FORM_LEVEL_CODES
        for finding in result.findings:  # "also submitted as B": B, processed once, has it too
            if finding.code is FindingCode.DUPLICATE_FORM:
                for other in finding.evidence.related:
                    if (name := files_by_name.get(Path(other).name)) is not None:
                        file_found[name].add(FindingCode.DUPLICATE_FORM)
        if not truth_codes:  # a clean page: a form-level finding true of its file is not false
            clean += 1
            clean_false += int(bool(found - REVIEW_CODES - file_truth[truth.file]))
    for file, codes in file_truth.items():
        _tally_codes(code_counts, codes, file_found[file])
    per_field = {
        key: FieldScore(total=n, exact=tally.exact[key], rate=tally.exact[key] / n)
        for key, n in sorted(tally.total.items())
    }

    def group(prefix: str) -> FieldScore:
        total = sum(n for k, n in tally.total.items() if k.startswith(prefix))
        exact = sum(n for k, n in tally.exact.items() if k.startswith(prefix))
        return FieldScore(total=total, exact=exact, rate=exact / total if total else None)

    def writing(kind: str) -> FieldScore:
        exact = tally.by_hand[kind, True]
        total = exact + tally.by_hand[kind, False]
        return FieldScore(total=total, exact=exact, rate=exact / total if total else None)

    anomalies: dict[str, CodeScore] = {}
    for code_name, counts in sorted(code_counts.items()):
        tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
        anomalies[code_name] = CodeScore(
            true_positives=tp,
            false_positives=fp,
            false_negatives=fn,
            precision=tp / (tp + fp) if tp + fp else None,
            recall=tp / (tp + fn) if tp + fn else None,
        )
    total_fields = sum(tally.total.values())
    silent = tally.wrong - tally.wrong_flagged
    return Metrics(
        pages_in_truth=len(truth_pages),
        pages_scored=scored,
        pages_missing=missing,
        form_type_accuracy=type_ok / scored if scored else None,
        forms_fully_correct=fully_ok / scored if scored else None,
        vote_fields=group("candidates."),
        vote_fields_printed=writing("printed"),
        vote_fields_handwritten=writing("handwritten"),
        header_fields=group("header."),
        totals_fields=group("totals."),
        per_field=per_field,
        wrong_fields=tally.wrong,
        wrong_fields_flagged=tally.wrong_flagged,
        wrong_by_section=dict(tally.wrong_in),
        flagged_by_section=dict(tally.flagged_in),
        silent_errors=silent,
        silent_error_rate=silent / total_fields if total_fields else None,
        confirmed_fields=tally.confirmed,
        confirmed_wrong=tally.confirmed_wrong,
        anomalies=anomalies,
        clean_pages=clean,
        clean_pages_with_false_findings=clean_false,
        false_finding_rate=clean_false / clean if clean else None,
        signature_boxes={
            role: FieldScore(
                total=(n := signature_counts[role, True] + signature_counts[role, False]),
                exact=signature_counts[role, True],
                rate=signature_counts[role, True] / n,
            )
            for role in sorted({role for role, _ in signature_counts})
        },
    )


# ---------------------------------------------------------------------------- perfect reader


def _reading(value: TruthValue) -> FieldReading:
    return FieldReading(
        value=value.value,
        confidence=1.0,
        text="" if value.value is None else str(value.value),
        bbox=value.bbox,
        source="handwritten" if value.handwritten else "printed",
    )


def result_from_truth(truth: PageTruth, *, folder: Path | None = None) -> FormResult:
    """The FormResult a perfect reader would report for a truth page.

    Used to test `evaluate` and as realistic input for cross-form and reconcile code.
    Findings are the page's recorded anomalies, with the truth's boxes and values.
    """
    path = str((folder / truth.file) if folder else truth.file)
    digest = hashlib.sha256(f"{truth.file}#{truth.page}".encode()).hexdigest()
    candidates = tuple(
        CandidateRow(
            serial=_reading(c.serial),
            name=_reading(c.name),
            party=_reading(c.party),
            votes=_reading(c.votes),
            tendered_votes=_reading(c.tendered_votes) if c.tendered_votes else None,
            challenged_votes=_reading(c.challenged_votes) if c.challenged_votes else None,
            total_valid_votes=_reading(c.total_valid_votes) if c.total_valid_votes else None,
        )
        for c in truth.candidates
    )
    findings = tuple(
        Finding(
            code=a.code,
            severity=FINDING_DOCS[a.code][0],
            message=a.detail or a.code.value,
            evidence=Evidence(bbox=a.bbox, values=dict(a.values), related=a.related),
        )
        for a in truth.anomalies
    )
    return FormResult(
        source=Source(
            path=path, sha256=digest, page=truth.page, width=truth.width, height=truth.height
        ),
        form=FormIdentity(template=truth.template, type=truth.type, confidence=1.0),
        header={k: _reading(v) for k, v in truth.header.items()},
        candidates=candidates,
        totals={k: _reading(v) for k, v in truth.totals.items()},
        findings=findings,
        needs_review=bool(findings),
    )


def format_metrics(metrics: Metrics) -> str:
    """A short human-readable table of the metrics."""

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.2f}%"

    lines = [
        f"pages scored          {metrics.pages_scored} / {metrics.pages_in_truth}",
        f"form type accuracy    {pct(metrics.form_type_accuracy)}",
        f"forms fully correct   {pct(metrics.forms_fully_correct)}",
        f"vote fields exact     {pct(metrics.vote_fields.rate)} "
        f"({metrics.vote_fields.exact}/{metrics.vote_fields.total})",
        f"  printed figures     {pct(metrics.vote_fields_printed.rate)} "
        f"({metrics.vote_fields_printed.exact}/{metrics.vote_fields_printed.total})",
        f"  handwritten figures {pct(metrics.vote_fields_handwritten.rate)} "
        f"({metrics.vote_fields_handwritten.exact}/{metrics.vote_fields_handwritten.total})",
        f"header fields exact   {pct(metrics.header_fields.rate)} "
        f"({metrics.header_fields.exact}/{metrics.header_fields.total})",
        f"totals fields exact   {pct(metrics.totals_fields.rate)} "
        f"({metrics.totals_fields.exact}/{metrics.totals_fields.total})",
        f"wrong fields flagged  {metrics.wrong_fields_flagged} / {metrics.wrong_fields}",
        *(
            f"  {section:<19} {metrics.flagged_by_section.get(section, 0)} / {wrong}"
            for section, wrong in sorted(metrics.wrong_by_section.items())
        ),
        f"silent error rate     {pct(metrics.silent_error_rate)} ({metrics.silent_errors} fields)",
        f"figures the sums hold {metrics.confirmed_fields} (wrong: {metrics.confirmed_wrong})",
        f"clean pages with a false finding  {metrics.clean_pages_with_false_findings} / "
        f"{metrics.clean_pages} ({pct(metrics.false_finding_rate)})",
    ]
    lines += [
        f"signature boxes found {role}: {pct(score.rate)} ({score.exact}/{score.total})"
        for role, score in metrics.signature_boxes.items()
    ]
    lines += [
        "",
        f"{'anomaly code':28} {'TP':>5} {'FP':>5} {'FN':>5} {'precision':>10} {'recall':>8}",
    ]
    for code, score in metrics.anomalies.items():
        lines.append(
            f"{code:28} {score.true_positives:5} {score.false_positives:5} "
            f"{score.false_negatives:5} {pct(score.precision):>10} {pct(score.recall):>8}"
        )
    return "\n".join(lines)
