"""Reconciliation: station forms (Form 45) against the constituency aggregate (Form 47).

Pure functions over results. Stations are grouped by constituency and polling station
number; copies of one station are compared with each other (COPY_DIVERGENCE,
FIGURES_SWAPPED); each Form 47 candidate total is compared with the sum over the
stations (FORM47_MISMATCH, with the stations behind the sum); the station count and
the rejected votes against the winning margin are checked.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from difflib import SequenceMatcher

from pydantic import BaseModel, ConfigDict, Field

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.model import CandidateRow, Evidence, FieldReading, Finding, FormResult


class ReconciledFinding(BaseModel):
    model_config = ConfigDict(frozen=True)
    constituency: str
    polling_station_number: int | None = None
    forms: list[str]
    finding: Finding


class ConstituencySummary(BaseModel):
    model_config = ConfigDict(frozen=True)
    constituency: str
    form45_stations: int
    form45_pages: int
    form47_present: bool
    form47_stations: int | None = None
    candidates: dict[str, dict[str, int | None]] = Field(default_factory=dict)


class Reconciliation(BaseModel):
    model_config = ConfigDict(frozen=True)
    constituencies: list[ConstituencySummary]
    findings: list[ReconciledFinding]


def _value(field: FieldReading | None) -> int | None:
    if field is None or not isinstance(field.value, int):
        return None
    return field.value


def _votes(row: CandidateRow) -> int | None:
    return _value(row.total_valid_votes) if row.total_valid_votes is not None else _value(row.votes)


def _name(row: CandidateRow) -> str:
    return str(row.name.value or "").casefold()


def _key(row: CandidateRow, fallback: int) -> str:
    serial = _value(row.serial)
    return str(serial) if serial is not None else f"row{fallback}"


def candidate_votes(result: FormResult) -> dict[str, tuple[int | None, str]]:
    """Serial -> (votes, name) on one form."""
    return {_key(row, i): (_votes(row), _name(row)) for i, row in enumerate(result.candidates)}


def same_candidate(a: str, b: str) -> bool:
    """Names that OCR read slightly differently still match."""
    return not a or not b or SequenceMatcher(None, a, b).ratio() > 0.7


def _where(result: FormResult) -> str:
    return f"{result.source.path}#{result.source.page}"


def _finding(code: FindingCode, message: str, evidence: Evidence) -> Finding:
    return Finding(code=code, severity=FINDING_DOCS[code][0], message=message, evidence=evidence)


def _form_groups(results: Sequence[FormResult]) -> dict[str, list[list[FormResult]]]:
    """Constituency -> forms (each a list of its pages, in page order)."""
    forms: dict[tuple[str, str], list[FormResult]] = defaultdict(list)
    for result in results:
        forms[(result.source.sha256, result.source.path)].append(result)
    by_constituency: dict[str, list[list[FormResult]]] = defaultdict(list)
    for pages in forms.values():
        pages.sort(key=lambda r: r.source.page)
        code = next(
            (
                str(p.header["constituency"].value)
                for p in pages
                if "constituency" in p.header and p.header["constituency"].value
            ),
            None,
        )
        if code is not None:
            by_constituency[code].append(pages)
    return by_constituency


def _merged_votes(pages: list[FormResult]) -> dict[str, tuple[int | None, str]]:
    votes: dict[str, tuple[int | None, str]] = {}
    for page in pages:
        votes.update(candidate_votes(page))
    return votes


def _compare_copies(
    code: str, station: int, copies: list[list[FormResult]], out: list[ReconciledFinding]
) -> None:
    first = copies[0]
    base = _merged_votes(first)
    for other in copies[1:]:
        theirs = _merged_votes(other)
        differing = {
            k: (base[k][0], theirs[k][0])
            for k in base.keys() & theirs.keys()
            if base[k][0] is not None and theirs[k][0] is not None and base[k][0] != theirs[k][0]
        }
        if not differing:
            continue
        names = [_where(first[0]), _where(other[0])]
        values: dict[str, int | float | str | None] = {
            f"candidate_{k}": f"{a} vs {b}" for k, (a, b) in sorted(differing.items())
        }
        out.append(
            ReconciledFinding(
                constituency=code,
                polling_station_number=station,
                forms=names,
                finding=_finding(
                    FindingCode.COPY_DIVERGENCE,
                    f"{code} station {station}: copies disagree for candidates "
                    f"{', '.join(sorted(differing))}",
                    Evidence(values=values, related=tuple(names)),
                ),
            )
        )
        keys = sorted(differing)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if differing[a] == differing[b][::-1]:
                    out.append(
                        ReconciledFinding(
                            constituency=code,
                            polling_station_number=station,
                            forms=names,
                            finding=_finding(
                                FindingCode.FIGURES_SWAPPED,
                                f"{code} station {station}: candidates {a} and {b} "
                                "have each other's figures on the two copies",
                                Evidence(
                                    values={
                                        "candidate_a": a,
                                        "candidate_b": b,
                                        "figures": f"{differing[a]}",
                                    },
                                    related=tuple(names),
                                ),
                            ),
                        )
                    )


def reconcile(results: Sequence[FormResult]) -> Reconciliation:
    """Compare every constituency's Form 45s with each other and with its Form 47."""
    findings: list[ReconciledFinding] = []
    summaries: list[ConstituencySummary] = []
    for code, forms in sorted(_form_groups(results).items()):
        stations: dict[int, list[list[FormResult]]] = defaultdict(list)
        unnumbered = 0  # Form 45s whose station number could not be read
        form47s: list[list[FormResult]] = []
        for pages in forms:
            if pages[0].form.type == "form47":
                form47s.append(pages)
            elif pages[0].form.type == "form45":
                number = _value(pages[0].header.get("polling_station_number"))
                if number is not None:
                    stations[number].append(pages)
                else:
                    unnumbered += 1
        for station, copies in sorted(stations.items()):
            if len(copies) > 1:
                _compare_copies(code, station, copies, findings)
        summary_candidates: dict[str, dict[str, int | None]] = {}
        for pages in form47s:
            declared = _merged_votes(pages)
            where = [_where(p) for p in pages]
            for serial, (total, name) in sorted(declared.items()):
                parts: list[int] = []
                unknown: list[str] = []
                behind: list[str] = []
                for number, copies in sorted(stations.items()):
                    votes = _merged_votes(copies[0]).get(serial)
                    behind.append(f"{number}:{_where(copies[0][0])}")
                    if votes is None or votes[0] is None or not same_candidate(votes[1], name):
                        unknown.append(str(number))
                    else:
                        parts.append(votes[0])
                summed = sum(parts) if not unknown else None
                summary_candidates[serial] = {"form47": total, "sum_of_form45": summed}
                if total is not None and summed is not None and summed != total:
                    findings.append(
                        ReconciledFinding(
                            constituency=code,
                            forms=where,
                            finding=_finding(
                                FindingCode.FORM47_MISMATCH,
                                f"{code} candidate {serial}: Form 47 says {total}, "
                                f"the {len(parts)} Form 45s add up to {summed}",
                                Evidence(
                                    values={
                                        "candidate": serial,
                                        "form47": total,
                                        "sum_of_form45": summed,
                                        "difference": total - summed,
                                        "stations": len(parts),
                                    },
                                    related=tuple(behind),
                                ),
                            ),
                        )
                    )
            declared_stations = _value(pages[0].header.get("number_of_polling_stations"))
            if declared_stations is not None and not (
                len(stations) <= declared_stations <= len(stations) + unnumbered
            ):
                findings.append(
                    ReconciledFinding(
                        constituency=code,
                        forms=where,
                        finding=_finding(
                            FindingCode.STATION_COUNT_MISMATCH,
                            f"{code}: Form 47 counts {declared_stations} stations, "
                            f"{len(stations)} Form 45s are present",
                            Evidence(
                                values={
                                    "form47_stations": declared_stations,
                                    "form45_present": len(stations),
                                }
                            ),
                        ),
                    )
                )
            ranked = sorted((v for v, _ in declared.values() if v is not None), reverse=True)
            rejected = _value(pages[-1].totals.get("rejected_votes"))
            if len(ranked) >= 2 and rejected is not None and rejected > ranked[0] - ranked[1]:
                findings.append(
                    ReconciledFinding(
                        constituency=code,
                        forms=where,
                        finding=_finding(
                            FindingCode.REJECTED_EXCEEDS_MARGIN,
                            f"{code}: {rejected} rejected votes exceed the winning "
                            f"margin of {ranked[0] - ranked[1]}",
                            Evidence(
                                values={"rejected_votes": rejected, "margin": ranked[0] - ranked[1]}
                            ),
                        ),
                    )
                )
        summaries.append(
            ConstituencySummary(
                constituency=code,
                form45_stations=len(stations),
                form45_pages=sum(len(c) for copies in stations.values() for c in copies),
                form47_present=bool(form47s),
                form47_stations=_value(form47s[0][0].header.get("number_of_polling_stations"))
                if form47s
                else None,
                candidates=summary_candidates,
            )
        )
    return Reconciliation(constituencies=summaries, findings=findings)


def reconciliation_csv(reconciliation: Reconciliation) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["constituency", "polling_station_number", "code", "severity", "message", "forms", "values"]
    )
    for item in reconciliation.findings:
        writer.writerow(
            [
                item.constituency,
                item.polling_station_number or "",
                item.finding.code.value,
                item.finding.severity.value,
                item.finding.message,
                " ".join(item.forms),
                "; ".join(f"{k}={v}" for k, v in item.finding.evidence.values.items()),
            ]
        )
    return out.getvalue()
