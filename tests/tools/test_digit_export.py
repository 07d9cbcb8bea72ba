"""The trained network, written as an ONNX graph and run by ONNX Runtime, gives
what torch gives (batch norm folded into the convolutions, the temperature into the last
layer). Needs torch and onnx, training-only dependencies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")


def test_onnx_graph_run_by_onnx_runtime_matches_the_torch_network(tmp_path: Path) -> None:
    from pipeline.tools import digit_net
    from training.onnx_graph import onnx_graph
    from training.train_digits import DigitNet, export_weights

    torch.manual_seed(0)
    model = DigitNet(width=1, batch_norm=True)
    for layer in model.features:  # statistics a trained network would have, not 0 and 1
        if isinstance(layer, torch.nn.BatchNorm2d):
            layer.running_mean.uniform_(-0.5, 0.5)
            layer.running_var.uniform_(0.5, 2.0)
            layer.weight.data.uniform_(0.5, 1.5)
            layer.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    temperature = 0.7
    path = tmp_path / "digits.onnx"
    path.write_bytes(onnx_graph(export_weights(model), temperature))
    digits = (np.random.default_rng(0).random((5, 28, 28)) * 255).astype(np.uint8)
    with torch.no_grad():
        inputs = torch.from_numpy(digits.astype(np.float32) / 255.0).unsqueeze(1)
        expected = torch.softmax(model(inputs) / temperature, 1).numpy()
    got = digit_net.probabilities_with(digit_net.network(path), digits)
    assert got.shape == (5, 11)
    assert np.abs(got - expected).max() < 1e-5


def test_the_overwrite_network_exports_with_its_two_outputs(tmp_path: Path) -> None:
    from pipeline.tools import digit_net
    from training.onnx_graph import onnx_graph
    from training.train_digits import DigitNet, export_weights

    torch.manual_seed(1)
    model = DigitNet(width=1, classes=2)
    model.eval()
    path = tmp_path / "overwrite.onnx"
    path.write_bytes(onnx_graph(export_weights(model), 1.0, graph_name="tallyscope_overwrite"))
    views = (np.random.default_rng(1).random((4, 28, 28)) * 255).astype(np.uint8)
    with torch.no_grad():
        inputs = torch.from_numpy(views.astype(np.float32) / 255.0).unsqueeze(1)
        expected = torch.softmax(model(inputs), 1).numpy()
    got = digit_net.probabilities_with(digit_net.network(path), views, classes=2)
    assert got.shape == (4, 2)
    assert np.abs(got - expected).max() < 1e-5
