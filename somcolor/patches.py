"""Patch features: the p x p neighbourhood of L around each pixel.

Borders are mirrored (numpy's ``reflect`` mode), so every pixel has a full
patch and outputs keep the input's size. Features are L / 100, in [0, 1],
as float32. The numba kernels live in :mod:`somcolor._kernels`; the
``*_reference`` functions here are the readable numpy versions they are
tested against.
"""

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _kernels


def check_patch_size(patch_size):
    """Return `patch_size` as an int, or raise ValueError if it is not odd and >= 1."""
    if (
        isinstance(patch_size, bool)
        or not isinstance(patch_size, numbers.Integral)
        or patch_size < 1
        or patch_size % 2 == 0
    ):
        raise ValueError(f"patch_size must be an odd integer >= 1, got {patch_size!r}")
    return int(patch_size)


def pad_lightness(L, patch_size):
    """L / 100 as float32, mirrored by ``patch_size // 2`` pixels on each side."""
    r = patch_size // 2
    scaled = np.asarray(L, dtype=np.float32) / np.float32(100.0)
    return np.pad(scaled, r, mode="reflect")


def extract_patches(L, patch_size, rows=None, cols=None):
    """Patch features of selected pixels, or of all pixels in row-major order.

    Parameters
    ----------
    L : ndarray of shape (H, W)
        Lightness in [0, 100]; H and W must be at least `patch_size`.
    patch_size : int
        Odd side length p of the square patch.
    rows, cols : ndarray of int, optional
        Pixel coordinates. If omitted, every pixel is used.

    Returns
    -------
    features : ndarray of shape (n_pixels, p * p), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> L = np.arange(16.0).reshape(4, 4) * 10
    >>> extract_patches(L, 3, rows=np.array([0]), cols=np.array([0]))
    array([[0.5, 0.4, 0.5, 0.1, 0. , 0.1, 0.5, 0.4, 0.5]], dtype=float32)
    """
    padded = pad_lightness(L, patch_size)
    if rows is None:
        out = np.empty((L.shape[0] * L.shape[1], patch_size * patch_size), np.float32)
        _kernels.dense_patches(patch_size)(padded, out)
    else:
        rows = np.ascontiguousarray(rows, dtype=np.intp)
        cols = np.ascontiguousarray(cols, dtype=np.intp)
        out = np.empty((rows.shape[0], patch_size * patch_size), np.float32)
        _kernels.gather_patches(padded, patch_size, rows, cols, out)
    return out


def extract_patches_reference(L, patch_size, rows=None, cols=None):
    """Numpy version of :func:`extract_patches`, for tests and benchmarks."""
    padded = pad_lightness(L, patch_size)
    windows = sliding_window_view(padded, (patch_size, patch_size))
    if rows is None:
        return windows.reshape(-1, patch_size * patch_size).copy()
    return windows[rows, cols].reshape(-1, patch_size * patch_size)


def patches_xp(padded, patch_size, xp):
    """All patches of a mirrored, scaled L block as (pixels, p * p), with array module xp.

    Stacks p * p shifted views, which both numpy and cupy do in one fused copy.
    """
    height = padded.shape[0] - patch_size + 1
    width = padded.shape[1] - patch_size + 1
    shifted = [
        padded[a : a + height, b : b + width] for a in range(patch_size) for b in range(patch_size)
    ]
    return xp.stack(shifted, axis=-1).reshape(height * width, patch_size * patch_size)


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


def iter_patch_blocks(L, patch_size, block_pixels=1 << 16):
    """Patch features of all pixels, a block of whole image rows at a time.

    Bounds memory by the block rather than the image: a 1-megapixel image of
    11 x 11 patches would otherwise need a 480 MB feature matrix.

    Yields
    ------
    start, stop : int
        The block's first and one-past-last pixel, in row-major order.
    features : ndarray of shape (stop - start, p * p), dtype float32
    """
    height, width = L.shape
    padded = pad_lightness(L, patch_size)
    rows_per_block = max(1, block_pixels // width)
    for r0 in range(0, height, rows_per_block):
        r1 = min(height, r0 + rows_per_block)
        out = np.empty(((r1 - r0) * width, patch_size * patch_size), np.float32)
        _kernels.dense_patches(patch_size)(padded[r0 : r1 + patch_size - 1], out)
        yield r0 * width, r1 * width, out


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
