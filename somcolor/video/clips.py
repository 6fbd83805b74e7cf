"""Test clips made from real photos: a pan and zoom across one, a hard cut, then across the next."""

import numpy as np
from scipy.ndimage import map_coordinates

from ..io.images import as_image


def make_test_clip(photos, n_frames=60, size=(240, 320), cut_at=None):
    """A clip made from real photos: a slow pan and zoom across one, a hard cut, then across the next.

    Parameters
    ----------
    photos : sequence of two or more color images (paths or arrays)
        One scene per photo; frames are split evenly between the first two
        (the cut at `cut_at`, default the middle).
    n_frames : int
    size : (height, width)

    Returns
    -------
    frames : list of ndarray of shape (height, width, 3), float32 in [0, 1]
    """
    photos = [as_image(p, str(p)) for p in photos][:2]
    if len(photos) < 2 or any(p.ndim != 3 for p in photos):
        raise ValueError("make_test_clip needs two color photos")
    cut_at = n_frames // 2 if cut_at is None else cut_at
    height, width = size
    frames = []
    for t in range(n_frames):
        scene, start, length = (0, 0, cut_at) if t < cut_at else (1, cut_at, n_frames - cut_at)
        progress = (t - start) / max(length - 1, 1)
        frames.append(_view(photos[scene], progress, height, width))
    return frames


def _view(photo, progress, height, width):
    """The photo seen through a window that pans right and zooms in as `progress` goes 0 -> 1."""
    ph, pw = photo.shape[:2]
    # The window keeps the clip's aspect ratio; it shrinks from 85% to 65% of the photo.
    scale = 0.85 - 0.2 * progress
    win_w = min(pw, ph * width / height) * scale
    win_h = win_w * height / width
    left = (pw - win_w) * (0.1 + 0.8 * progress)
    top = (ph - win_h) * 0.5
    rows = top + (np.arange(height) + 0.5) * win_h / height - 0.5
    cols = left + (np.arange(width) + 0.5) * win_w / width - 0.5
    grid = np.meshgrid(rows, cols, indexing="ij")
    return np.stack(
        [map_coordinates(photo[..., c], grid, order=1, mode="nearest") for c in range(3)], axis=-1
    ).astype(np.float32)
