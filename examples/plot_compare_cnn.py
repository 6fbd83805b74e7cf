"""
somcolor against CNN colorizers, on photos from elsewhere
=========================================================

The cross-source yardstick (``benchmarks/yardstick.py``, or ``somcolor compare PHOTOS --other
OTHER_PHOTOS`` on your own collections) trains every method on one collection and tests it on another,
with the metrics CNN colorization papers report. Training the two CNN references takes hours on a CPU,
so this example draws the stored results of that benchmark, each split with the gray photo's score as
the line to beat.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt

root = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path("..").resolve()
splits = json.loads((root / "benchmarks" / "results" / "yardstick" / "yardstick.json").read_text())

fig, axes = plt.subplots(len(splits), 2, figsize=(11, 2.3 * len(splits)))
for (ax_psnr, ax_auc), split in zip(axes, splits):
    rows = [r for r in split["rows"] if "psnr" in r]  # the originals have a colorfulness only
    gray = next(r for r in rows if r["method"].startswith("gray"))
    names = [r["method"].split(" (")[0] for r in rows]
    colors = ["tab:orange" if "somcolor" in n else "tab:blue" if "CNN" in n else "tab:gray" for n in names]
    for ax, key, label in ((ax_psnr, "psnr", "PSNR dB"), (ax_auc, "rebalanced_auc", "rebalanced AuC %")):
        ax.barh(names, [r[key] for r in rows], color=colors)
        ax.axvline(gray[key], color="k", lw=1, ls="--")
        low = min(r[key] for r in rows)
        ax.set_xlim(low - 1, max(r[key] for r in rows) + 0.5)
        ax.set_title(f"{split['split']}: {label}", fontsize=9)
        ax.tick_params(labelsize=7)
fig.tight_layout()

for split in splits:
    best = max((r for r in split["rows"] if "psnr" in r), key=lambda r: r["psnr"])
    print(f"{split['split']}: best PSNR {best['psnr']:.2f} dB ({best['method']})")
