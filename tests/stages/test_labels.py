"""Matching OCR'd titles and labels against a template's words."""

from __future__ import annotations

from pipeline.stages.labels import keyword_hits

KEYWORDS = ("Form-45", "Result of the Count")


def test_exact_keywords_are_found_ignoring_case_and_punctuation() -> None:
    assert keyword_hits("FORM-45 (continued) RESULT OF THE COUNT", KEYWORDS) == 2


def test_a_letter_slip_is_found_only_when_fuzzy() -> None:
    text = "FORM-4S5 (continued) PK-222 Polling Station 84"
    assert keyword_hits(text, KEYWORDS) == 0
    assert keyword_hits(text, KEYWORDS, fuzzy=True) == 1


def test_fuzzy_matching_never_trades_one_form_number_for_another() -> None:
    assert keyword_hits("FORM-47 (continued)", KEYWORDS, fuzzy=True) == 0
    assert keyword_hits("Results of the Count", KEYWORDS, fuzzy=True) == 0  # no form number
