"""Lightness contrast: a photo flatter than the training photos is seen with its contrast stretched.

A model learns what its features mean from the lightness contrast of its
training photos. A photo whose L spreads much less than theirs (a film scan,
a hazy day, a faded print) reads to it as haze, mist or water all over, and
comes out blue-gray: the BSDS500 film scans spread L by 16.8 on average (its
standard deviation over the photo), the thumbnail collections by 21-23, and
models trained on the thumbnails paint the scans' savannas blue. So where a
photo's spread is below the training photos' mean spread, its features are
computed from its L stretched about its mean up to that spread (clipped to
[0, 100]); its chroma still joins its own L, and smoothing follows its own
edges. Photos as contrasty as the training photos, or more, are seen as they
are. Every function takes numpy or CuPy arrays.
"""

from .._arrays import array_module

#: The most a photo's contrast is stretched: a nearly uniform photo (fog, a blank sky) is not blown up
#: into its noise.
MAX_STRETCH = 4.0


def lightness_spread(L):
    """Mean and standard deviation of L over the image, as floats.

    >>> import numpy as np
    >>> lightness_spread(np.array([[40.0, 60.0]]))
    (50.0, 10.0)
    """
    xp = array_module(L)
    L = xp.asarray(L, dtype=xp.float64)
    return float(L.mean()), float(L.std())


def stretch_factor(spread, target):
    """How much an image of standard deviation `spread` is stretched to be seen like photos of mean
    standard deviation `target` (None: not at all).

    >>> stretch_factor(10.0, 20.0), stretch_factor(30.0, 20.0), stretch_factor(1.0, 20.0), stretch_factor(10.0, None)
    (2.0, 1.0, 4.0, 1.0)
    """
    if target is None:
        return 1.0
    return MAX_STRETCH if spread * MAX_STRETCH <= target else max(1.0, target / spread)


def stretched(L, mean, factor):
    """L stretched about `mean` by `factor`, clipped to [0, 100], float32.

    >>> import numpy as np
    >>> stretched(np.array([[40.0, 60.0, 90.0]]), 50.0, 2.0)
    array([[ 30.,  70., 100.]], dtype=float32)
    """
    xp = array_module(L)
    out = xp.asarray(L, dtype=xp.float32) - xp.float32(mean)
    out *= xp.float32(factor)
    out += xp.float32(mean)
    return xp.clip(out, 0, 100, out=out)


def seen_lightness(L, target, stats=None):
    """L as a model whose training photos spread their L by `target` on average sees it: stretched, or L
    itself (the same object) where it needs no stretch. `stats`: the whole image's (mean, spread), for a
    band of its rows.

    >>> import numpy as np
    >>> L = np.array([[45.0, 55.0]])
    >>> seen_lightness(L, 10.0)
    array([[40., 60.]], dtype=float32)
    >>> seen_lightness(L, 4.0) is L
    True
    """
    if target is None:
        return L
    mean, spread = lightness_spread(L) if stats is None else stats
    factor = stretch_factor(spread, target)
    return L if factor == 1 else stretched(L, mean, factor)


def stretch_target(model):
    """The mean spread of a fitted model's training photos that photos are stretched to, or None where it
    sees them as they are (``contrast_stretch=False``, or a model saved before there was one)."""
    return getattr(model, "lightness_spread_", None) if model.contrast_stretch else None
