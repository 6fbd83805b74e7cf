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


@njit(inline="always")
def _apply(w, diagonal, free, v, i, out):
    """out = free * (diagonal * v - W v) along row i of the padded arrays (a border of zeros): each pair's
    weight is stored at its first cell, in the order of :data:`~somcolor.hints.propagation.NEIGHBOURS`;
    returns the row's sum of v * out."""
    above, here, below = v[i - 1], v[i], v[i + 1]
    w0, w1, w2, w3 = w[0, i], w[1, i], w[2, i], w[3, i]
    u1, u2, u3 = w[1, i - 1], w[2, i - 1], w[3, i - 1]
    d, f, o = diagonal[i], free[i], out[i]
    total = 0.0
    for j in range(1, len(here) - 1):
        neighbours = (w0[j] * here[j + 1] + w0[j - 1] * here[j - 1] + w1[j] * below[j] + u1[j] * above[j]
                      + w2[j] * below[j + 1] + u2[j - 1] * above[j - 1] + w3[j] * below[j - 1]
                      + u3[j + 1] * above[j + 1])
        o[j] = f[j] * (d[j] * here[j] - neighbours)
        total += here[j] * o[j]
    return total


@parallel_kernel(fastmath=FASTMATH)
def smooth(weights, diagonal, data, free, tolerance, iterations, out):
    """Solve, for each plane of out (C, h, w), (diagonal - W) x = data * target on the free cells with the
    other cells held, where target is the plane given; the result replaces it.

    All arrays but `out` are float64 and padded with a border of zeros:
    `weights` (4, h + 2, w + 2) as
    :func:`~somcolor.hints.propagation.affinities` gives them, `diagonal`,
    `data` and `free` (1 for a free cell, else 0) (h + 2, w + 2). A
    conjugate gradient preconditioned by the diagonal, started from the
    target, stopped when the residual is `tolerance` times the first one or
    after `iterations` steps. The planes run in parallel, each on one thread
    (a solve on the hint grid takes milliseconds: the launches of parallel
    loops within it would cost more than they save). The reference is
    :func:`~somcolor.hints.propagation.smoothing_reference`.
    """
    height, width = out.shape[1], out.shape[2]
    inverse = np.zeros((height + 2, width + 2))
    inverse[1:-1, 1:-1] = 1.0 / diagonal[1:-1, 1:-1]
    for c in prange(out.shape[0]):
        x = np.zeros((height + 2, width + 2))
        r = np.zeros((height + 2, width + 2))
        p = np.zeros((height + 2, width + 2))
        q = np.zeros((height + 2, width + 2))
        x[1:-1, 1:-1] = out[c]
        for i in range(1, height + 1):
            _apply(weights, diagonal, free, x, i, q)
        # r = free * (data * target - (diagonal x - W x)), at x = target
        r[:] = free * data * x - q
        p[:] = r * inverse
        first = (r * r).sum()
        rz = (r * p).sum()
        for _ in range(iterations):
            if rz <= 0.0 or first <= 0.0:
                break
            pq = 0.0
            for i in range(1, height + 1):
                pq += _apply(weights, diagonal, free, p, i, q)
            alpha = rz / pq
            rr = 0.0
            rz_next = 0.0
            for i in range(1, height + 1):
                for j in range(1, width + 1):
                    x[i, j] += alpha * p[i, j]
                    r[i, j] -= alpha * q[i, j]
                    rr += r[i, j] * r[i, j]
                    rz_next += r[i, j] * r[i, j] * inverse[i, j]
            if rr <= tolerance * tolerance * first:
                break
            beta = rz_next / rz
            rz = rz_next
            for i in range(1, height + 1):
                for j in range(1, width + 1):
                    p[i, j] = r[i, j] * inverse[i, j] + beta * p[i, j]
        out[c] = x[1:-1, 1:-1]


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

    `planes` (5, h + 1, w + 1), on the grid with its last row and column
    repeated: the hints' share against the automatic colors, their mean
    chromaticity times that share, and the (U, V) the smoothing adds; read
    bilinearly at rows y0 + fy and columns x0 + fx
    (:func:`~somcolor.filters.resample.coarse_coordinates`). With `blend` a
    pixel's (U, V) is (1 - share) times its automatic one plus 13 L times the
    share-weighted chromaticity, else its automatic one plus the latter (the
    hints' corrections); then the smoothing's. Spans of rows run in parallel.
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
            chroma[0, j] = (keep * luv[1, i, j0 + j] + scaled * _bilinear(planes[1], a, c, f, g)
                            + _bilinear(planes[3], a, c, f, g))
            chroma[1, j] = (keep * luv[2, i, j0 + j] + scaled * _bilinear(planes[2], a, c, f, g)
                            + _bilinear(planes[4], a, c, f, g))
        luv_to_rgb_row(luv[0, i, j0 : j0 + n], chroma, n, rgb_from_xyz, u0, v0, rgb)
        for j in range(n):
            for ch in range(3):
                out[i, j0 + j, ch] = rgb[ch, j]
