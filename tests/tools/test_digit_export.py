"""The trained network, saved for the numpy runtime, gives what torch gives (batch norm
folded into the convolutions). Needs torch, a training-only dependency."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")


def test_saved_weights_run_by_numpy_match_the_torch_network(tmp_path: Path) -> None:
    from pipeline.tools import digit_net
    from training.train_digits import DigitNet, export_weights

    torch.manual_seed(0)
    model = DigitNet(width=2, batch_norm=True)
    for layer in model.features:  # statistics a trained network would have, not 0 and 1
        if isinstance(layer, torch.nn.BatchNorm2d):
            layer.running_mean.uniform_(-0.5, 0.5)
            layer.running_var.uniform_(0.5, 2.0)
            layer.weight.data.uniform_(0.5, 1.5)
            layer.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    path = tmp_path / "digits.npz"
    np.savez(path, **export_weights(model))
    digits = (np.random.default_rng(0).random((5, 28, 28)) * 255).astype(np.uint8)
    with torch.no_grad():
        inputs = torch.from_numpy(digits.astype(np.float32) / 255.0).unsqueeze(1)
        expected = torch.softmax(model(inputs), 1).numpy()
    weights = digit_net._weights.__wrapped__(path)
    got = digit_net.probabilities_with(weights, digits)
    assert np.abs(got - expected).max() < 1e-5
