"""
Your colors: hints and a reference photo
========================================

Where the model guesses wrong, a few clicks say what the colors are. Here the hints are taken from the
original photo, as a person who remembers the scene would give them: three points, each the photo's own
mean color around it. Then a reference photo: another photo of the same kind of scene, whose palette the
colors follow. The gray photo's score is printed beside the others: it is the line to beat.
"""

import matplotlib.pyplot as plt
import numpy as np

from somcolor import bundled_images, load_model, metrics
from somcolor.color import grayscale
from somcolor.hints import hint_image
from somcolor.io.images import read_image

model = load_model("landscapes")
original = read_image(bundled_images("test")[0])  # a held-out photo: the bundled model never saw it
gray = grayscale(original)
points = [(125, 30), (120, 110), (40, 75)]  # the lawn (twice) and the sky
hints = hint_image(gray.shape, points=[(r, c, tuple(int(v) for v in original[r - 2 : r + 3, c - 2 : c + 3]
                                                     .reshape(-1, 3).mean(axis=0) * 255)) for r, c in points])
automatic = model.predict([gray])[0]
hinted = model.predict([gray], hints=[hints])[0]

gray_rgb = np.repeat(gray[..., None], 3, axis=2)
for name, result in (("gray photo", gray_rgb), ("automatic", automatic), ("three hints", hinted)):
    print(f"{name:12} PSNR {metrics.psnr([result], [original]):.2f} dB")

# %%
# The gray photo with the three hints drawn on it, the automatic colors, the colors with the hints, and the
# original. The automatic colors paint the lawn blue-gray (the model falls back on sky and water) and score
# under the gray photo; the two lawn points green the whole lawn. What is still wrong: the autumn trees
# turn green with the lawn, which the model sees as the same kind of thing, and a fringe of green reaches
# the bright edge of the clouds; one more point on the trees would say they are brown.
fig, axes = plt.subplots(1, 4, figsize=(10, 2.9))
shown = gray_rgb.copy()
mask = hints[..., 3] > 0
shown[mask] = hints[mask, :3] / 255
for ax, image, title in zip(axes, (shown, automatic, hinted, original),
                            ("gray + hints", "automatic", "with the hints", "original")):
    ax.imshow(image)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
for r, c in points:
    axes[0].add_patch(plt.Circle((c, r), 5, fill=False, color="white", linewidth=1.2))
fig.tight_layout()

# %%
# A reference photo: another held-out landscape of the same kind (a forest), whose colors become a prior on
# the class probabilities, without a single click.
reference = read_image(bundled_images("test")[1])
referenced = model.predict([gray], reference=reference)[0]
print(f"{'reference':12} PSNR {metrics.psnr([referenced], [original]):.2f} dB")
fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.9))
for ax, image, title in zip(axes, (reference, referenced, original), ("reference photo", "with the reference",
                                                                       "original")):
    ax.imshow(image)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
fig.tight_layout()
