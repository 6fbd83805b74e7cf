"""The paper's Table I (SOM quantization error) and Table II (train / test accuracy) on our data.

Richart, Visca & Baliosian (2017) report, on 410 "Open Country" photos, the
SOM quantization error for 9, 25, 100 and 400 neurons (Table I) and the
pixel-class accuracy on training and test images for patches of 3, 5 and 11
and hidden layers 10, 50, 100, 50+50, 100+100, 200+200 and 300+300 with 9
colors (Table II). This script measures both on ../shared/data/8scene_64px
(the opencountry category, 64 x 64) and on ../shared/data/landscapes, with
every fifth image held out, the argmax model of the paper (no rebalancing),
and the grid's samples and SOMs cached across hidden sizes.

To keep the 42 fits within minutes on 2 cores it samples --pixels-per-image
(default 500, the paper 2,500) and trains --max-iter epochs (default 10);
training accuracy is measured on --train-score-images training images.

Writes benchmarks/results/paper_tables.json, paper_tables.md and a heatmap
paper_table2_<dataset>.png per dataset.

    python benchmarks/grid_search.py [--datasets opencountry landscapes]
"""

import argparse
import tempfile
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from sklearn.utils import check_random_state

from _common import RESULTS, SHARED_DATA, write_json
from somcolor import SOMColorizer, UVQuantizer, holdout_split
from somcolor.features import Context
from somcolor.features.sampling import sample_training_pixels
from somcolor.io.images import find_images

COLORS = (9, 25, 100, 400)
PATCHES = (3, 5, 11)
HIDDEN = ((10,), (50,), (100,), (50, 50), (100, 100), (200, 200), (300, 300))
# What the paper states that we have (DEVELOPERS.md): best test accuracy about
# 0.41, with 3 x 3 or 5 x 5 patches, 50 + 50 hidden units and 9 colors. The
# other published cells are not in our material.
PAPER = {(3, (50, 50)): 0.41, (5, (50, 50)): 0.41}


def dataset_paths(name):
    if name == "opencountry":
        return sorted(p for p in find_images([SHARED_DATA / "8scene_64px"]) if p.name.startswith("opencountry_"))
    return find_images([SHARED_DATA / name])


def table1(train, pixels_per_image):
    _, chroma, _ = sample_training_pixels(train, Context(1), pixels_per_image, check_random_state(0))
    rows = []
    for n in COLORS:
        start = time.perf_counter()
        q = UVQuantizer(n_colors=n, random_state=0).fit(chroma)
        rows.append({"neurons": n, "quantization_error": q.quantization_error_, "seconds": time.perf_counter() - start})
    return rows


def table2(train, test, args, cache):
    scored_train = train[:: max(1, len(train) // args.train_score_images)][: args.train_score_images]
    rows = []
    for p in PATCHES:
        for hidden in HIDDEN:
            model = SOMColorizer(
                patch_size=p, n_colors=9, hidden_layer_sizes=hidden, pixels_per_image=args.pixels_per_image,
                max_iter=args.max_iter, rebalance=None, decode="argmax", random_state=0, memory=cache,
            )
            start = time.perf_counter()
            model.fit(train)
            fit_s = time.perf_counter() - start
            rows.append({
                "patch": p, "hidden": "+".join(map(str, hidden)), "train": model.score(scored_train),
                "test": model.score(test), "fit_s": fit_s, "epochs": model.n_iter_,
                "paper_test": PAPER.get((p, hidden)),
            })
            print(f"  patch {p:2d}, hidden {rows[-1]['hidden']:>8}: train {rows[-1]['train']:.3f} "
                  f"test {rows[-1]['test']:.3f} ({fit_s:.0f} s)", flush=True)
    return rows


def heatmap(rows, path, title):
    """Test accuracy, patch (rows) x hidden layers (columns), as a PNG."""
    cell_w, cell_h, left, top = 78, 34, 60, 44
    hidden = [r["hidden"] for r in rows if r["patch"] == PATCHES[0]]
    values = np.array([[r["test"] for r in rows if r["patch"] == p] for p in PATCHES])
    low, high = values.min(), values.max()
    canvas = Image.new("RGB", (left + cell_w * len(hidden) + 4, top + cell_h * len(PATCHES) + 4), "white")
    draw, font = ImageDraw.Draw(canvas), ImageFont.load_default()
    draw.text((4, 4), title, fill="black", font=font)
    for j, h in enumerate(hidden):
        draw.text((left + j * cell_w + 4, top - 16), h, fill="black", font=font)
    for i, p in enumerate(PATCHES):
        draw.text((4, top + i * cell_h + 10), f"{p} x {p}", fill="black", font=font)
        for j in range(len(hidden)):
            t = (values[i, j] - low) / (high - low + 1e-12)
            color = (int(255 * (1 - t)), int(160 + 60 * t), int(255 * (1 - 0.6 * t)))
            box = (left + j * cell_w, top + i * cell_h, left + (j + 1) * cell_w - 2, top + (i + 1) * cell_h - 2)
            draw.rectangle(box, fill=color)
            draw.text((box[0] + 18, box[1] + 10), f"{values[i, j]:.3f}", fill="black", font=font)
    canvas.save(path)


def markdown(results, args):
    lines = [
        f"Settings: every fifth image held out; {args.pixels_per_image} sampled pixels per image (paper: 2,500); "
        f"at most {args.max_iter} epochs; argmax decoding, no rebalancing, 9 colors in Table II; training "
        f"accuracy on {args.train_score_images} training images. Paper column: the one figure of the paper we "
        "have (best test accuracy about 0.41, 3x3 or 5x5 patches, 50+50, 9 colors); its other cells are not "
        "in our material.",
        "",
    ]
    for name, result in results.items():
        lines += [f"### {name}: {result['n_train']} training / {result['n_test']} test images", "",
                  "Table I: SOM quantization error (mean distance in UV to the codeword)", "",
                  "| neurons | quantization error |", "|---|---|"]
        lines += [f"| {r['neurons']} | {r['quantization_error']:.2f} |" for r in result["table1"]]
        lines += ["", "Table II: pixel-class accuracy, 9 colors", "",
                  "| patch | hidden | train | test | paper (test) | fit s |", "|---|---|---|---|---|---|"]
        for r in result["table2"]:
            paper = "" if r["paper_test"] is None else f"~{r['paper_test']:.2f}"
            lines.append(
                f"| {r['patch']}x{r['patch']} | {r['hidden']} | {r['train']:.3f} | {r['test']:.3f} | "
                f"{paper} | {r['fit_s']:.0f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["opencountry", "landscapes"])
    parser.add_argument("--pixels-per-image", type=int, default=500)
    parser.add_argument("--max-iter", type=int, default=10)
    parser.add_argument("--train-score-images", type=int, default=100)
    args = parser.parse_args()
    results = {}
    for name in args.datasets:
        train, test = holdout_split(dataset_paths(name))
        print(f"{name}: {len(train)} training, {len(test)} test images", flush=True)
        with tempfile.TemporaryDirectory() as cache:
            results[name] = {
                "n_train": len(train), "n_test": len(test),
                "table1": table1(train, args.pixels_per_image),
                "table2": table2(train, test, args, cache),
            }
        for r in results[name]["table1"]:
            print(f"  SOM {r['neurons']:3d} neurons: quantization error {r['quantization_error']:.2f}")
        heatmap(results[name]["table2"], RESULTS / f"paper_table2_{name}.png",
                f"{name}: test accuracy, patch x hidden layers (9 colors)")
    (RESULTS / "paper_tables.md").write_text(markdown(results, args))
    write_json("paper_tables", {"settings": vars(args), "results": results})


if __name__ == "__main__":
    main()
