"""A reference colorizing path for the tests: features, MLP, decoding and smoothing as plain array code.

The array-code twins of each stage (``patches_array``, ``logits_array``,
``decode_logits_array``, ...) chained as the fused CPU pass and the CUDA
kernel chain them, so that those can be checked against code that reads like
the method. No production path calls it.
"""

from somcolor._arrays import array_module
from somcolor.color import luv_to_rgb_array
from somcolor.features.context import context_at, image_context
from somcolor.features.contrast import seen_lightness
from somcolor.features.patches import pad_lightness, patches_array, row_blocks
from somcolor.filters.guided import guided_filter
from somcolor.network.decode import decode_logits_array
from somcolor.network.mlp import logits_array


def colorize_array(L, plan, band=None, block_pixels=1 << 18):
    """Colorize lightness L (H, W), a numpy or CuPy array; returns float32 RGB (H, W, 3) of the same kind.

    Features, MLP and decoding work on blocks of whole rows so that memory is
    bounded by the block; the chroma of the whole image is then smoothed (when
    the plan says so) and joined with L. `band` says where L lies in a larger
    image (:class:`~somcolor.features.context.Band`).
    """
    xp = array_module(L)
    L = xp.asarray(L, dtype=xp.float32)
    height, width = L.shape
    context = plan.context
    p = context.patch_size
    seen = seen_lightness(L, plan.lightness_spread)  # the features see a flat photo stretched
    padded = pad_lightness(seen, p)
    image = image_context(seen, context, band) if context else None
    uv = xp.empty((2, height, width), dtype=xp.float32)
    for r0, r1 in row_blocks(height, width, block_pixels):
        features = patches_array(padded[r0 : r1 + p - 1], p)
        if image is not None:
            pixels = xp.arange(r0 * width, r1 * width)
            features = xp.concatenate([features, context_at(image, pixels // width, pixels % width)], axis=1)
        logits = logits_array(features, plan.network)
        chroma = decode_logits_array(logits, plan.codebook, plan.decode, plan.temperature)
        uv[:, r0:r1] = chroma.T.reshape(2, r1 - r0, width)
    if plan.smooth_radius:
        uv = guided_filter(L / 100, uv, plan.smooth_radius, plan.smooth_eps)
    return luv_to_rgb_array(L, xp.moveaxis(uv, 0, -1))
