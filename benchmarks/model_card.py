"""The bundled model on photos it was never trained on: the demo's 12 held-out landscapes and the 51
BSDS500 natural photos (481 x 321, a test-only source), beside the gray photo.

    python benchmarks/model_card.py

Prints the table of the model card (docs/model_card.md) and writes benchmarks/results/model_card.json.
"""

import time

import numpy as np

from _common import SHARED_DATA, print_table, quality_scores, write_json
from somcolor import bundled_images, load_model
from somcolor.color import grayscale
from somcolor.io.images import find_images, read_rgb


def main():
    model = load_model("landscapes")
    sources = {"demo's 12 held-out landscapes (150 x 150)": bundled_images("test")}
    bsds = SHARED_DATA / "bsds500_natural"
    if bsds.is_dir():
        sources["BSDS500 natural, 51 photos (481 x 321)"] = find_images([bsds])
    rows = []
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
    print_table(rows, [("photos", "photos", "s"), ("method", "method", "s"), ("psnr", "PSNR dB", ".2f"),
                       ("ssim", "SSIM", ".3f"), ("rebalanced_auc", "rebal. AuC %", ".1f"),
                       ("colorfulness_pct", "colorf. % of originals", ".0f"), ("ms_per_photo", "ms/photo", ".0f")])
    write_json("model_card", {"model": "landscapes", "rows": rows})


if __name__ == "__main__":
    main()
