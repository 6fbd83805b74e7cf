"""The bundled model on photos it was never trained on: the held-out photos of each of its training sources
(the demo's 12 landscapes, every fifth 8-scene image and outdoor photo) and the 51 BSDS500 natural photos
(481 x 321, a test-only source), beside the gray photo; and the same at other decoding temperatures,
which is how its own (benchmarks/pretrained.py's TEMPERATURE) was chosen.

    python benchmarks/model_card.py

Prints the tables of the model card (docs/model_card.md) and writes benchmarks/results/model_card.json.
"""

import time

import numpy as np

from _common import SHARED_DATA, print_table, quality_scores, write_json
from somcolor import bundled_images, load_model
from somcolor.color import grayscale
from somcolor.io.images import find_images, read_rgb
from pretrained import held_out_photos

TEMPERATURES = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def main():
    model = load_model("landscapes")
    held = held_out_photos()
    sources = {"demo's 12 held-out landscapes (150 x 150)": bundled_images("test"),
               f"held-out 8-scene images, {len(held['8-scene'])} (64 x 64)": held["8-scene"],
               f"held-out outdoor photos, {len(held['outdoor'])} (long side 640)": held["outdoor"],
               "BSDS500 natural, 51 photos (481 x 321)": find_images([SHARED_DATA / "bsds500_natural"])}
    rows, sweep = [], []
    shipped = model.temperature
    for name, paths in sources.items():
        originals = [read_rgb(p, i) for i, p in enumerate(paths)]
        grays = [grayscale(o) for o in originals]
        model.predict(grays[:1])  # compiled before timing
        start = time.perf_counter()
        results = model.predict(grays)
        ms = 1000 * (time.perf_counter() - start) / len(grays)
        gray_rgb = [np.repeat(g[..., None], 3, axis=2) for g in grays]
        rows.append({"photos": name, "method": "gray photo", **quality_scores(gray_rgb, originals)})
        rows.append({"photos": name, "method": "bundled model", **quality_scores(results, originals), "ms_per_photo": ms})
        for temperature in TEMPERATURES:
            # The shipped temperature's colors are the row above's: not colorized twice.
            swept = results if temperature == shipped else model.set_params(temperature=temperature).predict(grays)
            sweep.append({"photos": name, "temperature": temperature, **quality_scores(swept, originals)})
        model.set_params(temperature=shipped)
    scores = [("psnr", "PSNR dB", ".2f"), ("ssim", "SSIM", ".3f"), ("rebalanced_auc", "rebal. AuC %", ".1f"),
              ("colorfulness_pct", "colorf. % of originals", ".0f")]
    print_table(rows, [("photos", "photos", "s"), ("method", "method", "s"), *scores, ("ms_per_photo", "ms/photo", ".0f")])
    print(f"\nthe bundled model (shipped at T = {shipped}) at other temperatures:")
    print_table(sweep, [("photos", "photos", "s"), ("temperature", "T", ".2f"), *scores])
    write_json("model_card", {"model": "landscapes", "temperature": shipped, "rows": rows, "temperatures": sweep})


if __name__ == "__main__":
    main()
