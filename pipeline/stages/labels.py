"""Fuzzy matching of OCR'd printed text against a template's labels."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from pipeline.templates import Labels

MATCH_THRESHOLD = 0.78


def normalise_text(text: str) -> str:
    """Lower case, Unicode NFKC, letters and digits only, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def similarity(text: str, label: str) -> float:
    """How well `text` (OCR of a cell) matches `label`: 0..1.

    The label may be a prefix of the cell text (a bilingual cell holds more), so the best
    of the whole-string ratio and the ratio against the cell's leading words is used.
    """
    a, b = normalise_text(text), normalise_text(label)
    if not a or not b:
        return 0.0
    whole = SequenceMatcher(None, a, b).ratio()
    head = " ".join(a.split()[: len(b.split())])
    return max(whole, SequenceMatcher(None, head, b).ratio())


def best_label_score(text: str, labels: Labels) -> float:
    return max((similarity(text, label) for label in labels.all()), default=0.0)


KEYWORD_THRESHOLD = 0.85  # a misread form number ("FORM-4S5") still names its form


def keyword_hits(text: str, keywords: tuple[str, ...], *, fuzzy: bool = False) -> int:
    """How many of the keywords occur in the text (ignoring case and punctuation).

    With `fuzzy`, a keyword that carries a form number ("Form-45") also counts when a run
    of words differs from it by a letter or two but has exactly its digits: "FORM-4S5"
    is Form 45, "Form 47" never is. Titles without a number must match exactly, since
    other countries' forms share their words ("results of the count").
    """
    norm = normalise_text(text)
    padded = f" {norm} "
    words = norm.split()
    keys = [k for k in map(normalise_text, keywords) if k]
    return sum(
        1
        for k in keys
        if f" {k} " in padded or (fuzzy and _digits(k) and _near_occurrence(words, k))
    )


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _near_occurrence(words: list[str], key: str) -> bool:
    size = len(key.split())
    for start in range(len(words) - size + 1):
        window = " ".join(words[start : start + size])
        if _digits(window) != _digits(key):
            continue
        if SequenceMatcher(None, window, key).ratio() >= KEYWORD_THRESHOLD:
            return True
    return False
