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
"""

from typing import NamedTuple

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from . import _kernels

#: Cells on the short side of the grid that hints spread over (a photo smaller is its own grid).
GRID_SIDE = 256
# Raster passes of the geodesic distance: enough for paths that turn that many times.
SWEEPS = 3


class Propagation(NamedTuple):
    """How hints spread (see the module docstring); the defaults are chosen by ``benchmarks/hints.py``."""

    reach: float = 2.0  # short sides of distance at which a hint weighs as much as the automatic colors
    power: float = 4.0  # how fast a hint's weight falls with distance
    edge: float = 8.0  # pixels of distance that one unit of lightness difference costs
    likeness: float = 0.3  # fraction of the short side: how far a pixel of the very same kind counts
    unlike: float = 20.0  # short sides of distance added per unit of unlikeness (1 - Bhattacharyya coefficient)
    mode: str = "blend"  # "blend" the hints' chromaticity in, or "shift" the automatic one by their corrections


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
