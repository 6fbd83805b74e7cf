"""The fused CPU pass: one parallel numba pass per image from L to RGB (or to probabilities).

It computes in float32 what the exact path (:mod:`somcolor.inference.exact`)
computes in float64, within 1e-4, without ever building the patch matrix.
"""

import functools
from typing import NamedTuple

import numpy as np

from .._backend import work_array
from ..color._kernels import LUV_CONSTANTS, luv_to_rgb_image
from ..features.context import image_context
from ..features.patches import pad_lightness
from ..filters._kernels import upsample_columns
from ..filters.guided import guided_filter
from ..network.mlp import ACTIVATIONS
from . import _kernels


class FusedNetwork(NamedTuple):
    """A Network packed for :func:`somcolor.inference._kernels.fused_colorize`.

    The kernel reads the patch and the context planes (position, local
    statistics) per pixel; its first layer holds their weight rows only.
    The multi-scale patches and the global descriptor enter the first layer
    linearly, through `scale_weights` and `global_weights`, and are added per
    coarse pixel and per image.
    """

    weights: np.ndarray
    biases: np.ndarray
    sizes: np.ndarray
    activation: int
    binary: bool
    scale_weights: tuple  # per scale: (p^2, n_hidden) first-layer rows
    global_weights: np.ndarray  # (N_GLOBAL, n_hidden) or (0, n_hidden)


def pack(network, context):
    """Flatten a :class:`~somcolor.network.Network` into the kernel's arrays, splitting the first layer by
    feature kind."""
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
        activation=ACTIVATIONS.index(network.activation),
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
    columns = work_array("coarse_columns", (n_hidden, max(rows, 1), width), np.float32)
    y0s = np.empty((len(image.coarse), height), np.int64)
    fys = np.empty((len(image.coarse), height), np.float32)
    offset = 0
    # One BLAS thread: idle BLAS threads spin for a while after a product and
    # take a core from the numba kernels that follow (measured 2x slower).
    with _blas_controller().limit(limits=1, user_api="blas"):
        for s, (coarse, weights) in enumerate(zip(image.coarse, packed.scale_weights)):
            h, w, p2 = coarse.shape
            share = (weights.T @ coarse.reshape(-1, p2).T).reshape(n_hidden, h, w)
            upsample_columns(share, image.cols[s][0], image.cols[s][1], columns[:, offset : offset + h])
            y0s[s] = image.rows[s][0] + offset
            fys[s] = image.rows[s][1]
            offset += h
    return columns, y0s, fys


@functools.lru_cache(maxsize=None)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _run_fused(L, plan, mode, shape, band=None):
    context, packed = plan.context, plan.fused
    image = image_context(L, context, band)
    biases = packed.biases
    if image.descriptor.size:
        biases = biases.copy()
        biases[: packed.sizes[1]] += image.descriptor.astype(np.float32) @ packed.global_weights
    out = np.empty(shape, dtype=np.float32)
    _kernels.fused_colorize(
        pad_lightness(L, context.patch_size),
        context.patch_size,
        image.planes,
        *_coarse_inputs(image, packed),
        packed.weights,
        biases,
        packed.sizes,
        packed.activation,
        packed.binary,
        plan.codebook,
        plan.decode == "argmax",
        np.float32(1.0 / plan.temperature),
        *LUV_CONSTANTS,
        mode,
        out,
    )
    return out


def colorize_fused(L, plan, band=None):
    """Colorize lightness L (H, W) in one numba pass; returns float32 RGB (H, W, 3).

    With smoothing on, the pass stops at CIELUV, the chroma is smoothed by
    the guided filter and a second kernel converts to RGB. `band` says where
    L lies in a larger image (:class:`~somcolor.features.context.Band`).
    """
    if not plan.smooth_radius:
        return _run_fused(L, plan, _kernels.OUT_RGB, (*L.shape, 3), band)
    return _smooth_and_convert(_run_fused(L, plan, _kernels.OUT_LUV, (3, *L.shape), band), plan)


def smoothed_luv(L, plan):
    """CIELUV planes (3, H, W) float32 of lightness L, the chroma smoothed (when the plan says so):
    what :func:`colorize_fused` converts to RGB."""
    luv = _run_fused(L, plan, _kernels.OUT_LUV, (3, *L.shape))
    if plan.smooth_radius:
        _smooth(luv, plan)
    return luv


def probabilities_fused(L, plan):
    """Class probabilities of every pixel of L (H, W) in one numba pass, as planes (n_classes, H, W) float32.

    What :meth:`SOMColorizer.predict_proba` computes, within 1e-4, class-major
    (the kernel's own layout), without the patch matrix.
    """
    return _run_fused(L, plan, _kernels.OUT_PROBA, (plan.codebook.shape[0], *L.shape))


def _decode_planes(L, proba, plan, out_kind, out):
    logits = np.log(np.maximum(proba, np.float32(1e-12)))  # numpy's SIMD log: the kernel's is scalar
    _kernels.decode_planes(
        logits, np.ascontiguousarray(L, dtype=np.float32), plan.codebook, plan.decode == "argmax",
        np.float32(1.0 / plan.temperature), *LUV_CONSTANTS, out_kind, out,
    )
    return out


def colorize_probabilities(L, proba, plan):
    """RGB (H, W, 3) float32 from lightness L (H, W) and probability planes (Q, H, W): decode, smooth, convert."""
    if not plan.smooth_radius:
        return _decode_planes(L, proba, plan, _kernels.OUT_RGB, np.empty((*L.shape, 3), np.float32))
    return _to_rgb(luv_of_probabilities(L, proba, plan))


def luv_of_probabilities(L, proba, plan):
    """CIELUV planes (3, H, W) float32 from L and probability planes: decoded, the chroma smoothed."""
    luv = _decode_planes(L, proba, plan, _kernels.OUT_LUV, np.empty((3, *L.shape), np.float32))
    if plan.smooth_radius:
        _smooth(luv, plan)
    return luv


def _smooth(luv, plan):
    """Smooth the chroma of CIELUV planes (3, H, W) float32 in place, guided by their L."""
    # float32 throughout: box means of chroma stay within 1e-3 of float64.
    chroma = work_array("chroma", luv[1:].shape, np.float32)
    chroma[...] = luv[1:]
    guided_filter(luv[0] / np.float32(100), chroma, int(plan.smooth_radius), float(plan.smooth_eps), out=luv[1:])


def _to_rgb(luv):
    """RGB (H, W, 3) float32 from CIELUV planes (3, H, W) float32."""
    rgb = np.empty((*luv.shape[1:], 3), np.float32)
    luv_to_rgb_image(luv, *LUV_CONSTANTS, rgb)
    return rgb


def _smooth_and_convert(luv, plan):
    """RGB (H, W, 3) from CIELUV planes (3, H, W) float32, the chroma first smoothed guided by L."""
    _smooth(luv, plan)
    return _to_rgb(luv)
