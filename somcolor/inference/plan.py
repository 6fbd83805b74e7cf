"""The colorize plan: everything a fitted model colorizes with, gathered once, and the one entry point.

:func:`colorize` takes an image's pixels and works through it in bands of
rows, so that memory is bounded by the band, not the image: each band is
colorized with a margin of the rows its features and smoothing read, and
only its own rows are kept.
"""

import math
from typing import NamedTuple

import numpy as np

from ..color import lightness
from ..features.context import Band, Context, global_descriptor_of_rows
from ..features.patches import row_blocks
from ..network.decode import decoding_temperature
from ..network.mlp import Network, network_of
from .fused import FusedNetwork, colorize_fused, pack, smoothed_luv
from ..filters.resample import working_factor
from .working import BAND_PIXELS, assemble, resolved_side, working_side_bands


class ColorizePlan(NamedTuple):
    """A fitted model's colorizing settings, as every colorizing path takes them."""

    context: Context
    network: Network
    codebook: np.ndarray  # (n_classes, 2) float32, the (U, V) of each class
    decode: str
    temperature: float
    smooth_radius: int
    smooth_eps: float
    device: str
    fused: FusedNetwork  # the network packed for the fused CPU pass
    working_side: int = None  # photos much larger are colorized at about this short side (None: never)


def plan_of(model):
    """The :class:`ColorizePlan` of a fitted :class:`~somcolor.SOMColorizer` and its current decoding,
    smoothing and device parameters.

    Raises ValueError if the fitted arrays are not finite (in float32, as the
    kernels read them) or do not fit together: the kernels index by these
    shapes and must never see a malformed model.
    """
    network, codebook = checked_arrays(model.mlp_, model.quantizer_.codebook_, model.context_)
    return ColorizePlan(
        context=model.context_,
        network=network,
        codebook=codebook,
        decode=model.decode,
        temperature=decoding_temperature(model),
        smooth_radius=int(model.smooth_radius),
        smooth_eps=float(model.smooth_eps),
        device=model.device,
        fused=pack(network, model.context_),
        working_side=resolved_side(model),
    )


def checked_arrays(mlp, codebook, context):
    """The fitted MLP as a :class:`~somcolor.network.mlp.Network` and the codebook as float32, as the
    kernels read them, once :func:`check_arrays` has passed them."""
    network = network_of(mlp)
    with np.errstate(over="ignore"):  # values beyond float32 become inf, refused by check_arrays
        codebook = np.ascontiguousarray(codebook, dtype=np.float32)
    check_arrays(network, codebook, context)
    return network, codebook


def check_arrays(network, codebook, context):
    """Raise ValueError unless the network's layers chain from the context's features to one output per
    codeword (one logistic unit for two), the codebook is (n_colors, 2), and every value is finite."""
    inputs = context.patch_size**2 + context.n_features
    if codebook.ndim != 2 or codebook.shape[1] != 2 or codebook.shape[0] < 2:
        raise ValueError(f"the codebook has shape {codebook.shape}, not (n_colors, 2)")
    outputs = 1 if network.binary else codebook.shape[0]
    if not network.weights or len(network.weights) != len(network.biases):
        raise ValueError(f"{len(network.weights)} weight matrices for {len(network.biases)} bias vectors")
    for layer, (w, b) in enumerate(zip(network.weights, network.biases)):
        if w.ndim != 2 or w.shape[0] != inputs or b.shape != (w.shape[1],):
            raise ValueError(
                f"layer {layer} has weights {w.shape} and biases {b.shape}; {inputs} inputs expected"
            )
        inputs = w.shape[1]
    if inputs != outputs:
        raise ValueError(f"the network has {inputs} outputs for {codebook.shape[0]} colors")
    for name, arrays in (("weights", network.weights), ("biases", network.biases), ("codebook", [codebook])):
        if not all(np.all(np.isfinite(a)) for a in arrays):
            raise ValueError(f"NaN or infinite values in its {name} (as float32)")


def margin_rows(plan):
    """Rows above and below a pixel that its colour depends on: features, then smoothing."""
    context = plan.context
    radius = context.patch_size // 2
    reach = max([radius, *context.local_radii] + [(radius + 2) * s for s in context.scales])
    # The guided filter takes two rounds of box means of the chroma.
    return reach + 2 * plan.smooth_radius


def colorize_many(images, plan, dtype=np.float32):
    """The RGB of each image's pixels (an iterable of arrays), in order, as float32 in [0, 1] or uint8.

    On the CPU each image goes a band at a time (:func:`colorize`); on the GPU
    the images stream through a pipeline of CUDA streams
    (:class:`~somcolor.inference.gpu.GpuPipeline`).
    """
    if plan.device == "cuda":
        from .gpu import GpuPipeline

        yield from GpuPipeline(plan, as_bytes=dtype == np.uint8).run(images)
        return
    for pixels in images:
        yield colorize(pixels, plan, dtype)


def colorize(pixels, plan, dtype=np.float32, band_pixels=BAND_PIXELS):
    """RGB (H, W, 3) of an image's pixels (gray or color, any dtype :func:`~somcolor.io.images.as_pixels`
    gives), as float32 in [0, 1] or uint8; on the CPU a band of rows at a time."""
    if plan.device == "cuda":
        return next(colorize_many([pixels], plan, dtype))
    return assemble(colorize_bands(pixels, plan, band_pixels), pixels.shape[:2], dtype)


def colorize_bands(pixels, plan, band_pixels=BAND_PIXELS):
    """The RGB of an image's pixels on the CPU as bands (first row, float32 RGB rows), top to bottom, so
    that a caller can write each band as it comes: memory then holds the pixels and one band, never the
    whole RGB image."""
    factor = working_factor(pixels.shape, plan.working_side)
    if factor > 1:
        yield from working_side_bands(pixels, plan, factor, lambda L: smoothed_luv(L, plan), band_pixels)
        return
    height, width = pixels.shape[:2]
    if height * width <= band_pixels:
        yield 0, colorize_fused(lightness(pixels), plan)
        return
    context = plan.context
    descriptor = None
    if context.global_features:
        descriptor = global_descriptor_of_rows(
            lambda: (lightness(pixels[r0:r1]) for r0, r1 in row_blocks(height, width, band_pixels))
        )
    # Bands start on a multiple of every scale, so that their coarse grids are the image's.
    align = math.lcm(*context.scales) if context.scales else 1
    margin = margin_rows(plan)
    for r0, r1 in row_blocks(height, width, band_pixels):
        top = max(0, r0 - margin) // align * align
        bottom = min(height, r1 + margin)
        rgb = colorize_fused(lightness(pixels[top:bottom]), plan, Band(top, height, descriptor))
        yield r0, rgb[r0 - top : r1 - top]
