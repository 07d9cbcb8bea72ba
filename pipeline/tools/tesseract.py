"""Tesseract: the only place it is called.

English words are read in-process through tesserocr (its wheel bundles Tesseract 5.5),
one engine kept for the life of the process: a `tesseract` child process per call costs
about 0.25 s of start-up and model load, several times a page. Other scripts (Urdu
header rows) go to the installed `tesseract` program (Debian's 5.3) through
pytesseract: on a Naskh-printed header row 5.5 lost the serial-number label that 5.3
reads (tests/stages/test_locate_urdu.py). The program also gives the version, the
language data folder (tesserocr reads the same traineddata files) and orientation
(tesserocr's OSD call aborts the process with a non-osd language: ground.md). Both paths
return Tesseract's TSV, parsed in one place. OMP_THREAD_LIMIT=1 throughout (4-6x slower
on 2 cores without it). Failures become our errors; Tesseract's messages go to the
`tallyscope.tesseract` logger.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytesseract
import tesserocr

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
    tessdata: str  # the folder of the installed traineddata files


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
    listing = subprocess.run(
        [pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    ).stdout
    folder = re.search(r'languages in "([^"]+)"', listing)
    missing = [lang for lang in REQUIRED_LANGUAGES if lang not in languages]
    if missing:
        raise MissingDependency(
            f"tesseract language data missing: {', '.join(missing)} "
            f"(apt-get install {' '.join('tesseract-ocr-' + m for m in missing)})"
        )
    if folder is None:
        raise MissingDependency(f"tesseract did not say where its language data is: {listing!r}")
    return TesseractInfo(version=version, languages=languages, tessdata=folder.group(1))


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


# Tesseract reads every unsure line a second time as white-on-black; a result form has no
# inverted print, and on its handwriting and stamps the second read costs ~15% of a page's
# read for nothing (same label words on 12 seed-9002 pages, 126 of 2,590 debris "words"
# differ)
NO_INVERTED_TEXT = ("tessedit_do_invert", "0")
IN_PROCESS = "eng"  # the language read through tesserocr; others through the program
LEPTONICA_SILENT = 6  # L_SEVERITY_NONE
_ENGINES: dict[int, tesserocr.PyTessBaseAPI] = {}


def _silence_leptonica() -> None:
    """Stop the wheel's own Leptonica writing "Error in boxClipToRectangle..." straight to
    stderr (the program's child process kept those off our stderr; progress lives there)."""
    bundled = Path(tesserocr.__file__).resolve().parent.parent / "tesserocr.libs"
    for library in bundled.glob("libleptonica*.so*"):
        ctypes.CDLL(str(library)).setMsgSeverity(LEPTONICA_SILENT)


def _engine() -> tesserocr.PyTessBaseAPI:
    """This process's English engine (a forked worker makes its own)."""
    pid = os.getpid()
    if pid not in _ENGINES:
        _silence_leptonica()
        try:
            engine = tesserocr.PyTessBaseAPI(path=probe().tessdata, lang=IN_PROCESS)
        except RuntimeError as exc:
            raise MissingDependency(f"tesseract could not load {IN_PROCESS}: {exc}") from exc
        engine.SetVariable(*NO_INVERTED_TEXT)
        _ENGINES[pid] = engine
    return _ENGINES[pid]


def _tsv_in_process(gray: np.ndarray, psm: int) -> str:
    engine = _engine()
    engine.SetPageSegMode(psm)
    height, width = gray.shape
    engine.SetImageBytes(gray.tobytes(), width, height, 1, width)
    tsv = engine.GetTSVText(0)  # right-to-left words in reading order, unlike its iterator
    engine.Clear()
    return str(tsv)


def _tsv_by_program(gray: np.ndarray, lang: str, psm: int) -> str:
    try:
        return str(
            pytesseract.image_to_data(
                gray,
                lang=lang,
                config=f"--psm {psm} -c {'='.join(NO_INVERTED_TEXT)}",
                timeout=TIMEOUT_S,
            )
        )
    except pytesseract.TesseractError as exc:
        log.warning("tesseract failed: %s", exc)
    except RuntimeError as exc:  # pytesseract's timeout
        log.warning("tesseract timed out: %s", exc)
    return ""


def ocr_words(image: np.ndarray, *, lang: str = "eng", psm: int = 11) -> tuple[OcrWord, ...]:
    """Words with confidence and boxes (in `image` pixels)."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    if gray.size == 0:
        return ()
    lang = _lang(lang)
    tsv = _tsv_in_process(gray, psm) if lang == IN_PROCESS else _tsv_by_program(gray, lang, psm)
    return tuple(word for row in tsv.splitlines() if (word := _tsv_word(row)) is not None)


def _tsv_word(row: str) -> OcrWord | None:
    """One word of Tesseract's TSV (level 5 rows), None for the other levels."""
    cells = row.split("\t")
    if len(cells) < 12 or cells[0] != "5":
        return None
    text, confidence = cells[11].strip(), float(cells[10])
    if not text or confidence < 0:
        return None
    block, paragraph, line = (int(c) for c in cells[2:5])
    x, y, w, h = (int(c) for c in cells[6:10])
    return OcrWord(
        text=text,
        confidence=min(1.0, confidence / 100.0),
        bbox=BBox(x0=x, y0=y, x1=x + w, y1=y + h),
        line=(block, paragraph, line),
    )
