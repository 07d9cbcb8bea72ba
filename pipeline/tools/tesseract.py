"""Tesseract, through pytesseract: the only place it is called.

Every call runs `tesseract` as a child process with OMP_THREAD_LIMIT=1 (ground.md: 4-6x
slower on 2 cores without it), a timeout, and its failures turned into our errors. Its
stderr goes to the `tallyscope.tesseract` logger.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pytesseract

from pipeline.errors import MissingDependency
from pipeline.model import BBox

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
log = logging.getLogger("tallyscope.tesseract")
TIMEOUT_S = 60
REQUIRED_LANGUAGES = ("eng", "urd", "osd")


@dataclass(frozen=True)
class TesseractInfo:
    version: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class OcrWord:
    text: str
    confidence: float  # 0..1
    bbox: BBox
    line: tuple[int, int, int]  # (block, paragraph, line) numbers from Tesseract


@cache
def probe() -> TesseractInfo:
    """Tesseract's version and installed languages; MissingDependency when absent."""
    try:
        version = str(pytesseract.get_tesseract_version())
        languages = tuple(sorted(pytesseract.get_languages(config="")))
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise MissingDependency(
            "tesseract is not installed: run `make demo` (or apt-get install tesseract-ocr "
            "tesseract-ocr-eng tesseract-ocr-urd tesseract-ocr-osd)"
        ) from exc
    missing = [lang for lang in REQUIRED_LANGUAGES if lang not in languages]
    if missing:
        raise MissingDependency(
            f"tesseract language data missing: {', '.join(missing)} "
            f"(apt-get install {' '.join('tesseract-ocr-' + m for m in missing)})"
        )
    return TesseractInfo(version=version, languages=languages)


def _lang(lang: str) -> str:
    installed = probe().languages
    usable = [part for part in lang.split("+") if part in installed]
    return "+".join(usable) or "eng"


def detect_orientation(gray: np.ndarray) -> tuple[int, float]:
    """Degrees to rotate clockwise to make the page upright, and Tesseract's confidence.

    A page with too little text for OSD returns (0, 0.0): unsure, not an error.
    """
    probe()
    try:
        osd = pytesseract.image_to_osd(
            gray, config="--psm 0 -c min_characters_to_try=10", timeout=TIMEOUT_S
        )
    except pytesseract.TesseractError as exc:
        log.debug("OSD failed: %s", exc)
        return 0, 0.0
    rotate = re.search(r"Rotate:\s*(\d+)", osd)
    confidence = re.search(r"Orientation confidence:\s*([\d.]+)", osd)
    if rotate is None:
        return 0, 0.0
    return int(rotate.group(1)) % 360, float(confidence.group(1)) if confidence else 0.0


def ocr_words(
    image: np.ndarray, *, lang: str = "eng", psm: int = 11, config: str = ""
) -> tuple[OcrWord, ...]:
    """Words with confidence and boxes (in `image` pixels)."""
    probe()
    try:
        data = pytesseract.image_to_data(
            image,
            lang=_lang(lang),
            config=f"--psm {psm} {config}".strip(),
            output_type=pytesseract.Output.DICT,
            timeout=TIMEOUT_S,
        )
    except pytesseract.TesseractError as exc:
        log.warning("tesseract failed: %s", exc)
        return ()
    except RuntimeError as exc:  # pytesseract's timeout
        log.warning("tesseract timed out: %s", exc)
        return ()
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        words.append(
            OcrWord(
                text=text,
                confidence=conf / 100.0,
                bbox=BBox(x0=x, y0=y, x1=x + w, y1=y + h),
                line=(int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])),
            )
        )
    return tuple(words)
