"""Evaluation: the metrics CNN colorization papers report, scorers, baselines, CNN references, the
comparison harness, image-level grid search and figures."""
