"""Hint images: where a person says which color a part of a photo is.

A hint image is the photo's size, RGBA uint8: pixels with alpha > 0 are
hinted and their RGB is the wanted color; the rest is transparent. It is what
any image editor makes by painting on a transparent layer over the photo, and
what :func:`hint_image` draws from points and strokes. A hint carries its
color's chromaticity, not its lightness: the photo keeps its own L, and a hint
painted on a shaded part of a meadow makes it a darker green, not a grayer
one (see :func:`hint_chromaticity`).
"""

import os
import warnings
from typing import NamedTuple

import numpy as np
from scipy import ndimage

from ..color import rgb_to_luv
from ..io.images import ImageError, ImageWarning, as_pixels, to_float
from ..io.writing import write_png

#: The lightness under which a hint's color says nothing of its chromaticity (black): taken as this.
_DARKEST = 1.0


class Hint(NamedTuple):
    """One hint: the pixels it covers (flat indices, row-major) and its color."""

    pixels: np.ndarray  # int64 flat indices into the photo
    rgb: tuple  # (r, g, b) uint8


def check_radius(radius):
    """Refuse a brush radius that is not a whole number of pixels in [0, 1000]."""
    if isinstance(radius, bool) or not (isinstance(radius, (int, np.integer)) and 0 <= radius <= 1000):
        raise ValueError(f"radius must be a whole number of pixels in [0, 1000], got {radius!r}")


def hint_color(color, what="hint"):
    """An (r, g, b) color as uint8: ints 0-255, or floats in [0, 1]."""
    values = np.asarray(color)
    if values.shape != (3,) or not np.issubdtype(values.dtype, np.number) or not np.all(np.isfinite(values)):
        raise ValueError(f"{what}: a color is (r, g, b), got {color!r}")
    if np.issubdtype(values.dtype, np.floating) and values.min() >= 0 and values.max() <= 1:
        return tuple(int(v) for v in np.round(values * 255))
    if values.min() < 0 or values.max() > 255:
        raise ValueError(f"{what}: color values must lie in 0-255 (or floats in [0, 1]), got {color!r}")
    return tuple(int(v) for v in np.round(values))


def _disk(radius):
    offsets = np.arange(-radius, radius + 1)
    rows, cols = np.meshgrid(offsets, offsets, indexing="ij")
    inside = rows**2 + cols**2 <= radius**2 + radius  # the disk of a drawn point: 5 x 5 corners cut at radius 2
    return rows[inside], cols[inside]


def brush_pixels(shape, rows, cols, radius):
    """Flat indices (row-major, sorted, unique) of the pixels a brush of `radius` covers, its centre at each
    (row, col), within an image of `shape`."""
    height, width = shape[:2]
    dr, dc = _disk(radius)
    r = (np.asarray(rows, np.int64)[:, None] + dr[None]).ravel()
    c = (np.asarray(cols, np.int64)[:, None] + dc[None]).ravel()
    keep = (r >= 0) & (r < height) & (c >= 0) & (c < width)
    return np.unique(r[keep] * width + c[keep])


def stroke_line(path, what="stroke"):
    """(rows, cols) of the pixels along the polyline through `path` [(row, col), ...], every pixel on it."""
    path = np.asarray(path, dtype=np.float64).reshape(-1, 2)
    if not len(path) or not np.all(np.isfinite(path)):
        raise ValueError(f"{what}: its path needs at least one (row, col) point")
    steps = [path[:1]]
    for start, end in zip(path[:-1], path[1:]):
        n = int(np.ceil(np.abs(end - start).max())) + 1
        steps.append(start + (end - start) * np.linspace(0, 1, n)[:, None])
    line = np.round(np.concatenate(steps)).astype(np.int64)
    return line[:, 0], line[:, 1]


def _paint(image, rows, cols, rgb, radius):
    image.reshape(-1, 4)[brush_pixels(image.shape, rows, cols, radius)] = (*rgb, 255)


def hint_image(shape, points=(), strokes=(), radius=2):
    """Draw hints on a transparent RGBA image of the photo's size.

    Parameters
    ----------
    shape : tuple
        The photo's (H, W) (or its array's shape).
    points : sequence of (row, col, color)
        A disk of `radius` around each point; colors are (r, g, b) ints
        0-255 or floats in [0, 1].
    strokes : sequence of (path, color)
        `path` a sequence of (row, col): the polyline through them, `radius`
        thick.
    radius : int, default=2
        Of the disks and strokes, in pixels (0: single pixels).

    Returns
    -------
    hints : ndarray of shape (H, W, 4), uint8

    Examples
    --------
    >>> hints = hint_image((40, 60), points=[(10, 20, (30, 160, 40))], strokes=[([(30, 5), (30, 50)], (200, 180, 140))])
    >>> hints[10, 20].tolist(), hints[30, 25].tolist(), hints[0, 0].tolist()
    ([30, 160, 40, 255], [200, 180, 140, 255], [0, 0, 0, 0])
    """
    height, width = shape[:2]
    check_radius(radius)
    image = np.zeros((height, width, 4), np.uint8)
    for index, point in enumerate(points):
        if len(point) != 3:
            raise ValueError(f"point {index}: expected (row, col, color), got {point!r}")
        row, col, color = point
        _paint(image, [int(row)], [int(col)], hint_color(color, f"point {index}"), radius)
    for index, stroke in enumerate(strokes):
        if len(stroke) != 2:
            raise ValueError(f"stroke {index}: expected (path, color), got {stroke!r}")
        path, color = stroke
        _paint(image, *stroke_line(path, f"stroke {index}"), hint_color(color, f"stroke {index}"), radius)
    return image


def read_hints(hints, shape, name, photo_name="the photo"):
    """A hint image as RGBA uint8 (H, W, 4) checked against its photo's `shape`, or None where it hints
    nothing (every pixel transparent: said by an :class:`~somcolor.io.images.ImageWarning`).

    Parameters
    ----------
    hints : None, path or array of shape (H, W, 4)
    shape : tuple
        The photo's (H, W).
    name : str
        How messages name an array of hints (files are named by their path).

    Raises
    ------
    ImageError
        Naming the file: not an image, another size than its photo, no alpha channel.
    """
    if hints is None:
        return None
    if isinstance(hints, (str, os.PathLike)):
        name = str(hints)
    pixels, alpha = as_pixels(hints, name, alpha=True)
    if alpha is None:
        raise ImageError(f"{name}: a hint image needs an alpha channel (transparent where nothing is hinted); "
                         "save it as an RGBA PNG")
    if pixels.shape[:2] != tuple(shape[:2]):
        raise ImageError(f"{name}: hints of {pixels.shape[1]} x {pixels.shape[0]} pixels for {photo_name} of "
                         f"{shape[1]} x {shape[0]}: a hint image is its photo's size")
    if pixels.dtype != np.uint8:  # 16-bit or float hints: 8-bit colors are all a hint needs
        pixels, alpha = (np.round(to_float(a) * 255).astype(np.uint8) for a in (pixels, alpha))
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=2)
    if not alpha.any():
        warnings.warn(f"{name}: every pixel is transparent, so it hints nothing: colorized without hints",
                      ImageWarning, stacklevel=2)
        return None
    return np.dstack([pixels, alpha])


def write_hints(path, hints):
    """Write a hint image (RGBA uint8) as a PNG, atomically; :func:`read_hints` reads it back exactly."""
    hints = np.asarray(hints)
    if hints.ndim != 3 or hints.shape[2] != 4 or hints.dtype != np.uint8:
        raise ValueError(f"a hint image is (H, W, 4) uint8, got {hints.shape} {hints.dtype}")
    write_png(path, hints)


def hints_in(image):
    """The hints of a hint image: each connected set of hinted pixels of one color (8-connected).

    >>> hints = hint_image((20, 20), points=[(5, 5, (255, 0, 0)), (15, 15, (255, 0, 0))], radius=1)
    >>> [(len(h.pixels), h.rgb) for h in hints_in(hints)]
    [(9, (255, 0, 0)), (9, (255, 0, 0))]
    """
    hinted = image[..., 3] > 0
    rows, cols = np.nonzero(hinted)
    if not rows.size:
        return []
    colors, which = np.unique(image[rows, cols, :3], axis=0, return_inverse=True)
    width = image.shape[1]
    found = []
    for index, rgb in enumerate(colors):
        mine = which.ravel() == index
        r, c = rows[mine], cols[mine]
        top, left = r.min(), c.min()
        box = np.zeros((r.max() - top + 1, c.max() - left + 1), bool)
        box[r - top, c - left] = True
        labels, _ = ndimage.label(box, structure=np.ones((3, 3)))
        for label in np.unique(labels[r - top, c - left]):
            inside = labels[r - top, c - left] == label
            found.append(Hint(r[inside].astype(np.int64) * width + c[inside], tuple(int(v) for v in rgb)))
    found.sort(key=lambda hint: int(hint.pixels.min()))
    return found


def hint_chromaticity(rgb):
    """The chromaticity a hint color carries: its CIELUV (U, V) divided by 13 L, i.e. (u' - u'n, v' - v'n).

    At a pixel of lightness L a hint of chromaticity s is the color (U, V) = 13 L s: a hint made at the
    pixel's own lightness gives its (U, V) back exactly. Black says nothing of a chromaticity: gray.

    >>> s = hint_chromaticity((40, 160, 60))
    >>> from somcolor.color import rgb_to_luv
    >>> luv = rgb_to_luv(np.array([[[40, 160, 60]]]) / 255)[0, 0]
    >>> bool(np.allclose(13 * luv[0] * s, luv[1:]))
    True
    """
    luv = rgb_to_luv(np.asarray(rgb, np.float64).reshape(1, 1, 3) / 255.0)[0, 0]
    if luv[0] < _DARKEST:
        return np.zeros(2)
    return luv[1:] / (13.0 * luv[0])
