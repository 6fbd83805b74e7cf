"""The colorize plan: everything a fitted model colorizes with, gathered once, and the one entry point."""

from typing import NamedTuple

import numpy as np

from .._backend import module_for, to_numpy
from ..features.context import Context
from ..network.mlp import Network, network_of
from .array_path import colorize_array
from .fused import FusedNetwork, colorize_fused, pack


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


def plan_of(model):
    """The :class:`ColorizePlan` of a fitted :class:`~somcolor.SOMColorizer` and its current decoding,
    smoothing and device parameters."""
    network = network_of(model.mlp_)
    return ColorizePlan(
        context=model.context_,
        network=network,
        codebook=np.ascontiguousarray(model.quantizer_.codebook_, dtype=np.float32),
        decode=model.decode,
        temperature=float(model.temperature),
        smooth_radius=int(model.smooth_radius),
        smooth_eps=float(model.smooth_eps),
        device=model.device,
        fused=pack(network, model.context_),
    )


def colorize(L, plan):
    """RGB (H, W, 3) float32 of lightness L (H, W) on the plan's device, returned as a numpy array."""
    if plan.device == "cpu":
        return colorize_fused(L, plan)
    xp = module_for(plan.device)
    return to_numpy(colorize_array(xp.asarray(L), plan))
