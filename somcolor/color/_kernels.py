"""Numba kernels of the colour stage: lightness of an input, CIELUV -> sRGB per pixel.

Their exact references are :func:`somcolor.color.lightness_array` and
:func:`somcolor.color.luv_to_rgb_array`. Tables with linear interpolation
stand in for pow, cbrt and exp, which numba cannot vectorize: per pixel,
those calls otherwise cost more than the whole MLP.
"""

import numpy as np
from numba import njit, prange

from .._numba import parallel_kernel

from . import cie

#: numba's fast-math flags for every somcolor kernel: reassociation and the like (which let loops over
#: pixels vectorize), but not 'nnan' and 'ninf', under which LLVM may assume no value is NaN or infinite
#: and drop the clamps that keep a table index in bounds (a NaN pixel or weight was a segmentation fault).
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}


@njit(inline="always")
def clamp(x, low, high):
    """x limited to [low, high]; NaN becomes `low`, so that a position made from it stays an index."""
    # Branch-free selects (loops over pixels vectorize), in the order that sends NaN to `low`.
    x = x if x > low else low
    return x if x < high else high


@njit(inline="always")
def lerp_table(table, position):
    """table at a fractional index, linearly interpolated, clamped to the table (NaN: its first entry)."""
    position = clamp(position, np.float32(0.0), np.float32(table.shape[0] - 1))
    i = min(np.int32(position), np.int32(table.shape[0] - 2))
    frac = position - np.float32(i)
    return table[i] + frac * (table[i + 1] - table[i])


# Within 2e-5 of the exact curve.
_GAMMA_STEPS = 4096
_GAMMA_TABLE = cie.linear_to_srgb(np.linspace(0.0, 1.0, _GAMMA_STEPS + 1)).astype(np.float32)


@njit(inline="always")
def srgb_gamma(c):
    """Linear RGB to sRGB, clipped to [0, 1]."""
    return lerp_table(_GAMMA_TABLE, c * np.float32(_GAMMA_STEPS))


@njit(inline="always")
def luv_to_rgb_row(lightness, chroma, n, rgb_from_xyz, u0, v0, rgb):
    """rgb[:, :n] from L = lightness[:n] and (U, V) = chroma[0:2, :n].

    The formula of :func:`somcolor.color.luv_to_rgb_array`, written as one
    branch-free loop over contiguous pixels so that it vectorizes.
    """
    eps = np.float32(1.1920929e-07)
    for j in range(n):
        L = lightness[j]
        t = (L + np.float32(16.0)) / np.float32(116.0)
        y = t * t * t if L > np.float32(cie.L_KNEE) else L / np.float32(cie.KAPPA)
        inv_13l = np.float32(1.0) / (np.float32(13.0) * L + eps)
        a = u0 + chroma[0, j] * inv_13l
        b = v0 + chroma[1, j] * inv_13l
        # b = 0 only for impossible chroma at L near 0; keep it from making
        # inf * 0 = NaN, which would index the gamma table out of bounds.
        b = b if abs(b) > np.float32(1e-6) else np.float32(1e-6)
        inv_b = np.float32(1.0) / b
        c = np.float32(3.0) * y * (np.float32(5.0) * b - np.float32(3.0))
        z = ((a - np.float32(4.0)) * c - np.float32(15.0) * a * b * y) * (inv_b / np.float32(12.0))
        x = -(c * inv_b + np.float32(3.0) * z)
        for ch in range(3):
            linear = rgb_from_xyz[ch, 0] * x + rgb_from_xyz[ch, 1] * y + rgb_from_xyz[ch, 2] * z
            rgb[ch, j] = srgb_gamma(linear)


# Pixels of a row that one step of a parallel loop takes (a photo of one row still uses every core).
_SPAN = 4096

# The constants luv_to_rgb_row takes, in float32.
LUV_CONSTANTS = (cie.RGB_FROM_XYZ.astype(np.float32), np.float32(cie.U0), np.float32(cie.V0))


@parallel_kernel(fastmath=FASTMATH)
def luv_to_rgb_image(luv, rgb_from_xyz, u0, v0, out):
    """RGB (H, W, 3) float32 from CIELUV planes (3, H, W) float32, a span of a row at a time (see
    luv_to_rgb_row); every span of every row in one parallel loop."""
    height, width = luv.shape[1:]
    n_spans = (width + _SPAN - 1) // _SPAN
    for t in prange(height * n_spans):
        i = t // n_spans
        j0 = (t - i * n_spans) * _SPAN
        n = min(_SPAN, width - j0)
        rgb = np.empty((3, n), np.float32)
        luv_to_rgb_row(luv[0, i, j0 : j0 + n], luv[1:, i, j0 : j0 + n], n, rgb_from_xyz, u0, v0, rgb)
        for j in range(n):
            for ch in range(3):
                out[i, j0 + j, ch] = rgb[ch, j]


# Lightness by table too: pow and cbrt per pixel cost 39 ms per megapixel,
# the tables under 5 ms, within 1e-4 of L (tested against scikit-image).
_LIGHT_STEPS = 16384
_levels = np.linspace(0.0, 1.0, _LIGHT_STEPS + 1)
_LINEAR_TABLE = cie.srgb_to_linear(_levels).astype(np.float32)
_L_OF_Y_TABLE = cie.lightness_of_y(_levels).astype(np.float32)
_L_OF_GRAY_TABLE = cie.lightness_of_y(cie.srgb_to_linear(_levels)).astype(np.float32)


@parallel_kernel(fastmath=FASTMATH)
def lightness_gray(gray, full_scale, out):
    """CIELUV L of gray levels (an RGB image with equal channels); `full_scale` is white (1.0 or 255, ...)."""
    scale = np.float32(_LIGHT_STEPS)
    for i in prange(gray.shape[0]):
        for j in range(gray.shape[1]):
            # Divided in float64 first: the same L from uint8 and from its float64 / 255.
            value = np.float32(np.float64(gray[i, j]) / full_scale)
            out[i, j] = lerp_table(_L_OF_GRAY_TABLE, value * scale)


@parallel_kernel(fastmath=FASTMATH)
def lightness_rgb(rgb, full_scale, y_from_rgb, out):
    """CIELUV L of an RGB image (white at `full_scale`): L depends on the luminance Y alone."""
    scale = np.float32(_LIGHT_STEPS)
    for i in prange(rgb.shape[0]):
        for j in range(rgb.shape[1]):
            y = np.float32(0.0)
            for ch in range(3):
                value = np.float32(np.float64(rgb[i, j, ch]) / full_scale)
                y += y_from_rgb[ch] * lerp_table(_LINEAR_TABLE, value * scale)
            out[i, j] = lerp_table(_L_OF_Y_TABLE, y * scale)
