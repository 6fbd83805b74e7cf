"""Colorization metrics, as colorization papers report them.

Each metric takes a list of colorized results and a list of the original
color images (RGB floats in [0, 1], same sizes) and returns one number for
the whole list. :data:`somcolor.evaluation.scorers.SCORERS` turns each into a
scorer for scikit-learn's model selection.
"""

import numpy as np
from skimage.color import rgb2lab
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from ..color import rgb_to_luv
from ..quantizer import nearest_codeword

AUC_THRESHOLDS = np.arange(0, 151)  # Zhang et al. 2016, Table 1: 0 to 150 in ab units
AB_BIN = 10.0  # ab grid of the rebalanced AuC, as Zhang et al.'s color classes


def _pairs(results, originals):
    if len(results) != len(originals):
        raise ValueError(f"got {len(results)} results but {len(originals)} originals")
    if not len(results):
        raise ValueError("no images to compare")
    for i, (result, original) in enumerate(zip(results, originals)):
        if np.shape(result) != np.shape(original):
            raise ValueError(
                f"image {i}: result of shape {np.shape(result)} differs from original "
                f"of shape {np.shape(original)}"
            )
    return [(np.asarray(r, dtype=np.float64), np.asarray(o, dtype=np.float64)) for r, o in zip(results, originals)]


def psnr(results, originals):
    """Mean over images of the peak signal-to-noise ratio in dB (RGB, data range 1)."""
    return float(
        np.mean([peak_signal_noise_ratio(o, r, data_range=1.0) for r, o in _pairs(results, originals)])
    )


def ssim(results, originals):
    """Mean over images of the structural similarity (scikit-image, RGB, data range 1)."""
    return float(
        np.mean(
            [
                structural_similarity(o, r, data_range=1.0, channel_axis=2)
                for r, o in _pairs(results, originals)
            ]
        )
    )


def rmse(results, originals):
    """Root mean squared RGB error over all pixels of all images (0-1 scale)."""
    pairs = _pairs(results, originals)
    squared = sum(float(((r - o) ** 2).sum()) for r, o in pairs)
    return float(np.sqrt(squared / sum(o.size for _, o in pairs)))


def ab_errors(results, originals, true_ab=None):
    """Per-pixel Euclidean error in CIELab ab, and the true ab, of all pixels pooled.

    `true_ab`, the originals' ab as this function returned it before, saves
    converting the originals again when several results are measured.

    Returns
    -------
    errors : ndarray of shape (n_pixels,)
    true_ab : ndarray of shape (n_pixels, 2)
    """
    pairs = _pairs(results, originals)
    if true_ab is None:
        true_ab = np.concatenate([rgb2lab(original)[..., 1:].reshape(-1, 2) for _, original in pairs])
    ab_result = np.concatenate([rgb2lab(result)[..., 1:].reshape(-1, 2) for result, _ in pairs])
    return np.linalg.norm(ab_result - true_ab, axis=1), true_ab


def auc_of_errors(errors, weights=None):
    """The AuC of per-pixel ab errors (weighted): the area under the cumulative share of pixels within each
    threshold from 0 to 150, normalised so that 1 is perfect."""
    weights = np.ones_like(errors) if weights is None else weights
    order = np.argsort(errors)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    within = np.searchsorted(errors[order], AUC_THRESHOLDS, side="right")
    shares = np.where(within > 0, cumulative[np.maximum(within - 1, 0)], 0.0)
    return float(shares.mean())


def auc(results, originals):
    """Raw AuC of the cumulative per-pixel ab error, thresholds 0 to 150 (Zhang et al. 2016).

    In [0, 1]; Zhang et al. report it as a percentage.
    """
    errors, _ = ab_errors(results, originals)
    return auc_of_errors(errors)


def rebalanced_auc(results, originals):
    """Class-rebalanced AuC: each pixel weighted by the inverse frequency of its true ab bin.

    Bins are 10 x 10 squares of the ab plane; frequencies are those of the
    originals being evaluated. Every ab bin then counts equally, so rare,
    saturated colors weigh as much as the dominant grays.
    """
    errors, true_ab = ab_errors(results, originals)
    return auc_of_errors(errors, inverse_bin_frequency(true_ab))


def inverse_bin_frequency(ab):
    """Per-pixel weight 1 / (pixels in its 10 x 10 ab bin), for (n, 2) ab values."""
    bins = np.floor(ab / AB_BIN).astype(np.int64)
    # One integer key per bin: a 1-D unique is 20x faster than np.unique(axis=0).
    keys = (bins[:, 0] - bins[:, 0].min()) * (int(np.ptp(bins[:, 1])) + 1) + (bins[:, 1] - bins[:, 1].min())
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse.ravel()]


def colorfulness(images, originals=None):
    """Mean colorfulness of Hasler & Suesstrunk (2003), on the 0-255 scale.

    ``sqrt(std_rg^2 + std_yb^2) + 0.3 * sqrt(mean_rg^2 + mean_yb^2)`` with
    ``rg = R - G`` and ``yb = (R + G) / 2 - B``; 0 for a gray image.
    `originals` is ignored: it is there so that every metric takes the same
    arguments.

    >>> colorfulness([np.full((2, 2, 3), 0.5)])
    0.0
    """
    values = []
    for image in images:
        rgb = np.asarray(image, dtype=np.float64) * 255.0
        rg = rgb[..., 0] - rgb[..., 1]
        yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
        values.append(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
    return float(np.mean(values))


def pixel_accuracy(results, originals, codebook):
    """Share of pixels whose result falls in the same color class as the original.

    Classes are the nearest (U, V) codeword of `codebook` (e.g. a fitted
    model's ``quantizer_.codebook_``), as in :meth:`SOMColorizer.score`.
    """
    correct = total = 0
    for result, original in _pairs(results, originals):
        got, _ = nearest_codeword(rgb_to_luv(result)[..., 1:].reshape(-1, 2), codebook)
        want, _ = nearest_codeword(rgb_to_luv(original)[..., 1:].reshape(-1, 2), codebook)
        correct += int(np.count_nonzero(got == want))
        total += want.size
    return correct / total
