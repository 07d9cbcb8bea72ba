"""Copy-move inside a page: a signature cloned from one box into another."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.codes import FindingCode
from pipeline.layout import SignatureBox
from pipeline.model import BBox, SignatureRole
from pipeline.stages import copymove
from pipeline.stages.copymove import (
    CLONE_CORRELATION,
    CLONE_REGISTERED,
    COARSE_CORRELATION,
    COARSE_SIZED,
    SPREAD_RATIO,
    _alike_in_size,
    copy_move_findings,
    stroke_spread,
)
from pipeline.stages.marks import assess_signatures, box_ink
from tests.marks.conftest import draw_scribble, located, make_page

BOXES = tuple(
    BBox(x0=60 + c * 420, y0=80 + r * 200, x1=440 + c * 420, y1=240 + r * 200)
    for r in range(2)
    for c in range(3)
)


def _sheet(*, label: str | None = None) -> tuple[np.ndarray, tuple[SignatureBox, ...]]:
    """Six agents' boxes on grainy paper, each signed by a different hand."""
    rng = np.random.default_rng(11)
    image = np.clip(rng.normal(232, 5, (520, 1360, 3)), 0, 255).astype(np.uint8)
    boxes = []
    for k, box in enumerate(BOXES):
        cv2.rectangle(image, (box.x0, box.y0), (box.x1, box.y1), (20, 20, 20), 2)
        if label is not None:  # the same printed word in every box
            cv2.putText(image, label, (box.x0 + 20, box.y1 - 20), 0, 0.9, (30, 30, 30), 2)
        draw_scribble(image, BBox(x0=box.x0, y0=box.y0 + 10, x1=box.x1, y1=box.y1 - 40), seed=k)
        boxes.append(
            SignatureBox(role=SignatureRole.POLLING_AGENT, label=f"{k + 1}. Agent", bbox=box)
        )
    return image, tuple(boxes)


def _findings(image: np.ndarray, boxes: tuple[SignatureBox, ...]) -> tuple:
    page = make_page(image)
    form = located(boxes)
    return copy_move_findings(page, form, assess_signatures(page, form, None))


def test_six_different_hands_are_not_a_clone() -> None:
    image, boxes = _sheet()
    assert _findings(image, boxes) == ()


def test_the_same_printed_word_in_every_box_is_not_a_clone() -> None:
    image, boxes = _sheet(label="Sign here")
    assert _findings(image, boxes) == ()


def test_a_signature_cloned_into_another_box_is_found_in_both() -> None:
    image, boxes = _sheet()
    source, target = BOXES[1], BOXES[4]
    dx, dy = target.x0 - source.x0 + 3, target.y0 - source.y0 - 2  # off by a few pixels
    inner = image[source.y0 + 8 : source.y1 - 8, source.x0 + 8 : source.x1 - 8].copy()
    image[source.y0 + 8 + dy : source.y1 - 8 + dy, source.x0 + 8 + dx : source.x1 - 8 + dx] = inner
    findings = _findings(image, boxes)
    assert [f.code for f in findings] == [FindingCode.TAMPER_SUSPECTED] * 2
    named = {f.evidence.values["box"] for f in findings}
    assert named == {"2. Agent", "5. Agent"}
    for finding in findings:
        assert finding.evidence.values["correlation"] >= CLONE_CORRELATION
        assert len(finding.evidence.boxes) == 2


def test_a_clone_turned_and_blurred_by_the_capture_is_still_found() -> None:
    """The page's deskew and a scanner's blur take a clone's correlation under 0.95
    (seed 9002: 0.94 and 0.895) while two hands stay under 0.72."""
    image, boxes = _sheet()
    source, target = BOXES[1], BOXES[4]
    dx, dy = target.x0 - source.x0 + 3, target.y0 - source.y0 - 2
    inner = image[source.y0 + 8 : source.y1 - 8, source.x0 + 8 : source.x1 - 8].copy()
    h, w = inner.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 0.5, 1.0)
    inner = cv2.warpAffine(inner, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)
    inner = cv2.GaussianBlur(inner, (0, 0), 1.0)
    image[source.y0 + 8 + dy : source.y1 - 8 + dy, source.x0 + 8 + dx : source.x1 - 8 + dx] = inner
    findings = _findings(image, boxes)
    assert {f.evidence.values["box"] for f in findings} == {"2. Agent", "5. Agent"}
    assert all(0.88 <= f.evidence.values["correlation"] < 0.95 for f in findings)


def _wavy_line(image: np.ndarray, x0: int, y0: int, length: int = 260) -> None:
    points = [[x0 + i, y0 + round(3 * np.sin(i / 9.0))] for i in range(0, length, 2)]
    cv2.polylines(image, [np.array(points, np.int32)], False, (40, 40, 40), 3, cv2.LINE_AA)


def test_a_flat_mark_is_too_plain_to_call_a_clone() -> None:
    """A box holding only a flat stroke (a line struck through it, 10 pixels tall) matches
    any like stroke in another box, here a signature's underline, as a clone would (0.999
    without MIN_MARK_HEIGHT): such marks take no part."""
    image, boxes = _sheet()
    first, second = BOXES[0], BOXES[3]
    paper = np.random.default_rng(3).normal(
        232, 5, (first.y1 - first.y0 - 8, first.x1 - first.x0 - 8, 3)
    )
    image[first.y0 + 4 : first.y1 - 4, first.x0 + 4 : first.x1 - 4] = np.clip(paper, 0, 255)
    _wavy_line(image, first.x0 + 60, first.y0 + 80)
    _wavy_line(image, second.x0 + 60, second.y1 - 45)
    assert _findings(image, boxes) == ()


def test_a_slanted_line_is_no_clone_of_a_signature_with_a_like_stroke(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A box holding one slanted straight stroke (taller than MIN_MARK_HEIGHT) slides along
    a signature's own like stroke as a clone would (seeds 9017 and 9018's false clones):
    its ink lies far nearer its long axis than the signature's (SPREAD_RATIO)."""
    image, boxes = _sheet()
    first, second = BOXES[0], BOXES[3]
    paper = np.random.default_rng(3).normal(
        232, 5, (first.y1 - first.y0 - 8, first.x1 - first.x0 - 8, 3)
    )
    image[first.y0 + 4 : first.y1 - 4, first.x0 + 4 : first.x1 - 4] = np.clip(paper, 0, 255)
    for box, y in ((first, first.y0 + 60), (second, second.y1 - 70)):
        cv2.line(image, (box.x0 + 60, y), (box.x0 + 320, y + 34), (40, 30, 20), 3, cv2.LINE_AA)
    page = make_page(image)
    line = box_ink(page, first)
    signed = box_ink(page, second)
    assert stroke_spread(signed) > SPREAD_RATIO * stroke_spread(line)
    assert _findings(image, boxes) == ()
    monkeypatch.setattr(copymove, "SPREAD_RATIO", 1e9)  # every pair compared: a clone
    assert {f.evidence.values["box"] for f in _findings(image, boxes)} == {"1. Agent", "4. Agent"}


def _warped_clone(warp: np.ndarray, fall: float = 0.0) -> tuple:
    """Agent 2's signature cloned into agent 5's box, warped by `warp` (an affine map) as
    undoing a phone photo's perspective warps it, its patch's paper darkening `fall` grey
    levels across its width: the findings."""
    image, boxes = _sheet()
    source, target = BOXES[1], BOXES[4]
    dx, dy = target.x0 - source.x0 + 3, target.y0 - source.y0 - 2
    inner = image[source.y0 + 8 : source.y1 - 8, source.x0 + 8 : source.x1 - 8].copy()
    h, w = inner.shape[:2]
    inner = cv2.warpAffine(inner, warp, (w, h), borderMode=cv2.BORDER_REPLICATE)
    shaded = np.clip(inner - np.linspace(0, fall, w)[None, :, None], 0, 255).astype(np.uint8)
    image[source.y0 + 8 + dy : source.y1 - 8 + dy, source.x0 + 8 + dx : source.x1 - 8 + dx] = shaded
    return _findings(image, boxes)


def test_a_clone_warped_unlike_its_original_is_found_once_registered() -> None:
    """A clone pasted into a phone photo is warped unlike its original when the page's
    perspective is undone (seed 9013's TIFF photos: slid at 0.69-0.88): stretched 3% and
    sheared, it slides short of a clone, and registered by an affine map it is one image;
    six different hands, so registered, are not."""
    findings = _warped_clone(np.float32([[1.03, 0.02, -4], [0.01, 0.98, 1]]))
    assert {f.evidence.values["box"] for f in findings} == {"2. Agent", "5. Agent"}
    for finding in findings:
        assert finding.evidence.values["correlation"] < CLONE_CORRELATION
        assert finding.evidence.values["registered_correlation"] >= CLONE_REGISTERED


def test_a_clone_warped_past_the_coarse_pass_is_registered_when_alike_in_size() -> None:
    """Seed 9047's NA-76_ps071 p2: a clone in a phone photo, stretched 5% and sheared
    when the perspective was undone, slides at 0.49 at a quarter of the size, under
    COARSE_CORRELATION; its mark within SIZE_RATIO of its original's, it is registered,
    and is one image (0.997 there)."""
    findings = _warped_clone(np.float32([[1.05, 0.08, -8], [0.02, 1.05, -3]]))
    assert {f.evidence.values["box"] for f in findings} == {"2. Agent", "5. Agent"}
    for finding in findings:
        assert COARSE_SIZED <= finding.evidence.values["coarse_correlation"] < COARSE_CORRELATION
        assert finding.evidence.values["registered_correlation"] >= CLONE_REGISTERED
    wide, narrow = BBox(x0=0, y0=0, x1=116, y1=50), BBox(x0=0, y0=0, x1=100, y1=48)
    assert _alike_in_size(narrow, BBox(x0=9, y0=9, x1=122, y1=62))
    assert not _alike_in_size(wide, narrow)


def test_specks_about_a_clone_leave_its_spread_that_of_its_strokes() -> None:
    """A clone pasted with the paper around it leaves the patch's edge as specks along the
    box's sides (seed 9027's PS-229_ps162); measured on its strokes, its spread stays its
    original's, and the two are compared."""
    image, boxes = _sheet()
    source, target = BOXES[1], BOXES[4]
    patch = image[source.y0 + 6 : source.y1 - 6, source.x0 + 6 : source.x1 - 6].copy()
    image[target.y0 + 6 : target.y1 - 6, target.x0 + 6 : target.x1 - 6] = patch
    for x in range(target.x0 + 12, target.x1 - 12, 8):  # the patch's edge, in specks
        for y in (target.y0 + 8, target.y1 - 9):
            cv2.rectangle(image, (x, y), (x + 3, y + 1), (150, 150, 150), -1)
    page = make_page(image)
    specked, original = box_ink(page, target), box_ink(page, source)
    assert stroke_spread(specked) > SPREAD_RATIO * stroke_spread(original)  # not compared
    spread = stroke_spread(copymove.strokes_of(specked))
    assert spread == pytest.approx(stroke_spread(copymove.strokes_of(original)), rel=0.05)
    assert {f.evidence.values["box"] for f in _findings(image, boxes)} == {"2. Agent", "5. Agent"}


def _hooked_clone(warp: np.ndarray | None) -> tuple[tuple, list[float]]:
    """A flat hooked signature in agent 2's box cloned into agent 5's (warped by `warp`,
    an affine map, where given) with a piece of the patch's edge left in the box's corner
    (a stroke of its own, by MIN_STROKE_PIXELS): its findings and the two marks' spreads."""
    image, boxes = _sheet()
    source, target = BOXES[1], BOXES[4]
    paper = np.random.default_rng(5).normal(
        232, 5, (source.y1 - source.y0 - 8, source.x1 - source.x0 - 8, 3)
    )
    image[source.y0 + 4 : source.y1 - 4, source.x0 + 4 : source.x1 - 4] = np.clip(paper, 0, 255)
    hook = [(120, 70), (250, 78), (300, 80), (318, 60), (322, 84), (345, 92)]
    points = np.array([(source.x0 + x, source.y0 + y) for x, y in hook], np.int32)
    cv2.polylines(image, [points], False, (40, 40, 40), 4, cv2.LINE_AA)
    patch = image[source.y0 + 6 : source.y1 - 6, source.x0 + 6 : source.x1 - 6].copy()
    if warp is not None:
        h, w = patch.shape[:2]
        patch = cv2.warpAffine(patch, warp, (w, h), borderMode=cv2.BORDER_REPLICATE)
    image[target.y0 + 6 : target.y1 - 6, target.x0 + 6 : target.x1 - 6] = patch
    cv2.rectangle(image, (target.x0 + 10, target.y1 - 40), (target.x0 + 20, target.y1 - 32), 90, -1)
    page = make_page(image)
    spreads = [stroke_spread(copymove.strokes_of(box_ink(page, b))) for b in (source, target)]
    return _findings(image, boxes), spreads


def test_a_clone_sliding_as_one_image_is_found_though_its_spread_is_unlike() -> None:
    """Seed 9035's PP-37_ps183: a flat hooked signature cloned with a piece of the patch's
    edge left in the box's corner, its spread 2.07 times its original's; the two slide
    together at 0.99 (SURE_CLONE)."""
    findings, spreads = _hooked_clone(warp=None)
    assert SPREAD_RATIO * min(spreads) < max(spreads) < copymove.SURE_CLONE_RATIO * min(spreads)
    assert {f.evidence.values["box"] for f in findings} == {"2. Agent", "5. Agent"}
    for finding in findings:  # slid as one image: never registered
        assert finding.evidence.values["correlation"] >= copymove.SURE_CLONE
        assert "registered_correlation" not in finding.evidence.values


def test_a_warped_clone_whose_spread_is_unlike_is_found_once_registered() -> None:
    """Seed 9048's NA-181_ps025 p1: a clone in a shadowed phone photo, its patch's edge
    thresholded as ink round it (2.15 times its original's spread), slides at 0.856,
    short of SURE_CLONE; registered it is one image (0.995)."""
    findings, spreads = _hooked_clone(warp=np.float32([[1.03, 0.03, -4], [0.01, 0.98, 1]]))
    assert SPREAD_RATIO * min(spreads) < max(spreads) < copymove.SURE_CLONE_RATIO * min(spreads)
    assert {f.evidence.values["box"] for f in findings} == {"2. Agent", "5. Agent"}
    for finding in findings:
        assert finding.evidence.values["correlation"] < copymove.SURE_CLONE
        assert finding.evidence.values["registered_correlation"] >= CLONE_REGISTERED


def test_a_clone_shaded_unlike_its_original_is_registered_by_its_strokes() -> None:
    """Seed 9051's PB-215_ps074 p1: a clone pasted into a shadowed phone photo with a
    piece of paper shaded unlike its original's registers at 0.934 on the grey levels;
    compared as its strokes' darkness (STROKE_CLOSING), it is one image (0.993 there).
    Here the patch darkens 80 levels across its width, and is still found."""
    findings = _warped_clone(np.float32([[1.03, 0.02, -4], [0.01, 0.98, 1]]), fall=80)
    assert {f.evidence.values["box"] for f in findings} == {"2. Agent", "5. Agent"}
    for finding in findings:
        assert finding.evidence.values["registered_correlation"] >= CLONE_REGISTERED
