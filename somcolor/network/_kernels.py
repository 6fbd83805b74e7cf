"""Numba building blocks of the network stage, inlined into the colorizing kernels.

They work on chunks of pixels: rows of (units or classes, pixels) arrays, with
the pixels innermost so that every loop vectorizes. Their references are
:func:`somcolor.network.mlp.logits_array` and
:func:`somcolor.network.decode.decode_logits_array`.
"""

import numpy as np
from numba import njit

from ..color._kernels import lerp_table
from .mlp import ACTIVATIONS

_RELU, _TANH, _LOGISTIC = (ACTIVATIONS.index(name) for name in ("relu", "tanh", "logistic"))


@njit(inline="always")
def activate(values, n, code):
    """values[:n] = the activation ACTIVATIONS[code] of values[:n], in place."""
    if code == _RELU:
        for j in range(n):
            values[j] = max(values[j], np.float32(0.0))
    elif code == _TANH:
        for j in range(n):
            values[j] = np.tanh(values[j])
    elif code == _LOGISTIC:
        for j in range(n):
            values[j] = np.float32(1.0) / (np.float32(1.0) + np.exp(-values[j]))


@njit(inline="always")
def _add_inputs(src, k, n_in, weights, w_off, n_out, u, row, n):
    """row[:n] += sum of W[k', u] * src[k', :n] for k' from k to n_in (at most 3)."""
    while k < n_in:
        w = weights[w_off + k * n_out + u]
        s = src[k]
        for j in range(n):
            row[j] += w * s[j]
        k += 1


@njit(inline="always")
def _add_four_inputs(src, k, weights, base, n_out, rows, count, n):
    """rows[0..count)[:n] += W[k..k+4, u..u+count] . src[k..k+4, :n]: four input rows loaded once."""
    s0 = src[k]
    s1 = src[k + 1]
    s2 = src[k + 2]
    s3 = src[k + 3]
    for c in range(count):
        row = rows[c]
        a0 = weights[base + c]
        a1 = weights[base + n_out + c]
        a2 = weights[base + 2 * n_out + c]
        a3 = weights[base + 3 * n_out + c]
        for j in range(n):
            row[j] += a0 * s0[j] + a1 * s1[j] + a2 * s2[j] + a3 * s3[j]


@njit(inline="always")
def dense_layer(src, n_in, dst, n_out, weights, w_off, biases, b_off, n):
    """dst[u, :n] = b[u] + sum_k W[k, u] * src[k, :n] for every output unit u.

    Four output units and four inputs per pass over the pixels: each pass
    loads four input rows and four output rows once for sixteen multiply-adds
    per pixel (two and four gave 62 ms for the MLP(50, 50) on 1 MP, one and
    one 86 ms; see benchmarks/predict.py for this version's figures).
    """
    u = 0
    while u < n_out:
        count = min(4, n_out - u)
        for c in range(count):
            row = dst[u + c]
            bias = biases[b_off + u + c]
            for j in range(n):
                row[j] = bias
        k = 0
        if count == 4:
            r0 = dst[u]
            r1 = dst[u + 1]
            r2 = dst[u + 2]
            r3 = dst[u + 3]
            while k + 4 <= n_in:
                base = w_off + k * n_out + u
                s0 = src[k]
                s1 = src[k + 1]
                s2 = src[k + 2]
                s3 = src[k + 3]
                a0, a1, a2, a3 = weights[base], weights[base + n_out], weights[base + 2 * n_out], weights[base + 3 * n_out]
                b0, b1, b2, b3 = (weights[base + 1], weights[base + n_out + 1], weights[base + 2 * n_out + 1],
                                  weights[base + 3 * n_out + 1])
                c0, c1, c2, c3 = (weights[base + 2], weights[base + n_out + 2], weights[base + 2 * n_out + 2],
                                  weights[base + 3 * n_out + 2])
                d0, d1, d2, d3 = (weights[base + 3], weights[base + n_out + 3], weights[base + 2 * n_out + 3],
                                  weights[base + 3 * n_out + 3])
                for j in range(n):
                    x0 = s0[j]
                    x1 = s1[j]
                    x2 = s2[j]
                    x3 = s3[j]
                    r0[j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3
                    r1[j] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3
                    r2[j] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3
                    r3[j] += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3
                k += 4
        else:
            while k + 4 <= n_in:
                _add_four_inputs(src, k, weights, w_off + k * n_out + u, n_out, dst[u : u + count], count, n)
                k += 4
        for c in range(count):
            _add_inputs(src, k, n_in, weights, w_off, n_out, u + c, dst[u + c], n)
        u += 4


# exp by table, within 2e-5: numba cannot vectorize exp.
_EXP_RANGE = 24.0  # exp(-24) < 4e-11: softmax weights beyond it are 0
_EXP_STEPS = 8192
_EXP_TABLE = np.exp(np.linspace(-_EXP_RANGE, 0.0, _EXP_STEPS + 1)).astype(np.float32)
_EXP_TABLE[0] = 0.0


@njit(inline="always")
def exp_nonpositive(x):
    """exp(x) for x <= 0 (0 below -_EXP_RANGE)."""
    return lerp_table(_EXP_TABLE, (x + np.float32(_EXP_RANGE)) * np.float32(_EXP_STEPS / _EXP_RANGE))


@njit(inline="always")
def decode(logits, n, n_classes, codebook, use_argmax, inv_temperature, chroma):
    """chroma[0:2, :n] = (U, V) decoded from logits[:, :n]; chroma[2:4] is scratch.

    Classes are the outer loop and pixels the inner one throughout, so every
    loop runs over contiguous pixels and vectorizes.
    """
    u, v, best, total = chroma[0], chroma[1], chroma[2], chroma[3]
    for j in range(n):
        best[j] = logits[0, j]
        u[j] = codebook[0, 0]
        v[j] = codebook[0, 1]
    for q in range(1, n_classes):
        cu = codebook[q, 0]
        cv = codebook[q, 1]
        for j in range(n):
            higher = logits[q, j] > best[j]
            best[j] = logits[q, j] if higher else best[j]
            if use_argmax:
                u[j] = cu if higher else u[j]
                v[j] = cv if higher else v[j]
    if use_argmax:
        return
    # The annealed mean: softmax(z / T) weighs the codewords. The largest
    # logit is moved to 0 first, so it gets weight 1 and total >= 1.
    for j in range(n):
        total[j] = 0.0
        u[j] = 0.0
        v[j] = 0.0
    for q in range(n_classes):
        cu = codebook[q, 0]
        cv = codebook[q, 1]
        for j in range(n):
            e = exp_nonpositive((logits[q, j] - best[j]) * inv_temperature)
            total[j] += e
            u[j] += e * cu
            v[j] += e * cv
    for j in range(n):
        u[j] /= total[j]
        v[j] /= total[j]


@njit(inline="always")
def softmax(logits, n, n_classes, scratch, out):
    """out[q, j] = softmax over q of logits[q, j], for j < n; scratch[0:2] is work space."""
    best, total = scratch[0], scratch[1]
    for j in range(n):
        best[j] = logits[0, j]
        total[j] = 0.0
    for q in range(1, n_classes):
        for j in range(n):
            best[j] = max(best[j], logits[q, j])
    for q in range(n_classes):
        for j in range(n):
            e = exp_nonpositive(logits[q, j] - best[j])
            logits[q, j] = e
            total[j] += e
    for q in range(n_classes):
        for j in range(n):
            out[q, j] = logits[q, j] / total[j]
