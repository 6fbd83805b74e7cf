"""Numba kernels of the fused CPU pass: patch and context inputs, every MLP layer, decoding and
CIELUV -> sRGB in one parallel pass over image rows.

Their references are the array-code path (``tests/array_reference.py``) and the exact path
(:mod:`somcolor.inference.exact`), which the tests compare them with.
"""

import numpy as np
from numba import njit, prange

from .._numba import parallel_kernel

from ..color._kernels import FASTMATH, luv_to_rgb_row
from ..network._kernels import activate, decode, dense_layer, softmax


# What fused_colorize and decode_planes write.
OUT_RGB, OUT_LUV, OUT_PROBA = 0, 1, 2
_CHUNK = 256  # pixels of one image row processed together (fastest of 64, 128, 256 here)


@njit(inline="always")
def _add_coarse(dst, n_out, coarse, i, c0, n):
    """dst[u, :n] += each scale's first-layer share at row i, columns c0 + j, interpolated between two rows.

    `coarse` (CoarseShares) holds the shares already interpolated along
    image columns (upsample_columns), so every loop here runs over
    contiguous pixels.
    """
    columns, y0s, fys = coarse
    for s in range(y0s.shape[0]):
        y0 = y0s[s, i]
        fy = fys[s, i]
        for u in range(n_out):
            top = columns[u, y0]
            bottom = columns[u, y0 + 1]
            row = dst[u]
            for j in range(n):
                t = top[c0 + j]
                row[j] += t + fy * (bottom[c0 + j] - t)


@parallel_kernel(fastmath=FASTMATH)
def fused_colorize(padded, patch_size, planes, coarse, layers, decoding, luv_constants, mode, lightness, out):
    """Colorize L in one pass: features, MLP, decoding and LUV -> RGB.

    Works on chunks of image rows, every chunk of every row in one parallel
    loop: the patch value at offset (a, b) of every pixel of row i is the
    contiguous slice padded[i + a, b : b + W], so
    the first layer reads L directly and no (pixels x p^2) patch matrix is
    ever built. Layers run vectorized across the chunk's pixels.

    padded : (H + p - 1, W + p - 1) float32, L / 100 mirrored at the borders, as
        the features see it (a flat photo's stretched: somcolor.features.contrast)
    planes : (F, H, W) float32, per-pixel context features read after the patch
    coarse : CoarseShares (somcolor.inference.fused), the first layer's share
        of the multi-scale patches
    layers : Layers (somcolor.network.mlp); the first layer's rows are the
        patch's and the planes'
    decoding : Decoding (somcolor.network.decode)
    luv_constants : (rgb_from_xyz, u0, v0), LUV_CONSTANTS
    mode : what `out` receives: OUT_RGB, OUT_LUV (for chroma smoothing
        before conversion) or OUT_PROBA (the class probabilities, undecoded)
    lightness : (H, W) float32, the L that the chroma joins (the photo's own)
    out : (H, W, 3) float32 RGB, (3, H, W) CIELUV planes, or (n_classes, H, W) probability planes
    """
    weights, biases, sizes, activation, binary = layers
    codebook, use_argmax, inv_temperature = decoding
    rgb_from_xyz, u0, v0 = luv_constants
    height = padded.shape[0] - patch_size + 1
    width = padded.shape[1] - patch_size + 1
    n_layers = sizes.shape[0] - 1
    n_planes = planes.shape[0]
    widest = 0
    for s in sizes:
        widest = max(widest, s)
    n_classes = codebook.shape[0]
    # Chunks of every row in one parallel loop, so that a photo of one row keeps every core busy too.
    n_chunks = (width + _CHUNK - 1) // _CHUNK
    for t in prange(height * n_chunks):
        i = t // n_chunks
        c0 = (t - i * n_chunks) * _CHUNK
        n = min(_CHUNK, width - c0)
        buf_a = np.empty((max(widest, 3), _CHUNK), np.float32)
        buf_b = np.empty_like(buf_a)
        chroma = np.empty((4, _CHUNK), np.float32)
        own = np.empty(_CHUNK, np.float32)
        k = 0
        for a in range(patch_size):
            for b in range(patch_size):
                buf_a[k, :n] = padded[i + a, c0 + b : c0 + b + n]
                k += 1
        for f in range(n_planes):
            buf_a[k + f, :n] = planes[f, i, c0 : c0 + n]
        src, dst = buf_a, buf_b
        w_off = 0
        b_off = 0
        for layer in range(n_layers):
            n_in = sizes[layer]
            n_out = sizes[layer + 1]
            dense_layer(src, n_in, dst, n_out, weights, w_off, biases, b_off, n)
            if layer == 0:
                _add_coarse(dst, n_out, coarse, i, c0, n)
            if layer < n_layers - 1:
                for u in range(n_out):
                    activate(dst[u], n, activation)
            w_off += n_in * n_out
            b_off += n_out
            src, dst = dst, src
        if binary:
            # One logistic unit z: the two classes' logits are (0, z).
            for j in range(n):
                dst[1, j] = src[0, j]
                dst[0, j] = 0.0
            src, dst = dst, src
        if mode == OUT_PROBA:
            softmax(src, n, n_classes, chroma, out[:, i, c0 : c0 + n])
        else:
            decode(src, n, n_classes, codebook, use_argmax, inv_temperature, chroma)
            for j in range(n):
                own[j] = lightness[i, c0 + j]
            if mode == OUT_LUV:
                for j in range(n):
                    out[0, i, c0 + j] = own[j]
                    out[1, i, c0 + j] = chroma[0, j]
                    out[2, i, c0 + j] = chroma[1, j]
            else:
                luv_to_rgb_row(own, chroma, n, rgb_from_xyz, u0, v0, dst)
                for j in range(n):
                    for ch in range(3):
                        out[i, c0 + j, ch] = dst[ch, j]


@parallel_kernel(fastmath=FASTMATH)
def decode_planes(logits, lightness, decoding, luv_constants, mode, out):
    """Decode class log-probability planes (Q, H, W) with L (H, W), a row at a time.

    mode OUT_RGB: out is RGB (H, W, 3); OUT_LUV: out is CIELUV planes (3, H, W).
    """
    codebook, use_argmax, inv_temperature = decoding
    rgb_from_xyz, u0, v0 = luv_constants
    n_classes, height, width = logits.shape
    for i in prange(height):
        chroma = np.empty((4, width), np.float32)
        decode(logits[:, i, :], width, n_classes, codebook, use_argmax, inv_temperature, chroma)
        if mode == OUT_LUV:
            for j in range(width):
                out[0, i, j] = lightness[i, j]
                out[1, i, j] = chroma[0, j]
                out[2, i, j] = chroma[1, j]
            continue
        rgb = np.empty((3, width), np.float32)
        luv_to_rgb_row(lightness[i], chroma, width, rgb_from_xyz, u0, v0, rgb)
        for j in range(width):
            for ch in range(3):
                out[i, j, ch] = rgb[ch, j]
