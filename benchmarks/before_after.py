"""The bundled model before and after a rebuild, by eye: eight BSDS500 photos and eight held-out outdoor
photos, each as the gray photo, the earlier bundled model's colors, the current one's and the original,
with each photo's PSNR and colorfulness.

    git show 7654133:somcolor/data/models/landscapes.skops > /tmp/before.skops
    python benchmarks/before_after.py /tmp/before.skops

Writes benchmarks/results/before_after_{BSDS,outdoor}.png (photos shrunk to 240 pixels wide) and
benchmarks/results/before_after.json.
"""

import argparse
from pathlib import Path

import numpy as np
from skimage.transform import resize

from _common import RESULTS, SHARED_DATA, print_table, quality_scores, spread, write_json
from somcolor import load_model
from somcolor.color import grayscale
from somcolor.evaluation.figures import image_grid
from somcolor.io.images import find_images, read_rgb
from somcolor.io.writing import write_png
from pretrained import held_out_photos

WIDTH = 240
COUNT = 8


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the earlier bundled model's file")
    args = parser.parse_args()
    models = {"before": load_model(args.before), "after": load_model("landscapes")}
    sources = {"BSDS": spread(find_images([SHARED_DATA / "bsds500_natural"]), COUNT),
               "outdoor": spread(held_out_photos()["outdoor"], COUNT)}
    rows = []
    for source, paths in sources.items():
        grid = []
        for i, path in enumerate(paths):
            original = read_rgb(path, i)
            gray = grayscale(original)
            colors = {name: model.predict([gray])[0] for name, model in models.items()}
            for name, result in [("gray", np.repeat(gray[..., None], 3, axis=2)), *colors.items()]:
                rows.append({"source": source, "photo": Path(path).name, "method": name,
                             **quality_scores([result], [original])})
            small = [gray, colors["before"], colors["after"], original]
            height = round(original.shape[0] * WIDTH / original.shape[1])
            grid.append([resize(image, (height, WIDTH), anti_aliasing=True) for image in small])
        figure = image_grid(grid, titles=["gray", "bundled before", "bundled after", "original"])
        write_png(RESULTS / f"before_after_{source}.png", figure)
    print_table(rows, [("source", "source", "s"), ("photo", "photo", "s"), ("method", "model", "s"),
                       ("psnr", "PSNR dB", ".2f"), ("colorfulness_pct", "colorf. %", ".0f")])
    write_json("before_after", {"before": str(args.before), "rows": rows})


if __name__ == "__main__":
    main()
