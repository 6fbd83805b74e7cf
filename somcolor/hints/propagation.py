"""How hints spread: along the photo's edges, to what is like them, and nowhere else.

Each hint k weighs on a pixel x by how near it is:

    w_k(x) = (reach / (D_k(x) + eps)) ** power

where D_k is the pixel's distance from the hint, the shorter of two:

- *locally*: the geodesic distance over the photo, a step costing its length
  plus ``edge`` times the difference of lightness it crosses, so that a hint
  spreads over a meadow and stops at its edge (Yatziv & Sapiro 2006, "Fast
  image and video colorization using chrominance blending");
- *by likeness*: ``likeness`` times the photo's short side, plus ``unlike``
  times how unlike the two pixels' class probabilities are (one minus their
  Bhattacharyya coefficient): a pixel the model sees as the same kind of
  thing is near, however far it lies or whatever edge cuts it off.

The automatic colors weigh 1, so that a hint weighs as much as they do at
distance ``reach`` (in short sides of the photo) and less beyond: the farther
a pixel from every hint, across edges, and the more unlike every hinted
pixel, the more of its automatic colors it keeps. ``benchmarks/hints.py``
chose a long reach: on photos unlike the training photos a hint's color is a
better guess than the automatic one for most of the photo, as Levin et al.'s
interpolation of the same hints shows. A pixel's chromaticity is the
weighted mean of the hints' and the automatic one (``blend``), or the
automatic one moved by the hints' corrections (``shift``); hinted pixels take
their hint's exactly. Distances are in pixels of the photo, computed on a
grid of about :data:`GRID_SIDE` cells on its short side.

Last, the blended colors are smoothed along the photo's edges where the hints
hold them, as Levin, Lischinski & Weiss (2004, "Colorization using
Optimization") spread scribbles: on the grid, the (U, V) x minimizing

    sum over each pair of neighbours r, s of w_rs (x_r - x_s)^2
      + sum over cells r of keep / share_r^3 * D_r (x_r - t_r)^2

with the hinted cells held at their blend (their hints' colors), where t is the blended colors,
w_rs Levin's affinity of two neighbours' lightness (:func:`affinities`), D_r
the sum of a cell's affinities and share_r the hints' share there. Where
hints are dense their colors follow the photo's edges between them, as in
Levin's method, which a weighted mean of distances cannot; where the hints
barely reach (a small share) the cell keeps its blended colors, that is its
automatic ones. :func:`smooth` solves it by a conjugate gradient (a numba
kernel), :func:`smoothing_reference` by scipy's sparse direct solver.
"""

from typing import NamedTuple

import numpy as np
from scipy.sparse import coo_matrix, diags
from scipy.sparse.csgraph import dijkstra
from scipy.sparse.linalg import splu

from . import _kernels

#: Cells on the short side of the grid that hints spread over (a photo smaller is its own grid).
GRID_SIDE = 256
# Raster passes of the geodesic distance: enough for paths that turn that many times.
SWEEPS = 3
# The smoothing's conjugate gradient stops at this fraction of its first residual or after ITERATIONS steps:
# within a few thousandths of the exact solve's U and V (3e-3 would halve the steps, but leave up to 0.3).
TOLERANCE = 1e-4
ITERATIONS = 400
# The least share of the hints a cell counts (it keeps its colors 1e9 times as hard as a hinted one).
LEAST_SHARE = 1e-3
# Neighbours right, below, below right and below left: each pair of cells once.
NEIGHBOURS = ((0, 1), (1, 0), (1, 1), (1, -1))


class Propagation(NamedTuple):
    """How hints spread (see the module docstring); the defaults are chosen by ``benchmarks/hints.py``."""

    reach: float = 2.0  # short sides of distance at which a hint weighs as much as the automatic colors
    power: float = 4.0  # how fast a hint's weight falls with distance
    edge: float = 8.0  # pixels of distance that one unit of lightness difference costs
    likeness: float = 0.3  # fraction of the short side: how far a pixel of the very same kind counts
    unlike: float = 20.0  # short sides of distance added per unit of unlikeness (1 - Bhattacharyya coefficient)
    mode: str = "blend"  # "blend" the hints' chromaticity in, or "shift" the automatic one by their corrections
    keep: float = 0.03  # how hard a cell the hints hold keeps its blended colors against its neighbours' (inf: no smoothing)

    def check(self):
        """Itself, or a ValueError naming the setting that cannot be."""
        for name in ("reach", "power", "edge", "likeness", "unlike"):
            value, least = getattr(self, name), "above 0" if name in ("reach", "power") else "at least 0"
            if not (isinstance(value, (int, float, np.integer, np.floating)) and np.isfinite(value)
                    and (value > 0 if name in ("reach", "power") else value >= 0)):
                raise ValueError(f"Propagation: {name} must be a number {least}, got {value!r}")
        if not (isinstance(self.keep, (int, float, np.integer, np.floating)) and self.keep > 0):
            raise ValueError(f"Propagation: keep must be a number above 0 (inf: no smoothing), got {self.keep!r}")
        if self.mode not in ("blend", "shift"):
            raise ValueError(f"Propagation: mode must be 'blend' or 'shift', got {self.mode!r}")
        return self


def geodesic_reference(L, seeds, step, edge):
    """The exact geodesic distances of :func:`geodesic_distances` (for one seed set), by scipy's Dijkstra on
    the same 8-neighbour graph: the oracle the raster kernel is tested against."""
    height, width = L.shape
    index = np.arange(height * width).reshape(height, width)
    sources, targets, costs = [], [], []
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        rows = slice(0, height - dr)
        a = index[rows, max(0, -dc) : width - max(0, dc)]
        b = index[dr:, max(0, dc) : width - max(0, -dc)]
        la = L[rows, max(0, -dc) : width - max(0, dc)]
        lb = L[dr:, max(0, dc) : width - max(0, -dc)]
        cost = np.hypot(dr, dc) * step + edge * np.abs(la - lb)
        sources += [a.ravel(), b.ravel()]
        targets += [b.ravel(), a.ravel()]
        costs += [cost.ravel(), cost.ravel()]
    graph = coo_matrix((np.concatenate(costs) + 1e-12, (np.concatenate(sources), np.concatenate(targets))),
                       shape=(height * width,) * 2).tocsr()
    return dijkstra(graph, indices=np.flatnonzero(seeds), min_only=True).reshape(height, width)


def geodesic_distances(L, seeds, step, edge, sweeps=SWEEPS):
    """Geodesic distances (K, h, w) float32 of every cell of the grid L (h, w) from each of K seed sets
    (K, h, w) bool: raster passes of the numba kernel, the sets in parallel."""
    seeds = np.ascontiguousarray(seeds, dtype=np.bool_)
    out = np.empty(seeds.shape, np.float32)
    _kernels.geodesic_distances(np.ascontiguousarray(L, dtype=np.float32), seeds, np.float32(step),
                                np.float32(edge), int(sweeps), out)
    return out


def unlikeness(roots, hint_roots):
    """One minus the Bhattacharyya coefficient of each cell's class probabilities with a hint's, from their
    square roots: `roots` (Q, h, w), `hint_roots` (Q,). 0 for the same distribution, 1 for disjoint ones."""
    return np.maximum(0.0, 1.0 - np.tensordot(hint_roots, roots, axes=1)).astype(np.float32)


def hint_distance(geodesic, unlike, propagation, short_side):
    """A hint's distance of every cell, in pixels: the geodesic one or the one by likeness, the shorter."""
    by_likeness = short_side * (propagation.likeness + propagation.unlike * unlike)
    return np.minimum(geodesic, by_likeness)


def hint_weight(distance, propagation, short_side, eps):
    """A hint's weight of every cell at `distance` (pixels): 1 at ``reach``, more nearer, less farther."""
    return (propagation.reach * short_side / (distance + eps)) ** propagation.power


def _pairs(array, dr, dc):
    """The views of `array` (..., h, w) at the first and the second cell of each pair (r, c), (r + dr, c + dc)."""
    height, width = array.shape[-2:]
    first = array[..., : height - dr, max(0, -dc) : width - max(0, dc)]
    second = array[..., dr:, max(0, dc) : width - max(0, -dc)]
    return first, second


def window_scales(Y):
    """Levin et al.'s sigma_r (h, w) of each cell of Y (h, w, in [0, 1]), as in the authors' colorize.m:
    0.6 times the variance of its 3 x 3 window, at least what makes its nearest neighbour's weight 0.01,
    at least 2e-6 (the windows are cut at the border)."""
    height, width = Y.shape
    padded = np.pad(Y, 1, constant_values=np.nan)
    window = np.stack([padded[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width]
                       for dr in (-1, 0, 1) for dc in (-1, 0, 1)])
    variance = np.nanmean((window - np.nanmean(window, axis=0)) ** 2, axis=0)
    squared = np.delete((window - Y) ** 2, 4, axis=0)
    nearest = np.where(np.isnan(squared), np.inf, squared).min(axis=0)  # inf for a cell with no neighbour
    return np.maximum(np.maximum(0.6 * variance, -nearest / np.log(0.01)), 2e-6)


def affinities(L):
    """Levin et al.'s affinities (4, h, w) float32 of each cell of the grid L (h, w, in [0, 100]) with its
    neighbours right, below, below right and below left (:data:`NEIGHBOURS`; 0 past the border).

    A cell r weighs a neighbour s by exp(-(Y_r - Y_s)^2 / sigma_r), Y = L / 100, sigma_r from
    :func:`window_scales`; a pair weighs the geometric mean of its two directions, so that the smoothing's
    system is symmetric.
    """
    Y = np.asarray(L, np.float64) / 100.0
    sigma = window_scales(Y)
    weights = np.zeros((4, *Y.shape), np.float32)
    for k, (dr, dc) in enumerate(NEIGHBOURS):
        (ya, yb), (sa, sb) = _pairs(Y, dr, dc), _pairs(sigma, dr, dc)
        _pairs(weights[k], dr, dc)[0][...] = np.exp(-0.5 * (ya - yb) ** 2 * (1 / sa + 1 / sb))
    return weights


def degrees(weights):
    """Each cell's sum of affinities with its neighbours (h, w)."""
    degree = weights.sum(axis=0)
    for k, (dr, dc) in enumerate(NEIGHBOURS):
        _pairs(degree, dr, dc)[1][...] += _pairs(weights[k], dr, dc)[0]
    return degree


def data_weights(degree, keep, share):
    """How hard each cell keeps its blended colors: keep / share^3 times its affinities' sum (a cell with no
    like neighbour still keeps them: its sum counts at least 1e-6)."""
    return (keep / np.maximum(share, LEAST_SHARE) ** 3 * np.maximum(degree, 1e-6)).astype(np.float32)


def smoothing_reference(weights, data, target, fixed):
    """The smoothing's exact solution (C, h, w) by scipy's sparse direct solver: the oracle of :func:`smooth`.

    `weights` from :func:`affinities`, `data` from :func:`data_weights`, `target` (C, h, w) the blended
    colors, `fixed` (h, w) bool the cells held at their target."""
    height, width = fixed.shape
    index = np.arange(height * width).reshape(height, width)
    rows, cols, values = [], [], []
    for k, (dr, dc) in enumerate(NEIGHBOURS):
        a, b = _pairs(index, dr, dc)
        w = _pairs(weights[k], dr, dc)[0].ravel().astype(np.float64)
        rows += [a.ravel(), b.ravel()]
        cols += [b.ravel(), a.ravel()]
        values += [w, w]
    W = coo_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                   shape=(height * width,) * 2).tocsr()
    degree = np.asarray(W.sum(axis=1)).ravel()
    system = (diags(degree + data.ravel()) - W).tocsr()
    free, held = ~fixed.ravel(), fixed.ravel()
    solver = splu(system[free][:, free].tocsc())
    out = np.array(target, np.float64).reshape(len(target), -1)
    for x in out:
        x[free] = solver.solve(data.ravel()[free] * x[free] - system[free][:, held] @ x[held])
    return out.reshape(target.shape).astype(np.float32)


def smooth(weights, data, target, fixed):
    """The smoothing of :func:`smoothing_reference` by a Jacobi-preconditioned conjugate gradient from the
    target (a numba kernel), to :data:`TOLERANCE`."""
    out = np.array(target, np.float32)

    def padded(a):
        return np.pad(np.asarray(a, np.float64), [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)])

    _kernels.smooth(padded(weights), padded(degrees(weights) + data), padded(data), padded(~fixed), TOLERANCE,
                    ITERATIONS, out)
    return out
