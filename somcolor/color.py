"""CIELUV color space: lightness L is the model's input, chroma (U, V) its target."""

import numpy as np
from skimage.color import luv2rgb, rgb2luv

from . import _kernels


def rgb_to_luv(rgb):
    """RGB floats in [0, 1], shape (H, W, 3), to CIELUV (L in [0, 100])."""
    return rgb2luv(rgb)


def luv_to_rgb(luv):
    """CIELUV of shape (H, W, 3) to RGB floats, clipped to [0, 1]."""
    return np.clip(luv2rgb(luv), 0.0, 1.0)


def lightness(image):
    """CIELUV lightness L in [0, 100] of a grayscale or color image.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 3), floats in [0, 1]
        A 2-D array is taken as gray intensities, i.e. as an RGB image whose
        three channels are equal; an RGB image gives its own lightness.

    Returns
    -------
    L : ndarray of shape (H, W), dtype float64
        The L channel of :func:`rgb_to_luv` within 1e-4, computed by a numba
        kernel (:func:`lightness_xp` is its exact numpy reference).
    """
    image = np.asarray(image)
    out = np.empty(image.shape[:2])
    if image.ndim == 2:
        _kernels.lightness_gray(image, out)
    else:
        _kernels.lightness_rgb(image, XYZ_FROM_RGB[1].astype(np.float32), out)
    return out


def grayscale(image):
    """The gray photo of an image: intensities in [0, 1] whose lightness is the image's L.

    This is what a colorizer is given to reconstruct a color photo; L / 100
    is not, since sRGB gray levels are not proportional to L.

    >>> rgb = np.array([[[0.8, 0.2, 0.1]]])
    >>> bool(abs(lightness(grayscale(rgb)) - lightness(rgb)).max() < 1e-3)
    True
    """
    L = lightness(image)
    return luv_to_rgb_xp(L, np.zeros(L.shape + (2,)), np)[..., 0]


def merge_luv(L, uv):
    """Join lightness (H, W) and chroma (H, W, 2) into an RGB image."""
    return luv_to_rgb(np.concatenate([L[..., np.newaxis], uv], axis=2))


# sRGB (D65, 2-degree observer) constants, the same as scikit-image's, for the
# fast paths below that do not go through scikit-image.
XYZ_FROM_RGB = np.array(
    [
        [0.412453, 0.357580, 0.180423],
        [0.212671, 0.715160, 0.072169],
        [0.019334, 0.119193, 0.950227],
    ]
)
RGB_FROM_XYZ = np.linalg.inv(XYZ_FROM_RGB)
WHITE = np.array([0.95047, 1.0, 1.08883])
# Python floats, so that float32 arrays stay float32 in the formulas below.
U0 = float(4 * WHITE[0] / (WHITE[0] + 15 * WHITE[1] + 3 * WHITE[2]))
V0 = float(9 * WHITE[1] / (WHITE[0] + 15 * WHITE[1] + 3 * WHITE[2]))


def lightness_xp(image, xp):
    """:func:`lightness` written against an array module (numpy or cupy).

    Only L is needed to colorize, and it depends on the luminance Y alone, so
    this skips scikit-image's full conversion.
    """
    linear = xp.where(image > 0.04045, ((image + 0.055) / 1.055) ** 2.4, image / 12.92)
    if image.ndim == 3:
        y = xp.tensordot(linear, xp.asarray(XYZ_FROM_RGB[1], dtype=linear.dtype), axes=1)
    else:
        y = linear * float(XYZ_FROM_RGB[1].sum())
    return xp.where(y > 0.008856, 116.0 * xp.cbrt(y) - 16.0, 903.3 * y)


def luv_to_rgb_xp(L, uv, xp):
    """:func:`merge_luv` written against an array module (numpy or cupy).

    Parameters
    ----------
    L : array of shape (...)
    uv : array of shape (..., 2)

    Returns
    -------
    rgb : array of shape (..., 3), clipped to [0, 1]
    """
    dtype = L.dtype
    y = xp.where(L > 7.999625, ((L + 16.0) / 116.0) ** 3, L / 903.3)
    eps = np.finfo(dtype).eps
    a = U0 + uv[..., 0] / (13.0 * L + eps)
    b = V0 + uv[..., 1] / (13.0 * L + eps)
    b = xp.where(xp.abs(b) > 1e-6, b, 1e-6)  # as the fused kernel: no 0 * inf = NaN
    c = 3 * y * (5 * b - 3)
    z = ((a - 4) * c - 15 * a * b * y) / (12 * b)
    x = -(c / b + 3.0 * z)
    xyz = xp.stack([x, y, z], axis=-1)
    linear = xp.tensordot(xyz, xp.asarray(RGB_FROM_XYZ.T, dtype=dtype), axes=1)
    positive = xp.maximum(linear, 0)
    rgb = xp.where(linear > 0.0031308, 1.055 * positive ** (1 / 2.4) - 0.055, 12.92 * linear)
    return xp.clip(rgb, 0.0, 1.0)
