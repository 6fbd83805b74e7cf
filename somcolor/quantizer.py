"""Quantization of the chroma plane (U, V) with a self-organizing map.

The nearest-codeword search runs a numba kernel (:func:`nearest_codeword`)
whose numpy reference, :func:`nearest_codeword_reference`, sits beside it.
"""

import functools
import numbers

import numpy as np
from minisom import MiniSom
from numba import prange
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError
from sklearn.utils.validation import check_is_fitted, validate_data

from ._numba import parallel_kernel


def map_shape_for(n_colors):
    """The most nearly square (rows, cols) grid with exactly `n_colors` nodes.

    >>> map_shape_for(9), map_shape_for(400), map_shape_for(12)
    ((3, 3), (20, 20), (3, 4))
    """
    rows = int(np.sqrt(n_colors))
    while n_colors % rows:
        rows -= 1
    return rows, n_colors // rows


_POINT_BLOCK = 512


@functools.lru_cache(maxsize=None)
def _nearest_codeword_kernel(n_dims):
    """The kernel that finds the nearest codeword of each point, for points of `n_dims` coordinates.

    ``kernel(points, codebook, labels, sq_dist)`` writes the index of, and
    squared distance to, the nearest codeword. Memory is O(points), never
    O(points x codewords). Ties go to the lowest index, as with numpy's
    argmin. Codewords are the outer loop and a block of points, copied
    coordinate by coordinate into contiguous rows, the inner one, so the
    running minimum of many points is updated at once in vector registers.
    The dimension is a compile-time constant of each kernel so that its loop
    unrolls (2.4x faster for 2-D points than a loop over a run-time dimension).
    """

    @parallel_kernel(fastmath=False)
    def kernel(points, codebook, labels, sq_dist):
        n_points = points.shape[0]
        n_blocks = (n_points + _POINT_BLOCK - 1) // _POINT_BLOCK
        for block in prange(n_blocks):
            start = block * _POINT_BLOCK
            size = min(_POINT_BLOCK, n_points - start)
            coords = np.empty((n_dims, size))
            best = np.full(size, np.inf)
            best_k = np.zeros(size, np.int64)
            for i in range(size):
                for c in range(n_dims):
                    coords[c, i] = points[start + i, c]
            for k in range(codebook.shape[0]):
                for i in range(size):
                    dist = 0.0
                    for c in range(n_dims):
                        diff = coords[c, i] - codebook[k, c]
                        dist += diff * diff
                    closer = dist < best[i]
                    best[i] = dist if closer else best[i]
                    best_k[i] = k if closer else best_k[i]
            for i in range(size):
                labels[start + i] = best_k[i]
                sq_dist[start + i] = best[i]

    return kernel


def nearest_codeword(points, codebook):
    """Index of the nearest codeword of each point, and the squared distance to it.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_dims)
    codebook : ndarray of shape (n_codes, n_dims)

    Returns
    -------
    labels : ndarray of shape (n_points,), dtype intp
    sq_dist : ndarray of shape (n_points,), dtype float64
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    codebook = np.ascontiguousarray(codebook, dtype=np.float64)
    if points.ndim != 2 or codebook.ndim != 2 or points.shape[1] != codebook.shape[1]:
        raise ValueError(
            f"expected points (n, d) and codebook (k, d), got {points.shape} and {codebook.shape}"
        )
    labels = np.empty(points.shape[0], dtype=np.intp)
    sq_dist = np.empty(points.shape[0], dtype=np.float64)
    _nearest_codeword_kernel(points.shape[1])(points, codebook, labels, sq_dist)
    return labels, sq_dist


def nearest_codeword_reference(points, codebook, chunk_size=65536):
    """The test oracle of :func:`nearest_codeword`: the same in plain numpy.

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
    fitted quantizer is small and safe to serialize. It quantizes samples of
    any dimension; somcolor gives it (U, V) pairs.

    Parameters
    ----------
    n_colors : int, default=9
        Number of color classes (SOM nodes), e.g. 9, 25, 100 or 400.
    map_shape : tuple (rows, cols), default=None
        Shape of the SOM grid; ``rows * cols`` must equal `n_colors`. By
        default the most nearly square grid.
    sigma : float, default=0.5
        Initial spread of the SOM's Gaussian neighbourhood, in grid units.
        Chosen in somcolor 0.2, when the map learned from the first photos'
        samples only (a defect until 0.5.0), where sigma=1 left no blue
        codeword on the landscapes; on a draw of all their samples both 0.5
        and 1 keep three blue codewords, and sigma=1 scored less PSNR on
        three of the yardstick's five cross-source splits (docs/quality.md).
    learning_rate : float, default=0.5
        Initial SOM learning rate; it decays linearly to zero so that the
        codewords settle.
    n_iterations : int, default=20000
        Number of SOM updates, each with one randomly drawn sample.
    random_state : int, RandomState instance or None, default=None
        Seeds the SOM's initialisation and the samples it draws.

    Attributes
    ----------
    codebook_ : ndarray of shape (n_colors, 2)
        The (U, V) color of each class, in row-major order of the map.
    n_features_in_ : int
        Dimension of the samples (2 for chroma).
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

    _parameter_constraints = {
        "n_colors": [Interval(numbers.Integral, 2, None, closed="left")],
        "map_shape": ["array-like", None],
        "sigma": [Interval(numbers.Real, 0, None, closed="neither")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iterations": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def _check_params(self):
        """Check the parameters; return the map's (rows, cols)."""
        self._validate_params()
        if self.map_shape is None:
            return map_shape_for(self.n_colors)
        try:
            shape = tuple(int(s) for s in self.map_shape)
        except (TypeError, ValueError):
            shape = ()
        if len(shape) != 2 or min(shape) < 1 or shape[0] * shape[1] != self.n_colors:
            raise InvalidParameterError(
                f"The 'map_shape' parameter of UVQuantizer must be (rows, cols) with rows * cols == "
                f"n_colors ({self.n_colors}). Got {self.map_shape!r} instead."
            )
        return shape

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # transform gives class labels
        return tags

    def fit(self, X, y=None):
        """Train the SOM on (U, V) samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)
            Chroma samples (or samples of any other dimension).
        y : ignored

        Returns
        -------
        self : UVQuantizer
        """
        shape = self._check_params()
        X = validate_data(self, X, dtype=np.float64)
        rng = check_random_state(self.random_state)
        som = MiniSom(
            shape[0],
            shape[1],
            X.shape[1],
            sigma=float(self.sigma),
            learning_rate=float(self.learning_rate),
            decay_function="linear_decay_to_zero",
            random_seed=int(rng.randint(np.iinfo(np.int32).max)),
        )
        # PCA initialisation spans the chroma plane from the start; random
        # samples mostly land on near-gray pixels. A one-row map has no
        # second axis to lay along the second component, nor has a sample
        # of one point or one dimension two components.
        if min(shape) > 1 and min(X.shape) > 1:
            som.pca_weights_init(X)
        else:
            som.random_weights_init(X)
        # minisom's train_random visits only the first n_iterations samples (in a shuffled order), and
        # fit's samples come photo by photo: without this draw the codebook was the first few photos'
        # colors (on the landscapes, sorted by name, forests only: no blue codeword at all on 48 photos).
        n_iterations = int(self.n_iterations)
        if n_iterations < len(X):
            X_seen = X[rng.choice(len(X), size=n_iterations, replace=False)]
        else:
            X_seen = X
        som.train_random(X_seen, n_iterations)
        self.codebook_ = som.get_weights().reshape(-1, X.shape[1]).copy()
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
        labels, _ = nearest_codeword(validate_data(self, X, dtype=np.float64, reset=False), self.codebook_)
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
