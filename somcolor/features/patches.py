"""Patch features: the p x p neighbourhood of L around each pixel.

Borders are mirrored (numpy's ``reflect`` mode), so every pixel has a full
patch and outputs keep the input's size. Features are L / 100, in [0, 1],
as float32. :func:`extract_patches` runs the numba kernels of
:mod:`somcolor.features._kernels`; :func:`extract_patches_reference` is the
readable numpy version they are tested against, and :func:`patches_array`
the array-module version that runs with numpy or CuPy.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from sklearn.utils._param_validation import InvalidParameterError

from .._arrays import array_module
from . import _kernels


def check_odd_patch_size(estimator):
    """Refuse an even ``patch_size`` (the rest of its rules are in the estimator's parameter table):
    a patch must have a centre pixel."""
    if estimator.patch_size % 2 == 0:
        raise InvalidParameterError(
            f"The 'patch_size' parameter of {type(estimator).__name__} must be odd, so that the patch has a "
            f"centre pixel. Got {estimator.patch_size!r} instead."
        )


def pad_lightness(L, patch_size):
    """L / 100 as float32, mirrored by ``patch_size // 2`` pixels on each side (numpy or CuPy)."""
    xp = array_module(L)
    scaled = xp.asarray(L, dtype=xp.float32) / xp.float32(100.0)
    return xp.pad(scaled, patch_size // 2, mode="reflect")


def extract_patches(L, patch_size, rows=None, cols=None):
    """Patch features of selected pixels, or of all pixels in row-major order.

    Parameters
    ----------
    L : ndarray of shape (H, W)
        Lightness in [0, 100], numpy (numba kernels) or, for all pixels, CuPy
        (:func:`patches_array`).
    patch_size : int
        Odd side length p of the square patch.
    rows, cols : ndarray of int, optional
        Pixel coordinates. If omitted, every pixel is used.

    Returns
    -------
    features : ndarray of shape (n_pixels, p * p), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> L = np.arange(16.0).reshape(4, 4) * 10
    >>> extract_patches(L, 3, rows=np.array([0]), cols=np.array([0]))
    array([[0.5, 0.4, 0.5, 0.1, 0. , 0.1, 0.5, 0.4, 0.5]], dtype=float32)
    """
    padded = pad_lightness(L, patch_size)
    if array_module(padded) is not np:
        if rows is not None:
            raise ValueError("selected pixels are gathered on the CPU: pass a numpy array")
        return patches_array(padded, patch_size)
    if rows is None:
        out = np.empty((L.shape[0] * L.shape[1], patch_size * patch_size), np.float32)
        _kernels.dense_patches(patch_size)(padded, out)
    else:
        rows = np.ascontiguousarray(rows, dtype=np.intp)
        cols = np.ascontiguousarray(cols, dtype=np.intp)
        out = np.empty((rows.shape[0], patch_size * patch_size), np.float32)
        _kernels.gather_patches(padded, patch_size, rows, cols, out)
    return out


def extract_patches_reference(L, patch_size, rows=None, cols=None):
    """The test oracle of :func:`extract_patches`: the same in plain numpy."""
    padded = pad_lightness(L, patch_size)
    windows = sliding_window_view(padded, (patch_size, patch_size))
    if rows is None:
        return windows.reshape(-1, patch_size * patch_size).copy()
    return windows[rows, cols].reshape(-1, patch_size * patch_size)


def patches_array(padded, patch_size):
    """All patches of a mirrored, scaled L block as (pixels, p * p), in array code (numpy or CuPy).

    Stacks p * p shifted views, which both numpy and CuPy do in one fused copy.
    """
    xp = array_module(padded)
    height = padded.shape[0] - patch_size + 1
    width = padded.shape[1] - patch_size + 1
    shifted = [
        padded[a : a + height, b : b + width] for a in range(patch_size) for b in range(patch_size)
    ]
    return xp.stack(shifted, axis=-1).reshape(height * width, patch_size * patch_size)


def row_blocks(height, width, block_pixels):
    """Blocks of whole image rows of about `block_pixels` pixels: yields (first row, one past the last).

    Every whole-image pass that must bound its memory walks the image this way.

    >>> list(row_blocks(5, 4, 8))
    [(0, 2), (2, 4), (4, 5)]
    """
    rows = max(1, block_pixels // width)
    for r0 in range(0, height, rows):
        yield r0, min(height, r0 + rows)


def pixel_blocks(height, width, block_pixels):
    """Blocks of about `block_pixels` pixels that cover an image once, whatever its shape: yields (first
    row, one past the last, first column, one past the last), whole rows where they fit.

    >>> list(pixel_blocks(2, 10, 4))
    [(0, 1, 0, 4), (0, 1, 4, 8), (0, 1, 8, 10), (1, 2, 0, 4), (1, 2, 4, 8), (1, 2, 8, 10)]
    """
    cols = min(width, max(1, block_pixels))
    for r0, r1 in row_blocks(height, cols, block_pixels):
        for c0 in range(0, width, cols):
            yield r0, r1, c0, min(width, c0 + cols)


def tile_shape(height, width, margin, band_pixels, align=1, rows=None):
    """(rows, columns) of the tiles an image is worked through, each with `margin` pixels on every side,
    so that a tile and its margin hold about `band_pixels` pixels however wide or tall the image; columns
    a multiple of `align`, whole rows where they fit; `rows`, where given, is taken as it is.

    >>> tile_shape(100, 50, 4, 2000), tile_shape(1, 10**6, 4, 2000), tile_shape(3, 10**6, 4, 2000, rows=3)
    ((40, 41), (1, 222), (3, 181))
    """
    if rows is None:
        rows = min(height, max(2 * margin, 1, band_pixels // width))
        if (rows + 2 * margin) * width <= band_pixels:
            return rows, width
    cols = max(2 * margin, 1, band_pixels // (min(rows, height) + 2 * margin))
    return rows, min(width, -(-cols // align) * align)


def iter_patch_blocks(L, patch_size, block_pixels=1 << 16):
    """Patch features of all pixels, a block of whole image rows at a time.

    Bounds memory by the block rather than the image: a 1-megapixel image of
    11 x 11 patches would otherwise need a 480 MB feature matrix.

    Yields
    ------
    start, stop : int
        The block's first and one-past-last pixel, in row-major order.
    features : ndarray of shape (stop - start, p * p), dtype float32
    """
    height, width = L.shape
    padded = pad_lightness(L, patch_size)
    for r0, r1 in row_blocks(height, width, block_pixels):
        out = np.empty(((r1 - r0) * width, patch_size * patch_size), np.float32)
        _kernels.dense_patches(patch_size)(padded[r0 : r1 + patch_size - 1], out)
        yield r0 * width, r1 * width, out
