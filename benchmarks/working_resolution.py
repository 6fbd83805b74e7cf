"""Photos far larger than the training photos: the cross-source test photos enlarged 4x and 8x.

    python benchmarks/working_resolution.py [--images 60]

For each direction of the cross-source yardstick (trained on all of one
source, tested on the other), the default model colorizes test photos at their
own size and enlarged 4x and 8x (bicubic), with the working resolution
(working_side="auto": colorized near the training photos' size, chroma brought
back guided by the full-resolution L) and without it (working_side=None). An
enlarged photo should score within 0.3 dB of the same photo at its own size.
Writes benchmarks/results/working_resolution.json.
"""

import argparse
import copy

import numpy as np
from PIL import Image

from _common import SHARED_DATA, print_table, write_json
from somcolor import SOMColorizer, metrics
from somcolor.color import grayscale
from somcolor.io.images import find_images, read_image

DIRECTIONS = {"landscapes -> 8-scene": ("landscapes", "8scene_64px"), "8-scene -> landscapes": ("8scene_64px", "landscapes")}


def enlarged(photo, factor):
    image = Image.fromarray((photo * 255).round().astype(np.uint8))
    size = (photo.shape[1] * factor, photo.shape[0] * factor)
    return np.asarray(image.resize(size, Image.BICUBIC), dtype=np.float64) / 255


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60, help="test photos per direction, evenly spaced")
    args = parser.parse_args()
    rows = []
    for direction, (train_source, test_source) in DIRECTIONS.items():
        train = find_images([SHARED_DATA / train_source])
        test = find_images([SHARED_DATA / test_source])
        test = [test[i] for i in np.linspace(0, len(test) - 1, args.images).round().astype(int)]
        model = SOMColorizer(random_state=0).fit(train)
        for factor in (1, 4, 8):
            originals = [enlarged(read_image(p), factor) if factor > 1 else read_image(p) for p in test]
            grays = [grayscale(o) for o in originals]
            row = {"direction": direction, "enlarged": factor, "side": min(originals[0].shape[:2]),
                   "training_side": model.training_side_,
                   "gray_psnr": metrics.psnr([np.repeat(g[..., None], 3, axis=2) for g in grays], originals)}
            for label, side in (("working", "auto"), ("own_size", None)):
                results = copy.deepcopy(model).set_params(working_side=side).predict(grays)
                row[f"psnr_{label}"] = metrics.psnr(results, originals)
                row[f"colorfulness_{label}"] = 100 * metrics.colorfulness(results) / metrics.colorfulness(originals)
            rows.append(row)
            print(row, flush=True)
        base = {k: v for k, v in rows[-3].items() if k.startswith("psnr")}
        for row in rows[-3:]:
            row["loss_working"] = base["psnr_working"] - row["psnr_working"]
            row["loss_own_size"] = base["psnr_own_size"] - row["psnr_own_size"]
    print_table(rows, [("direction", "direction", "s"), ("enlarged", "x", "d"), ("side", "short side", "d"),
                       ("gray_psnr", "gray dB", ".2f"), ("psnr_working", "working res. dB", ".2f"),
                       ("loss_working", "loss", ".2f"), ("colorfulness_working", "colorf. %", ".0f"),
                       ("psnr_own_size", "own size dB", ".2f"), ("loss_own_size", "loss", ".2f"),
                       ("colorfulness_own_size", "colorf. %", ".0f")])
    write_json("working_resolution", {"images_per_direction": args.images, "rows": rows,
                                      "target": "an enlarged photo within 0.3 dB of the same photo at its own size"})


if __name__ == "__main__":
    main()
