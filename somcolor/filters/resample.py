"""Resampling: block means down, bilinear interpolation up, and warping along a flow.

Array-code functions take numpy or CuPy arrays; :func:`upsample` and
:func:`warp` run numba kernels (:func:`warp_reference` is the scipy version
the warp is tested against).
"""

import numpy as np
from scipy.ndimage import map_coordinates

from .._arrays import array_module
from . import _kernels


def working_factor(shape, working_side):
    """The block size k >= 1 that brings the short side of an image of `shape` nearest to `working_side`
    (None: 1, no change).

    >>> working_factor((150, 200), 150), working_factor((600, 800), 150), working_factor((1000, 4000), 150)
    (1, 4, 7)
    """
    if not working_side:
        return 1
    return max(1, round(min(shape[:2]) / working_side))


def downscale(L, factor):
    """Means of `factor` x `factor` blocks of L; blocks cut by the border average the pixels they hold.

    >>> downscale(np.arange(15.0).reshape(3, 5), 2)
    array([[ 3. ,  5. ,  6.5],
           [10.5, 12.5, 14. ]])
    """
    xp = array_module(L)
    height, width = L.shape
    h, w = -(-height // factor), -(-width // factor)
    pad = ((0, h * factor - height), (0, w * factor - width))

    def block_sums(a):
        return xp.pad(a, pad).reshape(h, factor, w, factor).sum(axis=(1, 3))

    return block_sums(L) / block_sums(xp.ones_like(L))


def coarse_coordinates(n, factor, xp=np, start=0, total=None):
    """Where each of `n` pixels falls on the grid downscaled by `factor`, for bilinear interpolation.

    Pixel centres map to ``(i + 0.5) / factor - 0.5``, clipped to the coarse
    grid. Returns the coarse index ``i0`` (int64) and the weight ``f``
    (float32, in [0, 1)) of index ``i0 + 1``, which always exists once the
    grid has its edge repeated once. For pixels `start` to `start + n` of a
    line of `total` pixels (`start` a multiple of `factor`), indices count
    from the coarse pixel where they start.

    >>> i0, f = coarse_coordinates(4, 2)
    >>> i0.tolist(), f.tolist()
    ([0, 0, 0, 1], [0.0, 0.25, 0.75, 0.0])
    """
    m = -(-(n if total is None else total) // factor)
    x = xp.clip((xp.arange(start, start + n) + 0.5) / factor - 0.5, 0, m - 1)
    i0 = xp.floor(x).astype(xp.int64)
    # A band's first pixels may fall before its first coarse pixel: clipped (they are its margin).
    return xp.maximum(i0 - start // factor, 0), (x - i0).astype(xp.float32)


def interpolate(grid, rows, cols):
    """Bilinear values of `grid` (h + 1, w + 1, ...) at the coarse coordinates (i0, f) of rows and cols."""
    (y0, fy), (x0, fx) = rows, cols
    fy, fx = fy[:, None], fx[:, None]
    top = grid[y0, x0] * (1 - fx) + grid[y0, x0 + 1] * fx
    bottom = grid[y0 + 1, x0] * (1 - fx) + grid[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def upsample(planes, height, width, factor):
    """Planes (C, h, w) on the grid downscaled by `factor`, interpolated bilinearly to (C, height, width).

    Two linear passes of a numba kernel: along columns, then along rows (through a transpose).
    """
    grid = np.pad(np.asarray(planes, np.float32), ((0, 0), (0, 1), (0, 1)), mode="edge")
    wide = np.empty((grid.shape[0], grid.shape[1], width), np.float32)
    _kernels.upsample_columns(grid, *coarse_coordinates(width, factor), wide)
    wide = np.ascontiguousarray(wide.transpose(0, 2, 1))
    full = np.empty((grid.shape[0], width, height), np.float32)
    _kernels.upsample_columns(wide, *coarse_coordinates(height, factor), full)
    return np.ascontiguousarray(full.transpose(0, 2, 1))


def warp(planes, flow):
    """``planes`` (C, H, W) sampled at ``p + flow[:, p]``, bilinearly, clamped at the borders; float32."""
    out = np.empty(planes.shape, np.float32)
    _kernels.warp_bilinear(
        np.ascontiguousarray(planes, dtype=np.float32), np.ascontiguousarray(flow, dtype=np.float32), out
    )
    return out


def warp_reference(planes, flow):
    """The test oracle of :func:`warp`: ``scipy.ndimage.map_coordinates``."""
    height, width = planes.shape[1:]
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    coords = [np.clip(rows + flow[0], 0, height - 1), np.clip(cols + flow[1], 0, width - 1)]
    return np.stack([map_coordinates(plane, coords, order=1) for plane in planes])
