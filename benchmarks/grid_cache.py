"""Grid search with the cache (samples and SOM once per fold) against the naive grid.

GridSearchCV over patch_size x n_colors x hidden_layer_sizes on landscapes,
3 interleaved image folds, PSNR scoring; the same grid with memory=None
(every candidate samples pixels and trains its SOM again) and with a cache.

    python benchmarks/grid_cache.py [--data DIR] [--images 120] [--max-iter 5]
"""

import argparse
import tempfile
import time

import numpy as np
from sklearn.model_selection import GridSearchCV

from _common import SHARED_DATA, print_table, write_json
from somcolor import SOMColorizer
from somcolor.io.images import find_images
from somcolor import SCORERS
from somcolor.evaluation.model_selection import InterleavedImageFolds

GRID = {"patch_size": [3, 5], "n_colors": [9, 25], "hidden_layer_sizes": [(50,), (50, 50)]}


def run(images, memory, max_iter):
    search = GridSearchCV(
        SOMColorizer(max_iter=max_iter, random_state=0, memory=memory),
        GRID, cv=InterleavedImageFolds(3), scoring=SCORERS["psnr"],
    )
    start = time.perf_counter()
    search.fit(images)
    return time.perf_counter() - start, search


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=SHARED_DATA / "landscapes")
    parser.add_argument("--images", type=int, default=120, help="every k-th image, to this many")
    parser.add_argument("--max-iter", type=int, default=5)
    args = parser.parse_args()
    paths = find_images([args.data])
    images = paths[:: max(1, len(paths) // args.images)][: args.images]

    naive_s, naive = run(images, None, args.max_iter)
    with tempfile.TemporaryDirectory() as cache:
        cached_s, cached = run(images, cache, args.max_iter)
    same = bool(np.allclose(naive.cv_results_["mean_test_score"], cached.cv_results_["mean_test_score"]))
    n_fits = len(naive.cv_results_["params"]) * 3
    rows = [
        {"grid": "naive (memory=None)", "seconds": naive_s, "per_fit_s": naive_s / n_fits, "speedup": 1.0},
        {"grid": "cached (memory=folder)", "seconds": cached_s, "per_fit_s": cached_s / n_fits, "speedup": naive_s / cached_s},
    ]
    print(f"{len(images)} images, {n_fits} fits (8 candidates x 3 folds), {args.max_iter} epochs each; "
          f"identical scores: {same}; best {cached.best_params_}")
    print_table(rows, [("grid", "grid", "s"), ("seconds", "seconds", ".1f"), ("per_fit_s", "s / fit", ".2f"), ("speedup", "speed-up", ".2f")])
    write_json("grid_cache", {"images": len(images), "grid": {k: [str(v) for v in vs] for k, vs in GRID.items()},
                              "max_iter": args.max_iter, "identical_scores": same,
                              "best_params": {k: str(v) for k, v in cached.best_params_.items()}, "rows": rows})


if __name__ == "__main__":
    main()
