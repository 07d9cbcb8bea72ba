"""An overwrite network scored on the digits of synthetic forms, without reading them again.

    .venv/bin/python -m benchmarks.overwrite_cells CORPUS --views views.npz   # once a corpus
    .venv/bin/python -m benchmarks.overwrite_views views.npz [...] [--model FILE]

`benchmarks.overwrite_cells --views` keeps every digit the overwrite network weighed, as
it saw it (`strokes.digit_views`), with its ink laid twice and its cell's truth: the
figures the double-ink test passed, and the one digit of each figure it suspected. Here
a network (the bundled model, or `--model`, e.g. one just trained to another path) is
run on them all, and the read stage's rule applied at a grid of bars:

- a passed figure is overwritten when its likeliest box reaches the network's bar, lays
  ink twice (pixels per pixel of height) and is dark enough (`read.TWO_DIGITS_STROKES`,
  `STROKES_LAID_TWICE`, `STROKES_DEPTH`);
- a suspected digit is cleared when the network gives it under `read.ONE_DIGIT_STROKES`.

Printed per bar: the overwrites found among the passed figures and the clean figures
accused; and per veto bar, the true suspects cleared and the false ones.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import pipeline.stages.read as read
from pipeline.tools.digit_net import OVERWRITE_PATH, network, probabilities_with

PROBABILITY_BARS = (0.97, 0.99, 0.995, 0.999)
PER_HEIGHT_BARS = (0.0, 0.5, 1.0)
DEPTH_BARS = (0.12, 0.18, 1.01)
VETO_BARS = (0.003, 0.01, 0.03)


@dataclass(frozen=True)
class WeighedCells:
    """Every weighed cell's likeliest box: its probability and ink laid twice."""

    probability: np.ndarray
    per_height: np.ndarray
    depth: np.ndarray
    overwritten: np.ndarray
    suspect: np.ndarray
    names: np.ndarray


def weigh(paths: list[Path], model: Path) -> WeighedCells:
    parts: list[tuple[np.ndarray, ...]] = []
    for path in paths:
        with np.load(path) as saved:
            scores = probabilities_with(network(model), saved["views"], classes=2)[:, 1]
            cell = saved["cell"]
            count = len(saved["names"])
            best = np.full(count, -1)
            for i in np.argsort(scores, kind="stable"):  # the last written is the likeliest
                best[cell[i]] = i
            parts.append(
                (
                    scores[best],
                    saved["per_height"][best],
                    saved["depth"][best],
                    saved["overwritten"],
                    saved["suspect"],
                    np.char.add(f"{path.stem}:", saved["names"].astype(str)),
                )
            )
    return WeighedCells(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def report(cells: WeighedCells) -> list[str]:
    passed, suspect = ~cells.suspect, cells.suspect
    over, clean = passed & cells.overwritten, passed & ~cells.overwritten
    lines = [
        f"figures passed by the double-ink test and weighed: {int(passed.sum())} "
        f"({int(over.sum())} overwritten); digits it suspected: {int(suspect.sum())} "
        f"({int((suspect & cells.overwritten).sum())} overwritten)",
        "bar  per-height  depth  found  clean accused",
    ]
    for bar, height, depth in itertools.product(PROBABILITY_BARS, PER_HEIGHT_BARS, DEPTH_BARS):
        accused = (cells.probability >= bar) & (cells.per_height >= height) & (cells.depth < depth)
        lines.append(
            f"{bar:<5} {height:<11} {depth:<6} {int((accused & over).sum()):>5} "
            f"{int((accused & clean).sum()):>14}"
        )
    for bar in VETO_BARS:
        cleared = suspect & (cells.probability < bar)
        lines.append(
            f"veto under {bar}: true suspects cleared {int((cleared & cells.overwritten).sum())}"
            f", false ones {int((cleared & ~cells.overwritten).sum())}"
        )
    missed = over & ~(
        (cells.probability >= read.TWO_DIGITS_STROKES)
        & (cells.per_height >= read.STROKES_LAID_TWICE)
        & (cells.depth < read.STROKES_DEPTH)
    )
    for i in np.nonzero(missed)[0]:
        lines.append(
            f"  missed at the read stage's bars: {cells.names[i]} network "
            f"{cells.probability[i]:.5f}, {cells.per_height[i]:.2f} per height, depth "
            f"{cells.depth[i]:.3f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("views", type=Path, nargs="+", help="overwrite_cells --views files")
    parser.add_argument("--model", type=Path, default=OVERWRITE_PATH)
    args = parser.parse_args()
    print(f"model: {args.model}")
    print("\n".join(report(weigh(args.views, args.model))))


if __name__ == "__main__":
    main()
