"""CIELUV color space: lightness L is the model's input, chroma (U, V) its target."""

import numpy as np
from skimage.color import luv2rgb, rgb2luv


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
    """
    if image.ndim == 2:
        image = np.repeat(image[..., np.newaxis], 3, axis=2)
    return rgb2luv(image)[..., 0]


def merge_luv(L, uv):
    """Join lightness (H, W) and chroma (H, W, 2) into an RGB image."""
    return luv_to_rgb(np.concatenate([L[..., np.newaxis], uv], axis=2))
