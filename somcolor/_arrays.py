"""Which array module an array belongs to (numpy or CuPy), and kept scratch memory.

The array code runs on either and takes its array module from its input
(:func:`array_module`). The device that colorizes is chosen in one other
place: :mod:`somcolor.inference.backend`.
"""

import threading

import numpy as np

DEVICES = ("cpu", "cuda")
GPU_EXTRA = 'pip install "somcolor[gpu]"'


def cupy_module():
    """Import CuPy, or say which extra installs it."""
    try:
        import cupy
    except ImportError:
        raise ImportError(f'device="cuda" needs CuPy, which is not installed: {GPU_EXTRA}') from None
    return cupy


def array_module(array):
    """numpy, or CuPy for a CuPy array (without importing CuPy for numpy input).

    >>> array_module(np.zeros(2)) is np
    True
    """
    if type(array).__module__.split(".")[0] == "cupy":
        return cupy_module()
    return np


_WORK = threading.local()
_WORK_KEPT_BYTES = 1 << 26


def work_array(key, shape, dtype=np.float64):
    """A scratch array for a kernel, kept between calls (per thread, up to 64 MB each).

    Fresh arrays of a megabyte or more come from mmap, and faulting their
    pages in cost 2-3x the work of the guided filter and the local
    statistics at 256 x 256 (measured); a kept array costs nothing the
    second time. Contents are undefined.
    """
    kept = _WORK.__dict__
    array = kept.get(key)
    if array is None or array.shape != tuple(shape) or array.dtype != dtype:
        array = np.empty(shape, dtype)
        if array.nbytes <= _WORK_KEPT_BYTES:
            kept[key] = array
    return array
