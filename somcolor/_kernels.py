"""Numba kernels. Each has a plain numpy reference that the tests compare it to:
patch gathering in :mod:`somcolor.patches`, codeword search in
:mod:`somcolor.quantizer`."""

import functools
import threading

import numpy as np
from numba import njit, prange

_WORK = threading.local()
_WORK_KEPT_BYTES = 1 << 26


def work_array(key, shape, dtype=np.float64):
    """A scratch array for a kernel, kept between calls (per thread, up to 64 MB each).

    Fresh arrays of a megabyte or more come from mmap, and faulting their
    pages in cost 2-3x the work of the guided filter and the local
    statistics at 256 x 256 (measured); a kept array costs nothing the
    second time. Contents are undefined.
    """
    kept = _WORK.__dict__
    array = kept.get(key)
    if array is None or array.shape != tuple(shape) or array.dtype != dtype:
        array = np.empty(shape, dtype)
        if array.nbytes <= _WORK_KEPT_BYTES:
            kept[key] = array
    return array


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


@functools.lru_cache(maxsize=None)
def dense_patches(patch_size):
    """The kernel that writes the patch of every pixel, row-major, for one patch size.

    ``kernel(padded, out)``: ``padded`` has ``patch_size - 1`` more rows and
    columns than the image, ``out`` one row per image pixel. The patch size
    is a compile-time constant of each kernel so that the patch loops
    unroll: 4.5 ms instead of 14 ms for 1 megapixel of 5 x 5 patches, faster
    than a memcpy of the output. Compiled once per size and cached on disk.
    """

    @njit(parallel=True, cache=True)
    def kernel(padded, out):
        height = padded.shape[0] - patch_size + 1
        width = padded.shape[1] - patch_size + 1
        for r in prange(height):
            for c in range(width):
                _copy_patch(padded, patch_size, r, c, out, r * width + c)

    return kernel


_POINT_BLOCK = 512


@njit(parallel=True, fastmath=False, cache=True)
def nearest_codeword(points, codebook, labels, sq_dist):
    """Index of, and squared distance to, the nearest 2-D codeword of each point.

    Memory is O(points), never O(points x codewords). Ties go to the lowest
    index, as with numpy's argmin. Codewords are the outer loop and a block
    of points, copied into contiguous U and V rows, the inner one, so the
    running minimum of many points is updated at once in vector registers.
    """
    n_points = points.shape[0]
    n_blocks = (n_points + _POINT_BLOCK - 1) // _POINT_BLOCK
    for block in prange(n_blocks):
        start = block * _POINT_BLOCK
        size = min(_POINT_BLOCK, n_points - start)
        u = np.empty(size)
        v = np.empty(size)
        best = np.full(size, np.inf)
        best_k = np.zeros(size, np.int64)
        for i in range(size):
            u[i] = points[start + i, 0]
            v[i] = points[start + i, 1]
        for k in range(codebook.shape[0]):
            cu = codebook[k, 0]
            cv = codebook[k, 1]
            for i in range(size):
                du = u[i] - cu
                dv = v[i] - cv
                d = du * du + dv * dv
                closer = d < best[i]
                best[i] = d if closer else best[i]
                best_k[i] = k if closer else best_k[i]
        for i in range(size):
            labels[start + i] = best_k[i]
            sq_dist[start + i] = best[i]


# Activation codes of fused_colorize, in the order of INFERENCE_ACTIVATIONS.
ACTIVATIONS = ("identity", "relu", "tanh", "logistic")
# What fused_colorize writes.
OUT_RGB, OUT_LUV, OUT_PROBA = 0, 1, 2
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
        inv_13l = np.float32(1.0) / (np.float32(13.0) * L + eps)
        a = u0 + chroma[0, j] * inv_13l
        b = v0 + chroma[1, j] * inv_13l
        # b = 0 only for impossible chroma at L near 0; keep it from making
        # inf * 0 = NaN, which would index the gamma table out of bounds.
        b = b if abs(b) > np.float32(1e-6) else np.float32(1e-6)
        inv_b = np.float32(1.0) / b
        c = np.float32(3.0) * y * (np.float32(5.0) * b - np.float32(3.0))
        z = ((a - np.float32(4.0)) * c - np.float32(15.0) * a * b * y) * (inv_b / np.float32(12.0))
        x = -(c * inv_b + np.float32(3.0) * z)
        for ch in range(3):
            linear = rgb_from_xyz[ch, 0] * x + rgb_from_xyz[ch, 1] * y + rgb_from_xyz[ch, 2] * z
            rgb[ch, j] = _srgb_gamma(linear)


@njit(inline="always")
def _decode(logits, n, n_classes, codebook, use_argmax, inv_temperature, chroma):
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
            e = _exp_nonpositive((logits[q, j] - best[j]) * inv_temperature)
            total[j] += e
            u[j] += e * cu
            v[j] += e * cv
    for j in range(n):
        u[j] /= total[j]
        v[j] /= total[j]


@njit(parallel=True, fastmath=True, cache=True)
def luv_to_rgb_image(luv, rgb_from_xyz, u0, v0, out):
    """RGB (H, W, 3) float32 from CIELUV planes (3, H, W) float32, a row at a time (see _luv_to_rgb_row)."""
    for i in prange(luv.shape[1]):
        width = luv.shape[2]
        rgb = np.empty((3, width), np.float32)
        _luv_to_rgb_row(luv[0, i], luv[1:, i], width, rgb_from_xyz, u0, v0, rgb)
        for j in range(width):
            for ch in range(3):
                out[i, j, ch] = rgb[ch, j]


@njit(parallel=True, fastmath=True, cache=True)
def decode_planes(logits, lightness, codebook, use_argmax, inv_temperature, rgb_from_xyz, u0, v0, mode, out):
    """Decode class log-probability planes (Q, H, W) with L (H, W), a row at a time (see _decode).

    mode OUT_RGB: out is RGB (H, W, 3); OUT_LUV: out is CIELUV planes (3, H, W).
    """
    n_classes, height, width = logits.shape
    for i in prange(height):
        chroma = np.empty((4, width), np.float32)
        _decode(logits[:, i, :], width, n_classes, codebook, use_argmax, inv_temperature, chroma)
        if mode == OUT_LUV:
            for j in range(width):
                out[0, i, j] = lightness[i, j]
                out[1, i, j] = chroma[0, j]
                out[2, i, j] = chroma[1, j]
            continue
        rgb = np.empty((3, width), np.float32)
        _luv_to_rgb_row(lightness[i], chroma, width, rgb_from_xyz, u0, v0, rgb)
        for j in range(width):
            for ch in range(3):
                out[i, j, ch] = rgb[ch, j]


@njit(inline="always")
def _softmax(logits, n, n_classes, scratch, out):
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
            e = _exp_nonpositive(logits[q, j] - best[j])
            logits[q, j] = e
            total[j] += e
    for q in range(n_classes):
        for j in range(n):
            out[q, j] = logits[q, j] / total[j]


@njit(inline="always")
def _add_coarse(dst, n_out, columns, y0s, fys, i, c0, n):
    """dst[u, :n] += each scale's first-layer share at row i, columns c0 + j, interpolated between two rows.

    `columns` holds the shares already interpolated along image columns
    (upsample_columns), so every loop here runs over contiguous pixels.
    """
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


@njit(parallel=True, fastmath=True, cache=True)
def upsample_columns(grid, x0, fx, out):
    """out[u, y, j] = grid[u, y] interpolated linearly at x0[j] + fx[j]; grid (U, h, w + 1), out (U, h, W)."""
    units, rows = grid.shape[0], grid.shape[1]
    width = x0.shape[0]
    for k in prange(units * rows):
        u = k // rows
        y = k - u * rows
        line = grid[u, y]
        target = out[u, y]
        for j in range(width):
            left = line[x0[j]]
            target[j] = left + fx[j] * (line[x0[j] + 1] - left)


@njit(parallel=True, fastmath=True, cache=True)
def fused_colorize(
    padded, patch_size, planes, coarse_columns, coarse_y0, coarse_fy,
    weights, biases, sizes, activation, binary,
    codebook, use_argmax, inv_temperature, rgb_from_xyz, u0, v0, mode, out,
):
    """Colorize L in one pass: features, MLP, decoding and LUV -> RGB.

    Works on chunks of one image row: the patch value at offset (a, b) of
    every pixel of row i is the contiguous slice padded[i + a, b : b + W], so
    the first layer reads L directly and no (pixels x p^2) patch matrix is
    ever built. Layers run vectorized across the chunk's pixels.

    padded : (H + p - 1, W + p - 1) float32, L / 100 mirrored at the borders
    planes : (F, H, W) float32, per-pixel context features read after the patch
    coarse_columns : (n_hidden, R, W) float32, the first layer's share of the
        multi-scale patches (see somcolor.context) at the coarse rows of every
        scale, interpolated along columns; row i adds, per scale, rows
        coarse_y0 and coarse_y0 + 1 (S, H) weighted by coarse_fy (S, H)
    weights, biases : float32, every layer's (n_in, n_out) matrix and bias
        vector flattened and concatenated; the first layer's rows are the
        patch's and the planes'
    sizes : int64 [n_in, hidden..., n_out]
    activation : index into ACTIVATIONS, for the hidden layers
    binary : one logistic output unit (two classes) instead of softmax
    mode : what `out` receives: OUT_RGB, OUT_LUV (for chroma smoothing
        before conversion) or OUT_PROBA (the class probabilities, undecoded)
    out : (H, W, 3) float32 RGB, (3, H, W) CIELUV planes, or (n_classes, H, W) probability planes
    """
    height = padded.shape[0] - patch_size + 1
    width = padded.shape[1] - patch_size + 1
    radius = patch_size // 2
    n_layers = sizes.shape[0] - 1
    n_planes = planes.shape[0]
    widest = 0
    for s in sizes:
        widest = max(widest, s)
    n_classes = codebook.shape[0]
    for i in prange(height):
        buf_a = np.empty((max(widest, 3), _CHUNK), np.float32)
        buf_b = np.empty_like(buf_a)
        chroma = np.empty((4, _CHUNK), np.float32)
        lightness = np.empty(_CHUNK, np.float32)
        for c0 in range(0, width, _CHUNK):
            n = min(_CHUNK, width - c0)
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
                _dense_layer(src, n_in, dst, n_out, weights, w_off, biases, b_off, n)
                if layer == 0:
                    _add_coarse(dst, n_out, coarse_columns, coarse_y0, coarse_fy, i, c0, n)
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
            if mode == OUT_PROBA:
                _softmax(src, n, n_classes, chroma, out[:, i, c0 : c0 + n])
                continue
            _decode(src, n, n_classes, codebook, use_argmax, inv_temperature, chroma)
            for j in range(n):
                lightness[j] = padded[i + radius, c0 + j + radius] * np.float32(100.0)
            if mode == OUT_LUV:
                for j in range(n):
                    out[0, i, c0 + j] = lightness[j]
                    out[1, i, c0 + j] = chroma[0, j]
                    out[2, i, c0 + j] = chroma[1, j]
                continue
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


@njit(cache=True)
def _inverse_counts(n, radius):
    """1 / the number of positions of each clipped window along an axis of length n."""
    out = np.empty(n)
    for i in range(n):
        out[i] = 1.0 / (min(i + radius, n - 1) - max(i - radius, 0) + 1)
    return out


@njit(inline="always")
def _box_mean_plane(a, radius, out, total, row, inv_rows, inv_cols):
    """out = mean of a (H, W) over the (2r+1)^2 window clipped at the borders.

    Columns first: a running sum over rows held for all columns at once, so
    that its updates vectorize across the row; then a running sum along each
    row. The cost does not depend on the radius. total, row: (W,) float64 scratch.
    """
    height, width = a.shape
    total[:] = 0.0
    for i in range(min(radius, height)):
        for j in range(width):
            total[j] += a[i, j]
    for i in range(height):
        if i + radius < height:
            for j in range(width):
                total[j] += a[i + radius, j]
        if i - radius - 1 >= 0:
            for j in range(width):
                total[j] -= a[i - radius - 1, j]
        for j in range(width):
            out[i, j] = total[j] * inv_rows[i]
    for i in range(height):
        for j in range(width):
            row[j] = out[i, j]
        s = 0.0
        for j in range(min(radius, width)):
            s += row[j]
        for j in range(width):
            if j + radius < width:
                s += row[j + radius]
            if j - radius - 1 >= 0:
                s -= row[j - radius - 1]
            out[i, j] = s * inv_cols[j]


@njit(parallel=True, cache=True)
def box_means(planes, radius, out):
    """out[p] = the clipped (2r+1)^2 window mean of planes[p], for planes (P, H, W); planes run in parallel.

    The array-module reference is somcolor.smoothing.box_mean_reference.
    """
    n_planes, height, width = planes.shape
    inv_rows = _inverse_counts(height, radius)
    inv_cols = _inverse_counts(width, radius)
    for p in prange(n_planes):
        _box_mean_plane(planes[p], radius, out[p], np.empty(width), np.empty(width), inv_rows, inv_cols)


@njit(parallel=True, fastmath=True, cache=True)
def guided_filter(guide, src, radius, eps, out, work):
    """The guided filter of somcolor.smoothing.guided_filter on planes.

    guide (H, W); src and out (C, H, W); work (2, 2 + 2C, H, W) scratch, whose
    dtype the arithmetic runs in. Each round of box means runs its stack of
    planes in parallel.
    """
    channels, height, width = src.shape
    first, means = work[0], work[1]
    # Loops over j innermost throughout, on rows of single planes, so that they vectorize.
    for i in prange(height):
        g, gg = guide[i], first[1, i]
        first[0, i] = g
        for j in range(width):
            gg[j] = g[j] * g[j]
        for c in range(channels):
            p, gp = src[c, i], first[2 + channels + c, i]
            first[2 + c, i] = p
            for j in range(width):
                gp[j] = g[j] * p[j]
    box_means(first, radius, means)
    # The linear coefficients a, b of each window replace the first stack.
    for i in prange(height):
        mean_i, mean_ii = means[0, i], means[1, i]
        for c in range(channels):
            mean_p, mean_ip = means[2 + c, i], means[2 + channels + c, i]
            a, b = first[c, i], first[channels + c, i]
            for j in range(width):
                a[j] = (mean_ip[j] - mean_i[j] * mean_p[j]) / (mean_ii[j] - mean_i[j] * mean_i[j] + eps)
                b[j] = mean_p[j] - a[j] * mean_i[j]
    box_means(first[: 2 * channels], radius, means[: 2 * channels])
    for i in prange(height):
        g = guide[i]
        for c in range(channels):
            a, b, q = means[c, i], means[channels + c, i], out[c, i]
            for j in range(width):
                q[j] = a[j] * g[j] + b[j]


@njit(parallel=True, fastmath=True, cache=True)
def warp_bilinear(planes, flow, out):
    """out[c, i, j] = planes[c] at (i, j) + flow[:, i, j], bilinear, clamped at the borders.

    planes, out : (C, H, W) float32; flow : (2, H, W) float32 (rows, columns).
    The scipy reference is somcolor.video.warp_reference.
    """
    channels, height, width = planes.shape
    for i in prange(height):
        for j in range(width):
            y = min(max(i + flow[0, i, j], np.float32(0.0)), np.float32(height - 1))
            x = min(max(j + flow[1, i, j], np.float32(0.0)), np.float32(width - 1))
            y0 = min(np.int64(y), max(height - 2, 0))
            x0 = min(np.int64(x), max(width - 2, 0))
            fy = y - y0
            fx = x - x0
            y1 = min(y0 + 1, height - 1)
            x1 = min(x0 + 1, width - 1)
            for c in range(channels):
                plane = planes[c]
                top = plane[y0, x0] + fx * (plane[y0, x1] - plane[y0, x0])
                bottom = plane[y1, x0] + fx * (plane[y1, x1] - plane[y1, x0])
                out[c, i, j] = top + fy * (bottom - top)
