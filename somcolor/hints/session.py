"""One photo's colorizing state, kept between hints: what makes a hint cost milliseconds.

A :class:`HintSession` computes a photo's automatic colors (its CIELUV at full
size), its class probabilities and the grid hints spread over (with its
affinities) once. A hint then costs its geodesic distances over the grid and
its weights (:mod:`somcolor.hints.propagation`), added to running sums; the
colors cost those sums' blend smoothed on the grid, brought to full size,
blended with the automatic chroma and converted to RGB.
"""

import itertools

import numpy as np
from scipy.ndimage import map_coordinates
from sklearn.utils.validation import check_is_fitted

from ..color import luv_planes_to_rgb
from ..color._kernels import LUV_CONSTANTS
from ..features.contrast import seen_lightness
from ..filters.resample import coarse_coordinates, downscale, upsample, working_factor
from ..inference.fused import CpuBackend
from ..inference.working import BAND_PIXELS, colorize_image, colorize_luv, small_lightness
from ..io.images import as_pixels, image_name, to_float
from . import _kernels
from .images import Hint, brush_pixels, check_radius, hint_chromaticity, hint_color, hints_in, read_hints, stroke_line
from .propagation import (GRID_SIDE, Propagation, affinities, data_weights, degrees, geodesic_distances, hint_distance,
                          hint_weight, smooth, smoothing_reference, unlikeness)
from .reference import reference_prior, with_prior


class Suggestion(tuple):
    """A suggested color at a pixel: ``rgb`` (r, g, b) ints 0-255 and its ``probability``."""

    __slots__ = ()

    def __new__(cls, rgb, probability):
        return super().__new__(cls, (rgb, probability))

    rgb = property(lambda self: self[0])
    probability = property(lambda self: self[1])

    def __repr__(self):
        return f"Suggestion(rgb={self.rgb}, probability={self.probability:.3f})"


class HintSession:
    """A photo being colorized with hints: automatic colors computed once, hints added one at a time.

    Parameters
    ----------
    model : fitted SOMColorizer
    photo : path, Pillow image or array
        The photo (gray or color: its lightness is used), as for
        :meth:`~somcolor.SOMColorizer.predict`.
    reference : path, Pillow image or array, optional
        A color photo whose palette the colors follow
        (:mod:`somcolor.hints.reference`).
    propagation : Propagation, optional
        How hints spread (:mod:`somcolor.hints.propagation`).
    name : str, optional
        How messages name the photo (a path names itself).
    prior : ndarray of shape (n_colors,), optional
        Instead of `reference`: its log prior, already computed
        (:func:`~somcolor.hints.reference.reference_prior`), for many photos of one reference.

    Examples
    --------
    >>> from somcolor import bundled_images, load_model
    >>> session = HintSession(load_model("landscapes"), bundled_images("test")[0])
    >>> first = session.add_point(40, 60, (40, 150, 60))
    >>> session.colors().shape
    (150, 150, 3)
    >>> [s.probability > 0 for s in session.suggest_colors(40, 60, k=2)]
    [True, True]
    """

    def __init__(self, model, photo, reference=None, propagation=None, name=None, prior=None):
        check_is_fitted(model)
        model._check_params()
        self.model = model
        self.propagation = (propagation or Propagation()).check()
        name = name or image_name(photo, 0)
        self.name = name
        plan = model.colorize_plan()
        if reference is not None:
            prior = reference_prior(model, reference)
        if prior is not None:
            plan = with_prior(plan, prior)
        pixels, alpha = as_pixels(photo, name, model.max_image_pixels, alpha=True)
        self.shape = pixels.shape[:2]
        self._alpha = None if alpha is None else to_float(alpha).astype(np.float32)
        backend = CpuBackend(plan)
        self._luv = colorize_luv(pixels, plan, backend)
        # Without hints, the photo's colors are predict's, bit for bit: converted from the same CIELUV, or,
        # where the network pass goes straight to RGB (no smoothing), colorized as predict does.
        self._auto = colorize_image(pixels, plan, backend) if not plan.smooth_radius else luv_planes_to_rgb(self._luv)
        self._codebook = plan.codebook
        self._grid(pixels, plan, backend)
        self._hints = {}
        self._ids = itertools.count()
        self._sum_weights = np.zeros(self._grid_shape, np.float32)
        self._sum_targets = np.zeros((2, *self._grid_shape), np.float32)

    # -- what is computed once ------------------------------------------------------------------------------

    def _grid(self, pixels, plan, backend):
        """The grid hints spread over (its lightness), and the square roots of the class probabilities on it."""
        height, width = self.shape
        self._short_side = min(height, width)
        self._factor = max(1, round(self._short_side / GRID_SIDE))
        L = self._luv[0]
        self._grid_L = downscale(L, self._factor).astype(np.float32) if self._factor > 1 else L.copy()
        self._grid_shape = self._grid_L.shape
        self._affinities = affinities(self._grid_L)
        self._degrees = degrees(self._affinities)
        uv = self._luv[1:]
        self._grid_uv = np.stack([downscale(plane, self._factor) for plane in uv]).astype(np.float32) \
            if self._factor > 1 else uv.copy()
        # The class probabilities where the model computes them: at the working resolution, or at full size.
        working = working_factor(self.shape, plan.working_side)
        if working == 1 and height * width > BAND_PIXELS:
            working = self._factor  # too large to hold them at full size: on the grid
        seen_of = small_lightness(pixels, working, BAND_PIXELS) if working > 1 else L
        seen = seen_lightness(seen_of, plan.lightness_spread)
        proba = backend.probabilities(np.ascontiguousarray(seen, dtype=np.float32))
        self._proba, self._proba_factor = proba, working
        self._roots = np.sqrt(np.maximum(_resample(proba, working, self._factor, self._grid_shape), 0))

    # -- hints ------------------------------------------------------------------------------------------------

    def add_hint(self, pixels, rgb):
        """Hint the pixels (flat indices, row-major, or a boolean mask of the photo's shape) to be the color
        `rgb` (its chromaticity: see :func:`~somcolor.hints.images.hint_chromaticity`); returns its id."""
        pixels = np.asarray(pixels)
        if pixels.dtype == bool:
            if pixels.shape != self.shape:
                raise ValueError(f"{self.name}: a hint mask of shape {pixels.shape} for a photo of {self.shape}")
            pixels = np.flatnonzero(pixels)
        pixels = np.unique(pixels.astype(np.int64).ravel())
        if not pixels.size:
            raise ValueError(f"{self.name}: a hint must cover at least one pixel")
        if pixels[0] < 0 or pixels[-1] >= self.shape[0] * self.shape[1]:
            raise ValueError(f"{self.name}: a hint outside the photo's {self.shape[1]} x {self.shape[0]} pixels")
        hint = Hint(pixels, hint_color(rgb))
        target = hint_chromaticity(hint.rgb).astype(np.float32)
        weights = self._weights(pixels)
        value = target if self.propagation.mode == "blend" else target - self._auto_chromaticity(pixels).mean(axis=0)
        self._sum_weights += weights
        self._sum_targets += weights * value[:, None, None]
        hint_id = next(self._ids)
        self._hints[hint_id] = (hint, target, weights, value)
        return hint_id

    def _cells(self):
        """The grid cells that hold a hinted pixel (h, w) bool: the smoothing holds them."""
        cells = np.zeros(self._grid_shape, bool)
        width = self.shape[1]
        for hint, _, _, _ in self._hints.values():
            cells[hint.pixels // width // self._factor, hint.pixels % width // self._factor] = True
        return cells

    def add_point(self, row, col, color, radius=2):
        """Hint a disk of `radius` around (row, col) to be `color` (r, g, b); returns its id."""
        check_radius(radius)
        return self.add_hint(brush_pixels(self.shape, [int(row)], [int(col)], radius), hint_color(color))

    def add_stroke(self, path, color, radius=2):
        """Hint the polyline through `path` [(row, col), ...], `radius` thick, to be `color`; returns its id."""
        check_radius(radius)
        return self.add_hint(brush_pixels(self.shape, *stroke_line(path), radius), hint_color(color))

    def set_hints(self, hints):
        """Replace every hint by those of a hint image (array, PNG path or None; see
        :func:`~somcolor.hints.images.read_hints`)."""
        self.clear()
        image = read_hints(hints, self.shape, f"hints of {self.name}", self.name)
        for hint in hints_in(image) if image is not None else []:
            self.add_hint(hint.pixels, hint.rgb)

    def remove_hint(self, hint_id):
        """Take a hint back: the colors are as if it had never been given."""
        del self._hints[hint_id]
        # Summed again, not subtracted: float32 sums would drift over many undos.
        self._sum_weights[...] = 0
        self._sum_targets[...] = 0
        for _, _, weights, value in self._hints.values():
            self._sum_weights += weights
            self._sum_targets += weights * value[:, None, None]

    def clear(self):
        """Take every hint back."""
        self._hints.clear()
        self._sum_weights[...] = 0
        self._sum_targets[...] = 0

    @property
    def lightness(self):
        """The photo's lightness L (H, W) float32, in [0, 100]."""
        return self._luv[0]

    @property
    def hints(self):
        """The hints given, by id: (pixels, (r, g, b))."""
        return {hint_id: entry[0] for hint_id, entry in self._hints.items()}

    def hint_image(self):
        """The hints given as a hint image (H, W, 4) uint8, which :meth:`set_hints` and
        ``somcolor colorize --hints`` read back to the same colors."""
        image = np.zeros((*self.shape, 4), np.uint8)
        flat = image.reshape(-1, 4)
        for hint, _, _, _ in self._hints.values():
            flat[hint.pixels] = (*hint.rgb, 255)
        return image

    def _weights(self, pixels):
        """A hint's weight of every grid cell (see :mod:`somcolor.hints.propagation`)."""
        width = self.shape[1]
        rows, cols = pixels // width // self._factor, pixels % width // self._factor
        seeds = np.zeros((1, *self._grid_shape), bool)
        seeds[0, rows, cols] = True
        p = self.propagation
        geodesic = geodesic_distances(self._grid_L, seeds, self._factor, p.edge)[0]
        own = self._roots[:, rows, cols].mean(axis=1)
        own /= max(float(np.linalg.norm(own)), 1e-12)
        distance = hint_distance(geodesic, unlikeness(self._roots, own), p, self._short_side)
        return hint_weight(distance, p, self._short_side, eps=0.5 * self._factor).astype(np.float32)

    def _auto_chromaticity(self, pixels):
        """The automatic chromaticity (U, V) / 13 L of flat pixels, (n, 2)."""
        luv = self._luv.reshape(3, -1)[:, pixels]
        return (luv[1:] / (13.0 * np.maximum(luv[0], 1.0))).T

    # -- colors -----------------------------------------------------------------------------------------------

    def colors(self):
        """RGB (H, W, 3) float32 in [0, 1] of the photo with its hints (with its alpha channel as a fourth,
        where it has one); without hints, what :meth:`~somcolor.SOMColorizer.predict` gives, bit for bit.

        One pass of a numba kernel (:func:`~somcolor.hints._kernels.blend_hints`) blends the hints' grid
        into the automatic chroma and converts to RGB; :meth:`hinted_luv` is its readable reference."""
        if not self._hints:
            rgb = self._auto
        else:
            planes = np.pad(self._hint_planes(smooth), ((0, 0), (0, 1), (0, 1)), mode="edge")
            (y0, fy), (x0, fx) = (coarse_coordinates(n, self._factor) for n in self.shape)
            rgb = np.empty((*self.shape, 3), np.float32)
            _kernels.blend_hints(self._luv, planes, y0, fy, x0, fx, self.propagation.mode == "blend",
                                 *LUV_CONSTANTS, rgb)
            rgb.reshape(-1, 3)[self._hinted] = self._exact_rgb()
        return rgb if self._alpha is None else np.dstack([rgb, self._alpha])

    def _hint_planes(self, solve):
        """On the grid: the hints' share against the automatic colors (which weigh 1), their mean
        chromaticity (or correction) times that share, and the (U, V) the smoothing adds to the blend (by
        `solve`: :func:`~somcolor.hints.propagation.smooth` or its reference)."""
        total = self._sum_weights
        share = total / (total + 1)
        mean = share * (self._sum_targets / np.maximum(total, np.float32(1e-30)))
        blended = (1 - share if self.propagation.mode == "blend" else 1) * self._grid_uv \
            + 13.0 * self._grid_L * mean
        correction = np.zeros_like(blended)
        if np.isfinite(self.propagation.keep):
            data = data_weights(self._degrees, self.propagation.keep, share)
            correction = solve(self._affinities, data, blended, self._cells()) - blended
        return np.concatenate([share[None], mean, correction]).astype(np.float32)

    @property
    def _hinted(self):
        return np.concatenate([entry[0].pixels for entry in self._hints.values()])

    def _exact_rgb(self):
        """RGB (n, 3) of the hinted pixels, at their hint's chromaticity exactly (a later hint over an earlier
        one wins)."""
        luv = np.concatenate([self._hint_luv(hint, target) for hint, target, _, _ in self._hints.values()], axis=1)
        return luv_planes_to_rgb(luv[:, None])[0]

    def _hint_luv(self, hint, target):
        L = self._luv[0].reshape(-1)[hint.pixels]
        return np.stack([L, *(target[:, None] * (13.0 * L))]).astype(np.float32)

    def hinted_luv(self):
        """CIELUV planes (3, H, W) of the photo with its hints, in numpy: the reference :meth:`colors`'s kernel
        is tested against."""
        planes = self._hint_planes(smoothing_reference)
        if self._factor > 1:
            planes = upsample(planes, *self.shape, self._factor)
        luv = self._luv.copy()
        scaled_L = 13.0 * luv[0]
        for channel in (1, 2):
            if self.propagation.mode == "blend":
                luv[channel] *= 1 - planes[0]
            luv[channel] += scaled_L * planes[channel] + planes[channel + 2]
        flat = luv.reshape(3, -1)
        for hint, target, _, _ in self._hints.values():  # hinted pixels take their hint exactly
            flat[:, hint.pixels] = self._hint_luv(hint, target)
        return luv

    def suggest_colors(self, row, col, k=5):
        """The `k` likeliest colors at pixel (row, col), the likeliest first, from the model's class
        probabilities there: each class's color at the pixel's own lightness, as
        :class:`Suggestion` (rgb, probability). Used as a hint at that pixel, a suggestion gives its color
        back exactly."""
        height, width = self.shape
        if not (0 <= row < height and 0 <= col < width):
            raise ValueError(f"{self.name}: pixel ({row}, {col}) is outside its {width} x {height} pixels")
        if not (isinstance(k, (int, np.integer)) and k >= 1):
            raise ValueError(f"k must be a whole number of at least 1, got {k!r}")
        f = self._proba_factor
        at = self._proba[:, min(row // f, self._proba.shape[1] - 1), min(col // f, self._proba.shape[2] - 1)]
        L = float(self._luv[0, row, col])
        order = np.argsort(-at, kind="stable")[: min(k, len(at))]
        luv = np.zeros((3, 1, len(order)), np.float32)
        luv[0] = L
        luv[1:, 0] = self._codebook[order].T
        colors = np.round(luv_planes_to_rgb(luv)[0] * 255).astype(int)
        return [Suggestion(tuple(int(v) for v in c), float(at[q])) for c, q in zip(colors, order)]


def _resample(planes, source_factor, target_factor, shape):
    """Planes (C, h, w) of an image seen at 1/`source_factor` of its size, bilinearly at the centres of the
    cells of its grid at 1/`target_factor` (`shape`)."""
    if source_factor == target_factor and planes.shape[1:] == tuple(shape):
        return planes
    rows = np.clip(((np.arange(shape[0]) + 0.5) * target_factor) / source_factor - 0.5, 0, planes.shape[1] - 1)
    cols = np.clip(((np.arange(shape[1]) + 0.5) * target_factor) / source_factor - 0.5, 0, planes.shape[2] - 1)
    grid = np.meshgrid(rows, cols, indexing="ij")
    return np.stack([map_coordinates(plane, grid, order=1, mode="nearest") for plane in planes]).astype(np.float32)
