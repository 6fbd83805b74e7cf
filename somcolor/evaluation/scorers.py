"""Scorers for scikit-learn's model selection: each metric of :mod:`somcolor.evaluation.metrics` as
``scoring=``.

A scorer colorizes the color images it is given from their lightness and
compares the results with them.
"""

from ..io.images import as_image, image_name
from . import metrics


def _scorer(metric, sign=1.0):
    def score(estimator, X, y=None):
        originals = [as_image(image, image_name(image, i)) for i, image in enumerate(X)]
        return sign * metric(estimator.predict(originals), originals)

    score.__name__ = f"{'neg_' if sign < 0 else ''}{metric.__name__}_scorer"
    score.__doc__ = f"GridSearchCV scorer: {metric.__name__} of estimator.predict(X) against X."
    return score


#: Scorers by name, for ``GridSearchCV(..., scoring=SCORERS["psnr"])`` or a
#: dict of several. Greater is better, so RMSE is negated.
SCORERS = {
    "psnr": _scorer(metrics.psnr),
    "ssim": _scorer(metrics.ssim),
    "neg_rmse": _scorer(metrics.rmse, sign=-1.0),
    "auc": _scorer(metrics.auc),
    "rebalanced_auc": _scorer(metrics.rebalanced_auc),
    "colorfulness": _scorer(metrics.colorfulness),
    "pixel_accuracy": lambda estimator, X, y=None: estimator.score(X),
}
