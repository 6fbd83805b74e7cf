"""Numba kernels of hint propagation; their reference is :func:`somcolor.hints.propagation.geodesic_reference`
(exact shortest paths by scipy's Dijkstra) and the numpy code of :mod:`somcolor.hints.propagation`."""

import numpy as np
from numba import njit, prange

from .._numba import parallel_kernel
from ..color._kernels import FASTMATH, luv_to_rgb_row

_DIAGONAL = np.float32(np.sqrt(2.0))


@njit(inline="always")
def _relax(d, L, i, j, ni, nj, length, step, edge):
    cost = d[ni, nj] + length * step + edge * abs(L[i, j] - L[ni, nj])
    if cost < d[i, j]:
        d[i, j] = cost


@njit(inline="always")
def _sweep(d, L, step, edge):
    """One forward and one backward raster pass of 8-neighbour relaxation over one distance map."""
    height, width = d.shape
    for i in range(height):
        if i > 0:
            for j in range(width):
                _relax(d, L, i, j, i - 1, j, np.float32(1.0), step, edge)
                if j > 0:
                    _relax(d, L, i, j, i - 1, j - 1, _DIAGONAL, step, edge)
                if j < width - 1:
                    _relax(d, L, i, j, i - 1, j + 1, _DIAGONAL, step, edge)
        for j in range(1, width):
            _relax(d, L, i, j, i, j - 1, np.float32(1.0), step, edge)
        for j in range(width - 2, -1, -1):
            _relax(d, L, i, j, i, j + 1, np.float32(1.0), step, edge)
    for i in range(height - 1, -1, -1):
        if i < height - 1:
            for j in range(width):
                _relax(d, L, i, j, i + 1, j, np.float32(1.0), step, edge)
                if j > 0:
                    _relax(d, L, i, j, i + 1, j - 1, _DIAGONAL, step, edge)
                if j < width - 1:
                    _relax(d, L, i, j, i + 1, j + 1, _DIAGONAL, step, edge)
        for j in range(1, width):
            _relax(d, L, i, j, i, j - 1, np.float32(1.0), step, edge)
        for j in range(width - 2, -1, -1):
            _relax(d, L, i, j, i, j + 1, np.float32(1.0), step, edge)


@parallel_kernel()
def geodesic_distances(L, seeds, step, edge, sweeps, out):
    """out[k] = the geodesic distance of every cell of the grid L (h, w) from the cells of seed set k.

    seeds (K, h, w) bool; a step to one of the 8 neighbours costs its length
    (1 or sqrt 2) times `step` (pixels per cell) plus `edge` times the
    difference of L; `sweeps` forward and backward raster passes (enough to
    reach paths that turn that many times). Seed sets run in parallel.
    """
    n_sets = seeds.shape[0]
    for k in prange(n_sets):
        d = out[k]
        for i in range(d.shape[0]):
            for j in range(d.shape[1]):
                d[i, j] = 0.0 if seeds[k, i, j] else np.float32(np.inf)
        for _ in range(sweeps):
            _sweep(d, L, step, edge)


_SPAN = 4096  # pixels of a row one step of the parallel loop takes


@njit(inline="always")
def _bilinear(plane, a, c, f, g):
    """plane read between rows a, a + 1 (weight f of the second) and columns c, c + 1 (weight g): columns
    first, as :func:`~somcolor.filters.resample.upsample` interpolates."""
    top = plane[a, c] + g * (plane[a, c + 1] - plane[a, c])
    bottom = plane[a + 1, c] + g * (plane[a + 1, c + 1] - plane[a + 1, c])
    return top + f * (bottom - top)


@parallel_kernel(fastmath=FASTMATH)
def blend_hints(luv, planes, y0, fy, x0, fx, blend, rgb_from_xyz, u0, v0, out):
    """out (H, W, 3) float32 RGB of the automatic CIELUV planes `luv` (3, H, W) with the hints blended in.

    `planes` (3, h + 1, w + 1), on the grid with its last row and column
    repeated: the hints' share against the automatic colors, and their mean
    chromaticity times that share; read bilinearly at rows y0 + fy and
    columns x0 + fx (:func:`~somcolor.filters.resample.coarse_coordinates`).
    With `blend` a pixel's (U, V) is (1 - share) times its automatic one plus
    13 L times the share-weighted chromaticity, else its automatic one plus the
    latter (the hints' corrections). Spans of rows run in parallel.
    """
    height, width = luv.shape[1], luv.shape[2]
    n_spans = (width + _SPAN - 1) // _SPAN
    for t in prange(height * n_spans):
        i = t // n_spans
        j0 = (t - i * n_spans) * _SPAN
        n = min(_SPAN, width - j0)
        a = y0[i]
        f = fy[i]
        chroma = np.empty((2, n), np.float32)
        rgb = np.empty((3, n), np.float32)
        for j in range(n):
            c = x0[j0 + j]
            g = fx[j0 + j]
            share = _bilinear(planes[0], a, c, f, g)
            scaled = np.float32(13.0) * luv[0, i, j0 + j]
            keep = np.float32(1.0) - share if blend else np.float32(1.0)
            chroma[0, j] = keep * luv[1, i, j0 + j] + scaled * _bilinear(planes[1], a, c, f, g)
            chroma[1, j] = keep * luv[2, i, j0 + j] + scaled * _bilinear(planes[2], a, c, f, g)
        luv_to_rgb_row(luv[0, i, j0 : j0 + n], chroma, n, rgb_from_xyz, u0, v0, rgb)
        for j in range(n):
            for ch in range(3):
                out[i, j0 + j, ch] = rgb[ch, j]
