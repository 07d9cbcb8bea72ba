"""Printed words on a normalised page: one Tesseract pass, shared by normalise and locate.

The normalise stage reads the page once to settle its 0/180 orientation; the words it
read travel on the `NormalisedPage` so that locate does not read the page again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

import cv2
import numpy as np

from pipeline.model import BBox
from pipeline.pages import TextWord
from pipeline.raster import shrink
from pipeline.templates import Labels, Template
from pipeline.tools.tesseract import OcrWord, ocr_words

OCR_SCALE = 0.75  # printed labels are large; OCR a slightly reduced page for speed
# ... and a page scanned at 240 dpi or more (not enlarged by normalise) at half size: its
# print is sharp at 150 dpi, and Tesseract's time goes with the pixels it lays out
SHARP_OCR_SCALE = 0.5
MIN_WORD_CONFIDENCE = 0.3  # below this a "word" is most often ruling debris or a stamp
KNOWN_WORD_CONFIDENCE = 0.5
LINE_MARGIN = 10  # px of the box's own edge repeated round a line read alone (`read_line`)


def _on_page(words: Iterable[OcrWord], scale: float, x: int, y: int) -> tuple[OcrWord, ...]:
    """Words read on a scaled image of the region at (x, y), in page pixels."""
    return tuple(
        replace(
            w,
            bbox=BBox(
                x0=int(w.bbox.x0 / scale) + x,
                y0=int(w.bbox.y0 / scale) + y,
                x1=int(w.bbox.x1 / scale) + x,
                y1=int(w.bbox.y1 / scale) + y,
            ),
        )
        for w in words
    )


def read_printed(text_ink: np.ndarray, scale: float = OCR_SCALE) -> tuple[OcrWord, ...]:
    """Words on a page whose ruling was removed (ink = 255), read at `scale`, in the
    page's pixels."""
    small = shrink(255 - text_ink, scale)
    return _on_page(ocr_words(small, lang="eng", psm=11), scale, 0, 0)


def page_words(
    words: Iterable[OcrWord], known: frozenset[str] = frozenset()
) -> tuple[TextWord, ...]:
    """The words worth matching against labels: confident enough to be text, or spelling
    exactly a word of the templates' labels (Tesseract 5.5 gave a clearly printed "Total"
    0.28 at the start of a column label; ruling debris does not spell label words)."""
    return tuple(
        TextWord(text=w.text, bbox=w.bbox, confidence=w.confidence)
        for w in words
        if w.confidence >= MIN_WORD_CONFIDENCE or (known and _token(w.text) in known)
    )


def _token(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold())


def vocabulary(templates: Sequence[Template]) -> frozenset[str]:
    """Latin-script words of the templates' titles and labels (3 letters or more)."""
    phrases: list[str] = []
    for template in templates:
        phrases.extend(template.title_keywords)
        columns = template.candidates.columns if template.candidates is not None else ()
        labels: list[Labels] = [spec.labels for spec in (*template.header, *template.totals)]
        labels += [spec.labels for spec in template.signatures]
        labels += [spec.labels for spec in columns]
        for label in labels:
            phrases.extend(label.eng)
            phrases.extend(text for texts in label.other.values() for text in texts)
    tokens = (_token(part) for phrase in phrases for part in phrase.split())
    return frozenset(t for t in tokens if len(t) >= 3)


def known_words(words: Iterable[OcrWord], known: frozenset[str]) -> int:
    """How many confidently read words are label words: near zero on an upside-down page."""
    return sum(1 for w in words if w.confidence > KNOWN_WORD_CONFIDENCE and _token(w.text) in known)


def reading_score(words: Iterable[OcrWord]) -> float:
    """How well Tesseract read words on this page: high when upright, low upside down."""
    return sum(
        w.confidence for w in words if sum(c.isalpha() for c in w.text) >= 3 and w.confidence > 0.6
    )


def read_line(gray: np.ndarray, box: BBox, scale: float = 1.0) -> tuple[TextWord, ...]:
    """Words of one printed line (a value box) read alone, as one line (psm 7), at the
    page's own resolution or enlarged by `scale`, in page pixels. The page pass reads a
    reduced page (OCR_SCALE) and reads a short code there worse than alone at full size."""
    crop = gray[box.y0 : box.y1, box.x0 : box.x1]
    if crop.size == 0:
        return ()
    if scale != 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    margin = LINE_MARGIN
    line = cv2.copyMakeBorder(crop, margin, margin, margin, margin, cv2.BORDER_REPLICATE)
    shift = round(margin / scale)
    words = _on_page(ocr_words(line, lang="eng", psm=7), scale, box.x0 - shift, box.y0 - shift)
    return tuple(TextWord(text=w.text, bbox=w.bbox, confidence=w.confidence) for w in words)


def read_region(text_ink: np.ndarray, box: BBox, lang: str) -> tuple[TextWord, ...]:
    """Words of one region (e.g. a table's header row) in another script, page pixels."""
    crop = 255 - text_ink[box.y0 : box.y1, box.x0 : box.x1]
    if crop.size == 0:
        return ()
    return page_words(_on_page(ocr_words(crop, lang=lang, psm=11), 1.0, box.x0, box.y0))
