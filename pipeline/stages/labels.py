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


def keyword_hits(text: str, keywords: tuple[str, ...]) -> int:
    """How many of the keywords occur in the text (ignoring case and punctuation)."""
    norm = f" {normalise_text(text)} "
    return sum(1 for k in keywords if normalise_text(k) and f" {normalise_text(k)} " in norm)
