"""Edge-aware smoothing of the predicted chroma, guided by the input's lightness.

A p x p patch sees too little to keep neighbouring pixels of one surface in
one color class, so the decoded chroma is speckled on texture. The guided
filter of He, Sun & Tang (2010) averages the chroma locally as a linear
function of L: flat regions are smoothed, while wherever L has an edge the
chroma may change with it, so colors do not bleed across edges. Box means
are running sums, so the cost does not grow with the radius.

:func:`guided_filter` runs the numba kernel for numpy arrays and
:func:`guided_filter_array` for CuPy arrays; the latter, run with numpy, is
the reference the kernel is tested against.
"""

import numpy as np

from .._arrays import array_module, work_array
from . import _kernels


def guided_filter(guide, src, radius, eps, out=None):
    """Smooth `src` guided by `guide`, keeping the guide's edges.

    Parameters
    ----------
    guide : array of shape (H, W)
        The guidance image, e.g. L / 100.
    src : array of shape (H, W) or (C, H, W)
        What to smooth, e.g. the (U, V) chroma planes. The arithmetic runs in
        its dtype (float32 or float64).
    radius : int
        Window radius in pixels.
    eps : float
        Regularisation: guide variations whose variance in the window is
        well below `eps` are smoothed over, those well above it are kept.
    out : array like `src`, optional
        Where to write the result (not `src` itself).

    Returns
    -------
    smoothed : array like `src`

    Examples
    --------
    >>> guide = np.repeat([[0.0] * 4 + [1.0] * 4], 3, axis=0)  # a step edge
    >>> src = guide * 10
    >>> np.allclose(guided_filter(guide, src, 2, 1e-4), src, atol=0.01)
    True
    """
    xp = array_module(src)
    if xp is not np:
        result = guided_filter_array(guide.astype(src.dtype), src, radius, eps)
        if out is None:
            return result
        out[...] = result
        return out
    dtype = src.dtype if src.dtype in (np.float32, np.float64) else np.float64
    planes = np.ascontiguousarray(src[np.newaxis] if src.ndim == 2 else src, dtype=dtype)
    out = np.empty(src.shape, dtype) if out is None else out
    work = work_array("guided_filter", (2, 2 + 2 * planes.shape[0], *planes.shape[1:]), dtype)
    _kernels.guided_filter(
        np.ascontiguousarray(guide, dtype=dtype), planes, int(radius), float(eps),
        out[np.newaxis] if out.ndim == 2 else out, work,
    )
    return out


def guided_filter_array(guide, src, radius, eps):
    """:func:`guided_filter` in array code, for numpy or CuPy arrays (src (H, W) or (C, H, W))."""
    I = guide  # noqa: E741 (the paper's names); broadcasts over the planes of src
    mean_i = box_mean_array(I, radius)
    mean_p = box_mean_array(src, radius)
    cov_ip = box_mean_array(I * src, radius) - mean_i * mean_p
    var_i = box_mean_array(I * I, radius) - mean_i * mean_i
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return box_mean_array(a, radius) * I + box_mean_array(b, radius)


def box_means(planes, radius, out):
    """Fill `out` with the clipped (2r+1)^2 window means of `planes` (P, H, W): the numba kernel for numpy
    arrays, :func:`box_mean_array` for CuPy ones."""
    if array_module(planes) is np:
        _kernels.box_means(planes, radius, out)
    else:
        out[...] = box_mean_array(planes, radius)
    return out


def box_mean_array(a, radius):
    """Mean of `a` over the (2r+1) x (2r+1) window around each pixel, clipped at the borders.

    `a` has shape (..., H, W); the window spans the last two axes. By
    cumulative sums, in array code (numpy or CuPy).
    """
    xp = array_module(a)
    for axis in (a.ndim - 2, a.ndim - 1):
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
