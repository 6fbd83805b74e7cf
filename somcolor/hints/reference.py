"""A reference photo: a color photo of the same place or kind of scene whose palette the colors follow.

Its colors become a prior on the class probabilities: the network learned
the classes' shares of its (rebalanced) training pixels, and a photo of a
scene whose shares are the reference's gets, by Bayes' rule, each class's
probability times the ratio of its share in the reference to its share in
training. That is a constant added to each output logit, so the reference
acts through the network's last biases and every colorizing path (bands,
working resolution, GPU) runs it unchanged.
"""

import numpy as np

from ..io.images import image_name, read_rgb
from ..color import rgb_to_luv

#: Pixels of a reference photo whose colors are counted (evenly spaced; all of a smaller photo).
REFERENCE_PIXELS = 200_000
# Added to every share before the ratio: a class the reference lacks is made rarer, not impossible.
_FLOOR = 1e-3


def training_shares(model):
    """The classes' shares as the network learned them: their frequencies in the training pixels times
    their rebalancing weights, normalized."""
    shares = np.asarray(model.class_frequencies_, np.float64) * np.asarray(model.class_weights_, np.float64)
    return shares / shares.sum()


def reference_shares(model, reference, index=0):
    """The share of each color class among a reference photo's pixels (its (U, V) quantized by the model's
    SOM)."""
    rgb = read_rgb(reference, index, model.max_image_pixels)
    flat = rgb.reshape(-1, 3)
    rows = np.linspace(0, len(flat) - 1, min(len(flat), REFERENCE_PIXELS)).astype(np.int64)
    uv = rgb_to_luv(flat[rows][np.newaxis])[0, :, 1:]
    counts = np.bincount(model.quantizer_.transform(uv), minlength=len(model.quantizer_.codebook_))
    return counts / counts.sum()


def reference_prior(model, reference, strength=1.0, index=0):
    """What a reference photo adds to each class's logit: `strength` times the log of the ratio of its share
    in the reference to its share in training (:func:`training_shares`)."""
    name = image_name(reference, index)
    shares = reference_shares(model, reference, index)
    if not np.isfinite(shares).all():
        raise ValueError(f"{name}: no pixel to take a palette from")
    return strength * (np.log(shares + _FLOOR) - np.log(training_shares(model) + _FLOOR))


def with_prior(plan, log_prior):
    """A :class:`~somcolor.inference.ColorizePlan` whose network adds `log_prior` (one value per class) to
    its output logits."""
    from ..inference.fused import pack

    network = plan.network
    last = np.asarray(network.biases[-1], np.float32).copy()
    if network.binary:  # one logistic unit: the logits are (0, z)
        last += np.float32(log_prior[1] - log_prior[0])
    else:
        last += np.asarray(log_prior, np.float32)
    network = network._replace(biases=(*network.biases[:-1], last))
    return plan._replace(network=network, fused=pack(network, plan.context))
