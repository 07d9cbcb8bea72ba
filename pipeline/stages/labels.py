"""Fuzzy matching of OCR'd printed text against a template's labels."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Indel

from pipeline.templates import Labels

MATCH_THRESHOLD = 0.78


@lru_cache(maxsize=8192)
def normalise_text(text: str) -> str:
    """Lower case, Unicode NFKC, letters and digits only, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    """2 x (letters in common, in order) / (letters in both): 1.0 for equal strings."""
    return float(Indel.normalized_similarity(a, b))


def _ratio_above(a: str, b: str, floor: float) -> float:
    """The similarity of a and b when it exceeds `floor`, else `floor` (rapidfuzz stops
    early below the cutoff)."""
    cutoff = min(1.0, max(0.0, floor))
    return max(floor, float(Indel.normalized_similarity(a, b, score_cutoff=cutoff)))


def _best_similarity(text: str, labels: tuple[str, ...]) -> tuple[float, int]:
    """The best ratio and the length of the label that gave it (the longest on a tie)."""
    a = normalise_text(text)
    if not a:
        return 0.0, 0
    words = a.split()
    best, size = 0.0, 0
    for label in labels:
        b = normalise_text(label)
        if not b:
            continue
        floor = best - 1e-9  # a tie is seen, so that the longer label wins it
        ratio = max(
            _ratio_above(a, b, floor), _ratio_above(" ".join(words[: len(b.split())]), b, floor)
        )
        if ratio > best + 1e-9 or (ratio > floor and len(b) > size):
            best, size = max(best, ratio), len(b)
    return best, size


def best_label_score(text: str, labels: Labels) -> float:
    """How well `text` (OCR of a cell) matches any of the labels (in any language), 0..1.

    A label may be a prefix of the cell text (a bilingual cell holds more), so for each
    label the best of the whole-string ratio and the ratio against the cell's leading
    words counts."""
    return _best_similarity(text, tuple(labels.all()))[0]


WINDOW_THRESHOLD = 0.9  # a label inside a heading's other words: nearly as printed
WINDOW_WORDS = 3  # and long enough not to be a part of another column's label


def heading_score(text: str, labels: Labels) -> float:
    """`best_label_score`, or better when a run of the cell's words anywhere matches a
    label: a column heading is printed over its other language, and a read of the cell
    in one language turns the other into junk before or after its own label ("۷70۳۹ 707
    حاصل کردہ کل ووٹ")."""
    best = best_label_score(text, labels)
    words = normalise_text(text).split()
    for label in labels.all():
        size = len(normalise_text(label).split())
        if size < WINDOW_WORDS:  # "Valid Votes" is inside "Total Valid Votes"
            continue
        for start in range(1, len(words) - size + 1):
            window = " ".join(words[start : start + size])
            ratio = similarity(window, normalise_text(label))
            if ratio >= WINDOW_THRESHOLD:
                best = max(best, ratio)
    return best


def label_match(text: str, labels: Labels) -> tuple[float, int]:
    """`best_label_score` and the length of the label matched: of two labels a cell's text
    matches equally ("Constituency" and "Constituency Name" in "Constituency Name ..."),
    the longer one says more of it."""
    return _best_similarity(text, tuple(labels.all()))


KEYWORD_THRESHOLD = 0.85  # a misread form number ("FORM-4S5") still names its form


def keyword_hits(text: str, keywords: tuple[str, ...], *, fuzzy: bool = False) -> int:
    """How many of the keywords occur in the text (ignoring case and punctuation).

    With `fuzzy`, a keyword that carries a form number ("Form-45") also counts when a run
    of words differs from it by a letter or two but has exactly its digits, a letter
    standing for a digit inside a number counting as that digit: "FORM-4S5" and "FORM-4S"
    are Form 45, "Form 47" never is. Titles without a number must match exactly, since
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


# letters OCR reads for digits in a blurred figure ("FORM-4S" for FORM-45)
DIGIT_LOOKALIKES = str.maketrans({"s": "5", "o": "0", "i": "1", "l": "1", "b": "8", "z": "2"})


def _number_read_as(word: str) -> str:
    """A word that carries a digit, with its digit look-alike letters read as digits."""
    return word.translate(DIGIT_LOOKALIKES) if _digits(word) else word


def _near_occurrence(words: list[str], key: str) -> bool:
    size = len(key.split())
    for start in range(len(words) - size + 1):
        window = " ".join(words[start : start + size])
        as_digits = " ".join(_number_read_as(w) for w in words[start : start + size])
        if _digits(key) not in (_digits(window), _digits(as_digits)):
            continue
        if similarity(window, key) >= KEYWORD_THRESHOLD:
            return True
    return False
