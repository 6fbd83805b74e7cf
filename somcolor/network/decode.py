"""Decoding: class probabilities (or logits) into (U, V) chroma."""

import numpy as np

from .._backend import array_module

DECODERS = ("argmax", "annealed_mean")


def decode_chroma(proba, codebook, decode="annealed_mean", temperature=0.38):
    """Turn class probabilities into (U, V) chroma.

    Parameters
    ----------
    proba : ndarray of shape (n_pixels, Q)
    codebook : ndarray of shape (Q, 2)
    decode : {"argmax", "annealed_mean"}
        ``"argmax"`` takes the most probable class's codeword (Richart et
        al.); ``"annealed_mean"`` averages the codewords under the
        distribution sharpened by `temperature` (Zhang et al. 2016), so colors
        are not limited to the Q codewords.
    temperature : float
        In (0, 1] for the annealed mean: 1 is the plain mean, towards 0 the
        argmax.

    Returns
    -------
    uv : ndarray of shape (n_pixels, 2)

    Examples
    --------
    >>> codebook = np.array([[-10.0, 0.0], [10.0, 0.0]])
    >>> decode_chroma(np.array([[0.25, 0.75]]), codebook, "argmax")
    array([[10.,  0.]])
    >>> decode_chroma(np.array([[0.25, 0.75]]), codebook, temperature=1.0)
    array([[5., 0.]])
    """
    # p ** (1 / T), renormalised, is softmax(log(p) / T).
    logits = np.log(np.maximum(proba, 1e-12, dtype=np.float64))
    return decode_logits_array(logits, codebook, decode, temperature)


def decode_logits_array(logits, codebook, decode, temperature):
    """(U, V) from logits (pixels, Q): the codeword of the argmax, or the annealed mean; array code.

    The annealed mean renormalises p ** (1 / T), which for p = softmax(z) is
    softmax(z / T): no logarithm is needed.
    """
    xp = array_module(logits)
    codebook = xp.asarray(codebook, dtype=logits.dtype)
    if decode == "argmax":
        return codebook[xp.argmax(logits, axis=1)]
    scaled = logits / temperature
    scaled = xp.exp(scaled - scaled.max(axis=1, keepdims=True))
    return (scaled / scaled.sum(axis=1, keepdims=True)) @ codebook
