"""Edge-aware chroma smoothing: quality and cost of smooth_radius / smooth_eps on the landscapes.

Fits the default SOMColorizer once on the landscapes' training split (every
5th image held out) and colorizes the held-out images with each smoothing
setting: PSNR, SSIM, raw and rebalanced AuC, colorfulness, and predict time
per 150 x 150 image and per 256 x 256 image. Writes results/smoothing.json.

    python benchmarks/smoothing.py [--data DIR]
"""

import argparse
import time

import numpy as np

from _common import SHARED_DATA, best_time, print_table, write_json
from somcolor import SOMColorizer, holdout_split, metrics
from somcolor.color import grayscale
from somcolor.io.images import find_images, read_image

SETTINGS = [(0, None), (2, 1e-3), (4, 1e-3), (8, 1e-3), (4, 1e-2), (4, 1e-4)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=SHARED_DATA / "landscapes")
    args = parser.parse_args()
    train, test = holdout_split(find_images([args.data]))
    originals = [read_image(p) for p in test]
    grays = [grayscale(o) for o in originals]
    model = SOMColorizer(random_state=0).fit(train)
    big = np.tile(grays[0], (2, 2))[:256, :256]
    rows = []
    for radius, eps in SETTINGS:
        model.set_params(smooth_radius=radius, smooth_eps=eps or 1e-3)
        start = time.perf_counter()
        results = model.predict(grays)
        ms = (time.perf_counter() - start) * 1000 / len(grays)
        rows.append({
            "setting": "off" if radius == 0 else f"radius {radius}, eps {eps:g}",
            "psnr": metrics.psnr(results, originals), "ssim": metrics.ssim(results, originals),
            "auc": 100 * metrics.auc(results, originals),
            "rebalanced_auc": 100 * metrics.rebalanced_auc(results, originals),
            "colorfulness": metrics.colorfulness(results), "ms_150": ms,
            "ms_256": 1000 * best_time(lambda: model.predict([big]), repeat=5),
        })
    print(f"{len(train)} training / {len(test)} held-out landscapes, default model")
    print_table(rows, [("setting", "smoothing", "s"), ("psnr", "PSNR", ".2f"), ("ssim", "SSIM", ".3f"),
                       ("auc", "AuC %", ".1f"), ("rebalanced_auc", "rebal. AuC %", ".1f"),
                       ("colorfulness", "colorf.", ".1f"), ("ms_150", "ms 150px", ".1f"), ("ms_256", "ms 256px", ".1f")])
    write_json("smoothing", {"n_train": len(train), "n_test": len(test), "rows": rows})


if __name__ == "__main__":
    main()
