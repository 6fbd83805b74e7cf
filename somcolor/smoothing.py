"""Edge-aware smoothing of the predicted chroma, guided by the input's lightness.

A p x p patch sees too little to keep neighbouring pixels of one surface in
one color class, so the decoded chroma is speckled on texture. The guided
filter of He, Sun & Tang (2010) averages the chroma locally as a linear
function of L: flat regions are smoothed, while wherever L has an edge the
chroma may change with it, so colors do not bleed across edges. Box means
are running sums, so the cost does not grow with the radius.

:func:`guided_filter` runs a numba kernel for numpy arrays; the ``*_reference``
functions are the readable array-module versions it is tested against, and
what runs with CuPy.
"""

import numpy as np

from . import _kernels


def guided_filter(guide, src, radius, eps, xp=np):
    """Smooth `src` (H, W) or (H, W, C) guided by `guide` (H, W), keeping the guide's edges.

    Parameters
    ----------
    guide : array of shape (H, W)
        The guidance image, e.g. L / 100.
    src : array of shape (H, W) or (H, W, C)
        What to smooth, e.g. the (U, V) chroma.
    radius : int
        Window radius in pixels.
    eps : float
        Regularisation: guide variations whose variance in the window is
        well below `eps` are smoothed over, those well above it are kept.
    xp : module
        numpy (float64 result, numba kernel) or cupy.

    Examples
    --------
    >>> guide = np.repeat([[0.0] * 4 + [1.0] * 4], 3, axis=0)  # a step edge
    >>> src = guide * 10
    >>> np.allclose(guided_filter(guide, src, 2, 1e-4), src, atol=0.01)
    True
    """
    if xp is not np:
        return guided_filter_reference(guide, src, radius, eps, xp)
    planes = src[np.newaxis] if src.ndim == 2 else np.moveaxis(src, -1, 0)
    out = np.empty(planes.shape)
    work = np.empty((2, 2 + 2 * planes.shape[0], *planes.shape[1:]))
    _kernels.guided_filter(
        np.ascontiguousarray(guide, dtype=np.float64),
        np.ascontiguousarray(planes, dtype=np.float64),
        int(radius),
        float(eps),
        out,
        work,
    )
    return out[0] if src.ndim == 2 else np.moveaxis(out, 0, -1)


def guided_filter_reference(guide, src, radius, eps, xp):
    """:func:`guided_filter` written against an array module (numpy or cupy)."""
    I = guide[..., None] if src.ndim == 3 else guide  # noqa: E741 (the paper's names)
    mean_i = box_mean_reference(I, radius, xp)
    mean_p = box_mean_reference(src, radius, xp)
    cov_ip = box_mean_reference(I * src, radius, xp) - mean_i * mean_p
    var_i = box_mean_reference(I * I, radius, xp) - mean_i * mean_i
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return box_mean_reference(a, radius, xp) * I + box_mean_reference(b, radius, xp)


def box_mean_reference(a, radius, xp):
    """Mean of `a` over the (2r+1) x (2r+1) window around each pixel, clipped at the borders.

    `a` has shape (H, W) or (H, W, C); the window spans the first two axes.
    By cumulative sums, with array module `xp` (numpy or cupy).
    """
    for axis in (0, 1):
        n = a.shape[axis]
        cumulative = xp.cumsum(a, axis=axis)
        zero = xp.zeros_like(xp.take(cumulative, [0], axis=axis))
        cumulative = xp.concatenate([zero, cumulative], axis=axis)
        index = xp.arange(n)
        low = xp.clip(index - radius, 0, n)
        high = xp.clip(index + radius + 1, 0, n)
        shape = [1] * a.ndim
        shape[axis] = n
        count = (high - low).reshape(shape).astype(a.dtype)
        a = (xp.take(cumulative, high, axis=axis) - xp.take(cumulative, low, axis=axis)) / count
    return a
