"""Baseline colorizers to measure SOMColorizer against.

Each is a scikit-learn estimator with the same interface as SOMColorizer:
``fit(X)`` on color images, ``predict(X)`` returning RGB floats in [0, 1].
"""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..color import merge_luv
from ..features.context import Context
from ..features.patches import check_odd_patch_size, iter_patch_blocks
from ..features.sampling import sample_training_pixels
from ..io.images import check_image_list, read_lightness, read_luv


def _colorize_each(X, chroma_of):
    """merge_luv(L, chroma_of(L)) for every image of X."""
    return [
        merge_luv(L, chroma_of(L))
        for L in (read_lightness(image, i) for i, image in enumerate(check_image_list(X)))
    ]


class GrayColorizer(BaseEstimator):
    """The gray baseline: keep L, predict no chroma (U = V = 0).

    >>> import numpy as np
    >>> GrayColorizer().fit([]).predict([np.full((2, 2), 0.5)])[0][0, 0].round(3)
    array([0.5, 0.5, 0.5])
    """

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        check_is_fitted(self)
        return _colorize_each(X, lambda L: np.zeros((*L.shape, 2)))


class LightnessLookup(BaseEstimator):
    """Per-lightness mean chroma: a lookup table from L to the mean (U, V) of the training pixels.

    Parameters
    ----------
    n_bins : int, default=100
        Number of equal-width L bins over [0, 100]. Bins that no training
        pixel falls in get no chroma.
    """

    _parameter_constraints = {"n_bins": [Interval(numbers.Integral, 1, None, closed="left")]}

    def __init__(self, n_bins=100):
        self.n_bins = n_bins

    def _bin(self, L):
        return np.clip((L * (self.n_bins / 100.0)).astype(np.int64), 0, self.n_bins - 1)

    def fit(self, X, y=None):
        self._validate_params()
        sums = np.zeros((self.n_bins, 2))
        counts = np.zeros(self.n_bins)
        for index, image in enumerate(check_image_list(X)):
            luv = read_luv(image, index).reshape(-1, 3)
            bins = self._bin(luv[:, 0])
            counts += np.bincount(bins, minlength=self.n_bins)
            for c in range(2):
                sums[:, c] += np.bincount(bins, weights=luv[:, 1 + c], minlength=self.n_bins)
        self.table_ = np.divide(sums, counts[:, None], out=np.zeros_like(sums), where=counts[:, None] > 0)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return _colorize_each(X, lambda L: self.table_[self._bin(L)])


class PatchRegressor(BaseEstimator):
    """The "MSE baseline": an MLP regressing (U, V) directly from the same patches.

    Same features and sampling as SOMColorizer, trained with squared error
    instead of classes: it tends to the mean color of similar patches, which
    is what the class formulation of Richart et al. and Zhang et al. avoids.

    Parameters
    ----------
    patch_size, hidden_layer_sizes, pixels_per_image, batch_size,
    learning_rate_init, max_iter, random_state
        As for :class:`~somcolor.SOMColorizer`.
    """

    _parameter_constraints = {
        "patch_size": [Interval(numbers.Integral, 1, 31, closed="both")],
        "hidden_layer_sizes": ["array-like"],
        "pixels_per_image": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        patch_size=5,
        hidden_layer_sizes=(50, 50),
        pixels_per_image=2500,
        batch_size=1024,
        learning_rate_init=3e-3,
        max_iter=20,
        random_state=None,
    ):
        self.patch_size = patch_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.pixels_per_image = pixels_per_image
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y=None):
        self._validate_params()
        check_odd_patch_size(self)
        rng = check_random_state(self.random_state)
        features, chroma, _ = sample_training_pixels(
            check_image_list(X), Context(int(self.patch_size)), self.pixels_per_image, rng
        )
        # Chroma spans about +-100: scaled to unit size so that Adam's step
        # suits it as it suits the [0, 1] features.
        self.mlp_ = MLPRegressor(
            hidden_layer_sizes=self.hidden_layer_sizes,
            batch_size=min(self.batch_size, len(features)),
            learning_rate_init=self.learning_rate_init,
            max_iter=self.max_iter,
            random_state=rng.randint(np.iinfo(np.int32).max),
        )
        with warnings.catch_warnings():
            # A fixed epoch budget, like SOMColorizer's: not converging is expected.
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.mlp_.fit(features, chroma / 100.0)
        return self

    def _chroma(self, L):
        uv = np.empty((L.size, 2))
        for start, stop, features in iter_patch_blocks(L, self.patch_size):
            uv[start:stop] = self.mlp_.predict(features) * 100.0
        return uv.reshape(*L.shape, 2)

    def predict(self, X):
        check_is_fitted(self)
        return _colorize_each(X, self._chroma)
