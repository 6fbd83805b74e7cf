"""
Train, save, load and colorize
==============================

Train on the 48 bundled landscapes, save the model as a skops file (which loads without running code
from the file), read it back, and colorize the 12 held-out landscapes from their gray versions. The
gray photo's score is printed beside ours: it is the line to beat.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from somcolor import SOMColorizer, bundled_images, load_model, metrics, save_model
from somcolor.color import grayscale
from somcolor.io.images import read_image

out = Path(tempfile.mkdtemp(prefix="somcolor-quickstart-"))
model = SOMColorizer(random_state=0).fit(bundled_images("train"))
save_model(model, out / "model.skops")
model = load_model(out / "model.skops")  # the same model, read back without pickle

originals = [read_image(p) for p in bundled_images("test")]
grays = [grayscale(image) for image in originals]  # the photos as gray ones: their own lightness
results = model.predict(grays)
gray_rgb = [np.repeat(g[..., None], 3, axis=2) for g in grays]

print(f"PSNR {metrics.psnr(results, originals):.2f} dB (gray photo {metrics.psnr(gray_rgb, originals):.2f})")
print(f"colorfulness {metrics.colorfulness(results):.1f} (originals {metrics.colorfulness(originals):.1f})")
print(f"codebook (U, V) of the {model.n_colors} color classes:\n{model.quantizer_.codebook_.round(1)}")

# %%
# Gray input, colorized, original: four of the held-out photos.
fig, axes = plt.subplots(4, 3, figsize=(6, 8))
for row, i in zip(axes, (0, 3, 6, 9)):
    for ax, image, title in zip(row, (grays[i], results[i], originals[i]), ("gray input", "colorized", "original")):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
fig.tight_layout()
