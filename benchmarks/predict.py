"""End-to-end predict, gray uint8 in, RGB out: the fused path against the exact path.

The exact path is scikit-learn's predict_proba on the patch and context
features, then decode_chroma, the numpy guided filter (when the model smooths)
and scikit-image's luv2rgb (float64); the fused path is SOMColorizer.predict
(one numba pass per image, then the smoothing kernels), at full resolution
(working_side=None) and with the default working resolution (a photo much
larger than the training photos colorized near their size), and at full
resolution on the same photo faded to 40% of its contrast (its features see
it stretched: somcolor.features.contrast). Two floors, both
measured in the same run: the peak-GEMM floor is the network's FLOPs per pixel
(2 x the sum of its layers' n_in x n_out) at the rate of a large square float32
matrix product (BLAS, all cores), the most this CPU's arithmetic allows; the
skinny-GEMM floor is the MLP's own layers as float32 matrix products on every
pixel (BLAS, all cores), which pays for their small inner sizes. Default model
trained on the bundled photos.

    python benchmarks/predict.py [--sizes 256 1024]
"""

import argparse
import copy

import numpy as np

from _common import best_time, print_table, write_json
from somcolor import SOMColorizer, bundled_images
from somcolor.inference.exact import colorize_exact
from somcolor.io.images import as_image, read_image
from somcolor.io.writing import to_uint8


def exact_path(model, gray):
    return colorize_exact(as_image(gray, "gray"), model)


def test_image(size, contrast=1.0):
    """A real photo, tiled and cropped to size x size, its contrast scaled about mid-gray, as uint8 gray."""
    photo = read_image(bundled_images("test")[0]).mean(axis=2)
    reps = -(-size // photo.shape[0])
    return to_uint8(0.5 + contrast * (np.tile(photo, (reps, reps))[:size, :size] - 0.5))


def floor_seconds(model, pixels):
    """Best time of the MLP's layers as float32 matrix products on `pixels` rows: the FLOP floor."""
    rng = np.random.default_rng(0)
    weights = [w.astype(np.float32) for w in model.mlp_.coefs_]
    inputs = [rng.random((pixels, w.shape[0]), dtype=np.float32) for w in weights]
    outputs = [np.empty((pixels, w.shape[1]), np.float32) for w in weights]

    def products():
        for x, w, out in zip(inputs, weights, outputs):
            np.matmul(x, w, out=out)

    return best_time(products, repeat=5)


def peak_gemm_rate(n=2048):
    """FLOP per second of a float32 n x n matrix product (BLAS, all cores): the CPU's peak in practice."""
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    out = np.empty_like(a)
    return 2 * n**3 / best_time(lambda: np.matmul(a, a, out=out), repeat=5)


def network_flops(model):
    """FLOP per pixel of the network's layers (a multiply and an add per weight)."""
    return sum(2 * w.shape[0] * w.shape[1] for w in model.mlp_.coefs_)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024])
    args = parser.parse_args()
    model = SOMColorizer(max_iter=5, random_state=0).fit(bundled_images("train"))
    full = copy.deepcopy(model).set_params(working_side=None)

    rows = []
    for size in args.sizes:
        gray = test_image(size)
        fast = full.predict([gray])[0]
        difference = float(np.abs(fast - exact_path(full, gray)).max())
        megapixels = size * size / 1e6
        exact = best_time(lambda: exact_path(full, gray), repeat=3)
        fused = best_time(lambda: full.predict([gray]), repeat=10)
        faded = test_image(size, contrast=0.4)
        fused_faded = best_time(lambda: full.predict([faded]), repeat=10)
        working = best_time(lambda: model.predict([gray]), repeat=10)
        floor = floor_seconds(full, size * size)
        rate = peak_gemm_rate()
        peak = network_flops(full) * size * size / rate
        for name, seconds in (("exact (sklearn + skimage)", exact), ("fused numba, full resolution", fused),
                              ("fused, full resolution, faded photo (stretched)", fused_faded),
                              ("fused, default working resolution", working), ("skinny-GEMM floor (BLAS)", floor),
                              (f"peak-GEMM floor ({rate / 1e9:.0f} GFLOP/s)", peak)):
            rows.append(
                {
                    "size": f"{size} x {size}",
                    "method": name,
                    "ms": seconds * 1000,
                    "mp_per_s": megapixels / seconds,
                    "speedup": exact / seconds,
                    "max_rgb_difference": difference if name.startswith("fused numba") else 0.0,
                    "x_floor": seconds / floor,
                    "x_peak_floor": seconds / peak,
                }
            )
    print_table(
        rows,
        [("size", "size", "s"), ("method", "method", "s"), ("ms", "ms", ".1f"), ("mp_per_s", "MP/s", ".2f"),
         ("speedup", "x exact", ".1f"), ("x_floor", "x skinny floor", ".2f"),
         ("x_peak_floor", "x peak floor", ".2f"), ("max_rgb_difference", "max |diff|", ".1e")],
    )
    write_json(
        "predict",
        {"model": {k: v for k, v in model.get_params().items() if k != "verbose"}, "rows": rows,
         "targets": {"1024 x 1024": "full resolution within 1.5x of the peak-GEMM floor", "256 x 256": "<= 8 ms"}},
    )


if __name__ == "__main__":
    main()
