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


def test_a_digit_read_as_its_look_alike_letter_is_that_digit() -> None:
    text = "FORM-4S (continued) PS-67 Polling Station 152"  # a blurred 150-dpi phone photo
    assert keyword_hits(text, KEYWORDS) == 0
    assert keyword_hits(text, KEYWORDS, fuzzy=True) == 1
    assert keyword_hits("FORM-4B (continued)", KEYWORDS, fuzzy=True) == 0  # that is 48
    assert keyword_hits("FORMS 45", ("Form-47",), fuzzy=True) == 0  # the letters stay letters


def test_fuzzy_matching_never_trades_one_form_number_for_another() -> None:
    assert keyword_hits("FORM-47 (continued)", KEYWORDS, fuzzy=True) == 0
    assert keyword_hits("Results of the Count", KEYWORDS, fuzzy=True) == 0  # no form number


def test_a_label_word_read_with_low_confidence_is_kept_and_debris_is_not() -> None:
    from pipeline.model import BBox
    from pipeline.stages.printed import page_words, vocabulary
    from pipeline.templates import bundled_templates
    from pipeline.tools.tesseract import OcrWord

    def word(text: str, confidence: float) -> OcrWord:
        return OcrWord(
            text=text, confidence=confidence, bbox=BBox(x0=0, y0=0, x1=9, y1=9), line=(1, 1, 1)
        )

    read = [word("Total", 0.28), word("Valid", 0.97), word("cuwys", 0.0), word("199", 0.2)]
    known = vocabulary(bundled_templates())
    assert [w.text for w in page_words(read, known)] == ["Total", "Valid"]
    assert [w.text for w in page_words(read)] == ["Valid"]


def test_of_two_labels_a_cell_matches_equally_the_longer_one_says_more() -> None:
    from pipeline.stages.labels import label_match
    from pipeline.templates import resolve_template

    specs = {s.key: s.labels for s in resolve_template("pk-form45").header}
    cell = "Constituency Name ab ls"  # its Urdu label read as Latin debris
    code = label_match(cell, specs["constituency"])
    name = label_match(cell, specs["constituency_name"])
    assert code[0] == name[0] == 1.0  # "Constituency" is a prefix of the cell too
    assert name[1] > code[1]
    number = label_match("Constituency No sa,", specs["constituency"])
    assert number == (1.0, len("constituency no"))


def test_a_column_heading_is_found_among_its_other_languages_debris() -> None:
    from pipeline.stages.labels import best_label_score, heading_score
    from pipeline.templates import resolve_template

    columns = {c.key: c.labels for c in resolve_template("pk-form47").candidates.columns}  # type: ignore[union-attr]
    cell = "۷70۳۹ 707 ؟ہ حاصل کردہ کل ووٹ"  # "Total Votes Obtained" read as Urdu, then its label
    assert best_label_score(cell, columns["votes"]) < 0.78
    assert heading_score(cell, columns["votes"]) == 1.0
    # a short label is not looked for inside others: "درست ووٹ" (valid votes) is part of
    # "کل درست ووٹ" (total valid votes)
    form45 = {c.key: c.labels for c in resolve_template("pk-form45").candidates.columns}  # type: ignore[union-attr]
    assert heading_score("ab کل درست ووٹ", form45["votes"]) < 0.78
