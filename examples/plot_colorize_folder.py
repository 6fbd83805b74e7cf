"""
Colorize a folder of photos
===========================

``somcolor colorize FOLDER -o OUT`` with no model uses the bundled one. Here the same command runs from
Python (``somcolor.cli.main`` takes the command's arguments) on a folder of gray photos: it writes one PNG
per photo, each complete or not at all, and a rerun skips what is done.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from somcolor import bundled_images, metrics
from somcolor.cli import main
from somcolor.color import grayscale
from somcolor.io.images import read_image

work = Path(tempfile.mkdtemp(prefix="somcolor-folder-"))
photos = work / "old_scans"
photos.mkdir()
originals = {}
for path in bundled_images("test"):
    originals[path.stem] = read_image(path)
    gray = (grayscale(originals[path.stem]) * 255 + 0.5).astype(np.uint8)
    Image.fromarray(gray).save(photos / f"{path.stem}.jpg", quality=95)

status = main(["colorize", str(photos), "-o", str(work / "colorized")])
rerun = main(["colorize", str(photos), "-o", str(work / "colorized")])  # nothing left to do
print(f"exit status {status}, then {rerun} for the rerun")

# %%
# The colorized folder beside the gray one, scored against the originals.
names = sorted(originals)
colorized = [read_image(work / "colorized" / f"{name}.png") for name in names]
grays = [read_image(photos / f"{name}.jpg") for name in names]
truth = [originals[name] for name in names]
gray_rgb = [np.repeat(g[..., None], 3, axis=2) for g in grays]
print(f"PSNR {metrics.psnr(colorized, truth):.2f} dB against the gray photos' {metrics.psnr(gray_rgb, truth):.2f}")

fig, axes = plt.subplots(2, 6, figsize=(12, 4.4))
for k, ax in enumerate(axes.ravel()):
    ax.imshow(colorized[k] if k < 6 else grays[k - 6], cmap="gray", vmin=0, vmax=1)
    ax.set_title(("colorized " if k < 6 else "gray ") + names[k % 6].split("_")[1], fontsize=8)
    ax.axis("off")
fig.tight_layout()
