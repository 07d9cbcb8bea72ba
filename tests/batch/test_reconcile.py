"""Reconcile on hand-made results with exact expected findings."""

from __future__ import annotations

import csv
import io

from pipeline.codes import FindingCode
from pipeline.model import CandidateRow, FieldReading, FormIdentity, FormResult, Source
from pipeline.reconcile import reconcile, reconciliation_csv, same_candidate


def _reading(value: int | str) -> FieldReading:
    return FieldReading(value=value, confidence=0.99)


def _form(
    name: str,
    form_type: str,
    votes: dict[int, tuple[str, int]],
    *,
    station: int | None = None,
    stations: int | None = None,
    rejected: int | None = None,
) -> FormResult:
    header = {"constituency": _reading("NA-46")}
    if station is not None:
        header["polling_station_number"] = _reading(station)
    if stations is not None:
        header["number_of_polling_stations"] = _reading(stations)
    return FormResult(
        source=Source(path=name, sha256=name.ljust(64, "0"), width=10, height=10),
        form=FormIdentity(type=form_type),
        header=header,
        candidates=tuple(
            CandidateRow(serial=_reading(s), name=_reading(n), votes=_reading(v))
            for s, (n, v) in votes.items()
        ),
        totals={} if rejected is None else {"rejected_votes": _reading(rejected)},
    )


def _codes(results: list[FormResult]) -> list[str]:
    return sorted(f.finding.code.value for f in reconcile(results).findings)


def test_consistent_constituency_has_no_findings() -> None:
    forms = [
        _form("ps1", "form45", {1: ("Ali Khan", 100), 2: ("Sara Bibi", 50)}, station=1),
        _form("ps2", "form45", {1: ("Ali Khan", 30), 2: ("Sara Bibi", 70)}, station=2),
        _form("f47", "form47", {1: ("Ali Khan", 130), 2: ("Sara Bibi", 120)}, stations=2),
    ]
    assert _codes(forms) == []


def test_form47_mismatch_carries_both_numbers_and_the_stations() -> None:
    forms = [
        _form("ps1", "form45", {1: ("Ali Khan", 100), 2: ("Sara Bibi", 50)}, station=1),
        _form("ps2", "form45", {1: ("Ali Khan", 30), 2: ("Sara Bibi", 70)}, station=2),
        _form("f47", "form47", {1: ("Ali Khan", 930), 2: ("Sara Bibi", 120)}, stations=2),
    ]
    (found,) = reconcile(forms).findings
    assert found.finding.code == FindingCode.FORM47_MISMATCH
    values = found.finding.evidence.values
    assert (values["form47"], values["sum_of_form45"], values["candidate"]) == (930, 130, "1")
    assert [r.split(":")[0] for r in found.finding.evidence.related] == ["1", "2"]


def test_ocr_noise_in_a_name_still_matches_but_another_candidate_does_not() -> None:
    assert same_candidate("ali khan", "a1i khan")
    assert not same_candidate("ali khan", "sara bibi")
    forms = [
        _form("ps1", "form45", {1: ("Ali Khan", 100)}, station=1),
        _form("f47", "form47", {1: ("A1i Khan", 999)}, stations=1),
    ]
    assert _codes(forms) == ["FORM47_MISMATCH"]


def test_station_count_copies_swaps_and_rejected_over_margin() -> None:
    forms = [
        _form("ps1", "form45", {1: ("Ali Khan", 100), 2: ("Sara Bibi", 50)}, station=1),
        _form("ps1_agent", "form45", {1: ("Ali Khan", 50), 2: ("Sara Bibi", 100)}, station=1),
        _form(
            "f47",
            "form47",
            {1: ("Ali Khan", 100), 2: ("Sara Bibi", 95)},
            stations=3,
            rejected=6,
        ),
    ]
    assert _codes(forms) == [
        "COPY_DIVERGENCE",
        "FIGURES_SWAPPED",
        "FORM47_MISMATCH",
        "REJECTED_EXCEEDS_MARGIN",
        "STATION_COUNT_MISMATCH",
    ]
    reconciliation = reconcile(forms)
    divergence = next(
        f for f in reconciliation.findings if f.finding.code == FindingCode.COPY_DIVERGENCE
    )
    assert divergence.polling_station_number == 1
    assert divergence.finding.evidence.values == {
        "candidate_1": "100 vs 50",
        "candidate_2": "50 vs 100",
    }
    rows = list(csv.DictReader(io.StringIO(reconciliation_csv(reconciliation))))
    assert len(rows) == 5 and {r["constituency"] for r in rows} == {"NA-46"}
