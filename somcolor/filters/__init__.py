"""Filters: edge-aware smoothing guided by L, and resampling (block means, bilinear, warping)."""

from .guided import guided_filter
from .resample import downscale, upsample, warp

__all__ = ["downscale", "guided_filter", "upsample", "warp"]
