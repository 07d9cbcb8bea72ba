"""The corroborate stage on hand-made readings: what a holding sum accepts, and what not."""

from __future__ import annotations

from pipeline.model import BBox, CandidateRow, FieldReading
from pipeline.stages.corroborate import CONFIRMED_CONFIDENCE, corroborate
from pipeline.stages.read import FormReadings
from pipeline.templates import resolve_template

FORM45 = resolve_template("pk-form45")
FORM47 = resolve_template("pk-form47")


def sure(value: int) -> FieldReading:
    return FieldReading(
        value=value, confidence=0.995, text=str(value), bbox=BBox(x0=0, y0=0, x1=9, y1=9)
    )


def unsure(text: str, confidence: float = 0.6) -> FieldReading:
    """A figure the digit reader withheld: its best reading kept as text."""
    return FieldReading(
        value=None, confidence=confidence, text=text, bbox=BBox(x0=0, y0=0, x1=9, y1=9)
    )


def offered(text: str, *alternatives: tuple[int, float]) -> FieldReading:
    return unsure(text, 0.8).model_copy(update={"alternatives": alternatives})


def row45(
    serial: int,
    votes: FieldReading,
    total: FieldReading,
    tendered: FieldReading | None = None,
    challenged: FieldReading | None = None,
) -> CandidateRow:
    return CandidateRow(
        serial=sure(serial),
        name=FieldReading(value=f"Candidate {serial}"),
        votes=votes,
        tendered_votes=tendered or sure(0),
        challenged_votes=challenged or sure(0),
        total_valid_votes=total,
    )


def row47(serial: int, votes: FieldReading) -> CandidateRow:
    return CandidateRow(serial=sure(serial), name=FieldReading(value=f"C{serial}"), votes=votes)


def page(rows: list[CandidateRow], **totals: FieldReading) -> FormReadings:
    return FormReadings(header={}, candidates=tuple(rows), totals=totals, tables=(), findings=())


def test_a_withheld_figure_the_column_sum_closes_is_accepted_and_says_why() -> None:
    form = page(
        [row47(1, sure(120)), row47(2, unsure("35")), row47(3, sure(7))],
        total_valid_votes=sure(162),
    )
    (out,) = corroborate([form], FORM47)
    accepted = out.candidates[1].votes
    assert accepted.value == 35
    assert accepted.confidence == CONFIRMED_CONFIDENCE
    assert accepted.confirmed_by == ("candidate_sum",)
    assert out.totals["total_valid_votes"].confirmed_by == ("candidate_sum",)


def test_no_figure_is_solved_from_the_candidates_sum_when_a_page_lost_its_table() -> None:
    """Candidates on a page whose table was not found are missing from the sum: closing
    it would give the withheld figure their votes too."""
    form = page(
        [row47(1, sure(120)), row47(2, unsure("35")), row47(3, sure(7))],
        total_valid_votes=sure(162),
    )
    (out,) = corroborate([form], FORM47, every_table_found=False)
    assert out.candidates[1].votes.value is None
    assert out.totals["total_valid_votes"].confirmed_by == ()


def test_a_sum_that_does_not_hold_accepts_nothing() -> None:
    form = page(
        [row47(1, sure(120)), row47(2, unsure("36")), row47(3, sure(7))],
        total_valid_votes=sure(162),
    )
    (out,) = corroborate([form], FORM47)
    assert out.candidates[1].votes.value is None
    assert out.candidates[1].votes.confirmed_by == ()


def test_two_withheld_figures_are_accepted_by_one_sum_only_if_no_other_pair_fits() -> None:
    """42 and 56, each read unsurely, add up with 2 to the sure 100. If the reader also
    offered 43 for the first and 55 for the second, that pair would add up too: neither is
    accepted. If what it offered fits no pair, the sum vouches for both."""

    def accepted(first: FieldReading, second: FieldReading) -> list[int | str | None]:
        form = page(
            [row47(1, first), row47(2, second), row47(3, sure(2))], total_valid_votes=sure(100)
        )
        (out,) = corroborate([form], FORM47)
        return [r.votes.value for r in out.candidates]

    assert accepted(offered("42", (43, 0.2)), offered("56", (55, 0.2))) == [None, None, 2]
    assert accepted(offered("42", (47, 0.2)), offered("56", (58, 0.1))) == [42, 56, 2]


def test_a_withheld_part_and_a_withheld_whole_are_not_accepted_by_one_sum() -> None:
    """The same hand's 7 read as 2 in a part (17 -> 12) and in the whole (107 -> 102)
    would cancel: two withheld figures are accepted only as parts."""
    form = page([row47(1, unsure("12")), row47(2, sure(90))], total_valid_votes=unsure("102"))
    (out,) = corroborate([form], FORM47)
    assert out.candidates[0].votes.value is None
    assert out.totals["total_valid_votes"].value is None


def test_the_same_number_written_twice_needs_one_sure_reading() -> None:
    both_unsure = page([row45(1, unsure("17"), unsure("17"))])
    (out,) = corroborate([both_unsure], FORM45)
    assert out.candidates[0].votes.value is None
    one_sure = page([row45(1, unsure("17"), sure(17))])
    (out,) = corroborate([one_sure], FORM45)
    assert out.candidates[0].votes.value == 17
    assert out.candidates[0].votes.confirmed_by == ("candidate_columns",)


def test_confirmation_spreads_from_the_column_sum_to_the_row() -> None:
    """Row 2's total is closed by the column sum; its votes then equal a confirmed total."""
    form = page(
        [row45(1, sure(50), sure(50)), row45(2, unsure("31"), unsure("31"))],
        total_valid_votes=sure(81),
    )
    (out,) = corroborate([form], FORM45)
    assert out.candidates[1].total_valid_votes is not None
    assert out.candidates[1].total_valid_votes.value == 31
    assert out.candidates[1].votes.value == 31


def test_a_partly_read_figure_is_solved_only_when_the_solution_fits_it() -> None:
    fits = page([row45(1, unsure("2?"), sure(21))])
    (out,) = corroborate([fits], FORM45)
    assert out.candidates[0].votes.value == 21
    clash = page([row45(1, unsure("3?"), sure(21))])
    (out,) = corroborate([clash], FORM45)
    assert out.candidates[0].votes.value is None


def test_a_figure_in_a_failing_equation_is_vouched_for_by_no_other() -> None:
    """Row 1's columns disagree (43 + 0 + 0 != 42): the column sum, though it holds with
    the misread 42 and 56, confirms neither."""
    form = page(
        [row45(1, sure(43), sure(42)), row45(2, sure(55), unsure("56"))],
        total_valid_votes=sure(98),
    )
    (out,) = corroborate([form], FORM45)
    assert out.candidates[1].total_valid_votes is not None
    assert out.candidates[1].total_valid_votes.value is None


def test_a_sum_broken_by_one_row_still_lets_the_other_rows_vouch_for_theirs() -> None:
    """Row 1's total is misread ('48' for 43): the candidate sum fails, but only row 1's
    own columns name it; row 2's columns (55 + 0 + 0) still vouch for its withheld 55."""
    form = page(
        [row45(1, sure(43), unsure("48")), row45(2, sure(55), unsure("55"))],
        total_valid_votes=sure(98),
    )
    (out,) = corroborate([form], FORM45)
    first, second = out.candidates[0].total_valid_votes, out.candidates[1].total_valid_votes
    assert first is not None and first.value is None
    assert second is not None and second.value == 55
    assert second.confirmed_by == ("candidate_columns",)


def test_a_withheld_figure_is_solved_only_to_a_figure_its_ink_was_read_as() -> None:
    """Votes '52' withheld, its 2 possibly a 7; the row's other figures sure (0 + 0 = 57)
    and the candidates' sum holding with 57: the votes are 57, and say why."""

    def solve(votes: FieldReading, total_valid: int = 57) -> FieldReading:
        form = page([row45(1, votes, sure(57))], total_valid_votes=sure(total_valid))
        (out,) = corroborate([form], FORM45)
        return out.candidates[0].votes

    solved = solve(offered("52", (57, 0.15), (32, 0.02)))
    assert solved.value == 57 and solved.text == "52"
    assert solved.confirmed_by == ("candidate_columns",)
    assert solved.confidence == CONFIRMED_CONFIDENCE
    assert solve(offered("52", (53, 0.15))).value is None  # 57 was not offered
    assert solve(offered("52", (57, 0.005))).value is None  # nor likely enough
    # the total that would vouch is itself in a sum that fails (57 != 60)
    assert solve(offered("52", (57, 0.15)), total_valid=60).value is None


def test_a_row_missing_a_printed_column_takes_part_in_no_equation() -> None:
    """The challenged column was not found: votes + tendered = total would be a wrong sum."""
    missing = CandidateRow(
        serial=sure(1),
        name=FieldReading(value="C1"),
        votes=sure(9),
        tendered_votes=sure(0),
        challenged_votes=None,
        total_valid_votes=unsure("?"),
    )
    (out,) = corroborate([page([missing])], FORM45)
    assert out.candidates[0].total_valid_votes is not None
    assert out.candidates[0].total_valid_votes.value is None


def test_a_table_over_two_pages_is_one_sum_with_the_totals_of_the_last() -> None:
    first = page([row47(1, sure(10)), row47(2, unsure("20"))])
    second = page([row47(3, sure(30))], total_valid_votes=sure(60))
    out = corroborate([first, second], FORM47)
    assert out[0].candidates[1].votes.value == 20


def test_the_register_by_sex_vouches_for_a_withheld_registered_total() -> None:
    header = {
        "registered_voters_male": sure(566),
        "registered_voters_female": sure(876),
        "registered_voters": unsure("1442"),
    }
    form = FormReadings(header=header, candidates=(), totals={}, tables=(), findings=())
    (out,) = corroborate([form], FORM45)
    assert out.header["registered_voters"].value == 1442
    assert out.header["registered_voters"].confirmed_by == ("registered_sum",)
    wrong = FormReadings(
        header={**header, "registered_voters": unsure("1342")},
        candidates=(),
        totals={},
        tables=(),
        findings=(),
    )
    (out,) = corroborate([wrong], FORM45)
    assert out.header["registered_voters"].value is None
