"""somcolor: colorize grayscale photos with a self-organizing map and a small MLP.

The names below load on first use (PEP 562), so that ``somcolor --help`` and
``import somcolor`` do not pay for scikit-learn, numba and scikit-image until
something needs them.
"""

from importlib import import_module

from ._version import __version__  # noqa: F401

# Public name -> the module that defines it.
_EXPORTS = {
    "SOMColorizer": ".estimator",
    "metrics": ".evaluation.metrics",
    "InterleavedImageFolds": ".evaluation.model_selection",
    "grid_search": ".evaluation.model_selection",
    "SCORERS": ".evaluation.scorers",
    "bundled_images": ".io.datasets",
    "holdout_split": ".io.datasets",
    "ImageError": ".io.images",
    "ImageWarning": ".io.images",
    "ModelFileError": ".persistence",
    "load_model": ".persistence",
    "save_model": ".persistence",
    "UVQuantizer": ".quantizer",
    "colorize_video": ".video",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'somcolor' has no attribute {name!r}")
    module = import_module(_EXPORTS[name], __name__)
    value = module if name == "metrics" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_EXPORTS])
