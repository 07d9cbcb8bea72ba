"""benchmarks/overwrite_views.py: a network scored on the kept digit views applies the
read stage's rule to each cell's likeliest box, and counts finds, false accusations and
vetoes from the cells' truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import benchmarks.overwrite_views as overwrite_views
from benchmarks.overwrite_views import WeighedCells, report, weigh


def test_each_cell_is_weighed_by_its_likeliest_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    views = np.zeros((5, 28, 28), np.uint8)
    for i in range(5):
        views[i, 0, 0] = i  # the fake network's score, in tenths
    np.savez_compressed(
        tmp_path / "seed.npz",
        views=views,
        cell=np.array([0, 0, 0, 1, 1]),
        per_height=np.array([0.1, 2.0, 0.3, 0.0, 0.5], np.float32),
        depth=np.array([0.5, 0.1, 0.4, 0.2, 0.3], np.float32),
        overwritten=np.array([True, False]),
        found=np.array([False, False]),
        names=np.array(["a.png:0:candidates[1].votes", "a.png:0:candidates[2].votes"]),
        suspect=np.array([False, True]),
    )

    def fake(net: object, digits: np.ndarray, classes: int = 11) -> np.ndarray:
        score = digits[:, 0, 0].astype(np.float32) / 10
        return np.stack([1 - score, score], axis=1)

    monkeypatch.setattr(overwrite_views, "probabilities_with", fake)
    monkeypatch.setattr(overwrite_views, "network", lambda path: None)
    cells = weigh([tmp_path / "seed.npz"], Path("unused.onnx"))
    assert np.allclose(cells.probability, [0.2, 0.4])  # the likeliest of each cell's boxes
    assert np.allclose(cells.per_height, [0.3, 0.5]) and np.allclose(cells.depth, [0.4, 0.3])
    assert list(cells.names) == [
        "seed:a.png:0:candidates[1].votes",
        "seed:a.png:0:candidates[2].votes",
    ]


def _cells(**columns: list[object]) -> WeighedCells:
    return WeighedCells(**{k: np.array(v) for k, v in columns.items()})  # type: ignore[arg-type]


def test_the_report_counts_finds_false_accusations_and_vetoes() -> None:
    cells = _cells(
        probability=[0.999, 0.9995, 0.96, 0.995, 0.002, 0.02],
        per_height=[1.5, 1.2, 2.0, 0.2, 1.0, 1.0],
        depth=[0.05, 0.10, 0.05, 0.05, 0.05, 0.05],
        overwritten=[True, False, True, True, False, True],
        suspect=[False, False, False, False, True, True],
        names=["o1", "c1", "o2", "o3", "s1", "s2"],
    )
    lines = report(cells)
    assert lines[0].startswith(
        "figures passed by the double-ink test and weighed: 4 (3 overwritten)"
    )
    row = next(line for line in lines if line.split()[:3] == ["0.99", "1.0", "0.12"])
    assert row.split()[3:] == ["1", "1"]  # o1 found, c1 accused; o2 under the bar, o3 thin
    row = next(line for line in lines if line.split()[:3] == ["0.97", "0.0", "0.12"])
    assert row.split()[3:] == ["2", "1"]  # o3 too, laying no ink twice asked
    assert "veto under 0.01: true suspects cleared 0, false ones 1" in lines
    assert "veto under 0.03: true suspects cleared 1, false ones 1" in lines
    assert sum("missed at the read stage's bars" in line for line in lines) == 2
