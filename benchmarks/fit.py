"""SOMColorizer.fit on all 539 landscapes (2,500 pixels each), by phase, against plain scikit-learn.

The reference trains scikit-learn's MLPClassifier.fit (float64, its default
batch of 200) on the same features and labels for the same number of epochs.

    python benchmarks/fit.py [--data DIR] [--no-reference]
"""

import argparse
import time

import numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state

from _common import SHARED_DATA, print_table, write_json
from somcolor import SOMColorizer
from somcolor.features.sampling import sample_training_pixels
from somcolor.io.images import find_images


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=SHARED_DATA / "landscapes")
    parser.add_argument("--no-reference", action="store_true", help="skip the scikit-learn reference")
    args = parser.parse_args()
    paths = find_images([args.data])

    model = SOMColorizer(random_state=0)
    _, total = timed(lambda: model.fit(paths))
    # The phases again, separately, with the functions fit uses.
    (features, chroma, _), sampling = timed(
        lambda: sample_training_pixels(paths, model.context_, model.pixels_per_image, check_random_state(0))
    )
    _, som = timed(lambda: model.quantizer_.fit(chroma))
    labels = model.quantizer_.transform(chroma)
    rows = [
        {"phase": "sampling: read, CIELUV, patches", "seconds": sampling},
        {"phase": "SOM quantizer (minisom)", "seconds": som},
        {"phase": f"MLP, {model.n_iter_} epochs (rest of fit)", "seconds": total - sampling - som},
        {"phase": "somcolor fit, total", "seconds": total},
    ]
    if not args.no_reference:
        reference = MLPClassifier(
            hidden_layer_sizes=model.hidden_layer_sizes, max_iter=model.n_iter_, tol=0, random_state=0
        )
        _, seconds = timed(lambda: reference.fit(features.astype(np.float64), labels))
        rows.append({"phase": f"reference: MLPClassifier.fit, {reference.n_iter_} epochs", "seconds": seconds})
        rows[2]["x_reference"] = seconds / rows[2]["seconds"]
    print(f"{len(paths)} images, {len(features):,} sampled pixels, {features.shape[1]} features")
    print_table(rows, [("phase", "phase", "s"), ("seconds", "seconds", ".1f"), ("x_reference", "speed-up", ".2f")])
    write_json(
        "fit",
        {"images": len(paths), "samples": len(features), "epochs": model.n_iter_,
         "params": {k: v for k, v in model.get_params().items() if k != "verbose"},
         "rows": rows, "target": "fit on all 539 landscapes in <= 60 s"},
    )


if __name__ == "__main__":
    main()
