"""Image-level cross-validation and a grid search that does not repeat work."""

import tempfile

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator, GridSearchCV, ParameterGrid

from ..estimator import SOMColorizer
from ..cluster import on_cluster
from .scorers import SCORERS


class InterleavedImageFolds(BaseCrossValidator):
    """K folds over images: image i goes to fold ``i % n_splits``.

    Every sample of X is a whole image, so no image has pixels on both sides
    of a split. Interleaving (rather than KFold's contiguous blocks) keeps
    each fold a mix of the scene types when files are sorted by name, as the
    landscapes are (forest, glacier, mountain, sea); fold 5 of 5 is the fixed
    every-fifth hold-out of :func:`~somcolor.holdout_split`.

    >>> [test.tolist() for _, test in InterleavedImageFolds(3).split(list("abcdefg"))]
    [[0, 3, 6], [1, 4], [2, 5]]
    """

    def __init__(self, n_splits=5):
        self.n_splits = n_splits

    def get_n_splits(self, X=None, y=None, groups=None):
        return self.n_splits

    def _iter_test_indices(self, X=None, y=None, groups=None):
        n_images = len(X)
        if not 2 <= self.n_splits <= n_images:
            raise ValueError(f"n_splits must be in [2, {n_images}] for {n_images} images, got {self.n_splits}")
        for fold in range(self.n_splits):
            yield np.arange(fold, n_images, self.n_splits)


def grid_search(
    images, param_grid, cv=3, scoring="psnr", estimator=None, cache_dir=None, n_jobs=None,
    scheduler=None, verbose=0,
):
    """Grid search over SOMColorizer parameters on a list of color images.

    Parameters
    ----------
    images : list of images (paths or arrays)
    param_grid : dict or list of dicts
        As for GridSearchCV, e.g. ``{"patch_size": [3, 5], "n_colors": [9, 25]}``.
    cv : int or splitter, default=3
        An int means :class:`InterleavedImageFolds` with that many folds.
    scoring : str, callable or dict, default="psnr"
        A name of :data:`somcolor.metrics.SCORERS`, or anything GridSearchCV takes.
    estimator : SOMColorizer, optional
        The base model (default: ``SOMColorizer(random_state=0)``). Its
        `random_state` should be an int so that candidates share samples.
    cache_dir : path, optional
        Where to cache samples and SOMs (``memory``); a temporary folder,
        removed afterwards, by default.
    n_jobs : int, optional
        GridSearchCV's parallel jobs (all the cluster's workers with a scheduler).
    scheduler : str, dask.distributed.Client or None
        Run the fits on a Dask cluster (see :func:`somcolor.cluster.on_cluster`).
        The cache folder must then be one the workers share (the default
        temporary folder is, on one machine).

    Returns
    -------
    search : GridSearchCV
        Fitted; its ``best_estimator_`` has ``memory=None``.
    """
    estimator = SOMColorizer(random_state=0) if estimator is None else clone(estimator)
    # Every candidate is checked before the first fit: a bad value fails in milliseconds, by name,
    # instead of after the other candidates' fits (or as a NaN row).
    for params in ParameterGrid(param_grid):
        clone(estimator).set_params(**params)._check_params()
    cv = InterleavedImageFolds(cv) if isinstance(cv, int) else cv
    if isinstance(scoring, str):
        if scoring not in SCORERS:
            raise ValueError(f"scoring must be one of {sorted(SCORERS)}, got {scoring!r}")
        scoring = SCORERS[scoring]
    with tempfile.TemporaryDirectory(prefix="somcolor-grid-") as tmp:
        search = GridSearchCV(
            estimator.set_params(memory=cache_dir or tmp),
            param_grid,
            cv=cv,
            scoring=scoring,
            n_jobs=-1 if scheduler is not None and n_jobs is None else n_jobs,
            verbose=verbose,
        )
        with on_cluster(scheduler):
            search.fit(list(images))
        search.best_estimator_.set_params(memory=None)
    return search
