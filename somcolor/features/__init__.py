"""The feature stage: what the MLP sees of each pixel (its patch of L and context), and training samples."""

from .context import Context
from .patches import extract_patches
from .sampling import pixel_features, sample_training_pixels

__all__ = ["Context", "extract_patches", "pixel_features", "sample_training_pixels"]
