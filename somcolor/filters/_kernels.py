"""Numba kernels of the filters: box means, the guided filter, bilinear resampling and warping.

Their references are the array-code versions in :mod:`somcolor.filters.guided`
and :mod:`somcolor.filters.resample` (and scipy's ``map_coordinates`` for the warp).
"""

import numpy as np
from numba import njit, prange

from .._numba import parallel_kernel, serial_kernel

from ..color._kernels import FASTMATH, clamp


# Pixels of a row that one step of a parallel loop takes: rows are cut into spans, so that a photo of few
# rows still spreads over every core.
_SPAN = 4096


@serial_kernel()
def _inverse_counts(n, radius):
    """1 / the number of positions of each clipped window along an axis of length n."""
    out = np.empty(n)
    for i in range(n):
        out[i] = 1.0 / (min(i + radius, n - 1) - max(i - radius, 0) + 1)
    return out


@njit(inline="always")
def _box_mean_plane(a, radius, out, total, row, inv_rows, inv_cols):
    """out = mean of a (H, W) over the (2r+1)^2 window clipped at the borders.

    Columns first: a running sum over rows held for all columns at once, so
    that its updates vectorize across the row; then a running sum along each
    row. The cost does not depend on the radius. total, row: (W,) float64 scratch.
    """
    height, width = a.shape
    total[:] = 0.0
    for i in range(min(radius, height)):
        for j in range(width):
            total[j] += a[i, j]
    for i in range(height):
        if i + radius < height:
            for j in range(width):
                total[j] += a[i + radius, j]
        if i - radius - 1 >= 0:
            for j in range(width):
                total[j] -= a[i - radius - 1, j]
        for j in range(width):
            out[i, j] = total[j] * inv_rows[i]
    for i in range(height):
        for j in range(width):
            row[j] = out[i, j]
        s = 0.0
        for j in range(min(radius, width)):
            s += row[j]
        for j in range(width):
            if j + radius < width:
                s += row[j + radius]
            if j - radius - 1 >= 0:
                s -= row[j - radius - 1]
            out[i, j] = s * inv_cols[j]


@parallel_kernel()
def box_means(planes, radius, out):
    """out[p] = the clipped (2r+1)^2 window mean of planes[p], for planes (P, H, W); planes run in parallel."""
    n_planes, height, width = planes.shape
    inv_rows = _inverse_counts(height, radius)
    inv_cols = _inverse_counts(width, radius)
    for p in prange(n_planes):
        _box_mean_plane(planes[p], radius, out[p], np.empty(width), np.empty(width), inv_rows, inv_cols)


# The dispatcher itself, which the guided filter calls from compiled code.
_box_means = box_means.dispatcher


@parallel_kernel(fastmath=FASTMATH)
def guided_filter(guide, src, radius, eps, out, work):
    """The guided filter of somcolor.filters.guided on planes.

    guide (H, W); src and out (C, H, W); work (2, 2 + 2C, H, W) scratch, whose
    dtype the arithmetic runs in. Each round of box means runs its stack of
    planes in parallel.
    """
    channels, height, width = src.shape
    first, means = work[0], work[1]
    # Loops over j innermost throughout, on spans of rows of single planes, so that they vectorize; every
    # span of every row in one parallel loop, so that a photo of one row keeps every core busy too.
    n_spans = (width + _SPAN - 1) // _SPAN
    for t in prange(height * n_spans):
        i = t // n_spans
        j0 = (t - i * n_spans) * _SPAN
        j1 = min(width, j0 + _SPAN)
        g, gg = guide[i], first[1, i]
        for j in range(j0, j1):
            first[0, i, j] = g[j]
            gg[j] = g[j] * g[j]
        for c in range(channels):
            p, gp, copy = src[c, i], first[2 + channels + c, i], first[2 + c, i]
            for j in range(j0, j1):
                copy[j] = p[j]
                gp[j] = g[j] * p[j]
    _box_means(first, radius, means)
    # The linear coefficients a, b of each window replace the first stack.
    for t in prange(height * n_spans):
        i = t // n_spans
        j0 = (t - i * n_spans) * _SPAN
        j1 = min(width, j0 + _SPAN)
        mean_i, mean_ii = means[0, i], means[1, i]
        for c in range(channels):
            mean_p, mean_ip = means[2 + c, i], means[2 + channels + c, i]
            a, b = first[c, i], first[channels + c, i]
            for j in range(j0, j1):
                a[j] = (mean_ip[j] - mean_i[j] * mean_p[j]) / (mean_ii[j] - mean_i[j] * mean_i[j] + eps)
                b[j] = mean_p[j] - a[j] * mean_i[j]
    _box_means(first[: 2 * channels], radius, means[: 2 * channels])
    for t in prange(height * n_spans):
        i = t // n_spans
        j0 = (t - i * n_spans) * _SPAN
        j1 = min(width, j0 + _SPAN)
        g = guide[i]
        for c in range(channels):
            a, b, q = means[c, i], means[channels + c, i], out[c, i]
            for j in range(j0, j1):
                q[j] = a[j] * g[j] + b[j]


@parallel_kernel(fastmath=FASTMATH)
def upsample_columns(grid, x0, fx, out):
    """out[u, y, j] = grid[u, y] interpolated linearly at x0[j] + fx[j]; grid (U, h, w + 1), out (U, h, W)."""
    units, rows = grid.shape[0], grid.shape[1]
    width = x0.shape[0]
    for k in prange(units * rows):
        u = k // rows
        y = k - u * rows
        line = grid[u, y]
        target = out[u, y]
        for j in range(width):
            left = line[x0[j]]
            target[j] = left + fx[j] * (line[x0[j] + 1] - left)


@parallel_kernel(fastmath=FASTMATH)
def warp_bilinear(planes, flow, out):
    """out[c, i, j] = planes[c] at (i, j) + flow[:, i, j], bilinear, clamped at the borders.

    planes, out : (C, H, W) float32; flow : (2, H, W) float32 (rows, columns).
    """
    channels, height, width = planes.shape
    for i in prange(height):
        for j in range(width):
            y = clamp(i + flow[0, i, j], np.float32(0.0), np.float32(height - 1))
            x = clamp(j + flow[1, i, j], np.float32(0.0), np.float32(width - 1))
            y0 = min(np.int64(y), max(height - 2, 0))
            x0 = min(np.int64(x), max(width - 2, 0))
            fy = y - y0
            fx = x - x0
            y1 = min(y0 + 1, height - 1)
            x1 = min(x0 + 1, width - 1)
            for c in range(channels):
                plane = planes[c]
                top = plane[y0, x0] + fx * (plane[y0, x1] - plane[y0, x0])
                bottom = plane[y1, x0] + fx * (plane[y1, x1] - plane[y1, x0])
                out[c, i, j] = top + fy * (bottom - top)
