"""Colorization metrics, as colorization papers report them, and scorers for GridSearchCV.

Each metric takes a list of colorized results and a list of the original
color images (RGB floats in [0, 1], same sizes) and returns one number for
the whole list. Each has a scorer in :data:`SCORERS` that can be passed as
``scoring=`` to scikit-learn's model selection: it colorizes the color images
it is given from their lightness and compares the results with them.
"""

import numpy as np
from skimage.color import rgb2lab
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from .color import rgb_to_luv
from .images import as_image, image_name
from .quantizer import nearest_codeword

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


def ab_errors(results, originals):
    """Per-pixel Euclidean error in CIELab ab, and the true ab, of all pixels pooled.

    Returns
    -------
    errors : ndarray of shape (n_pixels,)
    true_ab : ndarray of shape (n_pixels, 2)
    """
    errors, true_ab = [], []
    for result, original in _pairs(results, originals):
        ab_result = rgb2lab(result)[..., 1:].reshape(-1, 2)
        ab_true = rgb2lab(original)[..., 1:].reshape(-1, 2)
        errors.append(np.linalg.norm(ab_result - ab_true, axis=1))
        true_ab.append(ab_true)
    return np.concatenate(errors), np.concatenate(true_ab)


def _auc(errors, weights):
    # Area under the cumulative (weighted) share of pixels within each
    # threshold, normalised by the number of thresholds: 1 is perfect.
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
    return _auc(errors, np.ones_like(errors))


def rebalanced_auc(results, originals):
    """Class-rebalanced AuC: each pixel weighted by the inverse frequency of its true ab bin.

    Bins are 10 x 10 squares of the ab plane; frequencies are those of the
    originals being evaluated. Every ab bin then counts equally, so rare,
    saturated colors weigh as much as the dominant grays.
    """
    errors, true_ab = ab_errors(results, originals)
    return _auc(errors, inverse_bin_frequency(true_ab))


def inverse_bin_frequency(ab):
    """Per-pixel weight 1 / (pixels in its 10 x 10 ab bin), for (n, 2) ab values."""
    bins = np.floor(ab / AB_BIN).astype(np.int64)
    _, inverse, counts = np.unique(bins, axis=0, return_inverse=True, return_counts=True)
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


def _scorer(metric, sign=1.0):
    def score(estimator, X, y=None):
        originals = [as_image(image, image_name(image, i)) for i, image in enumerate(X)]
        return sign * metric(estimator.predict(originals), originals)

    score.__name__ = f"{'neg_' if sign < 0 else ''}{metric.__name__}_scorer"
    score.__doc__ = f"GridSearchCV scorer: {metric.__name__} of estimator.predict(X) against X."
    return score


#: Scorers by name, for ``GridSearchCV(..., scoring=SCORERS["psnr"])`` or a
#: dict of several. Greater is better, so RMSE is negated.
SCORERS = {
    "psnr": _scorer(psnr),
    "ssim": _scorer(ssim),
    "neg_rmse": _scorer(rmse, sign=-1.0),
    "auc": _scorer(auc),
    "rebalanced_auc": _scorer(rebalanced_auc),
    "colorfulness": _scorer(colorfulness),
    "pixel_accuracy": lambda estimator, X, y=None: estimator.score(X),
}


def flicker(frames, cut_threshold=0.3, flow_step=None):
    """Mean absolute change of chroma between consecutive frames after motion compensation.

    Each frame's CIELUV chroma (U, V) is compared with the previous frame's
    warped along the optical flow of L (:func:`somcolor.video.optical_flow`);
    pairs across a scene cut (an L-histogram change above `cut_threshold`)
    are left out. `frames` is any iterable of RGB frames, read one at a time.

    Returns
    -------
    flicker : float
        In CIELUV units; see :func:`flicker_ratio` for a figure that does
        not depend on the clip.
    """
    from .video import histogram_distance, optical_flow, warp

    total, pairs = 0.0, 0
    previous = None
    for frame in frames:
        luv = np.moveaxis(rgb_to_luv(np.asarray(frame, dtype=np.float64)), -1, 0)
        if previous is not None and histogram_distance(previous[0], luv[0]) <= cut_threshold:
            past = warp(previous[1:], optical_flow(previous[0], luv[0], flow_step))
            total += float(np.abs(luv[1:] - past).mean())
            pairs += 1
        previous = luv
    if pairs == 0:
        raise ValueError("flicker needs two consecutive frames of one scene")
    return total / pairs


def flicker_ratio(colorized, originals, **kwargs):
    """:func:`flicker` of a colorized video over that of the original color video.

    1 flickers as much as the real colors change; per-frame colorization is
    typically well above 1.
    """
    return flicker(colorized, **kwargs) / flicker(originals, **kwargs)
