"""The digit network as an ONNX graph, for ONNX Runtime to run (pipeline/tools/digit_net.py).

Built with the `onnx` package (a training-only dependency, like torch) from the plain
arrays `train_digits.export_weights` gives: batch norm already folded into the
convolutions, and the temperature folded into the last layer (logits / T = x (W / T)' +
b / T), so the graph ends in the calibrated probabilities. Deterministic: the same
weights give the same bytes.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
INPUT, OUTPUT = "digits", "probabilities"


def onnx_graph(
    weights: dict[str, np.ndarray], temperature: float, graph_name: str = "tallyscope_digits"
) -> bytes:
    """(N, 1, 28, 28) float32 in [0, 1] -> (N, classes) probabilities: the digit network's
    11 (0-9 and reject), the overwrite network's 2 (one digit, two)."""
    arrays: dict[str, np.ndarray] = {}
    classes = int(weights["head_4_weight"].shape[0])
    nodes = []
    x = INPUT
    for i in (0, 3, 6):
        w, b = f"features_{i}_weight", f"features_{i}_bias"
        arrays[w], arrays[b] = weights[w], weights[b]
        nodes += [
            helper.make_node("Conv", [x, w, b], [f"conv{i}"], kernel_shape=[3, 3], pads=[1] * 4),
            helper.make_node("Relu", [f"conv{i}"], [f"relu{i}"]),
            helper.make_node(
                "MaxPool", [f"relu{i}"], [f"pool{i}"], kernel_shape=[2, 2], strides=[2, 2]
            ),
        ]
        x = f"pool{i}"
    arrays["flat_shape"] = np.array([-1, weights["head_1_weight"].shape[1]], np.int64)
    arrays["head_1_weight"], arrays["head_1_bias"] = (
        weights["head_1_weight"],
        weights["head_1_bias"],
    )
    arrays["head_4_weight"] = weights["head_4_weight"] / np.float32(temperature)
    arrays["head_4_bias"] = weights["head_4_bias"] / np.float32(temperature)
    nodes += [
        helper.make_node("Reshape", [x, "flat_shape"], ["flat"]),  # per digit, as torch flattens
        helper.make_node("Gemm", ["flat", "head_1_weight", "head_1_bias"], ["dense"], transB=1),
        helper.make_node("Relu", ["dense"], ["dense_relu"]),
        helper.make_node(
            "Gemm", ["dense_relu", "head_4_weight", "head_4_bias"], ["logits"], transB=1
        ),
        helper.make_node("Softmax", ["logits"], [OUTPUT], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        graph_name,
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["N", 1, 28, 28])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["N", classes])],
        [numpy_helper.from_array(array, name) for name, array in arrays.items()],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="tallyscope"
    )
    onnx.checker.check_model(model)
    return model.SerializeToString()
