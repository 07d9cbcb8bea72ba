"""The overwrite network's training cells (training/overwrite_data.py): the digit written
over is the box labelled two, the rest one; the cells are the same for the same seed."""

from __future__ import annotations

import numpy as np

from pipeline.digitdata import DigitSplit, load_digits
from training.overwrite_data import cell_views, views_and_labels, written_cell


def test_overwritten_cells_label_the_box_written_over_and_clean_cells_none() -> None:
    bank = load_digits(DigitSplit.TRAIN)
    rng = np.random.default_rng(4)
    overwritten = clean = labelled = 0
    for _ in range(200):
        state = rng.bit_generator.state
        _, over = written_cell(bank, rng)
        rng.bit_generator.state = state  # the same cell again, cut and labelled
        views, labels = cell_views(bank, rng)
        assert views.shape == (len(labels), 28, 28) and views.dtype == np.uint8
        if over is None:
            clean += 1
            assert not labels.any()
        else:
            overwritten += 1
            labelled += int(labels.sum() == 1)
    assert overwritten > 50 and clean > 80
    assert labelled >= 0.8 * overwritten  # a cut may split the overwrite from its digit


def test_the_same_seed_writes_the_same_cells() -> None:
    bank = load_digits(DigitSplit.TRAIN)
    a, la = views_and_labels(bank, 20, seed=3)
    b, lb = views_and_labels(bank, 20, seed=3)
    assert np.array_equal(a, b) and np.array_equal(la, lb)
