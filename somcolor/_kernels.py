"""Numba kernels. Each has a plain numpy reference that the tests compare it to:
patch gathering in :mod:`somcolor.patches`, codeword search in
:mod:`somcolor.quantizer`."""

import functools

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
    """RGB (H, W, 3) float32 from CIELUV (H, W, 3), a row at a time (see _luv_to_rgb_row)."""
    for i in prange(luv.shape[0]):
        width = luv.shape[1]
        lightness = np.empty(width, np.float32)
        chroma = np.empty((2, width), np.float32)
        rgb = np.empty((3, width), np.float32)
        for j in range(width):
            lightness[j] = luv[i, j, 0]
            chroma[0, j] = luv[i, j, 1]
            chroma[1, j] = luv[i, j, 2]
        _luv_to_rgb_row(lightness, chroma, width, rgb_from_xyz, u0, v0, rgb)
        for j in range(width):
            for ch in range(3):
                out[i, j, ch] = rgb[ch, j]


@njit(inline="always")
def _softmax(logits, n, n_classes, scratch, out):
    """out[j, q] = softmax over q of logits[q, j], for j < n; scratch[0:2] is work space."""
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
    for j in range(n):
        for q in range(n_classes):
            out[j, q] = logits[q, j] / total[j]


@njit(inline="always")
def _add_coarse(dst, n_out, coarse, y0s, fys, x0s, fxs, i, c0, n, line):
    """dst[u, :n] += each scale's first-layer share, interpolated bilinearly at row i, columns c0 + j.

    Rows are interpolated first over the coarse columns the chunk spans
    (contiguous), then each pixel reads two neighbours of that line.
    """
    for s in range(coarse.shape[0]):
        y0 = y0s[s, i]
        fy = fys[s, i]
        lo = x0s[s, c0]
        hi = x0s[s, c0 + n - 1] + 1
        for u in range(n_out):
            top = coarse[s, u, y0]
            bottom = coarse[s, u, y0 + 1]
            for x in range(lo, hi + 1):
                line[x - lo] = top[x] + fy * (bottom[x] - top[x])
            row = dst[u]
            for j in range(n):
                x = x0s[s, c0 + j] - lo
                left = line[x]
                row[j] += left + fxs[s, c0 + j] * (line[x + 1] - left)


@njit(parallel=True, fastmath=True, cache=True)
def fused_colorize(
    padded, patch_size, planes, coarse, coarse_y0, coarse_fy, coarse_x0, coarse_fx,
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
    coarse : (S, n_hidden, h, w) float32, per scale the first layer's share of
        the multi-scale patch at each coarse pixel (see somcolor.context),
        added bilinearly at coarse_y0/fy (S, H) and coarse_x0/fx (S, W)
    weights, biases : float32, every layer's (n_in, n_out) matrix and bias
        vector flattened and concatenated; the first layer's rows are the
        patch's and the planes'
    sizes : int64 [n_in, hidden..., n_out]
    activation : index into ACTIVATIONS, for the hidden layers
    binary : one logistic output unit (two classes) instead of softmax
    mode : what `out` receives: OUT_RGB, OUT_LUV (for chroma smoothing
        before conversion) or OUT_PROBA (the class probabilities, undecoded)
    out : (H, W, 3) float32 RGB or CIELUV, or (H, W, n_classes) probabilities
    """
    height, width = out.shape[0], out.shape[1]
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
        line = np.empty(_CHUNK + 2, np.float32)
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
                    _add_coarse(dst, n_out, coarse, coarse_y0, coarse_fy, coarse_x0, coarse_fx, i, c0, n, line)
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
                _softmax(src, n, n_classes, chroma, out[i, c0 : c0 + n])
                continue
            _decode(src, n, n_classes, codebook, use_argmax, inv_temperature, chroma)
            for j in range(n):
                lightness[j] = padded[i + radius, c0 + j + radius] * np.float32(100.0)
            if mode == OUT_LUV:
                for j in range(n):
                    out[i, c0 + j, 0] = lightness[j]
                    out[i, c0 + j, 1] = chroma[0, j]
                    out[i, c0 + j, 2] = chroma[1, j]
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
def _box_rows(a, radius, out):
    # Running sum along each row, divided by the window's clipped width.
    height, width = a.shape
    for i in range(height):
        total = 0.0
        for j in range(min(radius, width)):
            total += a[i, j]
        for j in range(width):
            if j + radius < width:
                total += a[i, j + radius]
            if j - radius - 1 >= 0:
                total -= a[i, j - radius - 1]
            out[i, j] = total / (min(j + radius, width - 1) - max(j - radius, 0) + 1)


@njit(cache=True)
def box_mean(a, radius, out, scratch):
    """Mean over the (2r+1)^2 window, clipped at the borders: rows, then columns (via transposes).

    The numpy reference is somcolor.smoothing.box_mean_reference.
    """
    _box_rows(a, radius, scratch)
    _box_rows(scratch.T, radius, out.T)


@njit(parallel=True, cache=True)
def guided_filter(guide, src, radius, eps, out):
    """The guided filter of somcolor.smoothing.guided_filter in one numba call.

    guide (H, W), src and out (H, W, C), float64. Channels run in parallel;
    within one, every box mean is a pair of running-sum passes.
    """
    height, width, channels = src.shape
    mean_i = np.empty((height, width))
    var_i = np.empty((height, width))
    scratch = np.empty((height, width))
    box_mean(guide, radius, mean_i, scratch)
    box_mean(guide * guide, radius, var_i, scratch)
    var_i -= mean_i * mean_i
    for c in prange(channels):
        p = np.ascontiguousarray(src[:, :, c])
        mean_p = np.empty((height, width))
        cov = np.empty((height, width))
        work = np.empty((height, width))
        box_mean(p, radius, mean_p, work)
        box_mean(guide * p, radius, cov, work)
        a = (cov - mean_i * mean_p) / (var_i + eps)
        b = mean_p - a * mean_i
        box_mean(a, radius, cov, work)
        box_mean(b, radius, mean_p, work)
        out[:, :, c] = cov * guide + mean_p
