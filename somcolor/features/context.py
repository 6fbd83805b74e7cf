"""Context features: what a pixel's p x p patch of L cannot see.

A small patch cannot tell sky from water or snow from cloud. These features,
appended to the patch (:mod:`somcolor.features.patches`), give each pixel a
view of its surroundings and of the whole photo. In feature order:

- **position** (2): ``(row + 0.5) / H`` and ``(column + 0.5) / W``;
- **local statistics** (2 per radius r): mean and standard deviation of
  L / 100 over the (2r + 1)^2 window, clipped at the borders, from running
  sums (cost independent of r);
- **texture** (4 per scale s): the root mean square of L / 100 differences
  between pixels s apart, across each of four orientations (rows, columns
  and both diagonals), over the (8s + 1)^2 window: an oriented-energy bank,
  how much and in which direction L varies at that scale;
- **multi-scale patches** (p^2 per factor s): the p x p patch of L / 100
  downscaled by s (means of s x s blocks), bilinearly interpolated at the
  pixel, so a 5 x 5 patch at s = 8 spans 40 x 40 pixels;
- **global descriptor** (18): a 16-bin histogram of L / 100 over the photo,
  its mean and standard deviation (the "global features" of Iizuka et al.
  2016), the same for every pixel.

The multi-scale and global features enter the MLP linearly, which is what
makes them cheap to colorize with: the first layer's share of a multi-scale
patch is computed once per coarse pixel and interpolated, and the global
descriptor's share is a per-image bias (:mod:`somcolor.inference.fused`).
Every function takes numpy or CuPy arrays.
"""

from typing import NamedTuple

import numpy as np

from .._arrays import array_module
from ..filters.guided import box_means
from ..filters.resample import coarse_coordinates, downscale, interpolate
from .patches import extract_patches

HISTOGRAM_BINS = 16
N_GLOBAL = HISTOGRAM_BINS + 2
N_ORIENTATIONS = 4  # rows, columns, diagonal, anti-diagonal


class Context(NamedTuple):
    """Which features a pixel gets: its patch and the context features (see the module docstring)."""

    patch_size: int
    scales: tuple = ()
    position: bool = False
    local_radii: tuple = ()
    global_features: bool = False
    texture_scales: tuple = ()  # last, so that models pickled before it load with none

    @property
    def n_planes(self):
        """Features that are full-resolution planes: position, local statistics and texture."""
        return 2 * int(self.position) + 2 * len(self.local_radii) + N_ORIENTATIONS * len(self.texture_scales)

    @property
    def reach(self):
        """Pixels beyond a pixel, on every side, that its features read (multi-scale patches: with their
        interpolation)."""
        radius = self.patch_size // 2
        return max([radius, *self.local_radii, *(texture_reach(s) for s in self.texture_scales)]
                   + [(radius + 2) * s for s in self.scales])

    @property
    def n_features(self):
        """Context features per pixel, the patch excluded."""
        p2 = self.patch_size**2
        return self.n_planes + p2 * len(self.scales) + N_GLOBAL * int(self.global_features)

    def __bool__(self):
        return self.n_features > 0


def transposed_order(context):
    """Where each feature of a pixel of the transposed image comes from among the pixel's features in the
    image: feature k there is feature ``order[k]`` here. Patches are read across (offset (a, b) is offset
    (b, a)), the position's row and column swap, so do the texture energies along rows and along
    columns (the diagonals keep theirs); the local statistics and the global descriptor do not move.

    >>> transposed_order(Context(3, position=True)).tolist()
    [0, 3, 6, 1, 4, 7, 2, 5, 8, 10, 9]
    """
    p2 = context.patch_size**2
    patch = np.arange(p2).reshape(context.patch_size, context.patch_size).T.ravel()
    parts, offset = [patch], p2
    if context.position:
        parts.append(offset + np.array([1, 0]))
        offset += 2
    parts.append(offset + np.arange(2 * len(context.local_radii)))
    offset += 2 * len(context.local_radii)
    for _ in context.texture_scales:
        parts.append(offset + np.array([1, 0, 2, 3]))
        offset += N_ORIENTATIONS
    for _ in context.scales:
        parts.append(offset + patch)
        offset += p2
    parts.append(offset + np.arange(N_GLOBAL * int(context.global_features)))
    return np.concatenate(parts)


class Band(NamedTuple):
    """Where a band of an image's rows (or a tile of them) lies, for the features that depend on the whole
    image."""

    top: int  # the band's first row in the image; a multiple of every scale
    image_height: int
    descriptor: object  # the whole image's global descriptor, or None
    left: int = 0  # a tile's first column in the image; a multiple of every scale
    image_width: int = None  # None: the band spans the image's width


class ImageContext(NamedTuple):
    """The per-image arrays that context features are read from."""

    planes: object  # (n_planes, H, W) float32
    coarse: tuple  # per scale: (h + 1, w + 1, p^2) patches of the downscaled L, edge row/column repeated
    rows: tuple  # per scale: (first coarse row, weight of the next) for each image row
    cols: tuple  # the same for each image column
    descriptor: object  # (N_GLOBAL,) or (0,)


def coarse_patches(L, patch_size, factor):
    """p x p patches of L / 100 downscaled by `factor`, shape (h + 1, w + 1, p^2), float32.

    Borders are mirrored as for the full-resolution patch; one more row and
    column repeat the last, so that bilinear interpolation never reads past
    the grid.
    """
    xp = array_module(L)
    small = downscale(xp.asarray(L, dtype=xp.float64), factor)
    h, w = small.shape
    out = xp.empty((h + 1, w + 1, patch_size**2), xp.float32)
    out[:h, :w] = extract_patches(small, patch_size).reshape(h, w, -1)
    out[h, :w] = out[h - 1, :w]
    out[:, w] = out[:, w - 1]
    return out


def local_statistics(L, radii, out=None):
    """Mean and standard deviation of L / 100 over the (2r+1)^2 window around each pixel, for each radius.

    Returns (2 * len(radii), H, W) float32 (or fills `out`): mean and
    standard deviation for the first radius, then for the next. Windows are
    clipped at the borders.
    """
    xp = array_module(L)
    # float64: the features the default model was trained and measured with.
    scaled = xp.asarray(L, dtype=xp.float64) / 100
    planes = xp.stack([scaled, scaled * scaled])
    stats = xp.empty((2 * len(radii), *scaled.shape))
    for k, radius in enumerate(radii):
        means = box_means(planes, radius, stats[2 * k : 2 * k + 2])
        # Second moment minus the squared mean, in place: (mean, std) without more full-size arrays.
        means[1] -= means[0] * means[0]
        xp.sqrt(xp.maximum(means[1], 0, out=means[1]), out=means[1])
    if out is None:
        return stats.astype(xp.float32)
    out[...] = stats
    return out


def texture_window(scale):
    """The radius of the window that a texture plane of this scale averages over."""
    return 4 * scale


def texture_reach(scale):
    """Pixels beyond a pixel that its texture planes of this scale read: the window and the differences."""
    return texture_window(scale) + scale


def oriented_differences(L, scale, out):
    """Fill `out` (4, H, W) with the squared differences of L / 100 between the pixels `scale` before and
    after each pixel along rows, columns, the diagonal and the anti-diagonal, L's edge values repeated."""
    xp = array_module(L)
    s = scale
    height, width = L.shape
    padded = xp.pad(xp.asarray(L, dtype=out.dtype) / 100, s, mode="edge")
    centre_rows, centre_cols = slice(s, s + height), slice(s, s + width)
    before, after = slice(0, height), slice(2 * s, 2 * s + height)
    left, right = slice(0, width), slice(2 * s, 2 * s + width)
    pairs = (
        ((centre_rows, right), (centre_rows, left)),
        ((after, centre_cols), (before, centre_cols)),
        ((after, right), (before, left)),
        ((after, left), (before, right)),
    )
    for plane, (forward, backward) in zip(out, pairs):
        xp.subtract(padded[forward], padded[backward], out=plane)
        plane *= plane
    return out


def texture_energies(L, scales, out=None):
    """The texture planes of L (H, W) in [0, 100]: per scale, the root mean square of
    :func:`oriented_differences` over the window of :func:`texture_window`, shape (4 * len(scales), H, W)
    float32 (or fills `out`). Windows are clipped at the borders.

    >>> import numpy as np
    >>> stripes = np.tile([0.0, 0.0, 100.0, 100.0], (16, 4))  # vertical stripes, 2 pixels wide
    >>> texture_energies(stripes, (1,))[:, 8, 8]  # across the stripes and diagonally; none down them
    array([1., 0., 1., 1.], dtype=float32)
    """
    xp = array_module(L)
    # float64, as the local statistics: box means of squares in float32 lose the small differences.
    planes = xp.empty((N_ORIENTATIONS * len(scales), *L.shape))
    squares = xp.empty((N_ORIENTATIONS, *L.shape))
    for k, scale in enumerate(scales):
        means = box_means(oriented_differences(L, scale, squares), texture_window(scale),
                          planes[N_ORIENTATIONS * k : N_ORIENTATIONS * (k + 1)])
        xp.sqrt(xp.maximum(means, 0, out=means), out=means)
    if out is None:
        return planes.astype(xp.float32)
    out[...] = planes
    return out


def global_descriptor(L):
    """16-bin histogram of L / 100 (fractions of the pixels), its mean and standard deviation.

    >>> import numpy as np
    >>> global_descriptor(np.full((4, 4), 50.0))[[8, 16, 17]]
    array([1. , 0.5, 0. ])
    """
    xp = array_module(L)
    scaled = xp.asarray(L, dtype=xp.float64).ravel() / 100
    histogram = _histogram_counts(scaled) / scaled.size
    return xp.concatenate([histogram, xp.stack([scaled.mean(), scaled.std()])])


def global_descriptor_of_rows(blocks):
    """:func:`global_descriptor` of an image given as blocks of rows of L, for images too large to hold whole.

    ``blocks()`` returns a fresh iterator over the blocks; it is called
    twice: histogram and mean, then the spread about the mean.
    """
    counts, total, n = 0, 0.0, 0
    for L in blocks():
        scaled = L.ravel() / 100
        counts = counts + _histogram_counts(scaled)
        total += float(scaled.sum())
        n += scaled.size
    mean = total / n
    spread = sum(float(((L.ravel() / 100 - mean) ** 2).sum()) for L in blocks())
    return np.concatenate([counts / n, [mean, np.sqrt(spread / n)]])


def _histogram_counts(scaled):
    xp = array_module(scaled)
    bins = xp.clip((scaled * HISTOGRAM_BINS).astype(xp.int64), 0, HISTOGRAM_BINS - 1)
    return xp.bincount(bins, minlength=HISTOGRAM_BINS)


def image_context(L, context, band=None):
    """Compute once per image what :func:`context_at` reads. L is (H, W) in [0, 100], numpy or CuPy.

    `L` may be a :class:`Band` of a larger image's rows: position, multi-scale
    coordinates and the global descriptor are then those of the whole image.
    """
    xp = array_module(L)
    height, width = L.shape
    band = Band(0, height, None) if band is None else band
    image_width = band.image_width or width
    planes = xp.empty((context.n_planes, height, width), xp.float32)
    if context.position:
        rows = xp.arange(band.top, band.top + height, dtype=xp.float32)
        planes[0] = ((rows + 0.5) / band.image_height)[:, None]
        cols = xp.arange(band.left, band.left + width, dtype=xp.float32)
        planes[1] = ((cols + 0.5) / image_width)[None, :]
    offset = 2 * int(context.position)
    if context.local_radii:
        local_statistics(L, context.local_radii, out=planes[offset : offset + 2 * len(context.local_radii)])
    offset += 2 * len(context.local_radii)
    if context.texture_scales:
        texture_energies(L, context.texture_scales, out=planes[offset:])
    scales = context.scales
    if not context.global_features:
        descriptor = xp.zeros(0)
    else:
        descriptor = global_descriptor(L) if band.descriptor is None else xp.asarray(band.descriptor)
    return ImageContext(
        planes=planes,
        coarse=tuple(coarse_patches(L, context.patch_size, s) for s in scales),
        rows=tuple(coarse_coordinates(height, s, xp, band.top, band.image_height) for s in scales),
        cols=tuple(coarse_coordinates(width, s, xp, band.left, image_width) for s in scales),
        descriptor=descriptor,
    )


def context_at(image, rows, cols):
    """Context features of the pixels (rows, cols) of one image, shape (n, n_features), float32.

    `image` is the :class:`ImageContext` of the image.
    """
    xp = array_module(image.planes)
    parts = [image.planes[:, rows, cols].T]
    for coarse, (y0, fy), (x0, fx) in zip(image.coarse, image.rows, image.cols):
        parts.append(interpolate(coarse, (y0[rows], fy[rows]), (x0[cols], fx[cols])))
    if image.descriptor.size:
        parts.append(xp.broadcast_to(image.descriptor.astype(xp.float32), (rows.shape[0], N_GLOBAL)))
    return xp.concatenate(parts, axis=1).astype(xp.float32)
