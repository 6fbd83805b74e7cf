"""Training samples: pixels drawn from color photos, with their features and true chroma.

Each photo can be sampled in several versions (augmentation): mirrored, and
rescaled, so that what the model learns does not depend on the training
photos' orientation and resolution; the pixels of a photo are shared out
among its versions, so the number of samples stays the same.
"""

from typing import NamedTuple

import numpy as np
from skimage.transform import rescale

from ..color import lightness, rgb_to_luv
from ..filters.resample import downscale, working_factor
from ..io.images import DEFAULT_MAX_PIXELS, read_color, to_float
from .context import context_at, image_context
from .contrast import lightness_spread
from .patches import extract_patches


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


def sample_pixels(shape, n_pixels, random_state):
    """Draw `n_pixels` distinct pixel coordinates uniformly (all if fewer exist).

    Parameters
    ----------
    shape : tuple (H, W)
    n_pixels : int
    random_state : numpy.random.RandomState

    Returns
    -------
    rows, cols : ndarray of int
    """
    height, width = shape
    total = height * width
    if n_pixels >= total:
        flat = np.arange(total)
    else:
        flat = np.sort(random_state.choice(total, size=n_pixels, replace=False))
    return flat // width, flat % width


def pixel_features(L, context, rows, cols):
    """Features of the pixels (rows, cols) of lightness L: the patch, then the context.

    Parameters
    ----------
    L : ndarray of shape (H, W)
        Lightness in [0, 100].
    context : somcolor.features.context.Context
        Patch size and context features.
    rows, cols : ndarray of int

    Returns
    -------
    features : ndarray of shape (n_pixels, p * p + context.n_features), dtype float32
    """
    patches = extract_patches(L, context.patch_size, rows, cols)
    if not context:
        return patches
    return np.concatenate([patches, context_at(image_context(L, context), rows, cols)], axis=1)


def sample_training_pixels(
    images, context, sampling, random_state, first_index=0, max_pixels=DEFAULT_MAX_PIXELS
):
    """Features and true (U, V) of pixels sampled from color images.

    Parameters
    ----------
    images : iterable of images
        Color images (arrays or paths); read one at a time, so memory holds
        only the samples.
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

    Returns
    -------
    features : ndarray of shape (n_samples, n_features), dtype float32
    chroma : ndarray of shape (n_samples, 2)
    photos : list of PhotoStats
        The short side of each photo, in pixels, and the spread of its L.
    """
    sampling = Sampling(sampling) if isinstance(sampling, (int, np.integer)) else sampling
    versions = sampling.versions()
    share = -(-sampling.pixels_per_image // len(versions))
    features, chroma, photos = [], [], []
    for index, image in enumerate(images, start=first_index):
        photo = read_color(image, index, max_pixels)
        short_side = min(photo.shape[:2])
        factor = working_factor(photo.shape, sampling.working_side)
        if factor > 1:
            photo = np.stack([downscale(channel, factor) for channel in np.moveaxis(to_float(photo), 2, 0)], axis=2)
        photo_L = lightness(photo)
        photos.append(PhotoStats(short_side, lightness_spread(photo_L)[1]))
        for scale, mirrored in versions:
            pixels = photo_version(photo, scale, mirrored)
            # L as colorizing computes it (a mirror's L is the mirrored L; a rescaled photo's is its own);
            # (U, V) at the sampled pixels only.
            L = np.ascontiguousarray(photo_L[:, ::-1] if mirrored else photo_L) if scale == 1.0 else lightness(pixels)
            rows, cols = sample_pixels(L.shape, share, random_state)
            features.append(pixel_features(L, context, rows, cols))
            chroma.append(rgb_to_luv(to_float(pixels[rows, cols])[np.newaxis])[0, :, 1:])
    return np.concatenate(features), np.concatenate(chroma), photos


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
