"""Train the overwrite network and write models/overwrite/overwrite.onnx (deterministic
per seed and worker count).

    .venv/bin/pip install 'torch==2.13.0' 'onnx>=1.17,<2'   # training only, never at run time
    .venv/bin/python -m training.train_overwrite --seed 11 --epochs 8

The network is the digit model's small CNN (`train_digits.DigitNet`) with two outputs:
one digit's strokes in the box, or two digits', one written over the other. Its data is
`training/overwrite_data.py`: figures written into cells from MNIST's training digits.
It is measured on cells written from MNIST's 10,000 test digits, never trained on: the
share of overwritten digits it finds, and of clean digits it accuses, at the bars
`pipeline.stages.read` may use (training.json beside the model).
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import torch
from torch import nn

from pipeline.digitdata import REPO_ROOT
from pipeline.tools.digit_net import OVERWRITE_PATH
from training.digit_data import full_mnist, without_overlap
from training.onnx_graph import onnx_graph
from training.overwrite_data import views_and_labels
from training.train_digits import DigitNet, export_weights

CHUNK = 2000  # cells per worker task
BARS = (0.5, 0.9, 0.97, 0.99, 0.995, 0.999)


def _chunk(bank: tuple[np.ndarray, np.ndarray], seed: int) -> tuple[np.ndarray, np.ndarray]:
    return views_and_labels(bank, CHUNK, seed)


def written(
    bank: tuple[np.ndarray, np.ndarray], cells: int, seed: int, workers: int
) -> tuple[np.ndarray, np.ndarray]:
    """`cells` cells' digit views and labels, CHUNK cells per task, seeded by task."""
    seeds = [seed * 100_000 + k for k in range(max(1, cells // CHUNK))]
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(partial(_chunk, bank), seeds))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def overwrite_scores(model: DigitNet, views: np.ndarray) -> np.ndarray:
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(views), 4096):
            batch = torch.from_numpy(views[start : start + 4096].astype(np.float32) / 255.0)
            out.append(torch.softmax(model(batch.unsqueeze(1)), dim=1)[:, 1].numpy())
    return np.concatenate(out)


def at_bars(scores: np.ndarray, labels: np.ndarray) -> dict[str, dict[str, float]]:
    """Per bar: the share of overwritten digits found, and of clean digits accused."""
    over, clean = scores[labels == 1], scores[labels == 0]
    return {
        str(bar): {
            "found": round(float((over >= bar).mean()), 4),
            "clean_accused": round(float((clean >= bar).mean()), 6),
        }
        for bar in BARS
    }


def train(seed: int, epochs: int, cells: int, workers: int, out: Path) -> dict[str, object]:
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    rng = np.random.default_rng(seed)
    mnist = full_mnist(REPO_ROOT / ".cache" / "training")  # its test set: never trained on
    images, labels, dropped = without_overlap(mnist.train_x, mnist.train_y)
    started = time.time()
    x, y = written((images, labels), cells, seed, workers)
    test_x, test_y = written((mnist.test_x, mnist.test_y), cells // 4, seed + 1, workers)
    print(
        f"{len(x)} digits ({int(y.sum())} overwritten) to train on, {len(test_x)} to test"
        f" ({time.time() - started:.0f} s)",
        flush=True,
    )
    model = DigitNet(width=1, classes=2)
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=3e-3, total_steps=epochs * (len(x) // 128 + 1)
    )
    loss_fn = nn.CrossEntropyLoss()
    inputs_all = torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)
    targets_all = torch.from_numpy(y)
    for epoch in range(epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(len(x)))
        for start in range(0, len(x), 128):
            idx = order[start : start + 128]
            batch = inputs_all[idx]
            if rng.random() < 0.5:  # a mirror image is no digit, but strokes stay two or one
                batch = torch.flip(batch, dims=[3])
            optimiser.zero_grad()
            loss = loss_fn(model(batch), targets_all[idx])
            loss.backward()
            optimiser.step()
            schedule.step()
        bars = at_bars(overwrite_scores(model, test_x), test_y)
        print(f"epoch {epoch + 1}/{epochs} loss {loss.item():.3f} test {bars}", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(onnx_graph(export_weights(model), 1.0, graph_name="tallyscope_overwrite"))
    return {
        "seed": seed,
        "epochs": epochs,
        "cells": cells,
        "workers": workers,
        "train_digits": len(x),
        "train_overwritten": int(y.sum()),
        "mnist_train_dropped_as_generator_or_test": dropped,
        "test_digits": len(test_x),
        "test_overwritten": int(test_y.sum()),
        "test_at_bars": bars,
        "train_seconds": round(time.time() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--cells", type=int, default=60_000, help="cells written to train on")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OVERWRITE_PATH, help="model file to write")
    args = parser.parse_args()
    report = train(args.seed, args.epochs, args.cells, args.workers, args.out)
    (args.out.parent / "training.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
