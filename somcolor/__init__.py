"""somcolor: colorize grayscale photos with a self-organizing map and a small MLP."""

from .estimator import SOMColorizer
from .evaluation import metrics
from .evaluation.model_selection import InterleavedImageFolds, grid_search
from .evaluation.scorers import SCORERS
from .io.datasets import bundled_images, holdout_split
from .io.images import ImageError, ImageWarning
from .persistence import ModelFileError, load_model, save_model
from .quantizer import UVQuantizer
from .video import colorize_video

__version__ = "0.2.0"

__all__ = [
    "ImageError",
    "ImageWarning",
    "InterleavedImageFolds",
    "ModelFileError",
    "SCORERS",
    "SOMColorizer",
    "UVQuantizer",
    "bundled_images",
    "colorize_video",
    "grid_search",
    "holdout_split",
    "load_model",
    "metrics",
    "save_model",
]
