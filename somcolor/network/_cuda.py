"""CUDA device functions of the network stage (numba.cuda): one pixel's layers and decoding.

The GPU twins of :mod:`somcolor.network._kernels`, per pixel instead of per
chunk of pixels: on a GPU each thread is a pixel and the warp is the vector.
Their references are :func:`somcolor.network.mlp.logits_array` and
:func:`somcolor.network.decode.decode_logits_array`.
"""

import math

from numba import cuda

from .mlp import ACTIVATIONS

_RELU, _TANH, _LOGISTIC = (ACTIVATIONS.index(name) for name in ("relu", "tanh", "logistic"))


@cuda.jit(device=True, inline=True)
def activate(x, code):
    if code == _RELU:
        return max(x, 0.0)
    if code == _TANH:
        return math.tanh(x)
    if code == _LOGISTIC:
        return 1.0 / (1.0 + math.exp(-x))
    return x


@cuda.jit(device=True, inline=True)
def dense(src, n_in, dst, n_out, weights, w_off, biases, b_off):
    """dst[u] = b[u] + sum_k W[k, u] src[k] for the (n_in, n_out) layer at w_off, b_off."""
    for u in range(n_out):
        acc = biases[b_off + u]
        for k in range(n_in):
            acc += weights[w_off + k * n_out + u] * src[k]
        dst[u] = acc


@cuda.jit(device=True, inline=True)
def decode(logits, n_classes, codebook, use_argmax, inv_temperature):
    """(U, V) of one pixel's logits: the argmax's codeword, or the annealed mean."""
    best = logits[0]
    best_q = 0
    for q in range(1, n_classes):
        if logits[q] > best:
            best = logits[q]
            best_q = q
    if use_argmax:
        return codebook[best_q, 0], codebook[best_q, 1]
    total = 0.0
    u = 0.0
    v = 0.0
    for q in range(n_classes):
        e = math.exp((logits[q] - best) * inv_temperature)
        total += e
        u += e * codebook[q, 0]
        v += e * codebook[q, 1]
    return u / total, v / total


@cuda.jit(device=True, inline=True)
def softmax_to(logits, n_classes, out, i, j):
    """out[q, i, j] = softmax over q of logits."""
    best = logits[0]
    for q in range(1, n_classes):
        best = max(best, logits[q])
    total = 0.0
    for q in range(n_classes):
        total += math.exp(logits[q] - best)
    for q in range(n_classes):
        out[q, i, j] = math.exp(logits[q] - best) / total
