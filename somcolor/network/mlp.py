"""The fitted MLP as plain float32 arrays, and its forward pass in array code (numpy or CuPy)."""

from typing import NamedTuple

import numpy as np

from .._arrays import array_module

# Hidden-layer activations in array code. A name's position in ACTIVATIONS is
# its code in the numba kernels (somcolor.network._kernels).
_ARRAY_ACTIVATIONS = {
    "identity": lambda h, xp: h,
    "relu": lambda h, xp: xp.maximum(h, 0),
    "tanh": lambda h, xp: xp.tanh(h),
    "logistic": lambda h, xp: 1 / (1 + xp.exp(-h)),
}
ACTIVATIONS = tuple(_ARRAY_ACTIVATIONS)


class Network(NamedTuple):
    """A fitted MLPClassifier as plain float32 arrays."""

    weights: tuple  # (n_in, n_out) per layer
    biases: tuple  # (n_out,) per layer
    activation: str  # of the hidden layers
    binary: bool  # one logistic output unit for two classes


class Layers(NamedTuple):
    """A :class:`Network`'s layers flattened as the colorizing kernels read them (CPU and CUDA alike)."""

    weights: np.ndarray  # float32: every layer's (n_in, n_out) matrix flattened, concatenated
    biases: np.ndarray  # float32: every layer's bias vector, concatenated
    sizes: np.ndarray  # int64: [n_in, hidden..., n_out]
    activation: int  # the hidden layers' code: its position in ACTIVATIONS
    binary: bool  # one logistic output unit (two classes) instead of softmax


def network_of(mlp):
    """The layers of a fitted ``MLPClassifier`` as a :class:`Network`."""
    if mlp.activation not in ACTIVATIONS:
        raise ValueError(f"unsupported MLP activation {mlp.activation!r}")
    with np.errstate(over="ignore"):  # values beyond float32 become inf, for the caller to refuse
        weights = tuple(np.ascontiguousarray(w, dtype=np.float32) for w in mlp.coefs_)
        biases = tuple(np.ascontiguousarray(b, dtype=np.float32) for b in mlp.intercepts_)
    return Network(
        weights=weights,
        biases=biases,
        activation=mlp.activation,
        binary=mlp.out_activation_ == "logistic",
    )


def logits_array(features, network):
    """The MLP's output-layer values before softmax, shape (pixels, n_classes), in array code."""
    xp = array_module(features)
    activate = _ARRAY_ACTIVATIONS[network.activation]
    h = features
    last = len(network.weights) - 1
    for index, (w, b) in enumerate(zip(network.weights, network.biases)):
        h = h @ xp.asarray(w) + xp.asarray(b)
        if index < last:
            h = activate(h, xp)
    if network.binary:
        h = xp.concatenate([xp.zeros_like(h), h], axis=1)
    return h
