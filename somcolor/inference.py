"""Fast colorization with a fitted model: the fused CPU pass and the array-module pass.

scikit-learn's ``predict_proba`` followed by scikit-image's ``luv2rgb`` is the
reference (:meth:`SOMColorizer.predict_proba`, :func:`~somcolor.estimator.decode_chroma`,
:func:`~somcolor.color.merge_luv`); it is exact but builds the whole patch
matrix and works in float64. The two paths here compute the same in float32:

- :func:`colorize_fused`, one parallel numba pass per image (CPU);
- :func:`colorize_xp`, plain array code against an array module ``xp``: numpy
  on the CPU (what the tests run) or CuPy on a GPU.
"""

from typing import NamedTuple

import numpy as np

from . import _kernels
from .color import RGB_FROM_XYZ, U0, V0, luv_to_rgb_xp
from .smoothing import guided_filter


class Network(NamedTuple):
    """A fitted MLPClassifier as plain float32 arrays."""

    weights: tuple  # (n_in, n_out) per layer
    biases: tuple  # (n_out,) per layer
    activation: str  # of the hidden layers
    binary: bool  # one logistic output unit for two classes


def network_of(mlp):
    """The layers of a fitted ``MLPClassifier`` as a :class:`Network`."""
    if mlp.activation not in _kernels.ACTIVATIONS:
        raise ValueError(f"unsupported MLP activation {mlp.activation!r}")
    return Network(
        weights=tuple(np.ascontiguousarray(w, dtype=np.float32) for w in mlp.coefs_),
        biases=tuple(np.ascontiguousarray(b, dtype=np.float32) for b in mlp.intercepts_),
        activation=mlp.activation,
        binary=mlp.out_activation_ == "logistic",
    )


# -- array-module path (numpy or cupy) ---------------------------------------


def cupy_module():
    """Import CuPy, or say which extra installs it."""
    try:
        import cupy
    except ImportError:
        raise ImportError(
            'device="cuda" needs CuPy, which is not installed: pip install "somcolor[gpu]"'
        ) from None
    return cupy


def patches_xp(padded, patch_size, xp):
    """All patches of a mirrored, scaled L block as (pixels, p * p), with array module xp.

    Stacks p * p shifted views, which both numpy and cupy do in one fused copy.
    """
    height = padded.shape[0] - patch_size + 1
    width = padded.shape[1] - patch_size + 1
    shifted = [
        padded[a : a + height, b : b + width] for a in range(patch_size) for b in range(patch_size)
    ]
    return xp.stack(shifted, axis=-1).reshape(height * width, patch_size * patch_size)


def logits_xp(features, network, xp):
    """The MLP's output-layer values before softmax, shape (pixels, n_classes)."""
    h = features
    last = len(network.weights) - 1
    for index, (w, b) in enumerate(zip(network.weights, network.biases)):
        h = h @ xp.asarray(w) + xp.asarray(b)
        if index < last:
            if network.activation == "relu":
                h = xp.maximum(h, 0)
            elif network.activation == "tanh":
                h = xp.tanh(h)
            elif network.activation == "logistic":
                h = 1 / (1 + xp.exp(-h))
    if network.binary:
        h = xp.concatenate([xp.zeros_like(h), h], axis=1)
    return h


def decode_logits_xp(logits, codebook, decode, temperature, xp):
    """(U, V) from logits: the codeword of the argmax, or the annealed mean.

    The annealed mean renormalises p ** (1 / T), which for p = softmax(z) is
    softmax(z / T): no logarithm is needed.
    """
    codebook = xp.asarray(codebook, dtype=logits.dtype)
    if decode == "argmax":
        return codebook[xp.argmax(logits, axis=1)]
    scaled = logits / temperature
    scaled = xp.exp(scaled - scaled.max(axis=1, keepdims=True))
    return (scaled / scaled.sum(axis=1, keepdims=True)) @ codebook


def colorize_xp(
    L, network, patch_size, codebook, decode, temperature, xp, smooth_radius=0, smooth_eps=1e-3,
    block_pixels=1 << 18,
):
    """Colorize lightness L (H, W) with array module xp; returns float32 RGB (H, W, 3).

    Patches, MLP and decoding work on blocks of whole rows so that memory is
    bounded by the block; the chroma of the whole image is then smoothed
    (when `smooth_radius` > 0, see :func:`somcolor.smoothing.guided_filter`)
    and joined with L.
    """
    L = xp.asarray(L, dtype=xp.float32)
    height, width = L.shape
    padded = xp.pad(L / 100, patch_size // 2, mode="reflect")
    uv = xp.empty((height, width, 2), dtype=xp.float32)
    rows = max(1, block_pixels // width)
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        features = patches_xp(padded[r0 : r1 + patch_size - 1], patch_size, xp)
        logits = logits_xp(features, network, xp)
        uv[r0:r1] = decode_logits_xp(logits, codebook, decode, temperature, xp).reshape(r1 - r0, width, 2)
    if smooth_radius:
        uv = guided_filter(L / 100, uv, smooth_radius, smooth_eps, xp).astype(xp.float32)
    return luv_to_rgb_xp(L, uv, xp)


# -- fused CPU path ------------------------------------------------------------


class FusedNetwork(NamedTuple):
    """A Network packed for :func:`somcolor._kernels.fused_colorize`."""

    weights: np.ndarray
    biases: np.ndarray
    sizes: np.ndarray
    activation: int
    binary: bool


def pack(network):
    """Flatten a :class:`Network` into the kernel's arrays."""
    sizes = [network.weights[0].shape[0]] + [w.shape[1] for w in network.weights]
    return FusedNetwork(
        weights=np.concatenate([w.ravel() for w in network.weights]),
        biases=np.concatenate(network.biases),
        sizes=np.array(sizes, dtype=np.int64),
        activation=_kernels.ACTIVATIONS.index(network.activation),
        binary=network.binary,
    )


def colorize_fused(L, packed, patch_size, codebook, decode, temperature, smooth_radius=0, smooth_eps=1e-3):
    """Colorize lightness L (H, W) in one numba pass; returns float32 RGB (H, W, 3).

    With `smooth_radius` > 0 the pass stops at CIELUV, the chroma is smoothed
    by the guided filter (in float64, numpy) and a second kernel converts to RGB.
    """
    radius = patch_size // 2
    padded = np.pad(np.asarray(L, dtype=np.float32) / np.float32(100), radius, mode="reflect")
    out = np.empty((*L.shape, 3), dtype=np.float32)
    constants = (RGB_FROM_XYZ.astype(np.float32), np.float32(U0), np.float32(V0))
    _kernels.fused_colorize(
        padded,
        patch_size,
        packed.weights,
        packed.biases,
        packed.sizes,
        packed.activation,
        packed.binary,
        np.ascontiguousarray(codebook, dtype=np.float32),
        decode == "argmax",
        np.float32(1.0 / temperature),
        *constants,
        bool(smooth_radius),
        out,
    )
    if not smooth_radius:
        return out
    guide = out[..., 0].astype(np.float64) / 100
    out[..., 1:] = guided_filter(guide, out[..., 1:].astype(np.float64), smooth_radius, smooth_eps, np)
    rgb = np.empty_like(out)
    _kernels.luv_to_rgb_image(out, *constants, rgb)
    return rgb
