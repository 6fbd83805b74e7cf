"""How somcolor's numba kernels are compiled and run: the one place that holds numba's settings.

- **Threading layer.** numba's default, GNU OpenMP, does not survive ``fork``: a
  ``multiprocessing`` pool forked after a kernel ran has its workers killed and
  waits for them forever. somcolor selects numba's ``workqueue`` layer, which
  survives it, unless ``NUMBA_THREADING_LAYER`` says otherwise. That layer aborts
  the process when two threads launch parallel kernels at once, so every launch
  of a parallel kernel here holds one lock (:func:`parallel_kernel`): threads
  take turns, each launch using every core. Where another layer runs anyway (set
  by the user, or started before somcolor was imported) and is OpenMP, a forked
  child refuses to launch a kernel with a message saying why, instead of dying.
- **Cache.** numba caches compiled kernels beside their sources or in the user's
  cache folder. Where neither can be written (a read-only install with a HOME
  that cannot be written), they are cached in a private folder under the
  temporary folder, or, where none can be made, compiled in every process; a
  :class:`KernelCacheWarning` says which.
"""

import functools
import os
import tempfile
import threading
import warnings

import numba
from numba import njit

#: The threading layer somcolor selects where the user has not chosen one.
THREADING_LAYER = "workqueue"


class KernelCacheWarning(UserWarning):
    """numba cannot cache somcolor's compiled kernels where it usually does."""


def _select_threading_layer():
    from numba.np.ufunc import parallel

    if "NUMBA_THREADING_LAYER" not in os.environ and not parallel._is_initialized:
        numba.config.THREADING_LAYER = THREADING_LAYER


_select_threading_layer()

# Held by every launch of a parallel kernel; a fork waits for the launch in progress to end.
_LAUNCH = threading.Lock()
_FORKED_FROM_OPENMP = False


def _after_fork_in_child():
    global _LAUNCH, _FORKED_FROM_OPENMP
    _LAUNCH = threading.Lock()
    from numba.np.ufunc import parallel

    if parallel._is_initialized and numba.threading_layer() == "omp":
        _FORKED_FROM_OPENMP = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=lambda: _LAUNCH.acquire(), after_in_parent=lambda: _LAUNCH.release(),
                        after_in_child=_after_fork_in_child)


class ParallelKernel:
    """A parallel numba kernel whose launches take turns (see the module docstring); the numba dispatcher
    itself is ``dispatcher``, for kernels that call it from compiled code."""

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        functools.update_wrapper(self, dispatcher.py_func)

    def __call__(self, *args):
        if _FORKED_FROM_OPENMP:
            raise RuntimeError(
                "this process was forked from one whose numba kernels ran on GNU OpenMP threads, which do not "
                "survive fork: start workers with multiprocessing's 'spawn' or 'forkserver' method, or leave "
                f"NUMBA_THREADING_LAYER unset (somcolor then uses {THREADING_LAYER!r}, which survives fork)"
            )
        with _LAUNCH:
            return self.dispatcher(*args)

    def __getattr__(self, name):
        return getattr(self.dispatcher, name)


def parallel_kernel(**options):
    """``njit(parallel=True, cache=...)`` for a kernel called from Python: its launches take turns."""

    def decorate(function):
        return ParallelKernel(cached_jit(function, parallel=True, **options))

    return decorate


def serial_kernel(**options):
    """``njit(cache=...)`` for a kernel without parallel loops (it never touches the threading layer)."""

    def decorate(function):
        return cached_jit(function, **options)

    return decorate


def cached_jit(function, **options):
    """``njit(**options)`` of `function`, cached on disk where numba can cache it (see the module docstring)."""
    while _CACHE["on"]:
        try:
            return njit(cache=True, **options)(function)
        except RuntimeError as exc:  # "cannot cache function ...: no locator available for file ..."
            if "cannot cache" not in str(exc):
                raise
            _fall_back()
    return njit(**options)(function)


_CACHE = {"on": True, "fell_back": False}


def _fall_back():
    """numba found nowhere to cache a kernel: a private folder under the temporary folder, the first time;
    no cache, if that fails too."""
    folder = None if _CACHE["fell_back"] or numba.config.CACHE_DIR else _private_cache_folder()
    _CACHE["fell_back"] = True
    if folder is not None:
        numba.config.CACHE_DIR = folder
        warnings.warn(f"numba cannot cache somcolor's compiled kernels beside the package or in your cache folder "
                      f"(neither can be written); caching them in {folder} instead", KernelCacheWarning, stacklevel=5)
        return
    _CACHE["on"] = False
    warnings.warn("numba cannot cache somcolor's compiled kernels anywhere (no folder can be written): every run "
                  "compiles them again (about half a minute); set NUMBA_CACHE_DIR to a writable folder",
                  KernelCacheWarning, stacklevel=5)


def _private_cache_folder():
    """A folder of this user's alone under the temporary folder (made with mode 0700, and refused if someone
    else owns it or can write to it: cached kernels are code), or None."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = os.path.join(tempfile.gettempdir(), f"somcolor-numba-cache-{uid}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if not os.path.isdir(folder) or os.path.islink(folder) or info.st_uid != uid or info.st_mode & 0o022:
            return None
        probe = tempfile.TemporaryFile(dir=folder)
        probe.close()
    except OSError:
        return None
    return folder
