"""somcolor: colorize grayscale photos with a self-organizing map and a small MLP."""

from .datasets import bundled_images, holdout_split
from .estimator import SOMColorizer
from .images import ImageError
from .persistence import load_model, save_model
from .quantizer import UVQuantizer
from .video import colorize_video

__version__ = "0.1.0"

__all__ = [
    "ImageError",
    "SOMColorizer",
    "UVQuantizer",
    "bundled_images",
    "colorize_video",
    "holdout_split",
    "load_model",
    "save_model",
]
