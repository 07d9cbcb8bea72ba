"""Reconcile on hand-made results with exact expected findings."""

from __future__ import annotations

import csv
import io

from pipeline.codes import FindingCode
from pipeline.model import CandidateRow, FieldReading, FormIdentity, FormResult, Source
from pipeline.reconcile import reconcile, reconciliation_csv, same_candidate


def _reading(value: int | str, confidence: float = 0.99) -> FieldReading:
    return FieldReading(value=value, confidence=confidence)


def _form(
    name: str,
    form_type: str,
    votes: dict[int, tuple[str, int | FieldReading]],
    *,
    station: int | None = None,
    stations: int | None = None,
    rejected: int | None = None,
    constituency: FieldReading | None = None,
    constituency_name: str | None = None,
) -> FormResult:
    header = {"constituency": constituency or _reading("NA-46")}
    if constituency_name is not None:
        header["constituency_name"] = _reading(constituency_name)
    if station is not None:
        header["polling_station_number"] = _reading(station)
    if stations is not None:
        header["number_of_polling_stations"] = _reading(stations)
    return FormResult(
        source=Source(path=name, sha256=name.ljust(64, "0"), width=10, height=10),
        form=FormIdentity(type=form_type),
        header=header,
        candidates=tuple(
            CandidateRow(
                serial=_reading(s),
                name=_reading(n),
                votes=v if isinstance(v, FieldReading) else _reading(v),
            )
            for s, (n, v) in votes.items()
        ),
        totals={} if rejected is None else {"rejected_votes": _reading(rejected)},
    )


def _form47(code: str, name: str, votes: int, *, stations: int) -> FormResult:
    """A constituency's Form 47 with one candidate, Ali Khan."""
    return _form(
        "f47",
        "form47",
        {1: ("Ali Khan", votes)},
        stations=stations,
        constituency=_reading(code),
        constituency_name=name,
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
    # two of the three stations are not present: Sara Bibi's 95 against 50 is no mismatch
    assert _codes(forms) == [
        "COPY_DIVERGENCE",
        "FIGURES_SWAPPED",
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
    assert len(rows) == 4 and {r["constituency"] for r in rows} == {"NA-46"}


def test_with_stations_missing_only_an_impossible_sum_is_a_mismatch() -> None:
    station = _form("ps1", "form45", {1: ("Ali Khan", 100), 2: ("Sara Bibi", 300)}, station=1)
    # two stations not present could give Ali Khan at most 300 each (the largest figure)
    closeable = _form("f47", "form47", {1: ("Ali Khan", 700), 2: ("Sara Bibi", 900)}, stations=3)
    assert _codes([station, closeable]) == ["STATION_COUNT_MISMATCH"]
    too_many = _form("f47", "form47", {1: ("Ali Khan", 701), 2: ("Sara Bibi", 250)}, stations=3)
    found = reconcile([station, too_many]).findings
    mismatches = [f for f in found if f.finding.code == FindingCode.FORM47_MISMATCH]
    assert {f.finding.evidence.values["form47"] for f in mismatches} == {701, 250}


def test_a_difference_one_unsure_digit_explains_is_for_review() -> None:
    forms = [
        _form("ps1", "form45", {1: ("Ali Khan", _reading(17, 0.97))}, station=1),
        _form("ps2", "form45", {1: ("Ali Khan", 30)}, station=2),
        _form("f47", "form47", {1: ("Ali Khan", 48)}, stations=2),
    ]
    (found,) = reconcile(forms).findings
    assert found.finding.code == FindingCode.FIELD_UNREADABLE
    assert found.finding.evidence.values["unsure_figure"] == "station 1: 17"
    sure = [*forms[1:], _form("ps1", "form45", {1: ("Ali Khan", 17)}, station=1)]
    assert _codes(sure) == ["FORM47_MISMATCH"]


def test_an_excess_one_unsure_digit_turns_into_what_absent_stations_fill_is_for_review() -> None:
    """Station 1's 98 read unsurely as 918: with it the stations present exceed the Form
    47's 200; read 98, they fall 72 short, which the station not counted could give."""
    forms = [
        _form(
            "ps1", "form45", {1: ("Ali Khan", _reading(918, 0.97)), 2: ("Sara Bibi", 5)}, station=1
        ),
        _form("ps2", "form45", {1: ("Ali Khan", 30), 2: ("Sara Bibi", 80)}, station=2),
        _form("f47", "form47", {1: ("Ali Khan", 200), 2: ("Sara Bibi", 100)}, stations=3),
    ]
    codes = {f.finding.code for f in reconcile(forms).findings}
    assert FindingCode.FORM47_MISMATCH not in codes and FindingCode.FIELD_UNREADABLE in codes
    sure = [_form("ps1", "form45", {1: ("Ali Khan", 918), 2: ("Sara Bibi", 5)}, station=1)]
    assert "FORM47_MISMATCH" in _codes(sure + forms[1:])


def test_copies_differing_in_one_unsure_digit_are_for_review_not_divergence() -> None:
    original = _form("ps1", "form45", {1: ("Ali Khan", 117), 2: ("Sara Bibi", 50)}, station=1)
    unsure = _form(
        "ps1_agent",
        "form45",
        {1: ("Ali Khan", _reading(127, 0.97)), 2: ("Sara Bibi", 50)},
        station=1,
    )
    assert _codes([original, unsure]) == ["FIELD_UNREADABLE"]
    far = _form(
        "ps1_agent",
        "form45",
        {1: ("Ali Khan", _reading(290, 0.97)), 2: ("Sara Bibi", 50)},
        station=1,
    )
    assert _codes([original, far]) == ["COPY_DIVERGENCE"]
    sure = _form("ps1_agent", "form45", {1: ("Ali Khan", 127), 2: ("Sara Bibi", 50)}, station=1)
    assert _codes([original, sure]) == ["COPY_DIVERGENCE"]


def test_a_handwritten_figure_its_form_does_not_vouch_for_is_not_sure() -> None:
    """Read at 0.995 by hand, but none of its form's sums holds with it: one digit from
    the other copy is a reading to check. Vouched for by its form's sums, it is sure."""
    original = _form("ps1", "form45", {1: ("Ali Khan", 117), 2: ("Sara Bibi", 50)}, station=1)
    by_hand = FieldReading(value=127, confidence=0.995, source="handwritten")
    copy = _form("ps1_agent", "form45", {1: ("Ali Khan", by_hand), 2: ("Sara Bibi", 50)}, station=1)
    assert _codes([original, copy]) == ["FIELD_UNREADABLE"]
    vouched = by_hand.model_copy(update={"confirmed_by": ("candidate_sum",)})
    copy = _form("ps1_agent", "form45", {1: ("Ali Khan", vouched), 2: ("Sara Bibi", 50)}, station=1)
    assert _codes([original, copy]) == ["COPY_DIVERGENCE"]


def test_a_serial_read_on_two_rows_of_a_form_is_not_compared() -> None:
    two_pages = [
        _form("ps1", "form45", {1: ("Ali Khan", 117)}, station=1),
        _form("ps1", "form45", {1: ("Sara Bibi", 9)}, station=1).model_copy(
            update={
                "source": Source(
                    path="ps1", sha256="ps1".ljust(64, "0"), page=1, width=10, height=10
                )
            }
        ),
    ]
    copy = _form("ps1_agent", "form45", {1: ("Ali Khan", 117)}, station=1)
    assert _codes([*two_pages, copy]) == []


def test_a_misread_or_missing_code_follows_the_constituency_name() -> None:
    def station(name: str, number: int, code: FieldReading | None) -> FormResult:
        return _form(
            name,
            "form45",
            {1: ("Ali Khan", 10)},
            station=number,
            constituency=code,
            constituency_name="Gujranwala-XIII",
        )

    forms = [
        station("ps1", 1, _reading("NA-251")),
        station("ps2", 2, _reading("NA-251")),
        station("ps3", 3, _reading("NA-251")),
        station("ps4", 4, _reading("NA-252")),  # one character off, on one form only
        station("ps5", 5, FieldReading(value="MA-25", confidence=0.4, source="derived")),
        station("ps6", 6, FieldReading(value=None)),
        _form47("NA-251", "Gujranwala-XIII", 60, stations=6),
    ]
    reconciliation = reconcile(forms)
    assert reconciliation.findings == []
    (summary,) = reconciliation.constituencies
    assert (summary.constituency, summary.form45_stations) == ("NA-251", 6)
    # a name other forms read with two codes equally (two assemblies) decides nothing
    other = [
        _form(
            f"pk{i}",
            "form45",
            {1: ("Ali Khan", 10)},
            station=10 + i,
            constituency=_reading("PK-152"),
            constituency_name="Gujranwala-XIII",
        )
        for i in range(3)
    ]
    groups = {c.constituency: c.form45_stations for c in reconcile([*forms, *other]).constituencies}
    assert groups == {"NA-251": 3, "NA-252": 1, "MA-25": 1, "PK-152": 3, "Gujranwala-XIII": 1}


def test_a_form_with_no_constituency_may_be_the_one_a_form47_misses() -> None:
    forms = [
        _form("ps1", "form45", {1: ("Ali Khan", 10)}, station=1),
        _form("f47", "form47", {1: ("Ali Khan", 20)}, stations=2),
    ]
    assert _codes(forms) == ["STATION_COUNT_MISMATCH"]
    lost = _form("ps2", "form45", {1: ("Ali Khan", 10)}, station=2)
    lost = lost.model_copy(update={"header": {"polling_station_number": _reading(2)}})
    reconciliation = reconcile([*forms, lost])
    assert reconciliation.findings == [] and reconciliation.unplaced == ["ps2#0"]


def test_a_station_figure_misread_on_one_copy_is_taken_from_the_copy_read_surely() -> None:
    """Station 1's 262, read unsurely as 261 on the original, surely on the agent's copy:
    the Form 47's 292 is compared with 262 + 30. A copy two digits off is another count:
    the original's figure stands (COPY_DIVERGENCE says the rest)."""
    unsure = _form("ps1", "form45", {1: ("Ali Khan", _reading(261, 0.97))}, station=1)
    agent = _form("ps1_agent", "form45", {1: ("Ali Khan", 262)}, station=1)
    other = _form("ps2", "form45", {1: ("Ali Khan", 30)}, station=2)
    form47 = _form("f47", "form47", {1: ("Ali Khan", 292)}, stations=2)
    assert _codes([unsure, agent, other, form47]) == ["FIELD_UNREADABLE"]  # the two copies
    far = _form("ps1_agent", "form45", {1: ("Ali Khan", 212)}, station=1)
    codes = _codes([unsure, far, other, form47])
    assert "COPY_DIVERGENCE" in codes and "FORM47_MISMATCH" not in codes


def test_an_unsure_form47_figure_one_digit_from_what_absent_stations_fill_is_for_review() -> None:
    """The Form 47's 1840 read unsurely as 7840: the stations present give 1439 and the
    one not counted could give the rest of 1840, never of 7840. Read surely, 7840 is a
    mismatch."""
    stations = [
        _form("ps1", "form45", {1: ("Ali Khan", 714), 2: ("Sara Bibi", 40)}, station=1),
        _form("ps2", "form45", {1: ("Ali Khan", 725), 2: ("Sara Bibi", 60)}, station=2),
    ]
    unsure = FieldReading(value=7840, confidence=0.998, source="handwritten")
    form47 = _form("f47", "form47", {1: ("Ali Khan", unsure), 2: ("Sara Bibi", 100)}, stations=3)
    found = [
        f for f in reconcile([*stations, form47]).findings if "Form 47 says" in f.finding.message
    ]
    assert [f.finding.code for f in found] == [FindingCode.FIELD_UNREADABLE]
    assert found[0].finding.evidence.values["unsure_figure"] == "Form 47: 7840"
    sure = _form("f47", "form47", {1: ("Ali Khan", 7840), 2: ("Sara Bibi", 100)}, stations=3)
    assert "FORM47_MISMATCH" in _codes([*stations, sure])


def test_the_margin_is_not_judged_while_a_candidates_figure_is_unread() -> None:
    """Candidate 3's figure withheld: it may be the winner's, so the margin between the
    two read (4) is not the winning margin; read, it is (200 - 196)."""
    station = _form(
        "ps1", "form45", {1: ("Ali", 200), 2: ("Sara", 196), 3: ("Omar", 900)}, station=1
    )
    unread = FieldReading(value=None, confidence=0.6, text="900")
    form47 = _form(
        "f47", "form47", {1: ("Ali", 200), 2: ("Sara", 196), 3: ("Omar", unread)},
        stations=1, rejected=12,
    )  # fmt: skip
    assert "REJECTED_EXCEEDS_MARGIN" not in _codes([station, form47])
    close = _form("ps1", "form45", {1: ("Ali", 200), 2: ("Sara", 196), 3: ("Omar", 9)}, station=1)
    read = _form(
        "f47", "form47", {1: ("Ali", 200), 2: ("Sara", 196), 3: ("Omar", 9)},
        stations=1, rejected=12,
    )  # fmt: skip
    assert _codes([close, read]) == ["REJECTED_EXCEEDS_MARGIN"]


def test_the_order_results_arrive_in_does_not_change_the_findings() -> None:
    """A batch's workers finish forms in any order; station 1's two copies disagree, and
    the Form 47 is summed over the first by file name, whichever finished first."""
    original = _form("ps1", "form45", {1: ("Ali Khan", 100), 2: ("Sara Bibi", 50)}, station=1)
    copy = _form("ps1_agent", "form45", {1: ("Ali Khan", 400), 2: ("Sara Bibi", 50)}, station=1)
    other = _form("ps2", "form45", {1: ("Ali Khan", 30), 2: ("Sara Bibi", 70)}, station=2)
    form47 = _form("f47", "form47", {1: ("Ali Khan", 430), 2: ("Sara Bibi", 120)}, stations=2)
    forms = [original, copy, other, form47]

    def said(results: list[FormResult]) -> list[tuple[str, str]]:
        return sorted(
            (f.finding.code.value, f.finding.message) for f in reconcile(results).findings
        )

    assert said(forms) == said(forms[::-1]) == said([copy, form47, original, other])
    assert "FORM47_MISMATCH" in _codes(forms)  # summed over ps1: 100 + 30, not 400 + 30


def test_diverging_copies_name_the_page_of_the_differing_row() -> None:
    """A form of two pages: the header on the first, the second candidate's row on the
    second; the finding names each copy's second page, where the figures differ."""

    def two_pages(name: str, second: int) -> list[FormResult]:
        first = _form(name, "form45", {1: ("Ali Khan", 100)}, station=7)
        rest = _form(name, "form45", {2: ("Sara Bibi", second)}).model_copy(update={"header": {}})
        source = first.source.model_copy(update={"page": 1, "page_count": 2})
        return [first, rest.model_copy(update={"source": source})]

    (found,) = reconcile([*two_pages("a.pdf", 50), *two_pages("b.pdf", 250)]).findings
    assert found.finding.code == FindingCode.COPY_DIVERGENCE
    assert found.forms == ["a.pdf#1", "b.pdf#1"]
    assert found.finding.evidence.values == {"candidate_2": "50 vs 250"}


def test_a_form45_under_a_code_one_character_off_that_no_form47_bears_may_be_the_missing_one() -> (
    None
):
    forms = [
        _form("ps1", "form45", {1: ("Ali Khan", 10)}, station=1),
        _form("f47", "form47", {1: ("Ali Khan", 20)}, stations=2),
    ]

    def station2(code: str) -> FormResult:
        return _form("ps2", "form45", {1: ("Ali Khan", 10)}, station=2, constituency=_reading(code))

    # NA-46 read NA-16 on station 2's header, its name not read to correct it
    assert _codes([*forms, station2("NA-16")]) == []
    # a code two characters off is another constituency's form
    assert _codes([*forms, station2("PK-16")]) == ["STATION_COUNT_MISMATCH"]
    # and so is one a Form 47 in the batch bears
    form47 = _form(
        "g47", "form47", {1: ("Ali Khan", 10)}, stations=1, constituency=_reading("NA-16")
    )
    assert _codes([*forms, station2("NA-16"), form47]) == ["STATION_COUNT_MISMATCH"]


def test_a_form_without_its_code_and_its_name_a_letter_off_joins_its_constituency() -> None:
    def station(number: int, code: str | None, name: str) -> FormResult:
        return _form(
            f"ps{number}",
            "form45",
            {1: ("Ali Khan", 10)},
            station=number,
            constituency=_reading(code) if code else FieldReading(value=None),
            constituency_name=name,
        )

    forms = [
        *(station(n, "NA-91", "Bahawalpur-IV") for n in (1, 2, 3)),
        _form(
            "f47",
            "form47",
            {1: ("Ali Khan", 40)},
            stations=4,
            constituency=_reading("NA-91"),
            constituency_name="Bahawalpur-IV",
        ),
    ]
    assert _codes([*forms, station(4, None, "Bahawaipur-IV")]) == []
    # a name two letters off is not taken for it
    assert _codes([*forms, station(4, None, "Bahawaipur-VI")]) == ["STATION_COUNT_MISMATCH"]


def test_a_withheld_code_under_a_name_two_seats_share_goes_by_its_number() -> None:
    def form(name: str, kind: str, code: FieldReading, number: int | None = None) -> FormResult:
        return _form(
            name,
            kind,
            {1: ("Ali Khan", 20 if kind == "form47" else 10)},
            station=number,
            stations=2 if kind == "form47" else None,
            constituency=code,
            constituency_name="Karachi-VIII",
        )

    # NA-130 and NA-144 are both "Karachi-VIII": the name maps to neither
    forms = [
        *(form(f"na130_ps{n}", "form45", _reading("NA-130"), n) for n in (1, 2)),
        *(form(f"na144_ps{n}", "form45", _reading("NA-144"), n) for n in (1, 2)),
        form("na144_f47", "form47", _reading("NA-144")),
    ]
    # NA-130's Form 47, its code read "NAC130" too unsurely to be given (seed 9004)
    withheld = FieldReading(value=None, confidence=0.2, text="NAC130")
    reconciliation = reconcile([*forms, form("na130_f47", "form47", withheld)])
    assert reconciliation.findings == []
    assert sorted(c.constituency for c in reconciliation.constituencies) == ["NA-130", "NA-144"]
    # digits that fit neither code leave it under the name, with none of its stations:
    # nothing to count, no finding (a batch of Form 47s alone would accuse every one)
    astray = FieldReading(value=None, confidence=0.2, text="NAC13")
    reconciliation = reconcile([*forms, form("na130_f47", "form47", astray)])
    assert "STATION_COUNT_MISMATCH" not in [f.finding.code for f in reconciliation.findings]
    alone = {c.constituency: c.form45_stations for c in reconciliation.constituencies}
    assert alone["Karachi-VIII"] == 0


def test_an_unread_code_whose_assembly_is_another_seat_of_its_name_is_not_counted() -> None:
    def station(number: int, code: FieldReading, name: str = "Karachi-VII") -> FormResult:
        return _form(
            f"ps{number}",
            "form45",
            {1: ("Ali Khan", 10)},
            station=number,
            constituency=code,
            constituency_name=name,
        )

    # PP-54 and PK-7 are both "Karachi-VII", PP-54's forms the most: the name maps to it
    forms = [
        *(station(n, _reading("PP-54")) for n in (1, 2, 3, 4)),
        station(5, _reading("PK-7")),
        _form47("PP-54", "Karachi-VII", 40, stations=4),
    ]
    assert _codes(forms) == []
    # a PK-7 form, its code read "PK?" and withheld (seed 9009): not PP-54's fifth station
    unsure = FieldReading(value=None, confidence=0.2, text="PK?")
    assert _codes([*forms, station(6, unsure)]) == []
    # "Karachi-III" is no misreading of "Karachi-VII": two seats' numerals
    assert _codes([*forms, station(7, FieldReading(value=None), "Karachi-III")]) == []
    # without the assembly read it goes by the name, PP-54 counting a station too many
    with_it = _codes([*forms, station(6, FieldReading(value=None))])
    assert with_it == ["FORM47_MISMATCH", "STATION_COUNT_MISMATCH"]


def _station_of(code: str, name: str, number: int) -> FormResult:
    return _form(
        f"{code}-{number}",
        "form45",
        {1: ("Ali Khan", 10)},
        station=number,
        constituency=_reading(code),
        constituency_name=name,
    )


def test_a_code_read_wrong_on_many_of_its_forms_and_never_with_another_name_is_misread() -> None:
    """Seed 9006's Lahore-III: NA-31 on five forms, "NA-81" on three, no other form
    naming NA-81: its Form 47 counted them missing and summed without them."""
    forms = [_station_of("NA-31", "Lahore-III", n) for n in range(1, 6)]
    forms += [_station_of("NA-81", "Lahore-III", n) for n in range(6, 9)]
    forms.append(_form47("NA-31", "Lahore-III", 80, stations=8))
    reconciliation = reconcile(forms)
    assert reconciliation.findings == []
    assert {c.constituency: c.form45_stations for c in reconciliation.constituencies} == {
        "NA-31": 8
    }
    # NA-81 the code of Kasur-II's forms: Lahore-III's forms bearing it still misread it
    elsewhere = [_station_of("NA-81", "Kasur-II", n) for n in range(20, 24)]
    groups = reconcile([*forms, *elsewhere]).constituencies
    assert {c.constituency: c.form45_stations for c in groups} == {"NA-31": 8, "NA-81": 4}
    # ... but a code read as often as the name's own is no misreading of it
    even = [*forms[:5], *(_station_of("NA-81", "Lahore-III", n) for n in range(6, 11))]
    groups = reconcile(even).constituencies
    assert {c.constituency: c.form45_stations for c in groups} == {"NA-31": 5, "NA-81": 5}


def test_two_seats_of_one_name_a_character_apart_each_with_its_form47_stay_apart() -> None:
    """Seed 9060's NA-143 and NA-145, both "Karachi-XIV": 8 Form 45s and 9, each seat
    with its own Form 47. The fewer forms' code is no misreading of the other's: a Form
    47 reads it."""
    forms = [_station_of("NA-145", "Karachi-XIV", n) for n in range(1, 10)]
    forms.append(_form47("NA-145", "Karachi-XIV", 90, stations=9))
    forms += [_station_of("NA-143", "Karachi-XIV", n) for n in range(20, 28)]
    own = _form47("NA-143", "Karachi-XIV", 80, stations=8)
    forms.append(own.model_copy(update={"source": own.source.model_copy(update={"path": "g47"})}))
    reconciliation = reconcile(forms)
    assert reconciliation.findings == []
    assert {c.constituency: c.form45_stations for c in reconciliation.constituencies} == {
        "NA-145": 9,
        "NA-143": 8,
    }
    # without NA-143's Form 47 its forms are NA-145's misread, as seed 9006's NA-81
    groups = reconcile(forms[:-1]).constituencies
    assert {c.constituency: c.form45_stations for c in groups} == {"NA-145": 17}


def test_a_sure_code_of_a_constituency_whose_forms_bear_a_name_far_from_its_own_is_misread() -> (
    None
):
    """Seed 9006's NA-121_ps154: "Mardan-XII" read, its code "NA21" taken for NA-21, whose
    eleven forms name Peshawar-VII. Where the code's forms bear a name a letter from the
    form's ("Mardan-XI"), either may be the misread one, and the code stays."""
    forms = [_station_of("NA-121", "Mardan-XII", n) for n in range(1, 13)]
    forms += [_station_of("NA-21", "Peshawar-VII", n) for n in range(1, 12)]
    forms.append(_station_of("NA-21", "Mardan-XII", 99))
    groups = {c.constituency: c.form45_stations for c in reconcile(forms).constituencies}
    assert groups == {"NA-121": 13, "NA-21": 11}
    near = [
        *forms[:12],
        *(_station_of("NA-21", "Mardan-XI", n) for n in range(1, 12)),
        forms[-1],
    ]
    groups = {c.constituency: c.form45_stations for c in reconcile(near).constituencies}
    assert groups == {"NA-121": 12, "NA-21": 12}
