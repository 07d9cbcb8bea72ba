"""The stamp-reading benchmark's verdicts on one stamp's centre and ring."""

from __future__ import annotations

from benchmarks.stamp_reading import centre_verdict
from pipeline.stages.stamp_text import words_on_ring


def test_a_centre_number_is_right_a_digit_off_further_or_unread() -> None:
    assert centre_verdict("PS 45 NA-12", 45) == "right"
    assert centre_verdict("PS 045", 45) == "right"
    assert centre_verdict("PS 46 NA-12", 45) == "one_edit"
    assert centre_verdict("PS 939 PP-173", 90) == "two_or_more"
    assert centre_verdict("NA-154", 153) == "none"


def test_ring_words_are_found_with_a_misread_letter() -> None:
    true = "PRESIDING OFFICER * BASIC HEALTH UNIT BILAL COLONY * NA-154"
    assert words_on_ring(true, true) == 1.0
    assert words_on_ring(true, "") == 0.0
    # HEALTH, BILAL, COLONY read, UNIT as "UwiT" (a letter off); OFFICER as "CRFICER"
    # (two off) and PRESIDING, BASIC not: 4 of 7
    read = "MEALTM BILAL COLONY * CRFICER * HEALTH UwiT BILAL COLONY"
    assert words_on_ring(true, read) == 4 / 7
