"""The exact path: scikit-learn's ``predict_proba`` on the feature matrix, in float64.

Slow (it builds the patch matrix, a block of rows at a time) and exact: the
reference that the fused and array-code paths are tested against, and what
:meth:`SOMColorizer.predict_proba` and :meth:`SOMColorizer.score` use.
"""

import numpy as np

from ..color import lightness, merge_luv
from ..features.context import context_at, image_context
from ..features.patches import iter_patch_blocks
from ..filters.guided import guided_filter_array
from ..io.writing import to_uint8
from ..network.decode import decode_chroma, decoding_temperature
from .working import colorize_image


def probabilities_exact(L, context, mlp, band=None):
    """Class probabilities of every pixel of L (H, W), shape (H * W, n_classes) float32, row-major; `band`
    places L in a larger image (:class:`~somcolor.features.context.Band`)."""
    image = image_context(L, context, band) if context else None
    proba = np.empty((L.size, len(mlp.classes_)), dtype=np.float32)
    for start, stop, features in iter_patch_blocks(L, context.patch_size):
        if image is not None:
            rows, cols = np.divmod(np.arange(start, stop), L.shape[1])
            features = np.concatenate([features, context_at(image, rows, cols)], axis=1)
        proba[start:stop] = mlp.predict_proba(features)
    return proba


class ExactBackend:
    """The colorizing steps of a fitted :class:`~somcolor.SOMColorizer` by the exact path:
    scikit-learn's ``predict_proba``, :func:`~somcolor.network.decode_chroma`, the guided filter in
    float64 array code and scikit-image's ``luv2rgb``. It has the steps of
    :class:`~somcolor.inference.fused.CpuBackend`, so that the working resolution and the bands of
    :mod:`somcolor.inference.working` wrap it as they wrap the fast paths."""

    def __init__(self, model):
        self.model = model

    def lightness(self, pixels):
        return lightness(pixels)

    def upload(self, L, slot="L"):
        return np.asarray(L, np.float64)

    def host_lightness(self, L):
        return L

    def host(self, array):
        return array

    def probabilities(self, L, band=None):
        """Class probability planes (n_classes, H, W) float32."""
        proba = probabilities_exact(L, self.model.context_, self.model.mlp_, band)
        return proba.T.reshape(-1, *L.shape)

    def luv(self, L, band=None, proba=None, seen=None):
        """CIELUV planes (3, H, W) float64 of L (its probabilities from `seen` where given), the chroma
        smoothed."""
        model = self.model
        if proba is None:
            proba = self.probabilities(L if seen is None else seen, band)
        rows = proba.reshape(len(proba), -1).T
        uv = decode_chroma(rows, model.quantizer_.codebook_, model.decode, decoding_temperature(model))
        uv = uv.T.reshape(2, *L.shape)
        if model.smooth_radius:
            uv = guided_filter_array(L / 100, uv, model.smooth_radius, model.smooth_eps)
        return np.concatenate([L[np.newaxis], uv])

    def rgb(self, L, band=None, proba=None, dtype=np.float32, seen=None):
        rgb = merge_luv(L, np.moveaxis(self.luv(L, band, proba, seen)[1:], 0, -1))
        return to_uint8(rgb) if dtype == np.uint8 else rgb.astype(np.float32)


def colorize_exact(pixels, model):
    """RGB (H, W, 3) float32 of an image's pixels (gray or color) by the exact path of a fitted
    SOMColorizer (:class:`ExactBackend`): what the fast paths are measured against. A photo much larger
    than the training photos goes through the same working resolution as theirs
    (:mod:`somcolor.inference.working`)."""
    return colorize_image(pixels, model.colorize_plan(), ExactBackend(model))
