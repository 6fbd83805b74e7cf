"""The working-resolution rule, measured on photos at a real size.

    python benchmarks/working_resolution.py

The 51 BSDS500 natural photos (481 x 321, a test-only source) at their own
size and really downsized (anti-aliased) to 240 and 160 pixels on the short
side, and the two thumbnail collections at their own size, colorized by the
default models trained on the landscapes (150 pixels), the 8-scene images (64)
and both, at every block factor k (k = 1: the photo's own size; k: means of
k x k blocks, the chroma brought back guided by the full-resolution L) and by
the rule (working_side="auto": k = round(short side / training side)). An
enlarged photo holds no detail to lose, so only photos at a real size decide
the rule. Also the time and memory of a 12-megapixel photo by the rule and at
its own size. Writes benchmarks/results/working_resolution.json.
"""

import copy
import time
import tracemalloc

import numpy as np
from skimage.transform import resize

from _common import SHARED_DATA, print_table, quality_scores, write_json
from somcolor import SOMColorizer, metrics
from somcolor.color import grayscale
from somcolor.filters.resample import working_factor
from somcolor.io.images import find_images, read_image

SOURCES = {"landscapes": ["landscapes"], "8-scene": ["8scene_64px"], "both": ["landscapes", "8scene_64px"]}
FACTORS = (1, 2, 3, 4, 5, 6)


def downsized(photo, short):
    """A photo really downsized (anti-aliased) to `short` pixels on its short side."""
    if short >= min(photo.shape[:2]):
        return photo
    scale = short / min(photo.shape[:2])
    shape = (round(photo.shape[0] * scale), round(photo.shape[1] * scale))
    return resize(photo, shape, anti_aliasing=True).astype(np.float32)


def side_for(short, k):
    """A working side that gives block factor k on photos of this short side."""
    side = max(1, round(short / k))
    assert working_factor((short, short), side) == k
    return side


def test_sets():
    """(name, test photos, the training sources it is tested from): BSDS at three sizes, the thumbnails."""
    bsds = [read_image(p) for p in find_images([SHARED_DATA / "bsds500_natural"])]
    sets = [(f"BSDS at {short}", [downsized(p, short) for p in bsds], ("landscapes", "8-scene", "both"))
            for short in (321, 240, 160)]
    sets.append(("8-scene (64)", [read_image(p) for p in find_images([SHARED_DATA / "8scene_64px"])], ("landscapes",)))
    sets.append(("landscapes (150)", [read_image(p) for p in find_images([SHARED_DATA / "landscapes"])], ("8-scene",)))
    return sets


def twelve_megapixels(model):
    """Seconds and peak traced memory (MB above the model) to colorize a 4000 x 3000 photo (a real photo
    tiled), by the rule and at its own size."""
    tile = read_image(find_images([SHARED_DATA / "bsds500_natural"])[0])
    gray = np.tile(grayscale(tile), (10, 9))[:3000, :4000]
    rows = []
    for label, side in (("rule", "auto"), ("own size", None)):
        colorizer = copy.deepcopy(model).set_params(working_side=side)
        colorizer.predict([gray[:64, :64]])  # compile
        tracemalloc.start()
        start = time.perf_counter()
        colorizer.predict([gray])
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rows.append({"way": label, "factor": working_factor(gray.shape, colorizer.colorize_plan().working_side),
                     "seconds": seconds, "peak_mb": peak})
    return rows


def main():
    models = {}
    for name, folders in SOURCES.items():
        models[name] = SOMColorizer(random_state=0).fit(find_images([SHARED_DATA / f for f in folders]))
        print(f"{name}: trained, training side {models[name].training_side_}", flush=True)
    rows = []
    for test_name, originals, trained_on in test_sets():
        grays = [grayscale(o) for o in originals]
        short = int(np.median([min(o.shape[:2]) for o in originals]))
        gray_psnr = metrics.psnr([np.repeat(g[..., None], 3, axis=2) for g in grays], originals)
        for source in trained_on:
            model = models[source]
            rule = working_factor((short, short), model.training_side_)
            for k in FACTORS:
                if short / k < 16:
                    continue
                side = None if k == 1 else side_for(short, k)
                results = copy.deepcopy(model).set_params(working_side=side).predict(grays)
                row = {"test": test_name, "trained_on": source, "training_side": model.training_side_,
                       "short_side": short, "k": k, "rule_k": rule, "gray_psnr": gray_psnr,
                       **quality_scores(results, originals)}
                rows.append(row)
                print({key: (round(v, 2) if isinstance(v, float) else v) for key, v in row.items()}, flush=True)
    for group in {(r["test"], r["trained_on"]) for r in rows}:
        members = [r for r in rows if (r["test"], r["trained_on"]) == group]
        best = max(members, key=lambda r: r["psnr"])
        for r in members:
            r["best_k"] = best["k"]
            r["below_best_db"] = best["psnr"] - r["psnr"]
    print_table(rows, [("test", "test photos", "s"), ("trained_on", "trained on", "s"), ("short_side", "short", "d"),
                       ("training_side", "train side", "d"), ("k", "k", "d"), ("rule_k", "rule k", "d"),
                       ("gray_psnr", "gray dB", ".2f"), ("psnr", "PSNR dB", ".2f"), ("below_best_db", "below best", ".2f"),
                       ("rebalanced_auc", "rAuC %", ".1f"), ("colorfulness_pct", "colorf. %", ".0f")])
    huge = twelve_megapixels(models["both"])
    print_table(huge, [("way", "12 MP photo", "s"), ("factor", "k", "d"), ("seconds", "s", ".2f"),
                       ("peak_mb", "peak traced MB", ".0f")])
    write_json("working_resolution", {"factors": FACTORS, "rows": rows, "twelve_megapixels": huge})


if __name__ == "__main__":
    main()
