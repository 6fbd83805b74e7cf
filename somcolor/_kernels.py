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


# Activation codes of fused_colorize, in the order of INFERENCE_ACTIVATIONS.
ACTIVATIONS = ("identity", "relu", "tanh", "logistic")
_CHUNK = 256  # pixels of one image row processed together (fastest of 64, 128, 256 here)


@njit(inline="always")
def _activate(values, n, code):
    if code == 1:
        for j in range(n):
            values[j] = max(values[j], np.float32(0.0))
    elif code == 2:
        for j in range(n):
            values[j] = np.tanh(values[j])
    elif code == 3:
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
def _dense_layer(src, n_in, dst, n_out, weights, w_off, biases, b_off, n):
    """dst[u, :n] = b[u] + sum_k W[k, u] * src[k, :n] for every output unit u.

    Two output units and four inputs per pass over the pixels: each pass
    loads four input rows once for eight multiply-adds per pixel, and the
    output rows are loaded and stored a quarter as often as one at a time
    (measured 62 ms against 86 ms for the MLP(50, 50) on 1 MP).
    """
    u = 0
    while u < n_out:
        r0 = dst[u]
        b0 = biases[b_off + u]
        for j in range(n):
            r0[j] = b0
        if u + 1 == n_out:
            _add_inputs(src, 0, n_in, weights, w_off, n_out, u, r0, n)
            break
        r1 = dst[u + 1]
        b1 = biases[b_off + u + 1]
        for j in range(n):
            r1[j] = b1
        k = 0
        while k + 4 <= n_in:
            base = w_off + k * n_out + u
            a0 = weights[base]
            a1 = weights[base + n_out]
            a2 = weights[base + 2 * n_out]
            a3 = weights[base + 3 * n_out]
            c0 = weights[base + 1]
            c1 = weights[base + n_out + 1]
            c2 = weights[base + 2 * n_out + 1]
            c3 = weights[base + 3 * n_out + 1]
            s0 = src[k]
            s1 = src[k + 1]
            s2 = src[k + 2]
            s3 = src[k + 3]
            for j in range(n):
                x0 = s0[j]
                x1 = s1[j]
                x2 = s2[j]
                x3 = s3[j]
                r0[j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3
                r1[j] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3
            k += 4
        _add_inputs(src, k, n_in, weights, w_off, n_out, u, r0, n)
        _add_inputs(src, k, n_in, weights, w_off, n_out, u + 1, r1, n)
        u += 2


# Tables with linear interpolation stand in for pow and exp, which numba
# cannot vectorize: the per-pixel transcendental calls otherwise cost more than
# the whole MLP. Both stay within 2e-5 of the exact functions.
_GAMMA_STEPS = 4096
_linear = np.linspace(0.0, 1.0, _GAMMA_STEPS + 1)
_GAMMA_TABLE = np.where(
    _linear > 0.0031308, 1.055 * _linear ** (1 / 2.4) - 0.055, 12.92 * _linear
).astype(np.float32)
_EXP_RANGE = 24.0  # exp(-24) < 4e-11: softmax weights beyond it are 0
_EXP_STEPS = 8192
_EXP_TABLE = np.exp(np.linspace(-_EXP_RANGE, 0.0, _EXP_STEPS + 1)).astype(np.float32)
_EXP_TABLE[0] = 0.0


@njit(inline="always")
def _lerp_table(table, position):
    # Branch-free (clamped) so that loops over pixels vectorize with gathers.
    position = min(max(position, np.float32(0.0)), np.float32(table.shape[0] - 1))
    i = min(np.int32(position), np.int32(table.shape[0] - 2))
    frac = position - np.float32(i)
    return table[i] + frac * (table[i + 1] - table[i])


@njit(inline="always")
def _srgb_gamma(c):
    """Linear RGB to sRGB, clipped to [0, 1]."""
    return _lerp_table(_GAMMA_TABLE, c * np.float32(_GAMMA_STEPS))


@njit(inline="always")
def _exp_nonpositive(x):
    """exp(x) for x <= 0 (0 below -_EXP_RANGE)."""
    return _lerp_table(_EXP_TABLE, (x + np.float32(_EXP_RANGE)) * np.float32(_EXP_STEPS / _EXP_RANGE))


@njit(inline="always")
def _luv_to_rgb_row(lightness, chroma, n, rgb_from_xyz, u0, v0, rgb):
    """rgb[:, :n] from L = lightness[:n] and (U, V) = chroma[0:2, :n].

    The formula of somcolor.color.luv_to_rgb_xp, written as one branch-free
    loop over contiguous pixels so that it vectorizes.
    """
    eps = np.float32(1.1920929e-07)
    for j in range(n):
        L = lightness[j]
        t = (L + np.float32(16.0)) / np.float32(116.0)
        y = t * t * t if L > np.float32(7.999625) else L / np.float32(903.3)
        a = u0 + chroma[0, j] / (np.float32(13.0) * L + eps)
        b = v0 + chroma[1, j] / (np.float32(13.0) * L + eps)
        c = np.float32(3.0) * y * (np.float32(5.0) * b - np.float32(3.0))
        z = ((a - np.float32(4.0)) * c - np.float32(15.0) * a * b * y) / (np.float32(12.0) * b)
        x = -(c / b + np.float32(3.0) * z)
        for ch in range(3):
            linear = rgb_from_xyz[ch, 0] * x + rgb_from_xyz[ch, 1] * y + rgb_from_xyz[ch, 2] * z
            rgb[ch, j] = _srgb_gamma(linear)


@njit(inline="always")
def _decode(logits, n, n_classes, codebook, use_argmax, inv_temperature, chroma):
    """chroma[0:2, :n] = (U, V) of logits[:, :n]; chroma[2] is scratch."""
    if use_argmax:
        for j in range(n):
            best = 0
            for q in range(1, n_classes):
                if logits[q, j] > logits[best, j]:
                    best = q
            chroma[0, j] = codebook[best, 0]
            chroma[1, j] = codebook[best, 1]
        return
    top = chroma[2]
    for j in range(n):
        top[j] = logits[0, j]
    for q in range(1, n_classes):
        for j in range(n):
            top[j] = max(top[j], logits[q, j])
    # The annealed mean: softmax(z / T) weighs the codewords. The maximum
    # logit is moved to 0 first, so it gets weight 1 and total >= 1.
    for q in range(n_classes):
        for j in range(n):
            logits[q, j] = _exp_nonpositive((logits[q, j] - top[j]) * inv_temperature)
    for j in range(n):
        total = np.float32(0.0)
        u = np.float32(0.0)
        v = np.float32(0.0)
        for q in range(n_classes):
            e = logits[q, j]
            total += e
            u += e * codebook[q, 0]
            v += e * codebook[q, 1]
        chroma[0, j] = u / total
        chroma[1, j] = v / total


@njit(parallel=True, fastmath=True, cache=True)
def fused_colorize(
    padded, patch_size, weights, biases, sizes, activation, binary,
    codebook, use_argmax, inv_temperature, rgb_from_xyz, u0, v0, out,
):
    """Colorize L in one pass: patches, MLP, decoding and LUV -> RGB.

    Works on chunks of one image row: the patch value at offset (a, b) of
    every pixel of row i is the contiguous slice padded[i + a, b : b + W], so
    the first layer reads L directly and no (pixels x p^2) patch matrix is
    ever built. Layers run vectorized across the chunk's pixels.

    padded : (H + p - 1, W + p - 1) float32, L / 100 mirrored at the borders
    weights, biases : float32, every layer's (n_in, n_out) matrix and bias
        vector flattened and concatenated
    sizes : int64 [n_in, hidden..., n_out]
    activation : index into ACTIVATIONS, for the hidden layers
    binary : one logistic output unit (two classes) instead of softmax
    out : (H, W, 3) float32 RGB
    """
    height, width = out.shape[0], out.shape[1]
    radius = patch_size // 2
    n_layers = sizes.shape[0] - 1
    widest = 0
    for s in sizes:
        widest = max(widest, s)
    n_classes = codebook.shape[0]
    for i in prange(height):
        buf_a = np.empty((max(widest, patch_size * patch_size, 3), _CHUNK), np.float32)
        buf_b = np.empty_like(buf_a)
        chroma = np.empty((3, _CHUNK), np.float32)
        lightness = np.empty(_CHUNK, np.float32)
        for c0 in range(0, width, _CHUNK):
            n = min(_CHUNK, width - c0)
            k = 0
            for a in range(patch_size):
                for b in range(patch_size):
                    buf_a[k, :n] = padded[i + a, c0 + b : c0 + b + n]
                    k += 1
            src, dst = buf_a, buf_b
            w_off = 0
            b_off = 0
            for layer in range(n_layers):
                n_in = sizes[layer]
                n_out = sizes[layer + 1]
                _dense_layer(src, n_in, dst, n_out, weights, w_off, biases, b_off, n)
                if layer < n_layers - 1:
                    for u in range(n_out):
                        _activate(dst[u], n, activation)
                w_off += n_in * n_out
                b_off += n_out
                src, dst = dst, src
            if binary:
                # One logistic unit z: the two classes' logits are (0, z).
                for j in range(n):
                    dst[1, j] = src[0, j]
                    dst[0, j] = 0.0
                src, dst = dst, src
            _decode(src, n, n_classes, codebook, use_argmax, inv_temperature, chroma)
            for j in range(n):
                lightness[j] = padded[i + radius, c0 + j + radius] * np.float32(100.0)
            _luv_to_rgb_row(lightness, chroma, n, rgb_from_xyz, u0, v0, dst)
            for j in range(n):
                for ch in range(3):
                    out[i, c0 + j, ch] = dst[ch, j]


def _lightness_of_y_exact(y):
    return np.where(y > 0.008856, 116.0 * np.cbrt(y) - 16.0, 903.3 * y)


def _srgb_to_linear_exact(c):
    return np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)


# Lightness by table too: pow and cbrt per pixel cost 39 ms per megapixel,
# the tables under 5 ms, within 1e-4 of L (tested against scikit-image).
_LIGHT_STEPS = 16384
_levels = np.linspace(0.0, 1.0, _LIGHT_STEPS + 1)
_LINEAR_TABLE = _srgb_to_linear_exact(_levels).astype(np.float32)
_L_OF_Y_TABLE = _lightness_of_y_exact(_levels).astype(np.float32)
_L_OF_GRAY_TABLE = _lightness_of_y_exact(_srgb_to_linear_exact(_levels)).astype(np.float32)


@njit(parallel=True, fastmath=True, cache=True)
def lightness_gray(gray, out):
    """CIELUV L of gray intensities in [0, 1] (an RGB image with equal channels)."""
    scale = np.float32(_LIGHT_STEPS)
    for i in prange(gray.shape[0]):
        for j in range(gray.shape[1]):
            out[i, j] = _lerp_table(_L_OF_GRAY_TABLE, np.float32(gray[i, j]) * scale)


@njit(parallel=True, fastmath=True, cache=True)
def lightness_rgb(rgb, y_from_rgb, out):
    """CIELUV L of an RGB image in [0, 1]: L depends on the luminance Y alone."""
    scale = np.float32(_LIGHT_STEPS)
    for i in prange(rgb.shape[0]):
        for j in range(rgb.shape[1]):
            y = np.float32(0.0)
            for ch in range(3):
                y += y_from_rgb[ch] * _lerp_table(_LINEAR_TABLE, np.float32(rgb[i, j, ch]) * scale)
            out[i, j] = _lerp_table(_L_OF_Y_TABLE, y * scale)
