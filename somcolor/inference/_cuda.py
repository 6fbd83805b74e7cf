"""CUDA kernels of the colorizing pass (numba.cuda): the GPU twins of :mod:`somcolor.inference._kernels`.

:func:`fused_kernel` builds, per network width, the one-launch pass: each
thread reads its pixel's patch and context planes, runs every MLP layer with
the weights in shared memory (when they fit), decodes (argmax or annealed
mean) and writes CIELUV planes, RGB (float or bytes) or the class
probabilities. The tests run it under numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``) against the fused CPU pass and the exact path.
"""

import functools
import math

import numpy as np
from numba import cuda, float32

from ..color._cuda import luv_to_rgb_pixel
from ..network._cuda import activate, decode, dense, softmax_to

OUT_RGB, OUT_LUV, OUT_PROBA, OUT_RGB8 = 0, 1, 2, 3
SHARED_WEIGHTS = 12_288  # float32 weights that fit in 48 KB of shared memory


@functools.lru_cache(maxsize=None)
def fused_kernel(width, n_shared):
    """The fused kernel for networks no wider than `width` units, weights staged in `n_shared` floats of
    shared memory (0: read from global memory)."""
    staged = max(n_shared, 1)

    @cuda.jit
    def kernel(padded, patch_size, planes, coarse, layers, decoding, luv_constants, mode, lightness, out):
        weights, biases, sizes, activation, binary = layers
        coarse_columns, coarse_y0, coarse_fy = coarse
        j, i = cuda.grid(2)
        if n_shared:
            # The block loads the weights once; every thread then reads them at shared-memory speed.
            w = cuda.shared.array(staged, float32)
            start = cuda.threadIdx.y * cuda.blockDim.x + cuda.threadIdx.x
            step = cuda.blockDim.x * cuda.blockDim.y
            for k in range(start, weights.shape[0], step):
                w[k] = weights[k]
            cuda.syncthreads()
        else:
            w = weights
        height = padded.shape[0] - patch_size + 1
        image_width = padded.shape[1] - patch_size + 1
        if i >= height or j >= image_width:
            return
        a = cuda.local.array(width, float32)
        b = cuda.local.array(width, float32)
        k = 0
        for r in range(patch_size):
            for c in range(patch_size):
                a[k] = padded[i + r, j + c]
                k += 1
        for f in range(planes.shape[0]):
            a[k + f] = planes[f, i, j]
        n_layers = sizes.shape[0] - 1
        w_off = 0
        b_off = 0
        src = a
        dst = b
        for layer in range(n_layers):
            n_in = sizes[layer]
            n_out = sizes[layer + 1]
            dense(src, n_in, dst, n_out, w, w_off, biases, b_off)
            if layer == 0:
                for s in range(coarse_y0.shape[0]):
                    y0 = coarse_y0[s, i]
                    fy = coarse_fy[s, i]
                    for u in range(n_out):
                        top = coarse_columns[u, y0, j]
                        dst[u] += top + fy * (coarse_columns[u, y0 + 1, j] - top)
            if layer < n_layers - 1:
                for u in range(n_out):
                    dst[u] = activate(dst[u], activation)
            w_off += n_in * n_out
            b_off += n_out
            src, dst = dst, src
        codebook, use_argmax, inv_temperature = decoding
        n_classes = codebook.shape[0]
        if binary:
            # One logistic unit z: the two classes' logits are (0, z).
            src[1] = src[0]
            src[0] = 0.0
        if mode == OUT_PROBA:
            softmax_to(src, n_classes, out, i, j)
            return
        u, v = decode(src, n_classes, codebook, use_argmax, inv_temperature)
        L = lightness[i, j]  # the photo's own, where the features saw it stretched
        if mode == OUT_LUV:
            out[0, i, j] = L
            out[1, i, j] = u
            out[2, i, j] = v
        else:
            rgb_from_xyz, u0, v0 = luv_constants
            luv_to_rgb_pixel(L, u, v, rgb_from_xyz, u0, v0, out, i, j, mode == OUT_RGB8)

    return kernel


@cuda.jit
def decode_probabilities(proba, lightness, decoding, out):
    """CIELUV planes (3, H, W) from class probability planes (Q, H, W) and L (H, W), as `decoding` (a
    Decoding, the codebook on the GPU) says."""
    codebook, use_argmax, inv_temperature = decoding
    j, i = cuda.grid(2)
    if i >= lightness.shape[0] or j >= lightness.shape[1]:
        return
    logits = cuda.local.array(1024, float32)
    n_classes = proba.shape[0]
    for q in range(n_classes):
        logits[q] = math.log(max(proba[q, i, j], 1e-12))
    u, v = decode(logits, n_classes, codebook, use_argmax, inv_temperature)
    out[0, i, j] = lightness[i, j]
    out[1, i, j] = u
    out[2, i, j] = v


@cuda.jit
def blend(past, weight, present):
    """present = weight * past + (1 - weight) * present, in place: the temporal moving average."""
    j, i = cuda.grid(2)
    if i < present.shape[1] and j < present.shape[2]:
        for q in range(present.shape[0]):
            present[q, i, j] = weight * past[q, i, j] + (1.0 - weight) * present[q, i, j]


def network_width(sizes):
    """The local-array length the fused kernel needs for layers of these sizes (at least 2 for binary)."""
    return max(2, int(np.max(sizes)))
