"""Quantization of the chroma plane (U, V) with a self-organizing map."""

import numbers

import numpy as np
from minisom import MiniSom
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils.validation import check_is_fitted

from . import _kernels


def map_shape_for(n_colors):
    """The most nearly square (rows, cols) grid with exactly `n_colors` nodes.

    >>> map_shape_for(9), map_shape_for(400), map_shape_for(12)
    ((3, 3), (20, 20), (3, 4))
    """
    rows = int(np.sqrt(n_colors))
    while n_colors % rows:
        rows -= 1
    return rows, n_colors // rows


def nearest_codeword(points, codebook):
    """Index of the nearest codeword of each point, and the squared distance to it.

    Parameters
    ----------
    points : ndarray of shape (n_points, 2)
    codebook : ndarray of shape (n_codes, 2)

    Returns
    -------
    labels : ndarray of shape (n_points,), dtype intp
    sq_dist : ndarray of shape (n_points,), dtype float64
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    codebook = np.ascontiguousarray(codebook, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or codebook.ndim != 2 or codebook.shape[1] != 2:
        raise ValueError(
            f"expected points (n, 2) and codebook (k, 2), got {points.shape} and {codebook.shape}"
        )
    labels = np.empty(points.shape[0], dtype=np.intp)
    sq_dist = np.empty(points.shape[0], dtype=np.float64)
    _kernels.nearest_codeword(points, codebook, labels, sq_dist)
    return labels, sq_dist


def nearest_codeword_reference(points, codebook, chunk_size=65536):
    """Numpy version of :func:`nearest_codeword`.

    Works in chunks of `chunk_size` points so that the (points x codewords)
    distance matrix never exists for all points at once.
    """
    points = np.asarray(points, dtype=np.float64)
    codebook = np.asarray(codebook, dtype=np.float64)
    labels = np.empty(points.shape[0], dtype=np.intp)
    sq_dist = np.empty(points.shape[0], dtype=np.float64)
    for start in range(0, points.shape[0], chunk_size):
        block = points[start : start + chunk_size]
        d = ((block[:, np.newaxis, :] - codebook[np.newaxis]) ** 2).sum(axis=2)
        labels[start : start + chunk_size] = d.argmin(axis=1)
        sq_dist[start : start + chunk_size] = d.min(axis=1)
    return labels, sq_dist


class UVQuantizer(TransformerMixin, BaseEstimator):
    """Color classes of the (U, V) chroma plane, learned by a self-organizing map.

    The SOM's nodes are the color classes and their weights the codebook
    (Richart et al. 2017). Only the codebook is kept after fitting, so the
    fitted quantizer is small and safe to serialize.

    Parameters
    ----------
    n_colors : int, default=9
        Number of color classes (SOM nodes), e.g. 9, 25, 100 or 400.
    map_shape : tuple (rows, cols), default=None
        Shape of the SOM grid; ``rows * cols`` must equal `n_colors`. By
        default the most nearly square grid.
    sigma : float, default=0.5
        Initial spread of the SOM's Gaussian neighbourhood, in grid units.
        Wider neighbourhoods pull the codewords towards the dominant grays:
        on the landscapes, sigma=1 on a 3 x 3 map left no blue codeword.
    learning_rate : float, default=0.5
        Initial SOM learning rate; it decays linearly to zero so that the
        codewords settle.
    n_iterations : int, default=20000
        Number of SOM updates, each with one randomly drawn sample.
    random_state : int, RandomState instance or None, default=None
        Seeds the SOM's initialisation and sample order.

    Attributes
    ----------
    codebook_ : ndarray of shape (n_colors, 2)
        The (U, V) color of each class, in row-major order of the map.
    map_shape_ : tuple (rows, cols)
        Shape of the fitted SOM grid.
    quantization_error_ : float
        Mean Euclidean distance from the training samples to their codeword.

    Examples
    --------
    >>> import numpy as np
    >>> from somcolor import UVQuantizer
    >>> uv = np.random.default_rng(0).normal(size=(1000, 2)) * 20
    >>> q = UVQuantizer(n_colors=4, random_state=0).fit(uv)
    >>> q.codebook_.shape, q.transform(uv[:3]).shape
    ((4, 2), (3,))
    """

    def __init__(
        self,
        n_colors=9,
        map_shape=None,
        sigma=0.5,
        learning_rate=0.5,
        n_iterations=20000,
        random_state=None,
    ):
        self.n_colors = n_colors
        self.map_shape = map_shape
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.random_state = random_state

    def _check_params(self):
        check_scalar(self.n_colors, "n_colors", numbers.Integral, min_val=2)
        if self.map_shape is None:
            shape = map_shape_for(self.n_colors)
        else:
            try:
                shape = tuple(int(s) for s in self.map_shape)
            except (TypeError, ValueError):
                shape = ()
            if len(shape) != 2 or min(shape) < 1 or shape[0] * shape[1] != self.n_colors:
                raise ValueError(
                    f"map_shape must be (rows, cols) with rows * cols == n_colors "
                    f"({self.n_colors}), got {self.map_shape!r}"
                )
        for name in ("sigma", "learning_rate"):
            check_scalar(
                getattr(self, name), name, numbers.Real, min_val=0, include_boundaries="neither"
            )
        check_scalar(self.n_iterations, "n_iterations", numbers.Integral, min_val=1)
        return shape

    @staticmethod
    def _check_uv(X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"expected (U, V) samples of shape (n, 2), got shape {X.shape}")
        if X.shape[0] == 0:
            raise ValueError("expected at least one (U, V) sample, got none")
        if not np.all(np.isfinite(X)):
            raise ValueError("(U, V) samples contain NaN or infinite values")
        return X

    def fit(self, X, y=None):
        """Train the SOM on (U, V) samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)
            Chroma samples.
        y : ignored

        Returns
        -------
        self : UVQuantizer
        """
        shape = self._check_params()
        X = self._check_uv(X)
        rng = check_random_state(self.random_state)
        som = MiniSom(
            shape[0],
            shape[1],
            2,
            sigma=float(self.sigma),
            learning_rate=float(self.learning_rate),
            decay_function="linear_decay_to_zero",
            random_seed=int(rng.randint(np.iinfo(np.int32).max)),
        )
        # PCA initialisation spans the chroma plane from the start; random
        # samples mostly land on near-gray pixels. A one-row map has no
        # second axis to lay along the second component.
        if min(shape) > 1:
            som.pca_weights_init(X)
        else:
            som.random_weights_init(X)
        som.train_random(X, int(self.n_iterations))
        self.codebook_ = som.get_weights().reshape(-1, 2).copy()
        self.map_shape_ = shape
        _, sq_dist = nearest_codeword(X, self.codebook_)
        self.quantization_error_ = float(np.sqrt(sq_dist).mean())
        return self

    def transform(self, X):
        """Class (index of the nearest codeword) of each (U, V) sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype intp
        """
        check_is_fitted(self)
        labels, _ = nearest_codeword(self._check_uv(X), self.codebook_)
        return labels

    def inverse_transform(self, X):
        """(U, V) codeword of each class label.

        Parameters
        ----------
        X : array-like of int, shape (n_samples,)

        Returns
        -------
        uv : ndarray of shape (n_samples, 2)
        """
        check_is_fitted(self)
        labels = np.asarray(X)
        if labels.size and (
            not np.issubdtype(labels.dtype, np.integer)
            or labels.min() < 0
            or labels.max() >= len(self.codebook_)
        ):
            raise ValueError(
                f"class labels must be integers in [0, {len(self.codebook_) - 1}]"
            )
        return self.codebook_[labels]
