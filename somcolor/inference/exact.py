"""The exact path: scikit-learn's ``predict_proba`` on the feature matrix, in float64.

Slow (it builds the patch matrix, a block of rows at a time) and exact: the
reference that the fused and array-code paths are tested against, and what
:meth:`SOMColorizer.predict_proba` and :meth:`SOMColorizer.score` use.
"""

import numpy as np

from ..color import merge_luv
from ..features.context import context_at, image_context
from ..features.patches import iter_patch_blocks
from ..filters.guided import guided_filter_array
from ..network.decode import decode_chroma


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


def colorize_exact(L, model):
    """RGB (H, W, 3) float64 of lightness L by the exact path of a fitted SOMColorizer.

    scikit-learn's ``predict_proba``, :func:`~somcolor.network.decode_chroma`,
    the guided filter in float64 array code and scikit-image's ``luv2rgb``:
    what the fast paths are measured against.
    """
    proba = probabilities_exact(L, model.context_, model.mlp_)
    uv = decode_chroma(proba, model.quantizer_.codebook_, model.decode, model.temperature)
    uv = uv.T.reshape(2, *L.shape)
    if model.smooth_radius:
        uv = guided_filter_array(L / 100, uv, model.smooth_radius, model.smooth_eps)
    return merge_luv(L, np.moveaxis(uv, 0, -1))
