"""The network stage: the MLP's training, its forward pass, and decoding its probabilities into chroma."""

from .decode import DECODERS, decode_chroma
from .mlp import ACTIVATIONS, Network, network_of
from .training import rebalancing_weights

__all__ = ["ACTIVATIONS", "DECODERS", "Network", "decode_chroma", "network_of", "rebalancing_weights"]
