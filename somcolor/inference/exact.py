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
from ..network.decode import decode_chroma, decoding_temperature
from ..filters.resample import working_factor
from .working import colorize_at_working_side, resolved_side


def probabilities_exact(L, context, mlp):
    """Class probabilities of every pixel of L (H, W), shape (H * W, n_classes) float32, row-major."""
    image = image_context(L, context) if context else None
    proba = np.empty((L.size, len(mlp.classes_)), dtype=np.float32)
    for start, stop, features in iter_patch_blocks(L, context.patch_size):
        if image is not None:
            rows, cols = np.divmod(np.arange(start, stop), L.shape[1])
            features = np.concatenate([features, context_at(image, rows, cols)], axis=1)
        proba[start:stop] = mlp.predict_proba(features)
    return proba


def luv_exact(L, model):
    """CIELUV planes (3, H, W) float64 of lightness L by the exact path, the chroma smoothed."""
    proba = probabilities_exact(L, model.context_, model.mlp_)
    uv = decode_chroma(proba, model.quantizer_.codebook_, model.decode, decoding_temperature(model))
    uv = uv.T.reshape(2, *L.shape)
    if model.smooth_radius:
        uv = guided_filter_array(L / 100, uv, model.smooth_radius, model.smooth_eps)
    return np.concatenate([L[np.newaxis], uv])


def colorize_exact(pixels, model):
    """RGB (H, W, 3) of an image's pixels (gray or color) by the exact path of a fitted SOMColorizer.

    scikit-learn's ``predict_proba``, :func:`~somcolor.network.decode_chroma`,
    the guided filter in float64 array code and scikit-image's ``luv2rgb``:
    what the fast paths are measured against. A photo much larger than the
    training photos goes through the same working resolution as theirs
    (:mod:`somcolor.inference.working`).
    """
    factor = working_factor(pixels.shape, resolved_side(model))
    if factor > 1:
        return colorize_at_working_side(pixels, model, factor, lambda L: luv_exact(L, model), np.float32, 1 << 22)
    L = lightness(pixels)
    return merge_luv(L, np.moveaxis(luv_exact(L, model)[1:], 0, -1))
