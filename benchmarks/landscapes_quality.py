"""Quality of SOMColorizer on the landscapes against the gray baseline.

Trains on ../shared/data/landscapes (sorted names, every 5th image held out),
colorizes the held-out images from their lightness and prints, per decoding
and rebalancing choice: PSNR, SSIM, pixel-class accuracy, colorfulness, fit
seconds and predict milliseconds per image. The gray baseline keeps L and
sets U = V = 0. Writes benchmarks/results/landscapes_quality.json.

    python benchmarks/landscapes_quality.py [--data DIR] [--max-images N]
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from somcolor import SOMColorizer, holdout_split, metrics
from somcolor.color import grayscale
from somcolor.io.images import find_images, read_image

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "landscapes"
VARIANTS = [
    {"decode": "argmax", "rebalance": None},
    {"decode": "annealed_mean", "rebalance": None},
    {"decode": "argmax", "rebalance": 0.5},
    {"decode": "annealed_mean", "rebalance": 0.5},
]


def evaluate(name, results, originals, **extra):
    return {
        "method": name,
        "psnr": metrics.psnr(results, originals),
        "ssim": metrics.ssim(results, originals),
        "colorfulness": metrics.colorfulness(results),
        **extra,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--max-images", type=int, default=None, help="use the first N images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "landscapes_quality.json")
    args = parser.parse_args()

    if not args.data.is_dir():
        raise SystemExit(f"{args.data}: no such folder (pass --data)")
    paths = find_images([args.data])[: args.max_images]
    train, test = holdout_split(paths)
    originals = [read_image(p) for p in test]
    grays = [grayscale(o) for o in originals]
    defaults = SOMColorizer().get_params()

    rows = [
        evaluate(
            "gray (U = V = 0)",
            [np.repeat(g[..., None], 3, axis=2) for g in grays],
            originals,
        )
    ]
    for rebalance in (None, 0.5):
        model = SOMColorizer(rebalance=rebalance, random_state=args.seed)
        start = time.perf_counter()
        model.fit(train)
        fit_s = time.perf_counter() - start
        accuracy = model.score(test)
        for variant in (v for v in VARIANTS if v["rebalance"] == rebalance):
            model.set_params(**variant)
            start = time.perf_counter()
            results = model.predict(grays)
            predict_ms = (time.perf_counter() - start) * 1000 / len(grays)
            is_default = all(defaults[k] == v for k, v in variant.items())
            rows.append(
                evaluate(
                    f"somcolor {variant['decode']}, rebalance {rebalance}"
                    + (" (default)" if is_default else ""),
                    results,
                    originals,
                    pixel_accuracy=accuracy,
                    fit_s=fit_s,
                    predict_ms_per_image=predict_ms,
                    epochs=model.n_iter_,
                    **variant,
                )
            )
    rows.append({"method": "original", "colorfulness": metrics.colorfulness(originals)})

    header = f"{'method':45}{'PSNR':>7}{'SSIM':>7}{'acc':>7}{'colorf.':>9}{'fit s':>7}{'ms/img':>8}"
    print(f"{len(train)} training / {len(test)} held-out images from {args.data}\n{header}")

    def cell(row, key, fmt, width):
        return format(row[key], fmt).rjust(width) if key in row else " " * width

    for row in rows:
        print(
            f"{row['method']:45}{cell(row, 'psnr', '.2f', 7)}{cell(row, 'ssim', '.3f', 7)}"
            f"{cell(row, 'pixel_accuracy', '.3f', 7)}{cell(row, 'colorfulness', '.1f', 9)}"
            f"{cell(row, 'fit_s', '.1f', 7)}{cell(row, 'predict_ms_per_image', '.1f', 8)}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "data": str(args.data.name),
                "n_train": len(train),
                "n_test": len(test),
                "split": "sorted names, every 5th image held out",
                "machine": f"{platform.machine()}, {platform.python_version()}",
                "default_params": {k: v for k, v in defaults.items() if k != "verbose"},
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
