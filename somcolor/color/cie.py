"""The CIE numbers of sRGB and CIELUV (D65 white, 2-degree observer), named once, and their exact formulas.

Every colour conversion in somcolor, the numba kernels' tables included, is
built from these; the values are scikit-image's, so that the fast paths match
``skimage.color``. The formulas take numpy or CuPy arrays.
"""

import numpy as np

from .._arrays import array_module

XYZ_FROM_RGB = np.array(
    [
        [0.412453, 0.357580, 0.180423],
        [0.212671, 0.715160, 0.072169],
        [0.019334, 0.119193, 0.950227],
    ]
)
RGB_FROM_XYZ = np.linalg.inv(XYZ_FROM_RGB)
Y_FROM_RGB = XYZ_FROM_RGB[1]
WHITE = np.array([0.95047, 1.0, 1.08883])
# Python floats, so that float32 arrays stay float32 in the formulas.
U0 = float(4 * WHITE[0] / (WHITE[0] + 15 * WHITE[1] + 3 * WHITE[2]))
V0 = float(9 * WHITE[1] / (WHITE[0] + 15 * WHITE[1] + 3 * WHITE[2]))

# sRGB transfer curve: linear near black, a power law above the knee.
SRGB_KNEE = 0.04045  # encoded value where the linear segment ends
LINEAR_KNEE = 0.0031308  # the same point in linear light
SRGB_SLOPE = 12.92
SRGB_GAMMA = 2.4
SRGB_SCALE = 1.055
SRGB_OFFSET = 0.055

# CIE lightness: a cube root of luminance Y above the knee, linear below.
Y_KNEE = 0.008856
KAPPA = 903.3
L_KNEE = 7.999625  # KAPPA * Y_KNEE, the knee in L


def srgb_to_linear(c):
    """Linear light of sRGB-encoded values in [0, 1]."""
    xp = array_module(c)
    return xp.where(c > SRGB_KNEE, ((c + SRGB_OFFSET) / SRGB_SCALE) ** SRGB_GAMMA, c / SRGB_SLOPE)


def linear_to_srgb(c):
    """sRGB encoding of linear light (negative values take the linear segment)."""
    xp = array_module(c)
    positive = xp.maximum(c, 0)
    return xp.where(
        c > LINEAR_KNEE, SRGB_SCALE * positive ** (1 / SRGB_GAMMA) - SRGB_OFFSET, SRGB_SLOPE * c
    )


def lightness_of_y(y):
    """CIE lightness L in [0, 100] of relative luminance Y in [0, 1]."""
    xp = array_module(y)
    return xp.where(y > Y_KNEE, 116.0 * xp.cbrt(y) - 16.0, KAPPA * y)


def y_of_lightness(L):
    """Relative luminance Y of CIE lightness L: the inverse of :func:`lightness_of_y`."""
    xp = array_module(L)
    return xp.where(L > L_KNEE, ((L + 16.0) / 116.0) ** 3, L / KAPPA)
