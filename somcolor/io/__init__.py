"""Files: reading and validating images, atomic writes and PNGs written band by band, the bundled data."""

from .datasets import bundled_images, holdout_split
from .images import ImageError, ImageWarning, find_images, read_image
from .writing import write_png

__all__ = ["ImageError", "ImageWarning", "bundled_images", "find_images", "holdout_split", "read_image", "write_png"]
