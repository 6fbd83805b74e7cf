"""Numba kernels. Each has a plain numpy reference that the tests compare it to:
patch gathering in :mod:`somcolor.patches`, codeword search in
:mod:`somcolor.quantizer`."""

import numpy as np
from numba import njit, prange


@njit(inline="always")
def _copy_patch(padded, patch_size, r, c, out, k):
    j = 0
    for a in range(patch_size):
        for b in range(patch_size):
            out[k, j] = padded[r + a, c + b]
            j += 1


@njit(parallel=True, cache=True)
def gather_patches(padded, patch_size, rows, cols, out):
    """out[k] = padded[rows[k]:rows[k]+p, cols[k]:cols[k]+p].ravel()."""
    for k in prange(rows.shape[0]):
        _copy_patch(padded, patch_size, rows[k], cols[k], out, k)


@njit(parallel=True, cache=True)
def dense_patches(padded, patch_size, out):
    """The patch of every pixel, row-major: the dense case of gather_patches.

    ``padded`` has ``patch_size - 1`` more rows and columns than the image;
    ``out`` has one row per image pixel.
    """
    height = padded.shape[0] - patch_size + 1
    width = padded.shape[1] - patch_size + 1
    for r in prange(height):
        for c in range(width):
            _copy_patch(padded, patch_size, r, c, out, r * width + c)


@njit(parallel=True, cache=True)
def nearest_codeword(points, codebook, labels, sq_dist):
    """Index of, and squared distance to, the nearest codeword of each point.

    Memory is O(points), never O(points x codewords). Ties go to the lowest
    index, as with numpy's argmin.
    """
    n_codes = codebook.shape[0]
    n_dims = codebook.shape[1]
    for i in prange(points.shape[0]):
        best = np.inf
        best_k = 0
        for k in range(n_codes):
            d = 0.0
            for j in range(n_dims):
                diff = points[i, j] - codebook[k, j]
                d += diff * diff
            if d < best:
                best = d
                best_k = k
        labels[i] = best_k
        sq_dist[i] = best
