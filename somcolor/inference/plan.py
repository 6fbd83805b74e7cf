"""The colorize plan: everything a fitted model colorizes with, gathered once, and the entry points.

:func:`colorize` and :func:`colorize_many` run a plan on its device's
backend (:mod:`somcolor.inference.backend`), through the working resolution
and the bands of :mod:`somcolor.inference.working`.
"""

from typing import NamedTuple

import numpy as np

from ..features.context import Context, transposed_order
from ..features.contrast import stretch_target
from ..network.decode import Decoding, decoding_temperature
from ..network.mlp import Network, network_of
from .backend import backend_of
from .fused import FusedNetwork, pack
from .working import BAND_PIXELS, colorize_image, resolved_side


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
    lightness_spread: float = None  # photos flatter than this are seen stretched (None: as they are)

    @property
    def decoding(self):
        """The decoding as the kernels take it (the codebook on the host)."""
        return Decoding(self.codebook, self.decode == "argmax", np.float32(1.0 / self.temperature))


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
        lightness_spread=stretch_target(model),
    )


def transposed_plan(plan):
    """The plan that colorizes the transpose of an image as `plan` colorizes the image: the same network
    with its first layer's rows in the order of the transposed image's features
    (:func:`~somcolor.features.context.transposed_order`)."""
    first = plan.network.weights[0][transposed_order(plan.context)]
    network = plan.network._replace(weights=(np.ascontiguousarray(first), *plan.network.weights[1:]))
    return plan._replace(network=network, fused=pack(network, plan.context))


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


def colorize_many(images, plan, dtype=np.float32):
    """The RGB of each image's pixels (an iterable of arrays), in order, as float32 in [0, 1] or uint8,
    on the plan's device (:func:`~somcolor.inference.backend.backend_of`)."""
    return backend_of(plan).colorize_many(images, dtype)


def colorize(pixels, plan, dtype=np.float32, band_pixels=BAND_PIXELS):
    """RGB (H, W, 3) of an image's pixels (gray or color, any dtype :func:`~somcolor.io.images.as_pixels`
    gives), as float32 in [0, 1] or uint8, on the plan's device, a band of at most `band_pixels` at a
    time."""
    return colorize_image(pixels, plan, backend_of(plan), dtype, band_pixels)
