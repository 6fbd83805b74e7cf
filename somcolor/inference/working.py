"""Where an image is colorized at which resolution, and in which bands: the one place that decides.

A model learns textures and context at the scale of its training photos: a
5 x 5 patch of a 150-pixel landscape spans a tree, of a 6000-pixel photo a
leaf. A photo k times as large (short side) is therefore colorized at 1/k of
its size (means of k x k blocks of L), and its chroma brought back to full
size by bilinear interpolation and the guided filter steered by the
full-resolution L, so that colour edges follow the photo's own edges. The
full-resolution steps go a band of rows at a time, in bounded memory.

A photo near the training size is colorized at its own size, a band of rows
at a time when it is large (working_side=None), each band with a margin of
the rows its features and smoothing read.

Every function here takes a *backend*: the colorizing steps on one device
(:class:`~somcolor.inference.fused.CpuBackend`,
:class:`~somcolor.inference.gpu.CudaBackend`, or the exact reference
:class:`~somcolor.inference.exact.ExactBackend`), each named for what it
returns:

- ``lightness(pixels)``, ``upload(L, slot)``: L on the device (a second slot holds the L the features
  see, where it is stretched: :mod:`somcolor.features.contrast`); ``host_lightness(L)``: L on the host;
- ``probabilities(L, band)``: class probability planes (Q, H, W);
- ``luv(L, band, proba, seen)``: CIELUV planes (3, H, W), decoded and smoothed;
- ``rgb(L, band, proba, dtype, seen)``: the RGB (H, W, 3) on the host;
- ``host(array)``: an array on the host.

Where ``proba`` is None, the steps start from L in one fused pass. A photo flatter than the training
photos has its features computed from its stretched L, ``seen``, in that same pass, and its decoding,
smoothing and colors from its own L.
"""

import math

import numpy as np

from ..color import lightness, luv_planes_to_rgb
from ..features.context import Band, global_descriptor_of_rows
from ..features.contrast import seen_lightness
from ..features.patches import pixel_blocks, tile_shape
from ..filters._kernels import upsample_columns
from ..filters.guided import guided_filter
from ..filters.resample import coarse_coordinates, downscale, working_factor
from ..io.writing import to_uint8

#: Pixels colorized (or brought back to full size) at a time: about 100 bytes each of working memory.
BAND_PIXELS = 1 << 22


def resolved_side(model):
    """The working side of a fitted model: its `working_side`, "auto" meaning the median short side of its
    training photos (None for models saved before there was one)."""
    if model.working_side == "auto":
        return getattr(model, "training_side_", None)
    return model.working_side


def colorize_bands(pixels, plan, backend, dtype=np.float32, band_pixels=BAND_PIXELS, as_luv=False):
    """The RGB of an image's pixels (gray or color) as bands (first row, RGB rows in `dtype`), top to
    bottom, so that a caller can write each band as it comes: memory then holds the pixels and one band,
    never the whole RGB image. `as_luv`: the CIELUV the RGB is converted from instead, float32, L, U, V in
    the last axis."""
    factor = working_factor(pixels.shape, plan.working_side)
    if factor > 1:
        small = backend.upload(small_lightness(pixels, factor, band_pixels))
        luv = backend.host(backend.luv(small, seen=seen_on_device(small, plan, backend)))
        yield from _full_size_bands(pixels, plan, factor, luv, dtype, band_pixels, as_luv=as_luv)
        return
    height, width = pixels.shape[:2]
    transposed = getattr(backend, "transposed", None)
    if is_thin(height, width) and transposed is not None:
        # A photo a few pixels wide, colorized across: the kernels run along rows, and a row of one pixel
        # wastes them (10-15x the time per pixel). Each tile of the transposed photo is a band of its rows.
        tiles = _tiles(pixels.swapaxes(0, 1), plan, transposed(), dtype, band_pixels, as_luv, whole_rows=True)
        for _, c0, rgb in tiles:
            yield c0, np.ascontiguousarray(rgb.swapaxes(0, 1))
        return
    if height * width <= band_pixels:
        L = backend.lightness(pixels)
        yield 0, _render(backend, L, None, dtype, seen_on_device(L, plan, backend), as_luv)
        return
    band, band_top = None, None
    for r0, c0, rgb in _tiles(pixels, plan, backend, dtype, band_pixels, as_luv):
        if r0 != band_top:
            if band is not None:
                yield band_top, band
            band, band_top = np.empty((len(rgb), width, 3), rgb.dtype), r0
        band[:, c0 : c0 + rgb.shape[1]] = rgb
    yield band_top, band


#: A photo at most this many pixels wide (and taller than wide) is colorized across, transposed
#: (:func:`is_thin`).
THIN_WIDTH = 128


def is_thin(height, width):
    """Whether a photo is colorized transposed: taller than wide, and at most :data:`THIN_WIDTH` wide."""
    return width <= THIN_WIDTH and height > width


def _render(backend, L, band, dtype, seen, as_luv):
    """RGB (h, w, 3) of device L in `dtype`, or its CIELUV (h, w, 3) float32 with `as_luv`."""
    if as_luv:
        return np.moveaxis(backend.host(backend.luv(L, band, seen=seen)), 0, -1)
    return backend.rgb(L, band, dtype=dtype, seen=seen)


def colorize_luv(pixels, plan, backend, band_pixels=BAND_PIXELS):
    """CIELUV planes (3, H, W) float32 of an image's pixels: what :func:`colorize_image` converts to RGB."""
    bands = colorize_bands(pixels, plan, backend, band_pixels=band_pixels, as_luv=True)
    return np.ascontiguousarray(np.moveaxis(assemble(bands, pixels.shape[:2], np.float32), -1, 0))


def _tiles(pixels, plan, backend, dtype, band_pixels, as_luv=False, whole_rows=False):
    """The RGB (or CIELUV, see :func:`colorize_bands`) of an image's pixels a tile at a time, each computed
    with the margin its features and smoothing read: yields (first row, first column, RGB), bands of rows
    top to bottom and tiles left to right within them. `whole_rows`: one band of every row (a transposed
    thin photo)."""
    height, width = pixels.shape[:2]
    context = plan.context

    def blocks():
        return (lightness(np.ascontiguousarray(pixels[r0:r1, c0:c1]))
                for r0, r1, c0, c1 in pixel_blocks(height, width, band_pixels))

    stats = None
    if plan.lightness_spread is not None:  # the whole image's spread decides, not each tile's
        stats = tuple(100 * global_descriptor_of_rows(blocks)[-2:])
    descriptor = None
    if context.global_features:
        descriptor = global_descriptor_of_rows(
            lambda: (seen_lightness(L, plan.lightness_spread, stats) for L in blocks())
        )
    # Tiles start on a multiple of every scale, so that their coarse grids are the image's.
    align = math.lcm(*context.scales) if context.scales else 1
    margin = margin_rows(plan)
    rows, cols = tile_shape(height, width, margin, band_pixels, align, rows=height if whole_rows else None)
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        top, bottom = max(0, r0 - margin) // align * align, min(height, r1 + margin)
        for c0 in range(0, width, cols):
            c1 = min(width, c0 + cols)
            left, right = max(0, c0 - margin) // align * align, min(width, c1 + margin)
            L = backend.lightness(np.ascontiguousarray(pixels[top:bottom, left:right]))
            band = Band(top, height, descriptor, left, width)
            rgb = _render(backend, L, band, dtype, seen_on_device(L, plan, backend, stats), as_luv)
            yield r0, c0, rgb[r0 - top : r1 - top, c0 - left : c1 - left]


def seen_on_device(L, plan, backend, stats=None):
    """Device L as the model's features see it, stretched (:mod:`somcolor.features.contrast`), or None
    where they see L as it is. `stats`: the whole image's (mean, spread), for a band of its rows."""
    if plan.lightness_spread is None:
        return None
    host = backend.host_lightness(L)
    seen = seen_lightness(host, plan.lightness_spread, stats)
    return None if seen is host else backend.upload(seen, slot="seen")


def colorize_image(pixels, plan, backend, dtype=np.float32, band_pixels=BAND_PIXELS):
    """RGB (H, W, 3) of an image's pixels, in `dtype`: :func:`colorize_bands` assembled."""
    return assemble(colorize_bands(pixels, plan, backend, dtype, band_pixels), pixels.shape[:2], dtype)


def colorize_lightness(L, plan, backend, through, band_pixels=BAND_PIXELS):
    """RGB (H, W, 3) float32 of lightness L (on the host), its class probabilities passed through
    ``through(L, proba)`` (which returns the probabilities to decode) at the working resolution: what the
    video stabilizer averages in time."""
    factor = working_factor(L.shape, plan.working_side)
    if factor == 1:
        device_L = backend.upload(L)
        return backend.rgb(device_L, proba=through(L, _probabilities(device_L, plan, backend)))
    small = small_lightness(L, factor, band_pixels, to_lightness=np.asarray)
    device_L = backend.upload(small)
    luv = backend.host(backend.luv(device_L, proba=through(small, _probabilities(device_L, plan, backend))))
    bands = _full_size_bands(L, plan, factor, luv, np.float32, band_pixels, to_lightness=np.asarray)
    return assemble(bands, L.shape, np.float32)


def _probabilities(L, plan, backend):
    """The class probability planes of device L, from its features seen stretched where they must be."""
    seen = seen_on_device(L, plan, backend)
    return backend.probabilities(L if seen is None else seen)


def margin_rows(plan):
    """Rows above and below a pixel that its colour depends on: features, then smoothing."""
    # The guided filter takes two rounds of box means of the chroma.
    return plan.context.reach + 2 * plan.smooth_radius


def small_lightness(pixels, factor, band_pixels, to_lightness=lightness):
    """L of an image's pixels as means of `factor` x `factor` blocks, computed a band of rows at a time
    (`to_lightness` of a band of rows: its L; video frames come as L already)."""
    height, width = pixels.shape[:2]
    out = np.empty((-(-height // factor), -(-width // factor)))
    rows = max(factor, band_pixels // width // factor * factor)
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        out[r0 // factor : -(-r1 // factor)] = downscale(to_lightness(pixels[r0:r1]), factor)
    return out


def upsample_rows(grid, factor, top, rows, width, left=0, total_width=None):
    """Rows `top` to `top + rows` of planes `grid` (C, h, w) interpolated bilinearly to full resolution,
    `width` columns wide from column `left` (a multiple of `factor`) of an image `total_width` wide
    (default: `width`), pixel centres placed as :func:`~somcolor.filters.resample.coarse_coordinates`."""
    h = grid.shape[1]
    y = np.clip((np.arange(top, top + rows) + 0.5) / factor - 0.5, 0, h - 1)
    y0 = np.floor(y).astype(np.int64)
    fy = (y - y0).astype(np.float32)[None, :, None]
    y1 = np.minimum(y0 + 1, h - 1)
    first, last = int(y0.min()), int(y1.max()) + 1
    columns = grid[:, first:last, left // factor : -(-(left + width) // factor) + 1]
    # Along columns first (a numba kernel), for the grid rows the band needs; then between rows.
    padded = np.pad(np.asarray(columns, np.float32), ((0, 0), (0, 0), (0, 1)), mode="edge")
    wide = np.empty((grid.shape[0], last - first, width), np.float32)
    upsample_columns(padded, *coarse_coordinates(width, factor, start=left, total=total_width), wide)
    above, below = wide[:, y0 - first], wide[:, y1 - first]
    return above + fy * (below - above)


def assemble(bands, shape, dtype):
    """The (H, W, 3) image of (first row, RGB rows) bands, as float32 or uint8."""
    convert = to_uint8 if dtype == np.uint8 else (lambda rgb: rgb)
    out = np.empty((*shape, 3), dtype)
    for r0, rgb in bands:
        out[r0 : r0 + len(rgb)] = convert(rgb)
    return out


def _full_size_bands(pixels, plan, factor, small_luv, dtype, band_pixels, to_lightness=lightness, as_luv=False):
    """Bands (first row, RGB rows in `dtype`) of an image whose smoothed CIELUV planes at 1/`factor` of
    its size are `small_luv` (3, h, w), brought back to full size, top to bottom (`as_luv`: the CIELUV of
    those rows, float32, L, U, V in the last axis).

    The way back goes a tile at a time, each with a margin on every side,
    so that working memory stays near `band_pixels` pixels however wide the
    image and however large the margin.
    """
    height, width = pixels.shape[:2]
    chroma = np.asarray(small_luv[1:], np.float32)
    convert = to_uint8 if dtype == np.uint8 else (lambda rgb: rgb)
    # The guided filter's window spans about two coarse pixels; its two rounds of box means, and the
    # interpolation, read this many pixels beyond a tile.
    radius = factor
    margin = 2 * radius + factor
    rows, cols = tile_shape(height, width, margin, band_pixels, align=factor)  # tiles start on the coarse grid
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        top, bottom = max(0, r0 - margin), min(height, r1 + margin)
        band = np.empty((r1 - r0, width, 3), np.float32 if as_luv else dtype)
        for c0 in range(0, width, cols):
            c1 = min(width, c0 + cols)
            left, right = max(0, c0 - margin) // factor * factor, min(width, c1 + margin)
            luv = np.empty((3, bottom - top, right - left), np.float32)
            luv[0] = to_lightness(pixels[top:bottom, left:right])
            uv = upsample_rows(chroma, factor, top, bottom - top, right - left, left, width)
            guided_filter(luv[0] / np.float32(100), uv, radius, plan.smooth_eps, out=luv[1:])
            if as_luv:
                band[:, c0:c1] = np.moveaxis(luv[:, r0 - top : r1 - top, c0 - left : c1 - left], 0, -1)
                continue
            rgb = luv_planes_to_rgb(luv)
            band[:, c0:c1] = convert(rgb[r0 - top : r1 - top, c0 - left : c1 - left])
        yield r0, band
