"""read_number and the digit model: real held-out digits, exact expectations."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.digitdata import DigitSplit, load_digits
from pipeline.numbers import cell_ink, digit_boxes, figure_alternatives, read_number
from pipeline.synth.handwriting import Hand, handwritten_number
from pipeline.synth.ink import BLUE_BALLPOINT, composite
from pipeline.tools.digit_net import digit_probabilities
from training.digit_data import to_mnist


def cell_with(digits: list[np.ndarray], *, rules: bool = True) -> np.ndarray:
    """A ruled cell (dark ink on light paper) holding the given MNIST digits."""
    cell = np.full((80, 260), 245, np.uint8)
    x = 60
    for digit in digits:
        glyph = cv2.resize(digit, (42, 48), interpolation=cv2.INTER_CUBIC)
        region = cell[16:64, x : x + 42]
        np.minimum(region, 255 - glyph, out=region)
        x += 40
    if rules:
        cell[:3, :] = 20
        cell[-3:, :] = 20
        cell[:, :3] = 20
    return cell


def test_digit_model_on_the_held_out_split() -> None:
    images, labels = load_digits(DigitSplit.TEST)
    probabilities = digit_probabilities(np.stack([to_mnist(i) for i in images]))
    accuracy = float((probabilities[:, :10].argmax(axis=1) == labels).mean())
    assert accuracy >= 0.985, accuracy


def test_reads_numbers_made_of_held_out_digits() -> None:
    images, labels = load_digits(DigitSplit.TEST)
    rng = np.random.default_rng(3)
    right = withheld = wrong = 0
    for _ in range(60):
        picks = rng.integers(len(labels), size=int(rng.integers(1, 4)))
        truth = int("".join(str(labels[i]) for i in picks))
        reading = read_number(cell_with([images[i] for i in picks]))
        if reading.value is None:
            withheld += 1
        elif reading.value == truth or (str(truth) != reading.text and int(reading.text) == truth):
            right += 1
        else:
            wrong += 1
    # the confidence is calibrated (about 0.7% of accepted handwritten cells wrong at the
    # default acceptance, see pipeline.numbers): most are read, a wrong one is rare (here
    # 53 right, 6 withheld, 905 read 903 at 0.95: its 5 is open at the top)
    assert right >= 45 and wrong <= 2, (right, withheld, wrong)


def test_empty_cell_is_empty_not_zero() -> None:
    reading = read_number(cell_with([]))
    assert reading.value is None and reading.status == "empty"


def test_a_dash_is_zero() -> None:
    cell = cell_with([], rules=False)
    cv2.line(cell, (100, 40), (150, 41), 30, 4)
    reading = read_number(cell)
    assert (reading.value, reading.text) == (0, "-")


def test_noise_is_withheld_not_guessed() -> None:
    rng = np.random.default_rng(0)
    cell = np.full((80, 260), 245, np.uint8)
    for _ in range(12):
        cv2.circle(cell, (int(rng.integers(20, 240)), int(rng.integers(10, 70))), 2, 40, -1)
    reading = read_number(cell)
    assert reading.value is None


def test_touching_digits_are_split() -> None:
    images, labels = load_digits(DigitSplit.TEST)
    zeros, fives = images[labels == 0][:24], images[labels == 5][:24]
    touching = split_right = 0
    for zero, five in zip(zeros, fives, strict=True):
        cell = np.full((80, 260), 245, np.uint8)
        pair = np.zeros((28, 44), np.uint8)  # the two digits' ink overlapping: one blob
        pair[:, :26] = zero[:, 1:27]
        np.maximum(pair[:, 17:43], five[:, 1:27], out=pair[:, 17:43])
        glyph = cv2.resize(pair, (84, 48), interpolation=cv2.INTER_CUBIC)
        np.minimum(cell[16:64, 80:164], 255 - glyph, out=cell[16:64, 80:164])
        if len(digit_boxes(cell_ink(cell))) != 1:  # not one blob: no split needed
            continue
        touching += 1
        split_right += read_number(cell, accept=0.0).text == "05"
    assert touching >= 8 and split_right >= touching - 1, (touching, split_right)


def test_acceptance_threshold_withholds_but_keeps_the_reading() -> None:
    images, labels = load_digits(DigitSplit.TEST)
    cell = cell_with([images[labels == 4][0], images[labels == 7][0]])
    strict, lenient = read_number(cell, accept=1.01), read_number(cell, accept=0.0)
    assert strict.value is None and strict.status == "rejected"
    assert lenient.value == 47 and strict.text == lenient.text == "47"


def test_a_thin_stroke_broken_into_dashes_is_one_digit_not_specks() -> None:
    """A slanted "1" in a fine pen, which thresholding broke into three short dashes,
    each far shorter than the digits beside it: together they are a digit."""
    images, labels = load_digits(DigitSplit.TEST)
    cell = cell_with([np.zeros((28, 28), np.uint8), images[labels == 2][0], images[labels == 6][0]])
    for (x0, y0), (x1, y1) in (((82, 20), (79, 31)), ((77, 36), (74, 47)), ((72, 52), (69, 63))):
        cv2.line(cell, (x0, y0), (x1, y1), 40, 2)
    boxes = digit_boxes(cell_ink(cell))
    assert len(boxes) == 3 and boxes[0][3] >= 35, boxes
    assert read_number(cell, accept=0.0).text == "126"
    specks = cell_with([np.zeros((28, 28), np.uint8), images[labels == 2][0]])
    for x in (70, 80):  # two dots apart: noise, not a stroke
        cv2.circle(specks, (x, 40), 2, 40, -1)
    assert len(digit_boxes(cell_ink(specks))) == 1


def test_a_five_whose_cap_is_lifted_off_its_body_is_one_digit() -> None:
    """A "5" written in two strokes, its flat cap off to the right above its body: one
    digit with its cap, not "5" and an unreadable dash ("25?4")."""
    images, labels = load_digits(DigitSplit.TEST)
    cell = cell_with([images[labels == 2][0], np.zeros((28, 28), np.uint8), images[labels == 4][0]])
    x = 106
    cv2.line(cell, (x, 26), (x - 2, 40), 30, 4)  # the stem
    cv2.ellipse(cell, (x + 8, 50), (13, 11), 0, 200, 510, 30, 4)  # the belly
    cv2.line(cell, (x + 12, 17), (x + 46, 14), 30, 4)  # the cap, lifted off and to the right
    boxes = digit_boxes(cell_ink(cell))
    assert len(boxes) == 3, boxes
    assert read_number(cell).text == "254"
    # a dash written for nil stays a dash
    nil = np.full((80, 260), 245, np.uint8)
    cv2.line(nil, (100, 40), (150, 40), 30, 4)
    assert read_number(nil).text == "-"


def test_a_digit_box_walls_and_their_leftovers_are_not_read() -> None:
    """A loosely cut digit box (as square as the Indonesian C1's) shows its walls; one
    broken off above and below escapes the rule opening and read as a "1"."""
    seven = np.full((70, 70), 240, np.uint8)
    seven[:, 4:8] = 20  # the left wall, full height
    seven[6:58, 60:64] = 20  # the right wall, broken off above and below
    cv2.line(seven, (25, 18), (45, 18), 30, 4)
    cv2.line(seven, (45, 18), (32, 55), 30, 4)
    assert read_number(seven).text == "7"
    nil = np.full((70, 70), 240, np.uint8)
    nil[:, 10:14] = 20
    nil[8:60, 63:67] = 20
    cv2.line(nil, (28, 36), (40, 35), 30, 4)
    assert read_number(nil).text == "-"  # nil, short against the box, and not a "1"


def test_real_c1_digit_boxes_read_against_labels_by_eye() -> None:
    """The 62 real C1 crops (tests/fixtures/realdata, labelled by eye): the figures as
    measured by benchmarks.digits (27 of 43 digits right, 15 withheld, 1 wrong; 14 of 17
    dashes read as nil, none as a digit: before the walls were cut away, 8 were read as a
    "1"). The network of 2026-12-04 (all of MNIST's training digits) withholds more of
    these real digits than the one before (30 right, 12 withheld), reading none more
    wrong."""
    import pytest

    from benchmarks.digits import REALDATA, real_digit_outcomes

    if not REALDATA.is_dir():
        pytest.skip(f"{REALDATA} is not on this machine")
    outcomes = real_digit_outcomes()
    assert outcomes["digit"]["right"] >= 27 and outcomes["digit"]["wrong"] <= 1
    assert outcomes["dash"]["right"] >= 14 and outcomes["dash"]["wrong"] == 0
    assert outcomes["empty box"] == {"right": 2, "withheld": 0, "empty": 0, "wrong": 0}


def touching_one(text: str, seed: int) -> np.ndarray:
    """A figure beginning with "1" written into the next digit (the hand's spacing
    negative), captured at 150 dpi (halved, blurred, scaled back up)."""
    rng = np.random.default_rng(seed)
    hand = Hand(
        height_ratio=0.6,
        slant=float(rng.normal(0.1, 0.08)),
        stroke=int(rng.integers(0, 2)),
        spacing=-0.12,
    )
    canvas = np.full((64, 180, 3), 244, np.uint8)
    alpha = handwritten_number(text, 64, hand, rng).alpha[:60, :170]
    composite(canvas, alpha, BLUE_BALLPOINT, 20, (64 - alpha.shape[0]) // 2)
    small = cv2.resize(canvas[:, :, ::-1], None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 0.7)
    return np.asarray(cv2.resize(small, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR))


def test_a_leading_one_written_into_the_next_digit_is_seldom_dropped_silently() -> None:
    """Read whole, a touching "18" is an "8" as surely as its cut parts are "1" and "8";
    where the box begins with a straight stroke read "1" before that same digit, the
    figure is withheld with the "1" offered (the form's sums or a person settle it)."""
    dropped = offered = 0
    for seed in range(30):
        for text in ("18", "14", "17", "16", "12"):
            reading = read_number(touching_one(text, seed))
            dropped += reading.value == int(text[1:])
            offered += reading.value is None and int(text) in dict(figure_alternatives(reading))
    assert dropped <= 30  # 43 of 150 without the cut after a leading "1" (25 with it)
    assert offered >= 20  # 2 without it (26 with it)


def small_type(text: str, size: int, blur: float) -> np.ndarray:
    """A cell with a figure typed small and blurred as a coarse scan leaves it, so that
    neighbouring digits touch."""
    from pipeline.synth.handwriting import printed_number

    cell = np.full((64, 220, 3), 244, np.uint8)
    typed = printed_number(text, size)
    composite(cell, typed.alpha, (60, 60, 60), 40, (64 - typed.alpha.shape[0]) // 2)
    return cv2.GaussianBlur(cell, (0, 0), blur) if blur else cell


def test_small_types_touching_digits_are_each_read() -> None:
    """Small type's touching "44" closes into one box that the network reads surely as one
    "4": the typed figure's narrowest digit says how many digits the box holds."""
    cases = (("445", 22, 1.3), ("445", 29, 1.3), ("14448", 22, 1.3), ("10922", 22, 1.0))
    for text, size, blur in cases:
        cell = small_type(text, size, blur)
        ink = cell_ink(cell)
        assert len(digit_boxes(ink)) < len(text), text  # the digits do touch
        reading = read_number(cell)
        assert reading.text == text, (text, reading.text)
        assert reading.value in (None, int(text))  # blurred type may be withheld, never misread


def test_typed_digits_apart_and_handwriting_are_cut_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A typed figure whose digits stand apart keeps one box a digit; a hand's figures
    read as they did without the type's rule."""
    import pipeline.numbers as numbers

    for text in ("2200", "1000", "311"):
        assert read_number(small_type(text, 29, 0.0)).text == text
    rng = np.random.default_rng(4)
    images, _ = load_digits(DigitSplit.TEST)
    cells = [cell_with([images[i] for i in rng.choice(len(images), 3)]) for _ in range(40)]
    with_rule = [read_number(cell).text for cell in cells]
    monkeypatch.setattr(numbers, "TYPE_PITCH", float("inf"))
    assert with_rule == [read_number(cell).text for cell in cells]


def test_a_box_twice_as_wide_as_tall_is_never_read_as_one_digit() -> None:
    """Type blurred until its digits close up into one box ("229" 2.2 times as wide as
    tall: seed 9023's NA-145_ps229 header) was read "2" at 0.97; cut, it is withheld for a
    person (the cut's digits are unsure), never given as one digit."""
    for size in (20, 24):
        cell = small_type("229", size, 2.2)
        boxes = digit_boxes(cell_ink(cell))
        assert len(boxes) == 1 and boxes[0][2] >= 1.9 * boxes[0][3]
        reading = read_number(cell)
        assert len(reading.text) >= 2 and reading.value is None
