"""Image-quality measures of colorization, averaged over lists of images.

Each function takes a list of colorized results and a list of the original
color images (RGB floats in [0, 1], same sizes) and returns the mean over
images, as colorization papers report them.
"""

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def _pairs(results, originals):
    if len(results) != len(originals):
        raise ValueError(
            f"got {len(results)} results but {len(originals)} originals"
        )
    if not results:
        raise ValueError("no images to compare")
    for i, (result, original) in enumerate(zip(results, originals)):
        if np.shape(result) != np.shape(original):
            raise ValueError(
                f"image {i}: result of shape {np.shape(result)} differs from original "
                f"of shape {np.shape(original)}"
            )
    return zip(results, originals)


def psnr(results, originals):
    """Mean peak signal-to-noise ratio in dB over RGB, data range 1."""
    return float(
        np.mean([peak_signal_noise_ratio(o, r, data_range=1.0) for r, o in _pairs(results, originals)])
    )


def ssim(results, originals):
    """Mean structural similarity over RGB (scikit-image, data range 1)."""
    return float(
        np.mean(
            [
                structural_similarity(o, r, data_range=1.0, channel_axis=2)
                for r, o in _pairs(results, originals)
            ]
        )
    )


def colorfulness(images):
    """Mean colorfulness of Hasler & Suesstrunk (2003), on the 0-255 scale.

    ``sqrt(std_rg^2 + std_yb^2) + 0.3 * sqrt(mean_rg^2 + mean_yb^2)`` with
    ``rg = R - G`` and ``yb = (R + G) / 2 - B``; 0 for a gray image.

    >>> colorfulness([np.full((2, 2, 3), 0.5)])
    0.0
    """
    values = []
    for image in images:
        rgb = np.asarray(image, dtype=np.float64) * 255.0
        rg = rgb[..., 0] - rgb[..., 1]
        yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
        values.append(
            np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
        )
    return float(np.mean(values))
