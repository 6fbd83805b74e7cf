"""Training samples: pixels drawn from color photos, with their features and true chroma.

Each photo can be sampled in several versions (augmentation): mirrored, and
rescaled, so that what the model learns does not depend on the training
photos' orientation and resolution; the pixels of a photo are shared out
among its versions, so the number of samples stays the same.

A photo is held as it was read (3 bytes a pixel for 8-bit RGB); its
lightness and context are computed a tile at a time, with the margin its
features read, so that a large photo costs its pixels and one tile, never
full-size float copies. Transparent pixels (alpha 0) are never drawn, and a
photo without color (a black-and-white photo saved as RGB) is refused, or
skipped with a warning where the caller allows it: a colorizer trained on it
would learn gray.
"""

import warnings
from typing import NamedTuple

import numpy as np
from skimage.transform import rescale

from ..color import lightness, rgb_to_luv
from ..filters.resample import downscale, working_factor
from ..io.images import DEFAULT_MAX_PIXELS, ImageError, ImageWarning, image_name, read_color, to_float
from .context import Band, context_at, global_descriptor_of_rows, image_context
from .contrast import lightness_spread
from .patches import extract_patches, pixel_blocks, row_blocks, tile_shape

#: A photo whose sampled pixels have chroma (the length of (U, V), CIELUV units) under this, 99 in 100 of
#: them, has no color: gray photos saved as RGB stay under 0.01, the color photos of ``../shared/data``
#: (2,345, from four sources) reach 6 to 78.
COLORLESS_CHROMA = 2.0

#: Pixels of a training photo whose lightness and context are computed at a time.
TILE_PIXELS = 1 << 22


class PhotoStats(NamedTuple):
    """What a fitted model keeps of each training photo: its short side (the working resolution) and the
    standard deviation of its L at that resolution (:mod:`somcolor.features.contrast`)."""

    short_side: int
    spread: float


class Sampling(NamedTuple):
    """How training pixels are drawn from each photo."""

    pixels_per_image: int
    scales: tuple = (1.0,)  # the photo is also sampled rescaled by these factors
    mirror: bool = False  # and mirrored left to right
    working_side: int = None  # photos much larger are first brought near this short side, as colorizing does

    def versions(self):
        """The (scale, mirrored) versions of a photo that share its pixels."""
        return [(scale, flip) for scale in self.scales for flip in ((False, True) if self.mirror else (False,))]


def photo_version(pixels, scale, mirrored):
    """A color photo rescaled (anti-aliased when shrinking) and mirrored; pixels of its dtype in, floats out
    when rescaled."""
    if scale != 1.0:
        pixels = rescale(to_float(pixels), scale, order=1, anti_aliasing=scale < 1, channel_axis=2)
    return pixels[:, ::-1] if mirrored else pixels


def sample_pixels(shape, n_pixels, random_state, mask=None):
    """Draw `n_pixels` distinct pixel coordinates uniformly (all if fewer exist), among those where `mask`
    is true if given.

    Parameters
    ----------
    shape : tuple (H, W)
    n_pixels : int
    random_state : numpy.random.RandomState
    mask : ndarray of bool of shape (H, W), optional

    Returns
    -------
    rows, cols : ndarray of int
    """
    height, width = shape
    if mask is None:
        total = height * width
        if n_pixels >= total:
            flat = np.arange(total)
        else:
            flat = np.sort(random_state.choice(total, size=n_pixels, replace=False))
    else:
        candidates = np.flatnonzero(mask)
        if n_pixels >= candidates.size:
            flat = candidates
        else:
            flat = candidates[np.sort(random_state.choice(candidates.size, size=n_pixels, replace=False))]
    return flat // width, flat % width


def pixel_features(L, context, rows, cols, band=None):
    """Features of the pixels (rows, cols) of lightness L: the patch, then the context.

    Parameters
    ----------
    L : ndarray of shape (H, W)
        Lightness in [0, 100].
    context : somcolor.features.context.Context
        Patch size and context features.
    rows, cols : ndarray of int
    band : somcolor.features.context.Band, optional
        Where L lies in a larger image, for a tile of it.

    Returns
    -------
    features : ndarray of shape (n_pixels, p * p + context.n_features), dtype float32
    """
    patches = extract_patches(L, context.patch_size, rows, cols)
    if not context:
        return patches
    return np.concatenate([patches, context_at(image_context(L, context, band), rows, cols)], axis=1)


def sample_training_pixels(
    images, context, sampling, random_state, first_index=0, max_pixels=DEFAULT_MAX_PIXELS, skip_colorless=False
):
    """Features and true (U, V) of pixels sampled from color images.

    Parameters
    ----------
    images : iterable of images
        Color images (arrays or paths); read one at a time, so memory holds
        only the samples, one photo as read and one tile of it.
    context : somcolor.features.context.Context
        Patch size and context features (see :func:`pixel_features`).
    sampling : Sampling or int
        Pixels per image, and the versions of each photo they are drawn
        from; an int is that many pixels of the photo as it is.
    random_state : numpy.random.RandomState
    first_index : int
        Position of the first image in the caller's list, for error messages.
    max_pixels : int
        Larger images are refused.
    skip_colorless : bool or container
        Photos without color (:data:`COLORLESS_CHROMA`) are refused
        (:class:`~somcolor.io.images.ImageError` naming the photo), unless
        this is True, or a container that holds them (the photos found in a
        folder, say): then each is skipped with an
        :class:`~somcolor.io.images.ImageWarning` naming it.

    Returns
    -------
    features : ndarray of shape (n_samples, n_features), dtype float32
    chroma : ndarray of shape (n_samples, 2)
    photos : list of PhotoStats
        The short side of each photo kept, in pixels, and the spread of its L.
    """
    sampling = Sampling(sampling) if isinstance(sampling, (int, np.integer)) else sampling
    versions = sampling.versions()
    share = -(-sampling.pixels_per_image // len(versions))
    features, chroma, photos = [], [], []
    for index, image in enumerate(images, start=first_index):
        name = image_name(image, index)
        photo, alpha = read_color(image, index, max_pixels, alpha=True)
        short_side = min(photo.shape[:2])
        factor = working_factor(photo.shape, sampling.working_side)
        if factor > 1:
            photo = downscale_pixels(photo, factor)
            alpha = None if alpha is None else downscale(to_float(alpha), factor)
        opaque = None if alpha is None else alpha > 0
        if opaque is not None and not opaque.any():
            raise ImageError(f"{name}: every pixel is transparent: nothing to learn colors from")
        # The photo's own L once, where it is one tile: its mirror is the mirrored L.
        photo_L = lightness(photo) if photo.shape[0] * photo.shape[1] <= TILE_PIXELS else None
        stats = PhotoStats(short_side, _spread(photo, photo_L))
        photo_features, photo_chroma = [], []
        for scale, mirrored in versions:
            pixels = photo_version(photo, scale, mirrored)
            mask = None if opaque is None else _mask_version(opaque, scale, mirrored)
            L = None
            if scale != 1.0:
                L = lightness(pixels)
            elif photo_L is not None:
                L = np.ascontiguousarray(photo_L[:, ::-1]) if mirrored else photo_L
            rows, cols = sample_pixels(pixels.shape[:2], share, random_state, mask)
            photo_features.append(version_features(pixels, L, context, rows, cols))
            # (U, V) at the sampled pixels only.
            photo_chroma.append(rgb_to_luv(to_float(pixels[rows, cols])[np.newaxis])[0, :, 1:])
        uv = np.concatenate(photo_chroma)
        if np.percentile(np.hypot(uv[:, 0], uv[:, 1]), 99) < COLORLESS_CHROMA:
            message = (f"{name}: has no color (a black-and-white photo saved as RGB?): a colorizer learns colors "
                       "from color photos")
            if skip_colorless is True or (skip_colorless and _holds(skip_colorless, image)):
                warnings.warn(f"{message}; skipped", ImageWarning, stacklevel=2)
                continue
            raise ImageError(message)
        features.extend(photo_features)
        chroma.append(uv)
        photos.append(stats)
    if not features:
        return np.empty((0, context.patch_size**2 + context.n_features), np.float32), np.empty((0, 2)), photos
    return np.concatenate(features), np.concatenate(chroma), photos


def _holds(container, image):
    try:
        return image in container
    except TypeError:  # an array, say: never among the photos that may be skipped
        return False


def _mask_version(opaque, scale, mirrored):
    """Which pixels of a photo version are opaque, as :func:`photo_version` makes the version."""
    if scale != 1.0:
        opaque = rescale(opaque.astype(np.float64), scale, order=1, anti_aliasing=scale < 1) > 0.5
    return opaque[:, ::-1] if mirrored else opaque


def _spread(photo, L):
    """The standard deviation of a photo's L: of `L` where given, else computed a block of rows at a time."""
    if L is not None:
        return lightness_spread(L)[1]

    def blocks():
        return (lightness(photo[r0:r1]) for r0, r1 in row_blocks(*photo.shape[:2], TILE_PIXELS))

    return float(100 * global_descriptor_of_rows(blocks)[-1])


def downscale_pixels(pixels, factor):
    """Means of `factor` x `factor` blocks of each channel of an image's pixels, floats (h, w, 3), computed a
    band of rows at a time: never a full-size float copy."""
    height, width = pixels.shape[:2]
    out = np.empty((-(-height // factor), -(-width // factor), pixels.shape[2]))
    rows = max(factor, TILE_PIXELS // width // factor * factor)
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        for channel in range(pixels.shape[2]):
            out[r0 // factor : -(-r1 // factor), :, channel] = downscale(to_float(pixels[r0:r1, :, channel]), factor)
    return out


def version_features(pixels, L, context, rows, cols, tile_pixels=TILE_PIXELS):
    """Features (see :func:`pixel_features`) of the pixels (rows, cols) of a photo version's pixels: from its
    whole lightness `L` where given, else a tile at a time (each with the margin its features read), as
    colorizing computes them."""
    if L is not None:
        return pixel_features(L, context, rows, cols)
    height, width = pixels.shape[:2]
    def blocks():
        return (lightness(np.ascontiguousarray(pixels[r0:r1, c0:c1]))
                for r0, r1, c0, c1 in pixel_blocks(height, width, tile_pixels))

    descriptor = global_descriptor_of_rows(blocks) if context.global_features else None
    align = int(np.lcm.reduce(context.scales)) if context.scales else 1
    margin = context.reach
    tile_rows, tile_cols = tile_shape(height, width, margin, tile_pixels, align)
    out = np.empty((len(rows), context.patch_size**2 + context.n_features), np.float32)
    for r0 in range(0, height, tile_rows):
        r1 = min(height, r0 + tile_rows)
        for c0 in range(0, width, tile_cols):
            c1 = min(width, c0 + tile_cols)
            inside = np.flatnonzero((rows >= r0) & (rows < r1) & (cols >= c0) & (cols < c1))
            if not inside.size:
                continue
            top, bottom = max(0, r0 - margin) // align * align, min(height, r1 + margin)
            left, right = max(0, c0 - margin) // align * align, min(width, c1 + margin)
            tile = lightness(np.ascontiguousarray(pixels[top:bottom, left:right]))
            out[inside] = pixel_features(tile, context, rows[inside] - top, cols[inside] - left,
                                         Band(top, height, descriptor, left, width))
    return out


class Reservoir:
    """A uniform random sample of at most `size` rows from a stream (Vitter's algorithm R).

    Memory stays at `size` rows however long the stream: the SOM of an
    out-of-core fit is trained on this sample of the chroma values.

    >>> r = Reservoir(3, np.random.RandomState(0))
    >>> r.add(np.arange(10).reshape(5, 2)); r.seen, r.sample.shape
    (5, (3, 2))
    """

    def __init__(self, size, random_state):
        self.size = size
        self.random_state = random_state
        self.seen = 0
        self._rows = None

    def add(self, rows):
        rows = np.asarray(rows)
        if self._rows is None:
            self._rows = np.empty((self.size,) + rows.shape[1:], dtype=rows.dtype)
        free = max(0, min(self.size - self.seen, len(rows)))
        self._rows[self.seen : self.seen + free] = rows[:free]
        rest = rows[free:]
        # Row number t (0-based) of the stream replaces a random slot with
        # probability size / (t + 1).
        t = self.seen + free + np.arange(len(rest))
        slots = (self.random_state.random_sample(len(rest)) * (t + 1)).astype(np.int64)
        keep = slots < self.size
        self._rows[slots[keep]] = rest[keep]
        self.seen += len(rows)

    @property
    def sample(self):
        return self._rows[: min(self.seen, self.size)]
