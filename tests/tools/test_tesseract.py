"""The Tesseract tool module, with the real Tesseract (no doubles except for its absence)."""

from __future__ import annotations

import cv2
import numpy as np
import pytesseract
import pytest

from pipeline.errors import MissingDependency
from pipeline.tools import tesseract


def _printed(lines: list[str], *, width: int = 1400, height: int = 900) -> np.ndarray:
    page = np.full((height, width), 255, np.uint8)
    for i, line in enumerate(lines):
        cv2.putText(page, line, (60, 120 + 90 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
    return page


def test_probe_reports_version_and_languages() -> None:
    info = tesseract.probe()
    assert info.version.startswith("5")
    assert {"eng", "urd", "osd"} <= set(info.languages)


def test_missing_tesseract_is_a_missing_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    tesseract.probe.cache_clear()
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    try:
        with pytest.raises(MissingDependency, match="tesseract is not installed"):
            tesseract.probe()
    finally:
        tesseract.probe.cache_clear()


def test_ocr_words_reads_printed_words_with_boxes() -> None:
    page = _printed(["TOTAL VALID VOTES 1234"])
    words = tesseract.ocr_words(page, lang="eng", psm=6)
    texts = [w.text for w in words]
    assert "VOTES" in texts and "1234" in texts
    figure = next(w for w in words if w.text == "1234")
    assert 0.5 < figure.confidence <= 1.0
    assert figure.bbox.x0 > 400 and 80 < figure.bbox.y1 < 160  # right of the label, on line 1


def test_blank_image_yields_no_words() -> None:
    assert tesseract.ocr_words(np.full((200, 400), 255, np.uint8), lang="eng") == ()


@pytest.mark.parametrize("quarter_turns", [0, 1, 2, 3])
def test_detect_orientation_finds_the_rotation(quarter_turns: int) -> None:
    lines = [
        "RESULT OF THE COUNT AT THE POLLING STATION",
        "Name of candidate and the votes obtained",
        "Total valid votes and votes excluded",
        "Signature of the Presiding Officer",
        "Polling agents of the contesting candidates",
    ]
    upright = _printed(lines * 2, width=1700, height=1100)
    rotated = np.rot90(upright, k=-quarter_turns).copy()  # clockwise quarter turns
    degrees, confidence = tesseract.detect_orientation(rotated)
    assert (degrees + 90 * quarter_turns) % 360 == 0
    assert confidence > 0.5


def test_detect_orientation_on_a_blank_page_is_unsure_not_an_error() -> None:
    assert tesseract.detect_orientation(np.full((600, 400), 255, np.uint8)) == (0, 0.0)


def test_other_scripts_are_read_by_the_installed_program_in_reading_order() -> None:
    from tests.stages.test_locate_urdu import urdu_only_form45

    header_row = urdu_only_form45()[700:840, 110:2370, 0]
    texts = [w.text for w in tesseract.ocr_words(header_row, lang="urd", psm=11)]
    assert "کل" in texts and "لک" not in texts  # "total", not its letters reversed
    assert "شمار" in texts  # the serial-number label the bundled 5.5 loses


LEPTONICA_COMPLAINT = """
import ctypes, pathlib, sys
import numpy as np, tesserocr
from pipeline.tools import tesseract
tesseract.ocr_words(np.full((60, 200), 255, np.uint8), lang="eng", psm=7)
folder = pathlib.Path(tesserocr.__file__).resolve().parent.parent / "tesserocr.libs"
for library in folder.glob("libleptonica*.so*"):
    ctypes.CDLL(str(library)).boxClipToRectangle(None, 10, 10)  # "Error in ..." unless quiet
"""


def test_in_process_engine_keeps_leptonica_messages_off_stderr() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", LEPTONICA_COMPLAINT], capture_output=True, text=True, check=True
    )
    assert "Error in" not in done.stderr
