"""Fast colorization with a fitted model: the fused CPU pass and the array-module pass.

scikit-learn's ``predict_proba`` followed by scikit-image's ``luv2rgb`` is the
reference (:meth:`SOMColorizer.predict_proba`, :func:`~somcolor.estimator.decode_chroma`,
:func:`~somcolor.color.merge_luv`); it is exact but builds the whole patch
matrix and works in float64. The two paths here compute the same in float32:

- :func:`colorize_fused`, one parallel numba pass per image (CPU);
- :func:`colorize_xp`, plain array code against an array module ``xp``: numpy
  on the CPU (what the tests run) or CuPy on a GPU.
"""

import functools
from typing import NamedTuple

import numpy as np

from . import _kernels
from .color import RGB_FROM_XYZ, U0, V0, luv_to_rgb_xp
from .context import context_at, image_context
from .patches import patches_xp
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
    L, network, context, codebook, decode, temperature, xp, smooth_radius=0, smooth_eps=1e-3,
    block_pixels=1 << 18,
):
    """Colorize lightness L (H, W) with array module xp; returns float32 RGB (H, W, 3).

    `context` is the model's :class:`~somcolor.context.Context` (patch size
    and context features). Features, MLP and decoding work on blocks of
    whole rows so that memory is bounded by the block; the chroma of the
    whole image is then smoothed (when `smooth_radius` > 0, see
    :func:`somcolor.smoothing.guided_filter`) and joined with L.
    """
    L = xp.asarray(L, dtype=xp.float32)
    height, width = L.shape
    p = context.patch_size
    padded = xp.pad(L / 100, p // 2, mode="reflect")
    image = image_context(L, context, xp) if context else None
    uv = xp.empty((height, width, 2), dtype=xp.float32)
    rows = max(1, block_pixels // width)
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        features = patches_xp(padded[r0 : r1 + p - 1], p, xp)
        if image is not None:
            pixels = xp.arange(r0 * width, r1 * width)
            features = xp.concatenate(
                [features, context_at(image, pixels // width, pixels % width, xp)], axis=1
            )
        logits = logits_xp(features, network, xp)
        uv[r0:r1] = decode_logits_xp(logits, codebook, decode, temperature, xp).reshape(r1 - r0, width, 2)
    if smooth_radius:
        uv = guided_filter(L / 100, uv, smooth_radius, smooth_eps, xp).astype(xp.float32)
    return luv_to_rgb_xp(L, uv, xp)


# -- fused CPU path ------------------------------------------------------------


class FusedNetwork(NamedTuple):
    """A Network packed for :func:`somcolor._kernels.fused_colorize`.

    The kernel reads the patch and the context planes (position, local
    statistics) per pixel; its first layer holds their weight rows only.
    The multi-scale patches and the global descriptor enter the first layer
    linearly, through `scale_weights` and `global_weights`, and are added per
    coarse pixel and per image (:func:`colorize_fused`).
    """

    weights: np.ndarray
    biases: np.ndarray
    sizes: np.ndarray
    activation: int
    binary: bool
    scale_weights: tuple  # per scale: (p^2, n_hidden) first-layer rows
    global_weights: np.ndarray  # (N_GLOBAL, n_hidden) or (0, n_hidden)


def pack(network, context):
    """Flatten a :class:`Network` into the kernel's arrays, splitting the first layer by feature kind."""
    first = network.weights[0]
    p2 = context.patch_size**2
    per_pixel = p2 + context.n_planes
    if first.shape[0] != context.n_features + p2:
        raise ValueError(
            f"the network takes {first.shape[0]} features, but the context gives {context.n_features + p2}"
        )
    stop = per_pixel + p2 * len(context.scales)
    layers = [first[:per_pixel]] + list(network.weights[1:])
    sizes = [per_pixel] + [w.shape[1] for w in network.weights]
    return FusedNetwork(
        weights=np.concatenate([w.ravel() for w in layers]),
        biases=np.concatenate(network.biases),
        sizes=np.array(sizes, dtype=np.int64),
        activation=_kernels.ACTIVATIONS.index(network.activation),
        binary=network.binary,
        scale_weights=tuple(first[start : start + p2] for start in range(per_pixel, stop, p2)),
        global_weights=np.ascontiguousarray(first[stop:]),
    )


def _coarse_inputs(image, packed):
    """The first layer's share of the multi-scale patches, ready for the fused kernel.

    Per scale, the share is computed once per coarse pixel (a p^2 x n_hidden
    product, where the full-resolution features would cost s^2 times more)
    and interpolated along columns to full width; the kernel interpolates
    between rows. Returns the (n_hidden, R, W) shares, R being the coarse rows
    of all scales stacked, and per scale and image row the first of the two
    stacked rows (S, H) and the second one's weight (S, H).
    """
    n_hidden = packed.sizes[1]
    height, width = image.planes.shape[1:]
    rows = sum(coarse.shape[0] for coarse in image.coarse)
    columns = _kernels.work_array("coarse_columns", (n_hidden, max(rows, 1), width), np.float32)
    y0s = np.empty((len(image.coarse), height), np.int64)
    fys = np.empty((len(image.coarse), height), np.float32)
    offset = 0
    # One BLAS thread: idle BLAS threads spin for a while after a product and
    # take a core from the numba kernels that follow (measured 2x slower).
    with _blas_controller().limit(limits=1, user_api="blas"):
        for s, (coarse, weights) in enumerate(zip(image.coarse, packed.scale_weights)):
            h, w, p2 = coarse.shape
            share = (weights.T @ coarse.reshape(-1, p2).T).reshape(n_hidden, h, w)
            _kernels.upsample_columns(share, image.cols[s][0], image.cols[s][1], columns[:, offset : offset + h])
            y0s[s] = image.rows[s][0] + offset
            fys[s] = image.rows[s][1]
            offset += h
    return columns, y0s, fys


@functools.lru_cache(maxsize=None)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _run_fused(L, packed, context, codebook, decode, temperature, mode, shape):
    radius = context.patch_size // 2
    padded = np.pad(np.asarray(L, dtype=np.float32) / np.float32(100), radius, mode="reflect")
    image = image_context(L, context)
    biases = packed.biases
    if image.descriptor.size:
        biases = biases.copy()
        biases[: packed.sizes[1]] += image.descriptor.astype(np.float32) @ packed.global_weights
    out = np.empty(shape, dtype=np.float32)
    _kernels.fused_colorize(
        padded,
        context.patch_size,
        image.planes,
        *_coarse_inputs(image, packed),
        packed.weights,
        biases,
        packed.sizes,
        packed.activation,
        packed.binary,
        np.ascontiguousarray(codebook, dtype=np.float32),
        decode == "argmax",
        np.float32(1.0 / temperature),
        *_LUV_CONSTANTS,
        mode,
        out,
    )
    return out


_LUV_CONSTANTS = (RGB_FROM_XYZ.astype(np.float32), np.float32(U0), np.float32(V0))


def colorize_fused(
    L, packed, context, codebook, decode, temperature, smooth_radius=0, smooth_eps=1e-3
):
    """Colorize lightness L (H, W) in one numba pass; returns float32 RGB (H, W, 3).

    With `smooth_radius` > 0 the pass stops at CIELUV, the chroma is smoothed
    by the guided filter and a second kernel converts to RGB.
    """
    if not smooth_radius:
        return _run_fused(L, packed, context, codebook, decode, temperature, _kernels.OUT_RGB, (*L.shape, 3))
    luv = _run_fused(L, packed, context, codebook, decode, temperature, _kernels.OUT_LUV, (3, *L.shape))
    return _smooth_and_convert(luv, smooth_radius, smooth_eps)


def _smooth_and_convert(luv, smooth_radius, smooth_eps):
    """RGB (H, W, 3) from CIELUV planes (3, H, W) float32, the chroma first smoothed guided by L
    (when the radius is > 0)."""
    if smooth_radius:
        # float32 throughout: box means of chroma stay within 1e-3 of float64.
        work = _kernels.work_array("guided_filter", (2, 6, *luv.shape[1:]), np.float32)
        chroma = _kernels.work_array("chroma", luv[1:].shape, np.float32)
        chroma[...] = luv[1:]
        _kernels.guided_filter(luv[0] / np.float32(100), chroma, int(smooth_radius), float(smooth_eps), luv[1:], work)
    rgb = np.empty((*luv.shape[1:], 3), np.float32)
    _kernels.luv_to_rgb_image(luv, *_LUV_CONSTANTS, rgb)
    return rgb


def probabilities_fused(L, packed, context, n_classes):
    """Class probabilities of every pixel of L (H, W) in one numba pass, as planes (n_classes, H, W) float32.

    What :meth:`SOMColorizer.predict_proba` computes, within 1e-4, class-major
    (the kernel's own layout), without the patch matrix.
    """
    return _run_fused(
        L, packed, context, np.zeros((n_classes, 2)), "annealed_mean", 1.0, _kernels.OUT_PROBA, (n_classes, *L.shape)
    )


def colorize_probabilities(L, proba, codebook, decode, temperature, smooth_radius=0, smooth_eps=1e-3):
    """RGB (H, W, 3) float32 from lightness L (H, W) and probability planes (Q, H, W): decode, smooth, convert."""
    logits = np.log(np.maximum(proba, np.float32(1e-12)))  # numpy's SIMD log: the kernel's is scalar
    lightness = np.ascontiguousarray(L, dtype=np.float32)
    settings = (
        lightness, np.ascontiguousarray(codebook, dtype=np.float32), decode == "argmax",
        np.float32(1.0 / temperature), *_LUV_CONSTANTS,
    )
    if not smooth_radius:
        rgb = np.empty((*L.shape, 3), np.float32)
        _kernels.decode_planes(logits, *settings, _kernels.OUT_RGB, rgb)
        return rgb
    luv = np.empty((3, *L.shape), np.float32)
    _kernels.decode_planes(logits, *settings, _kernels.OUT_LUV, luv)
    return _smooth_and_convert(luv, smooth_radius, smooth_eps)
