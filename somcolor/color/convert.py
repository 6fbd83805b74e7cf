"""CIELUV conversions: lightness L is the model's input, chroma (U, V) its target."""

import numpy as np
from skimage.color import luv2rgb, rgb2luv

from .._arrays import array_module
from . import _kernels, cie


def rgb_to_luv(rgb):
    """RGB floats in [0, 1], shape (H, W, 3), to CIELUV (L in [0, 100])."""
    return rgb2luv(rgb)


def luv_to_rgb(luv):
    """CIELUV of shape (H, W, 3) to RGB floats, clipped to [0, 1]."""
    return np.clip(luv2rgb(luv), 0.0, 1.0)


def merge_luv(L, uv):
    """Join lightness (H, W) and chroma (H, W, 2) into an RGB image."""
    return luv_to_rgb(np.concatenate([L[..., np.newaxis], uv], axis=2))


def lightness(image):
    """CIELUV lightness L in [0, 100] of a grayscale or color image.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 3)
        Floats in [0, 1], or unsigned integers (white is the dtype's
        largest value). A 2-D array is taken as gray intensities, i.e. as an
        RGB image whose three channels are equal; an RGB image gives its own
        lightness.

    Returns
    -------
    L : ndarray of shape (H, W), dtype float64
        The L channel of :func:`rgb_to_luv` within 1e-4, computed by a numba
        kernel (:func:`lightness_array` is its exact reference).
    """
    image = np.asarray(image)
    full_scale = float(np.iinfo(image.dtype).max) if np.issubdtype(image.dtype, np.integer) else 1.0
    out = np.empty(image.shape[:2])
    if image.ndim == 2:
        _kernels.lightness_gray(image, full_scale, out)
    else:
        _kernels.lightness_rgb(image, full_scale, cie.Y_FROM_RGB.astype(np.float32), out)
    return out


def luv_planes_to_rgb(luv):
    """RGB (H, W, 3) float32 in [0, 1] of CIELUV planes (3, H, W) float32, by the numba kernel the
    colorizing paths share (:func:`luv_to_rgb_array` is its reference in array code)."""
    rgb = np.empty((*luv.shape[1:], 3), np.float32)
    _kernels.luv_to_rgb_image(np.ascontiguousarray(luv, dtype=np.float32), *_kernels.LUV_CONSTANTS, rgb)
    return rgb


def gray_of_lightness(L):
    """The gray intensities in [0, 1] whose lightness is `L` (in [0, 100])."""
    return luv_to_rgb_array(L, np.zeros((*L.shape, 2), L.dtype))[..., 0]


def grayscale(image):
    """The gray photo of an image: intensities in [0, 1] whose lightness is the image's L.

    This is what a colorizer is given to reconstruct a color photo; L / 100
    is not, since sRGB gray levels are not proportional to L.

    >>> rgb = np.array([[[0.8, 0.2, 0.1]]])
    >>> bool(abs(lightness(grayscale(rgb)) - lightness(rgb)).max() < 1e-3)
    True
    """
    return gray_of_lightness(lightness(image))


def lightness_array(image):
    """:func:`lightness` in array code, for numpy or CuPy arrays.

    Only L is needed to colorize, and it depends on the luminance Y alone, so
    this skips scikit-image's full conversion.
    """
    xp = array_module(image)
    linear = cie.srgb_to_linear(image)
    if image.ndim == 3:
        y = xp.tensordot(linear, xp.asarray(cie.Y_FROM_RGB, dtype=linear.dtype), axes=1)
    else:
        y = linear * float(cie.Y_FROM_RGB.sum())
    return cie.lightness_of_y(y)


def luv_to_rgb_array(L, uv):
    """:func:`merge_luv` in array code, for numpy or CuPy arrays, in the dtype of L.

    Parameters
    ----------
    L : array of shape (...)
    uv : array of shape (..., 2)

    Returns
    -------
    rgb : array of shape (..., 3), clipped to [0, 1]
    """
    xp = array_module(L)
    dtype = L.dtype
    y = cie.y_of_lightness(L)
    eps = np.finfo(dtype).eps
    a = cie.U0 + uv[..., 0] / (13.0 * L + eps)
    b = cie.V0 + uv[..., 1] / (13.0 * L + eps)
    b = xp.where(xp.abs(b) > 1e-6, b, 1e-6)  # as the fused kernel: no 0 * inf = NaN
    c = 3 * y * (5 * b - 3)
    z = ((a - 4) * c - 15 * a * b * y) / (12 * b)
    x = -(c / b + 3.0 * z)
    xyz = xp.stack([x, y, z], axis=-1)
    linear = xp.tensordot(xyz, xp.asarray(cie.RGB_FROM_XYZ.T, dtype=dtype), axes=1)
    return xp.clip(cie.linear_to_srgb(linear), 0.0, 1.0)
