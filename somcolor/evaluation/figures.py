"""Side-by-side figures: a grid of equally tall images under column titles."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..io.writing import to_uint8

_GAP = 4
_TITLE_HEIGHT = 18


def _as_rgb(image):
    image = np.asarray(image, dtype=np.float64)
    return np.repeat(image[..., np.newaxis], 3, axis=2) if image.ndim == 2 else image


def image_grid(rows, titles=None):
    """Compose rows of images into one RGB image with white gaps.

    Parameters
    ----------
    rows : list of list of ndarray
        ``rows[i][j]`` is the image in row i, column j: (H, W) gray or
        (H, W, 3) RGB floats in [0, 1]. Each column's width and each row's
        height is that of its largest image.
    titles : list of str, optional
        One title per column, written above the grid.

    Returns
    -------
    grid : ndarray of shape (H_total, W_total, 3), floats in [0, 1]
    """
    rows = [[_as_rgb(image) for image in row] for row in rows]
    n_cols = max(len(row) for row in rows)
    widths = [max(row[j].shape[1] for row in rows if j < len(row)) for j in range(n_cols)]
    heights = [max(image.shape[0] for image in row) for row in rows]
    top = _TITLE_HEIGHT if titles else 0
    grid = np.ones(
        (top + sum(heights) + _GAP * (len(rows) + 1), sum(widths) + _GAP * (n_cols + 1), 3)
    )
    y = top + _GAP
    for row, height in zip(rows, heights):
        x = _GAP
        for image, width in zip(row, widths):
            grid[y : y + image.shape[0], x : x + image.shape[1]] = image
            x += width + _GAP
        y += height + _GAP
    if not titles:
        return grid
    canvas = Image.fromarray(to_uint8(grid))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    x = _GAP
    for title, width in zip(titles, widths):
        draw.text((x + 2, 3), title, fill=(0, 0, 0), font=font)
        x += width + _GAP
    return np.asarray(canvas, dtype=np.float64) / 255.0
