"""CUDA kernels of the colour stage (numba.cuda): the GPU twins of :mod:`somcolor.color._kernels`.

On the GPU, pow, cbrt and exp are cheap, so these use the exact formulas of
:mod:`somcolor.color.cie` rather than the CPU kernels' tables; the tests run
them under numba's CUDA simulator against :func:`somcolor.color.lightness_array`
and :func:`somcolor.color.luv_to_rgb_array`.
"""

import math

from numba import cuda

from . import cie

_Y_R, _Y_G, _Y_B = (float(c) for c in cie.Y_FROM_RGB)
_Y_GRAY = _Y_R + _Y_G + _Y_B


@cuda.jit(device=True, inline=True)
def srgb_to_linear(c):
    if c > cie.SRGB_KNEE:
        return ((c + cie.SRGB_OFFSET) / cie.SRGB_SCALE) ** cie.SRGB_GAMMA
    return c / cie.SRGB_SLOPE


@cuda.jit(device=True, inline=True)
def lightness_of_y(y):
    if y > cie.Y_KNEE:
        return 116.0 * math.pow(y, 1.0 / 3.0) - 16.0
    return cie.KAPPA * y


@cuda.jit(device=True, inline=True)
def linear_to_srgb(c):
    if c > cie.LINEAR_KNEE:
        value = cie.SRGB_SCALE * math.pow(c, 1.0 / cie.SRGB_GAMMA) - cie.SRGB_OFFSET
    else:
        value = cie.SRGB_SLOPE * c
    return min(max(value, 0.0), 1.0)


@cuda.jit
def lightness_gray(gray, full_scale, out):
    """out[i, j] = L of the gray level gray[i, j] / full_scale."""
    j, i = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        out[i, j] = lightness_of_y(srgb_to_linear(gray[i, j] / full_scale) * _Y_GRAY)


@cuda.jit
def lightness_rgb(rgb, full_scale, out):
    """out[i, j] = L of the RGB pixel rgb[i, j] / full_scale."""
    j, i = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        y = (_Y_R * srgb_to_linear(rgb[i, j, 0] / full_scale)
             + _Y_G * srgb_to_linear(rgb[i, j, 1] / full_scale)
             + _Y_B * srgb_to_linear(rgb[i, j, 2] / full_scale))
        out[i, j] = lightness_of_y(y)


@cuda.jit(device=True, inline=True)
def luv_to_rgb_pixel(L, u, v, rgb_from_xyz, u0, v0, out, i, j, as_bytes):
    """Write the sRGB of CIELUV (L, u, v) to out[i, j, :], as floats in [0, 1] or rounded bytes."""
    if L > cie.L_KNEE:
        t = (L + 16.0) / 116.0
        y = t * t * t
    else:
        y = L / cie.KAPPA
    inv_13l = 1.0 / (13.0 * L + 1.1920929e-07)
    a = u0 + u * inv_13l
    b = v0 + v * inv_13l
    if abs(b) <= 1e-6:
        b = 1e-6
    c = 3.0 * y * (5.0 * b - 3.0)
    z = ((a - 4.0) * c - 15.0 * a * b * y) / (12.0 * b)
    x = -(c / b + 3.0 * z)
    for ch in range(3):
        value = linear_to_srgb(rgb_from_xyz[ch, 0] * x + rgb_from_xyz[ch, 1] * y + rgb_from_xyz[ch, 2] * z)
        if as_bytes:
            out[i, j, ch] = int(value * 255.0 + 0.5)
        else:
            out[i, j, ch] = value


@cuda.jit
def luv_to_rgb_image(luv, rgb_from_xyz, u0, v0, as_bytes, out):
    """RGB (H, W, 3), float32 or (with `as_bytes`) uint8, from CIELUV planes (3, H, W)."""
    j, i = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        luv_to_rgb_pixel(luv[0, i, j], luv[1, i, j], luv[2, i, j], rgb_from_xyz, u0, v0, out, i, j, as_bytes)
