"""Train on the bundled landscapes, colorize the held-out ones, save a figure.

    python examples/quickstart.py
"""

from pathlib import Path

from somcolor import SOMColorizer, bundled_images, load_model, metrics, save_model
from somcolor.color import grayscale
from somcolor.evaluation.figures import image_grid
from somcolor.io.images import read_image
from somcolor.io.writing import write_png

out = Path("quickstart-output")
model = SOMColorizer(random_state=0, verbose=1).fit(bundled_images("train"))
save_model(model, out / "model.skops")
model = load_model(out / "model.skops")  # the same model, read back without pickle

originals = [read_image(p) for p in bundled_images("test")]
grays = [grayscale(image) for image in originals]  # the photos as gray ones
results = model.predict(grays)

print(f"PSNR {metrics.psnr(results, originals):.2f} dB, SSIM {metrics.ssim(results, originals):.3f}")
print(f"colorfulness {metrics.colorfulness(results):.1f} (originals {metrics.colorfulness(originals):.1f})")
print(f"pixel-class accuracy {model.score(bundled_images('test')):.3f}")
print(f"codebook (U, V) of the {model.n_colors} color classes:\n{model.quantizer_.codebook_.round(1)}")
write_png(out / "figure.png", image_grid([[g, r, o] for g, r, o in zip(grays, results, originals)]))
print(f"wrote {out / 'figure.png'}")
