"""The fused CPU pass: one parallel numba pass per image from L to RGB (or to probabilities).

It computes in float32 what the exact path (:mod:`somcolor.inference.exact`)
computes in float64, within 1e-4, without ever building the patch matrix.
"""

import functools
from typing import NamedTuple

import numpy as np

from .._arrays import work_array
from ..color import lightness, luv_planes_to_rgb
from ..color._kernels import LUV_CONSTANTS
from ..features.context import image_context
from ..features.patches import pad_lightness
from ..filters._kernels import upsample_columns
from ..filters.guided import guided_filter
from ..filters.resample import upsample, warp
from ..io.writing import to_uint8
from ..network.mlp import ACTIVATIONS, Layers
from . import _kernels
from .working import colorize_image


class FusedNetwork(NamedTuple):
    """A Network packed for :func:`somcolor.inference._kernels.fused_colorize`.

    The kernel reads the patch and the context planes (position, local
    statistics, texture) per pixel; the first of its `layers` holds their
    weight rows only. The multi-scale patches and the global descriptor
    enter the first layer linearly, through `scale_weights` and
    `global_weights`, and are added per coarse pixel and per image.
    """

    layers: Layers
    scale_weights: tuple  # per scale: (p^2, n_hidden) first-layer rows
    global_weights: np.ndarray  # (N_GLOBAL, n_hidden) or (0, n_hidden)


class CoarseShares(NamedTuple):
    """The first layer's share of the multi-scale patches, as the fused kernels add it (see
    :func:`_coarse_inputs`)."""

    columns: np.ndarray  # (n_hidden, R, W) float32: the shares at the coarse rows of every scale
    first_rows: np.ndarray  # (S, H) int64: per scale and image row, the first of the two rows it mixes
    weights: np.ndarray  # (S, H) float32: the second row's weight


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
        layers=Layers(
            weights=np.concatenate([w.ravel() for w in layers]),
            biases=np.concatenate(network.biases),
            sizes=np.array(sizes, dtype=np.int64),
            activation=ACTIVATIONS.index(network.activation),
            binary=network.binary,
        ),
        scale_weights=tuple(first[start : start + p2] for start in range(per_pixel, stop, p2)),
        global_weights=np.ascontiguousarray(first[stop:]),
    )


def _coarse_inputs(image, packed):
    """The first layer's share of the multi-scale patches, ready for the fused kernel.

    Per scale, the share is computed once per coarse pixel (a p^2 x n_hidden
    product, where the full-resolution features would cost s^2 times more)
    and interpolated along columns to full width; the kernel interpolates
    between rows (:class:`CoarseShares`).
    """
    n_hidden = packed.layers.sizes[1]
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
    return CoarseShares(columns, y0s, fys)


@functools.lru_cache(maxsize=None)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _run_fused(L, plan, mode, shape, band=None, seen=None):
    """The fused kernel's `mode` output for L, its features computed from `seen` (L as the model sees it,
    where that is not L itself)."""
    context, packed = plan.context, plan.fused
    features_of = L if seen is None else seen
    image = image_context(features_of, context, band)
    layers = packed.layers
    if image.descriptor.size:
        biases = layers.biases.copy()
        biases[: layers.sizes[1]] += image.descriptor.astype(np.float32) @ packed.global_weights
        layers = layers._replace(biases=biases)
    out = np.empty(shape, dtype=np.float32)
    _kernels.fused_colorize(
        pad_lightness(features_of, context.patch_size), context.patch_size, image.planes,
        _coarse_inputs(image, packed), layers, plan.decoding, LUV_CONSTANTS, mode,
        np.ascontiguousarray(L, dtype=np.float32), out,
    )
    return out


def _decode_planes(L, proba, plan, out_kind, out):
    logits = np.log(np.maximum(proba, np.float32(1e-12)))  # numpy's SIMD log: the kernel's is scalar
    _kernels.decode_planes(
        logits, np.ascontiguousarray(L, dtype=np.float32), plan.decoding, LUV_CONSTANTS, out_kind, out
    )
    return out


def _smooth(luv, plan):
    """Smooth the chroma of CIELUV planes (3, H, W) float32 in place, guided by their L."""
    # float32 throughout: box means of chroma stay within 1e-3 of float64.
    chroma = work_array("chroma", luv[1:].shape, np.float32)
    chroma[...] = luv[1:]
    guided_filter(luv[0] / np.float32(100), chroma, int(plan.smooth_radius), float(plan.smooth_eps), out=luv[1:])


class CpuBackend:
    """The colorizing steps of a :class:`~somcolor.inference.ColorizePlan` on the CPU: one parallel numba
    pass per image (or band) from L, then the smoothing and conversion kernels.

    The steps are those :mod:`somcolor.inference.working` composes; arrays
    stay numpy arrays throughout.

    Examples
    --------
    >>> from somcolor import load_model
    >>> plan = load_model("landscapes").colorize_plan()
    >>> L = np.linspace(0, 100, 48).reshape(6, 8)
    >>> CpuBackend(plan).probabilities(L).shape
    (9, 6, 8)
    """

    def __init__(self, plan):
        self.plan = plan
        self._transposed = None

    def transposed(self):
        """This backend for a transposed image (:func:`~somcolor.inference.working.is_thin`): the plan's
        network reads the transposed image's features (:func:`~somcolor.inference.plan.transposed_plan`)."""
        if self._transposed is None:
            from .plan import transposed_plan

            self._transposed = CpuBackend(transposed_plan(self.plan))
        return self._transposed

    def lightness(self, pixels):
        """L of an image's pixels (gray or color)."""
        return lightness(pixels)

    def upload(self, L, slot="L"):
        """L given on the host, where this backend keeps it."""
        return L

    def host_lightness(self, L):
        """L on the host."""
        return L

    def host(self, array):
        return array

    def probabilities(self, L, band=None):
        """Class probability planes (n_classes, H, W) float32 of every pixel of L: what
        :meth:`SOMColorizer.predict_proba` computes, within 1e-4, class-major (the kernel's layout)."""
        return _run_fused(L, self.plan, _kernels.OUT_PROBA, (self.plan.codebook.shape[0], *L.shape), band)

    def luv(self, L, band=None, proba=None, seen=None):
        """CIELUV planes (3, H, W) float32 of L, decoded from `proba` (or in one pass from L, its features
        from `seen` where given), the chroma smoothed when the plan says so."""
        plan = self.plan
        if proba is None:
            luv = _run_fused(L, plan, _kernels.OUT_LUV, (3, *L.shape), band, seen)
        else:
            luv = _decode_planes(L, proba, plan, _kernels.OUT_LUV, np.empty((3, *L.shape), np.float32))
        if plan.smooth_radius:
            _smooth(luv, plan)
        return luv

    def rgb(self, L, band=None, proba=None, dtype=np.float32, seen=None):
        """RGB (H, W, 3) of L in `dtype` (float32 in [0, 1] or uint8): decoded from `proba`, or in one pass
        from L (its features from `seen` where given), which without smoothing goes straight to RGB."""
        plan = self.plan
        if plan.smooth_radius:
            rgb = luv_planes_to_rgb(self.luv(L, band, proba, seen))
        elif proba is None:
            rgb = _run_fused(L, plan, _kernels.OUT_RGB, (*L.shape, 3), band, seen)
        else:
            rgb = _decode_planes(L, proba, plan, _kernels.OUT_RGB, np.empty((*L.shape, 3), np.float32))
        return to_uint8(rgb) if dtype == np.uint8 else rgb

    def colorize_many(self, images, dtype=np.float32):
        """The RGB of each image's pixels, in order, one image (a band at a time) after another."""
        for pixels in images:
            yield colorize_image(pixels, self.plan, self, dtype)

    # The video stabilizer's steps: the motion-compensated moving average of probability planes.

    def flow_input(self, small):
        """A frame's L downscaled for the optical flow, where the flow is computed (numpy: scikit-image)."""
        return small

    def blend_past(self, proba, state, flow, step, weight):
        """proba = weight * (`state` moved along `flow`) + (1 - weight) * proba, in place; `flow` (2, h, w)
        is for the frames downscaled by `step`."""
        past = warp(state, upsample(flow, *proba.shape[1:], step))
        past *= np.float32(weight)
        proba *= np.float32(1 - weight)
        proba += past

    def keep(self, proba):
        """`proba` as the state the next frame blends with (each frame's planes are a new array here)."""
        return proba
