"""CUDA kernels of the filters (numba.cuda): the GPU twins of :mod:`somcolor.filters._kernels`.

Box means are two launches, a running sum down every column and one along
every row, so their cost does not depend on the radius; the guided filter
(:func:`guided_filter`, beside the CPU's) is box means and elementwise
launches around them. Their references are the array code of
:mod:`somcolor.filters.guided` and :mod:`somcolor.filters.resample`.
"""

import math

import numpy as np
from numba import cuda

BLOCK = (16, 16)  # threads per block: columns, rows


def launch_grid(height, width, block=BLOCK):
    """Blocks covering an image of height x width pixels, a thread per pixel (x: columns, y: rows)."""
    return (math.ceil(width / block[0]), math.ceil(height / block[1])), block


def launch(kernel, height, width, stream, *args):
    """Launch `kernel` with a thread per pixel of a height x width image, on `stream`."""
    blocks, threads = launch_grid(height, width)
    kernel[blocks, threads, stream](*args)


def box_means(planes, radius, out, work, stream):
    """out = the clipped (2r+1)^2 window means of planes (P, H, W), on the GPU: two launches. `work` is the
    caller's workspace of device arrays (``work.get(key, shape, stream=)``)."""
    n_planes, height, width = planes.shape
    columns = work.get(("box", n_planes), planes.shape, stream=stream)
    launch(box_columns, n_planes, width, stream, planes, radius, columns)
    launch(box_rows, n_planes, height, stream, columns, radius, out)
    return out


def guided_filter(guide, src, radius, eps, out, work, stream):
    """The guided filter of :func:`somcolor.filters.guided_filter` on the GPU (guide (H, W), src (C, H, W))."""
    channels, height, width = src.shape
    first = work.get("guide_first", (2 + 2 * channels, height, width), stream=stream)
    means = work.get("guide_means", first.shape, stream=stream)
    launch(guide_products, height, width, stream, guide, src, first)
    box_means(first, radius, means, work, stream)
    coefficients = work.get("guide_coefficients", (2 * channels, height, width), stream=stream)
    launch(guide_coefficients, height, width, stream, means, np.float32(eps), channels, coefficients)
    box_means(coefficients, radius, means[: 2 * channels], work, stream)
    launch(guide_combine, height, width, stream, guide, means, channels, out)
    return out


@cuda.jit(device=True, inline=True)
def mirror(i, n):
    """numpy's "reflect" index of position i (any integer) on an axis of n pixels."""
    if n == 1:
        return 0
    period = 2 * (n - 1)
    i = i % period
    if i < 0:
        i += period
    return i if i < n else period - i


@cuda.jit
def pad_scaled(L, radius, out):
    """out = L / 100 mirrored by `radius` pixels on each side (numpy's "reflect"), as pad_lightness."""
    j, i = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        out[i, j] = L[mirror(i - radius, L.shape[0]), mirror(j - radius, L.shape[1])] / 100.0


@cuda.jit
def box_columns(planes, radius, out):
    """out[p, :, j] = the mean over the clipped window of rows, for every column j of every plane p."""
    j, p = cuda.grid(2)
    n_planes, height, width = planes.shape
    if p >= n_planes or j >= width:
        return
    total = 0.0
    for i in range(min(radius, height)):
        total += planes[p, i, j]
    for i in range(height):
        if i + radius < height:
            total += planes[p, i + radius, j]
        if i - radius - 1 >= 0:
            total -= planes[p, i - radius - 1, j]
        out[p, i, j] = total / (min(i + radius, height - 1) - max(i - radius, 0) + 1)


@cuda.jit
def box_rows(planes, radius, out):
    """out[p, i, :] = the mean over the clipped window of columns, for every row i of every plane p."""
    i, p = cuda.grid(2)
    n_planes, height, width = planes.shape
    if p >= n_planes or i >= height:
        return
    total = 0.0
    for j in range(min(radius, width)):
        total += planes[p, i, j]
    for j in range(width):
        if j + radius < width:
            total += planes[p, i, j + radius]
        if j - radius - 1 >= 0:
            total -= planes[p, i, j - radius - 1]
        out[p, i, j] = total / (min(j + radius, width - 1) - max(j - radius, 0) + 1)


@cuda.jit
def moments(L, out):
    """out[0] = L / 100 and out[1] = (L / 100)^2: what local means and spreads are box means of."""
    j, i = cuda.grid(2)
    if i < L.shape[0] and j < L.shape[1]:
        value = L[i, j] / 100.0
        out[0, i, j] = value
        out[1, i, j] = value * value


@cuda.jit
def spread(means, out):
    """out[0] = the mean, out[1] = the standard deviation, from the box means of the value and its square."""
    j, i = cuda.grid(2)
    if i < means.shape[1] and j < means.shape[2]:
        mean = means[0, i, j]
        out[0, i, j] = mean
        out[1, i, j] = max(means[1, i, j] - mean * mean, 0.0) ** 0.5


@cuda.jit
def guide_products(guide, src, first):
    """The planes whose box means the guided filter needs: I, I*I, p (C planes), I*p (C planes)."""
    j, i = cuda.grid(2)
    channels = src.shape[0]
    if i < guide.shape[0] and j < guide.shape[1]:
        g = guide[i, j]
        first[0, i, j] = g
        first[1, i, j] = g * g
        for c in range(channels):
            p = src[c, i, j]
            first[2 + c, i, j] = p
            first[2 + channels + c, i, j] = g * p


@cuda.jit
def guide_coefficients(means, eps, channels, coefficients):
    """The linear coefficients a (C planes) and b (C planes) of every window, from the first box means."""
    j, i = cuda.grid(2)
    if i < means.shape[1] and j < means.shape[2]:
        mean_i = means[0, i, j]
        var_i = means[1, i, j] - mean_i * mean_i
        for c in range(channels):
            mean_p = means[2 + c, i, j]
            a = (means[2 + channels + c, i, j] - mean_i * mean_p) / (var_i + eps)
            coefficients[c, i, j] = a
            coefficients[channels + c, i, j] = mean_p - a * mean_i


@cuda.jit
def guide_combine(guide, means, channels, out):
    """out[c] = mean(a) * I + mean(b): the filtered planes."""
    j, i = cuda.grid(2)
    if i < guide.shape[0] and j < guide.shape[1]:
        for c in range(channels):
            out[c, i, j] = means[c, i, j] * guide[i, j] + means[channels + c, i, j]


@cuda.jit
def upsample(grid, factor, out):
    """out[c] = grid[c] (h, w) interpolated bilinearly to out's (H, W), pixel centres as coarse_coordinates."""
    j, i = cuda.grid(2)
    channels, height, width = out.shape
    h, w = grid.shape[1], grid.shape[2]
    if i >= height or j >= width:
        return
    y = min(max((i + 0.5) / factor - 0.5, 0.0), h - 1.0)
    x = min(max((j + 0.5) / factor - 0.5, 0.0), w - 1.0)
    y0 = int(y)
    x0 = int(x)
    fy = y - y0
    fx = x - x0
    y1 = min(y0 + 1, h - 1)
    x1 = min(x0 + 1, w - 1)
    for c in range(channels):
        top = grid[c, y0, x0] + fx * (grid[c, y0, x1] - grid[c, y0, x0])
        bottom = grid[c, y1, x0] + fx * (grid[c, y1, x1] - grid[c, y1, x0])
        out[c, i, j] = top + fy * (bottom - top)


@cuda.jit
def warp_bilinear(planes, flow, out):
    """out[c, i, j] = planes[c] at (i, j) + flow[:, i, j], bilinear, clamped at the borders."""
    j, i = cuda.grid(2)
    channels, height, width = planes.shape
    if i >= height or j >= width:
        return
    y = min(max(i + flow[0, i, j], 0.0), height - 1.0)
    x = min(max(j + flow[1, i, j], 0.0), width - 1.0)
    y0 = min(int(y), max(height - 2, 0))
    x0 = min(int(x), max(width - 2, 0))
    fy = y - y0
    fx = x - x0
    y1 = min(y0 + 1, height - 1)
    x1 = min(x0 + 1, width - 1)
    for c in range(channels):
        top = planes[c, y0, x0] + fx * (planes[c, y0, x1] - planes[c, y0, x0])
        bottom = planes[c, y1, x0] + fx * (planes[c, y1, x1] - planes[c, y1, x0])
        out[c, i, j] = top + fy * (bottom - top)
