"""The colour stage: sRGB <-> CIELUV, and the lightness of any gray or color input."""

from .convert import (
    gray_of_lightness,
    grayscale,
    lightness,
    lightness_array,
    luv_to_rgb,
    luv_planes_to_rgb,
    luv_to_rgb_array,
    merge_luv,
    rgb_to_luv,
)

__all__ = [
    "gray_of_lightness",
    "grayscale",
    "lightness",
    "lightness_array",
    "luv_to_rgb",
    "luv_planes_to_rgb",
    "luv_to_rgb_array",
    "merge_luv",
    "rgb_to_luv",
]
