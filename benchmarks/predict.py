"""End-to-end predict, gray uint8 in, RGB out: the fused path against the exact path.

The exact path is scikit-learn's predict_proba on the patch and context
features, then decode_chroma, the numpy guided filter (when the model smooths)
and scikit-image's luv2rgb (float64); the fused path is SOMColorizer.predict
(one numba pass per image, then the smoothing kernels). Default model trained
on the bundled photos.

    python benchmarks/predict.py [--sizes 256 1024]
"""

import argparse

import numpy as np

from _common import best_time, print_table, write_json
from somcolor import SOMColorizer, bundled_images
from somcolor.color import lightness
from somcolor.inference.exact import colorize_exact
from somcolor.io.images import as_image, read_image
from somcolor.io.writing import to_uint8


def exact_path(model, gray):
    return colorize_exact(as_image(gray, "gray"), model)


def test_image(size):
    """A real photo, tiled and cropped to size x size, as uint8 gray."""
    photo = read_image(bundled_images("test")[0]).mean(axis=2)
    reps = -(-size // photo.shape[0])
    return to_uint8(np.tile(photo, (reps, reps))[:size, :size])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024])
    args = parser.parse_args()
    model = SOMColorizer(max_iter=5, random_state=0).fit(bundled_images("train"))

    rows = []
    for size in args.sizes:
        gray = test_image(size)
        fast = model.predict([gray])[0]
        difference = float(np.abs(fast - exact_path(model, gray)).max())
        megapixels = size * size / 1e6
        exact = best_time(lambda: exact_path(model, gray), repeat=3)
        fused = best_time(lambda: model.predict([gray]), repeat=10)
        for name, seconds in (("exact (sklearn + skimage)", exact), ("fused numba", fused)):
            rows.append(
                {
                    "size": f"{size} x {size}",
                    "method": name,
                    "ms": seconds * 1000,
                    "mp_per_s": megapixels / seconds,
                    "speedup": exact / seconds,
                    "max_rgb_difference": difference if name.startswith("fused") else 0.0,
                }
            )
    print_table(
        rows,
        [("size", "size", "s"), ("method", "method", "s"), ("ms", "ms", ".1f"), ("mp_per_s", "MP/s", ".2f"),
         ("speedup", "x exact", ".1f"), ("max_rgb_difference", "max |diff|", ".1e")],
    )
    write_json(
        "predict",
        {"model": {k: v for k, v in model.get_params().items() if k != "verbose"}, "rows": rows,
         "targets": {"1024 x 1024": "<= 100 ms", "256 x 256": "<= 8 ms"}},
    )


if __name__ == "__main__":
    main()
