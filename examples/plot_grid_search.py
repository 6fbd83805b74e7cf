"""
Grid search over patch and SOM sizes
====================================

``SOMColorizer`` is a scikit-learn estimator: ``grid_search`` wraps ``GridSearchCV`` with image-level
folds and an image metric (PSNR), and caches the pixel samples and SOMs that candidates share. A small
grid runs here live; below it, the paper's Tables I and II as measured on our data by
``benchmarks/grid_search.py`` (full training, so read from its results file rather than rerun).
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from somcolor import SOMColorizer, bundled_images, grid_search

patch_sizes, n_colors = [3, 5], [9, 25]
search = grid_search(
    bundled_images("train")[:24], {"patch_size": patch_sizes, "n_colors": n_colors}, cv=3, scoring="psnr",
    estimator=SOMColorizer(max_iter=3, pixels_per_image=500, random_state=0),
)
scores = np.array(search.cv_results_["mean_test_score"]).reshape(len(patch_sizes), len(n_colors))
print(f"best: {search.best_params_}, PSNR {search.best_score_:.2f} dB")


def heatmap(ax, values, rows, cols, title, fmt):
    ax.imshow(values, cmap="viridis")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, format(value, fmt), ha="center", va="center", color="w", fontsize=8)
    ax.set_title(title, fontsize=9)


fig, ax = plt.subplots(figsize=(4, 3.2))
heatmap(ax, scores, [f"patch {p}" for p in patch_sizes], [f"{n} colors" for n in n_colors],
        "held-out PSNR dB, 3 image folds (24 photos, 3 epochs)", ".2f")
fig.tight_layout()

# %%
# The paper's Table II on our data: test pixel accuracy by patch size and hidden layers, 9 SOM colors,
# on the 8-scene "open country" photos (the paper's best: 0.41) and on the Intel landscapes.
root = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path("..").resolve()
tables = json.loads((root / "benchmarks" / "results" / "paper_tables.json").read_text())["results"]
fig, axes = plt.subplots(1, len(tables), figsize=(10, 3.4))
for ax, (name, table) in zip(np.atleast_1d(axes), tables.items()):
    rows = sorted({r["patch"] for r in table["table2"]})
    cols = list(dict.fromkeys(r["hidden"] for r in table["table2"]))
    grid = np.full((len(rows), len(cols)), np.nan)
    for r in table["table2"]:
        grid[rows.index(r["patch"]), cols.index(r["hidden"])] = r["test"]
    heatmap(ax, grid, [f"{p} x {p}" for p in rows], cols, f"{name}: test accuracy", ".2f")
fig.tight_layout()
