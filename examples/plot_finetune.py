"""
Fine-tuning the bundled model on a few photos
=============================================

``load_model("landscapes").set_params(warm_start=True, ...).fit(my_photos)`` (or ``somcolor fit PHOTOS
-o MINE.skops --from landscapes``) keeps the model's color classes, features and weights and trains it
further on your photos. Here it runs on six bundled photos; below it, what ``benchmarks/finetune.py``
measured (too long to rerun here): on three sources, a model that never saw the source, the same model
fine-tuned on k of its photos and a fit from scratch on those k photos, tested on the rest of the
source, with the spread over three draws of photos and the gray photo's score as the line to beat.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt

from somcolor import bundled_images, load_model
from somcolor.estimator import FINE_TUNING

model = load_model("landscapes").set_params(warm_start=True, random_state=0, **FINE_TUNING)
model.fit(bundled_images("train")[:6])
print(f"fine-tuned for {model.n_iter_} epochs at a step of {model.learning_rate_init}: "
      f"losses {[round(loss, 3) for loss in model.loss_curve_]}")

# %%
# Score against the number of photos of the source (mean over three draws; the band spans them), as
# ``benchmarks/finetune.py`` drew it.
root = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path("..").resolve()
results = root / "benchmarks" / "results"
for entry in json.loads((results / "finetune.json").read_text())["summary"]:
    if entry["k"] == 20:
        print(f"{entry['source']:>10}, k = 20: {entry['method']:<45} PSNR {entry['psnr']:.2f} dB "
              f"({entry['psnr_min']:.2f}-{entry['psnr_max']:.2f}), rebalanced AuC {entry['rebalanced_auc']:.1f}%")
fig, ax = plt.subplots(figsize=(12, 6.5))
ax.imshow(plt.imread(results / "finetune.png"))
ax.axis("off")
fig.tight_layout()
