"""Colorizing photos much larger than the training photos at a resolution near theirs.

A model learns textures and context at the scale of its training photos: a
5 x 5 patch of a 150-pixel landscape spans a tree, of a 6000-pixel photo a
leaf. A photo k times as large (short side) is therefore colorized at 1/k of
its size (means of k x k blocks of L), and its chroma brought back to full
size by bilinear interpolation and the guided filter steered by the
full-resolution L, so that colour edges follow the photo's own edges. The
full-resolution steps go a band of rows at a time, in bounded memory.
"""

import numpy as np

from ..color import lightness
from ..color._kernels import LUV_CONSTANTS, luv_to_rgb_image
from ..filters._kernels import upsample_columns
from ..filters.guided import guided_filter
from ..filters.resample import coarse_coordinates, downscale
from ..io.writing import to_uint8

#: Pixels colorized (or brought back to full size) at a time: about 100 bytes each of working memory.
BAND_PIXELS = 1 << 22


def resolved_side(model):
    """The working side of a fitted model: its `working_side`, "auto" meaning the median short side of its
    training photos (None for models saved before there was one)."""
    if model.working_side == "auto":
        return getattr(model, "training_side_", None)
    return model.working_side


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


def colorize_at_working_side(pixels, plan, factor, small_luv, dtype, band_pixels, to_lightness=lightness):
    """RGB (H, W, 3) of an image colorized at 1/`factor` of its size (see :func:`working_side_bands`)."""
    return assemble(working_side_bands(pixels, plan, factor, small_luv, band_pixels, to_lightness),
                    pixels.shape[:2], dtype)


def assemble(bands, shape, dtype):
    """The (H, W, 3) image of (first row, float32 RGB rows) bands, as float32 or uint8."""
    convert = to_uint8 if dtype == np.uint8 else (lambda rgb: rgb)
    out = np.empty((*shape, 3), dtype)
    for r0, rgb in bands:
        out[r0 : r0 + len(rgb)] = convert(rgb)
    return out


def working_side_bands(pixels, plan, factor, small_luv, band_pixels, to_lightness=lightness):
    """Bands (first row, float32 RGB rows) of an image colorized at 1/`factor` of its size, top to bottom.

    ``small_luv(L)`` colorizes the small image's L into smoothed CIELUV
    planes (3, h, w) by whichever path runs (fused CPU pass, GPU, exact,
    video stabilizer); `to_lightness` maps a band of `pixels` to its L. The
    way back to full size goes a tile at a time, each with a margin on every
    side, so that working memory stays near `band_pixels` pixels however
    wide the image and however large the margin.
    """
    height, width = pixels.shape[:2]
    chroma = np.asarray(small_luv(small_lightness(pixels, factor, band_pixels, to_lightness))[1:], np.float32)
    # The guided filter's window spans about two coarse pixels; its two rounds of box means, and the
    # interpolation, read this many pixels beyond a tile.
    radius = factor
    margin = 2 * radius + factor
    rows = min(height, max(2 * margin, band_pixels // width))
    cols = width if (rows + 2 * margin) * width <= band_pixels else max(2 * margin, band_pixels // (rows + 2 * margin))
    cols = -(-cols // factor) * factor  # tiles start on the coarse grid
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        top, bottom = max(0, r0 - margin), min(height, r1 + margin)
        band = np.empty((r1 - r0, width, 3), np.float32)
        for c0 in range(0, width, cols):
            c1 = min(width, c0 + cols)
            left, right = max(0, c0 - margin) // factor * factor, min(width, c1 + margin)
            luv = np.empty((3, bottom - top, right - left), np.float32)
            luv[0] = to_lightness(pixels[top:bottom, left:right])
            uv = upsample_rows(chroma, factor, top, bottom - top, right - left, left, width)
            guided_filter(luv[0] / np.float32(100), uv, radius, plan.smooth_eps, out=luv[1:])
            rgb = np.empty((bottom - top, right - left, 3), np.float32)
            luv_to_rgb_image(luv, *LUV_CONSTANTS, rgb)
            band[:, c0:c1] = rgb[r0 - top : r1 - top, c0 - left : c1 - left]
        yield r0, band
