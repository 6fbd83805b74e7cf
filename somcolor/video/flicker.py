"""Flicker: how much a video's chroma changes from frame to frame, beyond what motion explains."""

import numpy as np

from ..color import rgb_to_luv
from ..filters.resample import warp
from .stabilizer import CUT_THRESHOLD, histogram_distance, optical_flow


def flicker(frames, cut_threshold=CUT_THRESHOLD, flow_step=None):
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
