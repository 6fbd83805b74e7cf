"""Decoding: class probabilities (or logits) into (U, V) chroma."""

from typing import NamedTuple

import numpy as np

from .._arrays import array_module

DECODERS = ("argmax", "annealed_mean")

#: The default temperature: the highest that keeps colorfulness above 70% of the originals' on every
#: cross-source split of the yardstick (docs/quality.md, "Temperature").
DEFAULT_TEMPERATURE = 0.15
#: The temperatures ``temperature="auto"`` chooses among, from the default down to nearly the argmax: it
#: makes the colors of an unsure network bolder, never paler than the default's (fine-tuned on few photos,
#: its choice up to the plain mean left them under 70% in four of benchmarks/finetune.py's eight cases).
TEMPERATURES = (DEFAULT_TEMPERATURE, 0.1, 0.07, 0.05)
#: ``temperature="auto"``'s aim: the decoded training pixels' mean chroma at this share of their true mean chroma.
CHROMA_TARGET = 0.8


class Decoding(NamedTuple):
    """How the colorizing kernels decode: the codewords, argmax or annealed mean, and 1 / T."""

    codebook: object  # (n_classes, 2) float32, on the kernel's device
    use_argmax: bool
    inv_temperature: np.float32


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


def calibrated_temperature(proba, chroma, codebook, target=CHROMA_TARGET):
    """The highest temperature of :data:`TEMPERATURES` whose annealed mean gives pixels `target` of their
    true mean chroma (the lowest, if none does).

    A higher temperature is closer to the mean chroma, which scores best in
    PSNR, and paler; how pale depends on how sure the network is, which
    varies with the number and kind of training photos. Chosen on the
    training pixels, the temperature gives a model colors as strong as its
    photos' whatever the luck of its training.

    Parameters
    ----------
    proba : ndarray of shape (n_pixels, Q)
        Class probabilities of training pixels.
    chroma : ndarray of shape (n_pixels, 2)
        Their true (U, V).
    codebook : ndarray of shape (Q, 2)
    target : float
        Share of the true mean chroma, ``mean |uv|``, to reach.

    Returns
    -------
    temperature : float

    Examples
    --------
    >>> codebook = np.array([[-10.0, 0.0], [10.0, 0.0]])
    >>> calibrated_temperature(np.array([[0.45, 0.55], [0.55, 0.45]]), np.array([[10.0, 0], [-10, 0]]), codebook)
    0.07
    """
    truth = np.hypot(*np.asarray(chroma, dtype=np.float64).T).mean()
    for temperature in TEMPERATURES:
        uv = decode_chroma(proba, codebook, "annealed_mean", temperature)
        if np.hypot(*uv.T).mean() >= target * truth:
            return temperature
    return TEMPERATURES[-1]


def decoding_temperature(model):
    """The annealed mean's temperature of a fitted model: its `temperature`, or the one ``fit`` chose for
    ``temperature="auto"`` (``temperature_``)."""
    if model.temperature != "auto":
        return float(model.temperature)
    if not hasattr(model, "temperature_"):
        raise ValueError(
            'temperature="auto" is chosen by fit, and this model was fitted without it (by somcolor 0.4 or '
            "older): fit it again, or set a temperature in [0.01, 1]"
        )
    return float(model.temperature_)
