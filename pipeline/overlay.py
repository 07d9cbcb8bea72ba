"""The overlay: every detected cell, value, stamp, signature and finding drawn on the scan.

Drawn from a `FormResult` alone (all boxes are in original scan pixels), so an overlay
can be made again later from saved JSON and the original file.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from pipeline.model import BBox, FieldReading, FormResult, SignatureStatus, figure_fields

# BGR colours
CELL = (200, 200, 200)
GOOD = (40, 160, 40)
DOUBT = (0, 140, 255)
BAD = (0, 0, 220)
STAMP = (200, 60, 160)
SIGN = (200, 120, 0)


def _rect(image: NDArray[np.uint8], box: BBox, colour: tuple[int, int, int], width: int) -> None:
    cv2.rectangle(image, (box.x0, box.y0), (box.x1 - 1, box.y1 - 1), colour, width)


def _label(image: NDArray[np.uint8], box: BBox, text: str, colour: tuple[int, int, int]) -> None:
    scale = max(0.5, image.shape[1] / 2480)
    org = (box.x0 + 2, max(12, box.y0 - 4))
    cv2.putText(
        image,
        text,
        org,
        cv2.FONT_HERSHEY_SIMPLEX,
        0.6 * scale,
        (255, 255, 255),
        int(4 * scale),
        cv2.LINE_AA,
    )
    cv2.putText(
        image,
        text,
        org,
        cv2.FONT_HERSHEY_SIMPLEX,
        0.6 * scale,
        colour,
        max(1, int(1.5 * scale)),
        cv2.LINE_AA,
    )


def _field(image: NDArray[np.uint8], reading: FieldReading | None, width: int) -> None:
    if reading is None or reading.bbox is None:
        return
    colour = GOOD if reading.value is not None and reading.confidence >= 0.5 else DOUBT
    _rect(image, reading.bbox, colour, width)
    shown = "?" if reading.value is None else str(reading.value)
    if shown.isascii():  # OpenCV's Hershey fonts draw ASCII only
        _label(image, reading.bbox, f"{shown} ({reading.confidence:.2f})", colour)


def draw_overlay(original: NDArray[np.uint8], result: FormResult) -> NDArray[np.uint8]:
    """A copy of the original page (BGR) with the result drawn on it."""
    image: NDArray[np.uint8] = (
        original.copy() if original.ndim == 3 else cv2.cvtColor(original, cv2.COLOR_GRAY2BGR)
    ).astype(np.uint8)
    width = max(1, round(image.shape[1] / 1200))
    for table in result.tables:
        for cell in table.cells:
            _rect(image, cell.bbox, CELL, 1)
    for reading in figure_fields(result.header, result.totals, result.candidates):
        _field(image, reading, width)
    for stamp in result.stamps:
        _rect(image, stamp.bbox, STAMP, width * 2)
        _label(image, stamp.bbox, f"stamp {stamp.shape.value} {stamp.color}", STAMP)
    for signature in result.signatures:
        colour = SIGN if signature.status is SignatureStatus.PRESENT else DOUBT
        _rect(image, signature.bbox, colour, width)
        _label(image, signature.bbox, f"{signature.role.value}: {signature.status.value}", colour)
    here = result.source.page
    for finding in result.findings:
        evidence = finding.evidence
        main = evidence.page if evidence.page is not None else here
        on = evidence.box_pages or (main,) * len(evidence.boxes)
        boxes = [b for b, i in zip(evidence.boxes, on, strict=False) if i == here]
        if main == here and evidence.bbox is not None:  # boxes on other pages: not this image
            boxes.append(evidence.bbox)
            _label(image, evidence.bbox, finding.code.value, BAD)
        for box in boxes:
            _rect(image, box, BAD, width * 3)
    return image
