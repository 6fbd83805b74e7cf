"""Training the MLP: class rebalancing by color rarity, and the epoch loop."""

import numpy as np
from threadpoolctl import threadpool_limits

# Weights below this are subnormal-adjacent after long training and slow
# every later matrix product by up to 10x; zeroing them changes no output.
_SUBNORMAL_FLUSH = 1e-30


def rebalancing_weights(frequencies, lam):
    """Per-class weights that boost rare colors (Zhang et al. 2016, eq. 4).

    ``w ~ ((1 - lam) * p + lam / Q) ** -1``, normalised so that the expected
    weight under the class frequencies `p` is 1: the empirical distribution
    is mixed with a uniform one, and each class weighted by the inverse.

    Parameters
    ----------
    frequencies : ndarray of shape (Q,)
        Class frequencies, summing to 1.
    lam : float in [0, 1]
        0 weights each class by its inverse frequency, 1 weights all classes
        equally; Zhang et al. use 0.5. Classes that never occur get weight 0
        when ``lam`` is 0.

    Returns
    -------
    weights : ndarray of shape (Q,)

    Examples
    --------
    >>> rebalancing_weights(np.array([0.75, 0.25]), 0.0)
    array([0.66666667, 2.        ])
    >>> rebalancing_weights(np.array([0.75, 0.25]), 1.0)
    array([1., 1.])
    """
    frequencies = np.asarray(frequencies, dtype=np.float64)
    mix = (1.0 - lam) * frequencies + lam / frequencies.shape[0]
    weights = np.divide(1.0, mix, out=np.zeros_like(mix), where=mix > 0)
    return weights / np.dot(frequencies, weights)


def class_weights(labels, n_classes, rebalance):
    """Frequencies of the classes among `labels`, and each class's training weight.

    `rebalance` is the lambda of :func:`rebalancing_weights`, or None for
    equal weights.
    """
    counts = np.bincount(labels, minlength=n_classes)
    frequencies = counts / counts.sum()
    if rebalance is None:
        return frequencies, np.ones(n_classes)
    return frequencies, rebalancing_weights(frequencies, rebalance)


def train_epochs(mlp, epoch, n_classes, weights, max_iter, tol, n_iter_no_change, batch_size, epochs):
    """Train `mlp` for up to `max_iter` epochs; returns the loss after each.

    ``epoch()`` yields (features, labels) chunks of one pass over the data;
    `weights` (per class, or None) weigh the samples; training stops when the
    loss has not improved by `tol` for `n_iter_no_change` epochs. `epochs` is
    ``range(max_iter)`` or a progress bar over it.
    """
    # An epoch loop over partial_fit (rather than MLPClassifier.fit) shows
    # progress per epoch, serves in-memory and streamed data alike, and
    # declares all classes, so that predict_proba has a column for every
    # codeword even if a class never occurs among the samples.
    classes = np.arange(n_classes)
    # One BLAS thread: a matrix product split among threads may sum in
    # another order, and the same seed must give the same model whatever the
    # machine's thread count. The products are small; it costs no time here.
    with threadpool_limits(limits=1, user_api="blas"):
        losses = _epochs(mlp, epoch, classes, weights, tol, n_iter_no_change, batch_size, epochs)
    for array in mlp.coefs_ + mlp.intercepts_:
        array[np.abs(array) < _SUBNORMAL_FLUSH] = 0.0
    return losses


def _epochs(mlp, epoch, classes, weights, tol, n_iter_no_change, batch_size, epochs):
    """The epoch loop of :func:`train_epochs`."""
    best = np.inf
    stale = 0
    losses = []
    for _ in epochs:
        total = count = 0.0
        for features, labels in epoch():
            sample_weight = None if weights is None else weights[labels]
            # A chunk (or a small training set) may hold fewer samples than a batch.
            mlp.set_params(batch_size=min(batch_size, len(labels)))
            mlp.partial_fit(features, labels, sample_weight=sample_weight, classes=classes)
            total += float(mlp.loss_) * len(labels)
            count += len(labels)
        loss = total / count
        losses.append(loss)
        if hasattr(epochs, "set_postfix"):
            epochs.set_postfix(loss=f"{loss:.4f}")
        stale = stale + 1 if loss > best - tol else 0
        best = min(best, loss)
        if stale >= n_iter_no_change:
            break
    return losses
