"""The learned overwrite test (`pipeline.strokes`): how it sees a digit, and what the
overwrite network says of figures written the way the synthetic forms write them."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.numbers import cell_ink, read_number
from pipeline.strokes import SINGLE_LAYER, darkness, digit_views, overwritten_strokes


def test_the_view_puts_one_layer_of_ink_at_half_range_and_two_above() -> None:
    cell = np.full((60, 80), 240, np.uint8)
    cell[10:50, 20:26] = 120  # one layer: half the paper's light through
    cell[27:33, 12:40] = 120
    cell[27:33, 20:26] = 60  # where the strokes cross, ink laid twice
    ink = cell_ink(cell)
    dark = darkness(cell, ink)
    assert dark[0, 0] == 0 and dark[55, 70] == 0  # paper
    assert abs(int(dark[15, 22]) - round(SINGLE_LAYER * 255)) <= 2
    assert dark[30, 22] > 1.4 * dark[15, 22]
    (view,) = digit_views(cell, ink, [(10, 10, 50, 40)])
    assert view.shape == (28, 28) and view.max() > 0


def _figures(overwritten: bool, count: int) -> list[np.ndarray]:
    """Figures of three digits in a blue pen as the generator writes them (its own hands
    and digits: the GENERATOR split, never trained on), one digit written over or none."""
    from pipeline.synth.handwriting import Hand, handwritten_number, overwrite_digit
    from pipeline.synth.ink import BLUE_BALLPOINT, composite

    rng = np.random.default_rng(5)
    cells = []
    for _ in range(count):
        hand = Hand.random(rng)
        first = "".join(str(d) for d in rng.integers(1, 10, size=3))
        written = handwritten_number(first, 90, hand, rng)
        canvas = np.full((90, 60 + written.alpha.shape[1] * 2, 3), 242, np.uint8)
        if overwritten:
            at = int(rng.integers(3))
            new = (int(first[at]) + int(rng.integers(1, 10))) % 10
            alpha, layer = overwrite_digit(written, at, new, hand, rng)
            composite(canvas, alpha, BLUE_BALLPOINT, 30, 4)
            composite(canvas, layer, BLUE_BALLPOINT, 30, 4)
        else:
            composite(canvas, written.alpha, BLUE_BALLPOINT, 30, 4)
        cells.append(canvas[:, :, ::-1].copy())
    return cells


@pytest.mark.parametrize("overwritten", [False, True])
def test_the_network_tells_figures_written_over_from_clean_ones(overwritten: bool) -> None:
    from pipeline.stages.read import TWO_DIGITS_STROKES

    said = []
    for cell in _figures(overwritten, 40):
        reading = read_number(cell)
        boxes = [(d.bbox.x0, d.bbox.y0, d.bbox.width, d.bbox.height) for d in reading.digits]
        found = overwritten_strokes(cell, boxes)
        said.append(found is not None and found.probability >= TWO_DIGITS_STROKES)
    if overwritten:
        assert sum(said) >= 30, sum(said)  # 37 of 40 when it was trained
    else:
        assert not any(said), said
