"""The check stage on tiny hand-made readings with exact expected outcomes."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.codes import FindingCode
from pipeline.model import BBox, CandidateRow, CheckStatus, FieldReading
from pipeline.stages.check import (
    FormFigures,
    check_candidate_columns,
    check_candidate_sum,
    check_form,
    check_gender_sum,
    check_registered_sum,
    check_turnout,
    check_valid_plus_rejected,
)
from pipeline.templates import resolve_template


def num(value: int | None, confidence: float = 0.99) -> FieldReading:
    return FieldReading(
        value=value,
        confidence=confidence if value is not None else 0.0,
        text="" if value is None else str(value),
        bbox=BBox(x0=1, y0=2, x1=30, y1=20),
    )


def row(
    serial: int, votes: int | None, tendered: int = 0, challenged: int = 0, total: int | None = None
) -> CandidateRow:
    total_value = (
        total if total is not None else (None if votes is None else votes + tendered + challenged)
    )
    return CandidateRow(
        serial=num(serial),
        name=FieldReading(value=f"Candidate {serial}"),
        votes=num(votes),
        tendered_votes=num(tendered),
        challenged_votes=num(challenged),
        total_valid_votes=num(total_value),
    )


HEADER = {
    "constituency": FieldReading(value="NA-130", confidence=0.9),
    "polling_station_number": num(12),
    "polling_station_name": FieldReading(value="Govt Boys School", confidence=0.9),
}


def figures(rows: list[CandidateRow], **totals: int | None) -> FormFigures:
    registered = totals.pop("registered", 1000)
    male = registered * 11 // 20
    register = {
        "registered_voters_male": num(male),
        "registered_voters_female": num(registered - male),
        "registered_voters": num(registered),
    }
    return FormFigures(
        header={**HEADER, **register},
        candidates=rows,
        totals={k: num(v) for k, v in totals.items()},
    )


GENUINE = dict(
    total_valid_votes=300,
    rejected_votes=12,
    total_votes_polled=312,
    votes_polled_male=200,
    votes_polled_female=112,
)


def genuine_rows() -> list[CandidateRow]:
    return [row(1, 170, 3, 1), row(2, 100), row(3, 26)]


def test_genuine_form_passes_every_check() -> None:
    checks, findings = check_form(figures(genuine_rows(), **GENUINE), resolve_template("pk-form45"))
    assert findings == ()
    assert {c.name: c.status for c in checks} == {
        "candidate_sum": CheckStatus.PASS,
        "candidate_columns": CheckStatus.PASS,
        "valid_plus_rejected": CheckStatus.PASS,
        "gender_sum": CheckStatus.PASS,
        "registered_sum": CheckStatus.PASS,
        "turnout": CheckStatus.PASS,
        "required_fields": CheckStatus.PASS,
    }


def test_a_form_with_a_page_whose_candidates_table_was_not_found_has_no_candidate_sum() -> None:
    # page 2's table lost: the rows read add up to less than the form's total valid votes
    partial = FormFigures(
        header=figures(genuine_rows(), **GENUINE).header,
        candidates=genuine_rows()[:2],
        totals={k: num(v) for k, v in GENUINE.items()},
        pages_without_candidates=[2],
    )
    check, findings = check_candidate_sum(partial)
    assert check.status is CheckStatus.UNKNOWN
    assert "not found on page 2" in (check.reason or "")
    assert findings == ()
    whole = FormFigures(header=partial.header, candidates=partial.candidates, totals=partial.totals)
    assert check_candidate_sum(whole)[0].status is CheckStatus.FAIL


def test_candidate_sum_mismatch_reports_both_numbers() -> None:
    # an addition slip carried on: 301 written for 300, and 301 + 12 = 313 polled
    slip = {
        **GENUINE,
        "total_valid_votes": 301,
        "total_votes_polled": 313,
        "votes_polled_male": 201,
    }
    check, findings = check_candidate_sum(figures(genuine_rows(), **slip))
    assert check.status is CheckStatus.FAIL
    assert (check.expected, check.actual) == (301, 300)
    assert [f.code for f in findings] == [FindingCode.CANDIDATE_SUM_MISMATCH]
    assert findings[0].evidence.values["difference"] == -1
    assert findings[0].evidence.bbox is not None


def test_unreadable_candidate_makes_the_sum_unknown_not_pass() -> None:
    rows = [row(1, 170), row(2, None)]
    check, findings = check_candidate_sum(figures(rows, **GENUINE))
    assert check.status is CheckStatus.UNKNOWN
    assert "2" in check.reason
    assert findings == ()


def test_candidate_columns_mismatch() -> None:
    rows = [row(1, 170, 3, 1, total=180), row(2, 100)]
    check, findings = check_candidate_columns(figures(rows, **GENUINE))
    assert check.status is CheckStatus.FAIL
    assert findings[0].evidence.values == {
        "serial": "1",
        "sum_of_columns": 174,
        "total_valid_votes": 180,
    }


def test_columns_that_disagree_with_an_unsure_figure_ask_for_a_reader_not_a_mismatch() -> None:
    base = row(1, 170, 3, 1, total=180)
    unsure = base.model_copy(update={"total_valid_votes": num(180, confidence=0.85)})
    check, findings = check_candidate_columns(figures([unsure, row(2, 100)], **GENUINE))
    assert check.status is CheckStatus.UNKNOWN
    assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
    assert findings[0].evidence.values["sum_of_columns"] == 174


def test_a_rows_copies_one_digit_apart_ask_for_a_reader_even_read_surely() -> None:
    # the total 174 read surely as 184 (or 74, a digit lost): one misread digit
    for misread in (184, 74):
        rows = [row(1, 170, 3, 1, total=misread), row(2, 100)]
        check, findings = check_candidate_columns(figures(rows, **GENUINE))
        assert check.status is CheckStatus.UNKNOWN
        assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
        assert "one digit apart" in findings[0].message


def test_withheld_column_figure_makes_the_row_unknown_not_zero() -> None:
    rows = [row(1, None, 3, 1, total=174), row(2, 100)]
    check, findings = check_candidate_columns(figures(rows, **GENUINE))
    assert check.status is CheckStatus.UNKNOWN
    assert "1" in check.reason
    assert findings == ()


def test_a_printed_column_not_found_makes_the_row_unknown() -> None:
    base = row(1, 170, 3, 30)
    unlocated = base.model_copy(update={"challenged_votes": None})  # column not found
    rows = [unlocated, row(2, 100)]
    printed = frozenset({"votes", "tendered_votes", "challenged_votes", "total_valid_votes"})
    check, findings = check_candidate_columns(figures(rows, **GENUINE), printed)
    assert check.status is CheckStatus.UNKNOWN and findings == ()
    # a form that does not print the column: the other columns are summed
    check, findings = check_candidate_columns(
        figures(rows, **GENUINE), printed - {"challenged_votes"}
    )
    assert check.status is CheckStatus.FAIL


@pytest.mark.parametrize(
    ("rejected", "polled", "status"),
    [(12, 312, CheckStatus.PASS), (12, 400, CheckStatus.FAIL), (None, 312, CheckStatus.UNKNOWN)],
)
def test_valid_plus_rejected(rejected: int | None, polled: int, status: CheckStatus) -> None:
    form = figures(
        genuine_rows(), **{**GENUINE, "rejected_votes": rejected, "total_votes_polled": polled}
    )
    check, findings = check_valid_plus_rejected(form)
    assert check.status is status
    assert bool(findings) == (status is CheckStatus.FAIL)


def test_a_sum_one_unsure_digit_explains_is_for_a_reader_not_a_mismatch() -> None:
    # total polled 312 read unsurely as 712: valid + rejected and men + women agree on 312
    unsure = figures(genuine_rows(), **GENUINE)
    unsure = FormFigures(
        header=unsure.header,
        candidates=unsure.candidates,
        totals={**unsure.totals, "total_votes_polled": num(712, 0.97)},
    )
    for check_of in (check_valid_plus_rejected, check_gender_sum):
        assert check_of(unsure)[0].status is CheckStatus.UNKNOWN
    findings = check_valid_plus_rejected(unsure)[1]  # said once
    assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
    assert findings[0].evidence.values["would_be"] == 312
    # read surely, and men + women agreeing with it: a wrong form
    sure = figures(
        genuine_rows(), **{**GENUINE, "total_votes_polled": 712, "votes_polled_male": 600}
    )
    assert check_valid_plus_rejected(sure)[0].status is CheckStatus.FAIL
    # unsure, but two digits away: no misread of one digit makes it, still a mismatch
    far = FormFigures(
        header=sure.header,
        candidates=sure.candidates,
        totals={**sure.totals, "total_votes_polled": num(745, 0.97)},
    )
    assert check_valid_plus_rejected(far)[1][0].code is FindingCode.POLLED_SUM_MISMATCH


def test_a_figure_read_with_a_leading_zero_lost_a_digit() -> None:
    # total valid 300 read unsurely as "00" (as "010" was read for 1010): one digit lost,
    # though its value, 0, is two digits from 300; valid + rejected = polled failing is
    # for a reader
    rows = genuine_rows()
    rows[2] = row(3, None)  # the candidates' sum cannot say what the total is
    lost = figures(rows, **GENUINE)
    read = FieldReading(value=0, confidence=0.97, text="00", bbox=BBox(x0=1, y0=2, x1=9, y1=9))
    lost = dataclasses.replace(lost, totals={**lost.totals, "total_valid_votes": read})
    check, findings = check_valid_plus_rejected(lost)
    assert check.status is CheckStatus.UNKNOWN
    assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
    assert findings[0].evidence.values["would_be"] == 300
    # nor are the candidates judged against a total the other sum says was misread
    rows[2] = row(3, 26)
    against = dataclasses.replace(lost, candidates=rows)
    check, findings = check_candidate_sum(against)
    assert check.status is CheckStatus.UNKNOWN and findings == ()
    assert "300" in check.reason
    # read as "0", no digit of it lost: a mismatch no single misread explains
    plain = dataclasses.replace(lost, totals={**lost.totals, "total_valid_votes": num(0, 0.97)})
    assert check_valid_plus_rejected(plain)[1][0].code is FindingCode.POLLED_SUM_MISMATCH


def test_a_candidate_figure_one_unsure_digit_off_is_named_for_a_reader() -> None:
    rows = genuine_rows()  # a form without a total column: 100 votes read as 160
    rows[1] = rows[1].model_copy(update={"total_valid_votes": None, "votes": num(160, 0.96)})
    check, findings = check_candidate_sum(figures(rows, **GENUINE))
    assert check.status is CheckStatus.UNKNOWN
    assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
    assert findings[0].evidence.values["unsure_figure"] == "candidate 2's figure"
    assert findings[0].evidence.values["would_be"] == 100


def test_a_total_cell_both_its_columns_and_the_sum_contradict_is_for_a_reader() -> None:
    # candidate 2's total 100 read surely as 40: its columns say 100, and with 100 there
    # the candidates add up to the form's 300
    rows = genuine_rows()
    rows[1] = rows[1].model_copy(update={"total_valid_votes": num(40, 0.998)})
    form = figures(rows, **GENUINE)
    for check_of in (check_candidate_sum, check_candidate_columns):
        check, findings = check_of(form)
        assert check.status is CheckStatus.UNKNOWN
        assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
        assert findings[0].evidence.values == {"serial": "2", "read": 40, "would_be": 100}
    # the same cell when the form's total valid disagrees too: the form is wrong
    wrong = figures(rows, **{**GENUINE, "total_valid_votes": 240})
    assert check_candidate_columns(wrong)[1][0].code is FindingCode.CANDIDATE_COLUMNS_MISMATCH


def test_a_column_at_odds_with_a_total_the_form_sums_agree_with_is_for_a_reader() -> None:
    # candidate 2's votes 100 read surely as 40; its total 100 is what the candidates'
    # totals add up to the form's 300 with, and 300 + 12 rejected = 312 polled
    rows = genuine_rows()
    rows[1] = rows[1].model_copy(update={"votes": num(40, 0.998)})
    check, findings = check_candidate_columns(figures(rows, **GENUINE))
    assert check.status is CheckStatus.UNKNOWN
    assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
    assert "read the columns" in findings[0].message
    # with the polled sum broken too, the row is a finding like the sum
    broken = {**GENUINE, "total_votes_polled": 400}
    assert check_candidate_columns(figures(rows, **broken))[1][0].code is (
        FindingCode.CANDIDATE_COLUMNS_MISMATCH
    )


def test_a_total_cell_is_odd_against_a_withheld_column_read_in_full() -> None:
    # candidate 2's votes withheld as '100' (read in full, unsurely), its total read
    # surely as 10: the row's columns and the form's sum agree on 100 in the total cell
    rows = genuine_rows()
    withheld = FieldReading(
        value=None, confidence=0.9, text="100", bbox=BBox(x0=1, y0=2, x1=3, y1=4)
    )
    rows[1] = rows[1].model_copy(update={"votes": withheld, "total_valid_votes": num(10, 0.998)})
    check, findings = check_candidate_sum(figures(rows, **GENUINE))
    assert check.status is CheckStatus.UNKNOWN
    assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
    assert findings[0].evidence.values == {"serial": "2", "read": 10, "would_be": 100}
    # a withheld figure only partly read ('1?0') says nothing: the sum is a finding
    partly = withheld.model_copy(update={"text": "1?0"})
    rows[1] = rows[1].model_copy(update={"votes": partly})
    check, findings = check_candidate_sum(figures(rows, **GENUINE))
    assert [f.code for f in findings] == [FindingCode.CANDIDATE_SUM_MISMATCH]


def test_a_total_both_its_sums_contradict_alike_is_for_a_reader() -> None:
    # total valid 300 read surely as 700: the candidates say 300, and so do 312 polled
    # less 12 rejected. A slip of the officer's would have been carried into the polled
    # figure; a misread (or a stroke added later) is not
    form = figures(genuine_rows(), **{**GENUINE, "total_valid_votes": 700})
    for check_of in (check_candidate_sum, check_valid_plus_rejected):
        check, findings = check_of(form)
        assert check.status is CheckStatus.UNKNOWN
        assert "both of its sums say 300" in check.reason
    _, findings = check_candidate_sum(form)
    assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
    assert findings[0].evidence.values == {
        "field": "total_valid_votes",
        "read": 700,
        "would_be": 300,
    }
    assert check_valid_plus_rejected(form)[1] == ()  # said once
    # votes polled 312 read as 372: said once, by valid + rejected; men + women unknown
    polled = figures(genuine_rows(), **{**GENUINE, "total_votes_polled": 372})
    assert [f.code for f in check_valid_plus_rejected(polled)[1]] == [FindingCode.FIELD_UNREADABLE]
    assert check_gender_sum(polled) == (check_gender_sum(polled)[0], ())
    assert check_gender_sum(polled)[0].status is CheckStatus.UNKNOWN


def test_a_sum_two_unsure_figures_fail_is_for_a_reader() -> None:
    # men 251 read as 252 and women 149 as 249, both unsurely: 501 against 400 polled
    base = figures(genuine_rows(), **GENUINE)
    unsure = dataclasses.replace(
        base,
        totals={
            **base.totals,
            "votes_polled_male": num(252, 0.987),
            "votes_polled_female": num(249, 0.982),
            "total_votes_polled": num(400),
        },
    )
    check, findings = check_gender_sum(unsure)
    assert check.status is CheckStatus.UNKNOWN
    assert [f.code for f in findings] == [FindingCode.FIELD_UNREADABLE]
    assert findings[0].evidence.values["unsure_figures"] == "men, women"
    # one of them read surely: a mismatch
    one = dataclasses.replace(unsure, totals={**unsure.totals, "votes_polled_male": num(252)})
    assert check_gender_sum(one)[1][0].code is FindingCode.GENDER_SUM_MISMATCH


def test_gender_sum_mismatch() -> None:
    check, findings = check_gender_sum(
        figures(genuine_rows(), **{**GENUINE, "votes_polled_male": 150})
    )
    assert check.status is CheckStatus.FAIL
    assert findings[0].code is FindingCode.GENDER_SUM_MISMATCH


def test_turnout_over_100_and_high_turnout() -> None:
    over, found = check_turnout(figures(genuine_rows(), **{**GENUINE, "registered": 300}))
    assert over.status is CheckStatus.FAIL
    assert found[0].code is FindingCode.TURNOUT_OVER_100
    high, found = check_turnout(figures(genuine_rows(), **{**GENUINE, "registered": 350}))
    assert high.status is CheckStatus.PASS
    assert [f.code for f in found] == [FindingCode.TURNOUT_HIGH]
    normal, found = check_turnout(figures(genuine_rows(), **GENUINE))
    assert normal.status is CheckStatus.PASS and found == ()


def test_no_candidates_is_unknown() -> None:
    check, _ = check_candidate_sum(figures([], **GENUINE))
    assert check.status is CheckStatus.UNKNOWN


def test_required_field_missing() -> None:
    form = figures(genuine_rows(), **GENUINE)
    form = FormFigures(
        header={k: v for k, v in form.header.items() if k != "constituency"},
        candidates=form.candidates,
        totals=form.totals,
    )
    checks, findings = check_form(form, resolve_template("pk-form45"))
    required = next(c for c in checks if c.name == "required_fields")
    assert required.status is CheckStatus.FAIL
    assert required.fields == ("header.constituency",)
    assert [f.code for f in findings] == [FindingCode.REQUIRED_FIELD_MISSING]


def registers(male: FieldReading, female: FieldReading, total: FieldReading) -> FormFigures:
    header = {
        **HEADER,
        "registered_voters_male": male,
        "registered_voters_female": female,
        "registered_voters": total,
    }
    totals = {k: num(v) for k, v in GENUINE.items()}
    return FormFigures(header=header, candidates=genuine_rows(), totals=totals)


def test_registered_sum_passes_fails_and_doubts() -> None:
    check, found = check_registered_sum(registers(num(566), num(876), num(1442)))
    assert check.status is CheckStatus.PASS and found == ()
    check, found = check_registered_sum(registers(num(566), num(876), num(1300)))
    assert check.status is CheckStatus.FAIL
    assert found[0].code is FindingCode.REGISTERED_SUM_MISMATCH
    assert found[0].evidence.values["difference"] == 142
    # read surely, but one digit apart (1342 for 1442): a person reads the three
    check, found = check_registered_sum(registers(num(566), num(876), num(1342)))
    assert check.status is CheckStatus.UNKNOWN and found == ()
    assert "one digit apart" in check.reason
    # one digit of the unsure whole explains it: a person reads that figure
    check, found = check_registered_sum(registers(num(566), num(876), num(1342, 0.8)))
    assert check.status is CheckStatus.UNKNOWN
    assert [f.code for f in found] == [FindingCode.FIELD_UNREADABLE]
    assert found[0].evidence.values["unsure_figure"] == "registered_voters"
    assert found[0].evidence.values["would_be"] == 1442
    # no single digit explains this one, but a figure is unsure: a person reads the three
    check, found = check_registered_sum(registers(num(566), num(876), num(1300, 0.8)))
    assert check.status is CheckStatus.UNKNOWN and found == ()


def test_turnout_is_not_judged_against_a_register_its_own_parts_contradict() -> None:
    # 1442 registered read as 142 (a digit lost): fewer than the women registered alone
    doubted = registers(num(None), num(876), num(142))
    check, found = check_turnout(doubted)
    assert check.status is CheckStatus.UNKNOWN and found == ()
    assert "fewer than one sex" in (check.reason or "")
    check, found = check_turnout(registers(num(566), num(876), num(1442)))
    assert check.status is CheckStatus.PASS
    # a part withheld as unsure still says what it was read as: "876" beside "142"
    unsure = FieldReading(
        value=None, confidence=0.88, text="876", bbox=BBox(x0=1, y0=2, x1=3, y1=4)
    )
    check, found = check_turnout(registers(num(None), unsure, num(142)))
    assert check.status is CheckStatus.UNKNOWN and found == ()


def test_turnout_is_not_judged_on_a_polled_figure_both_its_sums_contradict() -> None:
    # 312 polled read as 3120 (a digit added): valid + rejected and men + women both say
    # 312; against 1000 registered that is no turnout of 312%
    check, found = check_turnout(figures(genuine_rows(), **{**GENUINE, "total_votes_polled": 3120}))
    assert check.status is CheckStatus.UNKNOWN and found == ()
    assert "both of its sums say 312" in check.reason
    # one sum agreeing with the reading: the reading stands, and the turnout is judged
    agreeing = {**GENUINE, "total_votes_polled": 3120, "votes_polled_male": 3008}
    check, found = check_turnout(figures(genuine_rows(), **agreeing))
    assert check.status is CheckStatus.FAIL
    assert [f.code for f in found] == [FindingCode.TURNOUT_OVER_100]


def test_a_total_whose_sums_agree_through_a_withheld_part_is_for_a_reader() -> None:
    # 312 polled read surely as 372; total valid 300 withheld though read in full: its
    # best reading plus 12 rejected and men plus women both say 312
    withheld = FieldReading(
        value=None, confidence=0.7, text="300", bbox=BBox(x0=1, y0=2, x1=3, y1=4)
    )
    form = figures(genuine_rows(), **{**GENUINE, "total_votes_polled": 372})
    form = dataclasses.replace(form, totals={**form.totals, "total_valid_votes": withheld})
    check, found = check_turnout(form)
    assert check.status is CheckStatus.UNKNOWN and "both of its sums say 312" in check.reason
    check, found = check_gender_sum(form)
    assert check.status is CheckStatus.UNKNOWN and found == ()
    # only partly read ('3?0'): one sum says 312, nothing agrees with it; the sum fails
    partly = withheld.model_copy(update={"text": "3?0"})
    form = dataclasses.replace(form, totals={**form.totals, "total_valid_votes": partly})
    check, found = check_gender_sum(form)
    assert check.status is CheckStatus.FAIL
    assert [f.code for f in found] == [FindingCode.GENDER_SUM_MISMATCH]


def test_turnout_is_not_judged_on_a_polled_figure_a_sum_suspects_of_a_misread() -> None:
    # seed 9022's GBA-11_ps111: 1344 polled read as 7344 at 0.97, men's votes withheld;
    # valid 1333 + rejected 11 say 1344, one digit off: a reading to check, no turnout
    misread = {**GENUINE, "total_votes_polled": 912, "votes_polled_male": None, "registered": 500}
    form = figures(genuine_rows(), **misread)
    form = dataclasses.replace(form, totals={**form.totals, "total_votes_polled": num(912, 0.97)})
    check, found = check_turnout(form)
    assert check.status is CheckStatus.UNKNOWN and found == ()
    assert "say 312" in (check.reason or "")
    # read surely, the same figure is judged: a turnout over 100% stands
    sure = figures(genuine_rows(), **misread)
    check, found = check_turnout(sure)
    assert [f.code for f in found] == [FindingCode.TURNOUT_OVER_100]
    # a sum that holds vouches for the reading, however unsure
    held = dataclasses.replace(
        sure,
        totals={
            **sure.totals,
            "total_votes_polled": num(912, 0.97),
            "votes_polled_male": num(912 - GENUINE["votes_polled_female"]),
        },
    )
    check, found = check_turnout(held)
    assert [f.code for f in found] == [FindingCode.TURNOUT_OVER_100]
