"""Time per pixel by the photo's shape, peak memory of a photo of one row, and the threading layers.

    python benchmarks/shapes.py [--pixels 1000000] [--row 20000000] [--reference-python PATH]

Time: the default model (fit on the 48 bundled photos) colorizes a real photo's lightness tiled into
shapes of the same number of pixels, from square to one pixel wide; each is compared with the square
colorized at its own size (``working_side=None``: a thin photo is always colorized at its own size,
since its short side is below the working resolution) and with the square at the default working
resolution, in the same run. Memory: ``somcolor colorize`` of a PNG of one row of `--row` pixels, in a
fresh process (peak resident memory), here and, with `--reference-python`, by another interpreter with
another version of somcolor installed (a virtual environment of an older checkout), in the same run. Threading layers: the
48 bundled photos (150 x 150) colorized one by one in a fresh process per layer, somcolor's
``workqueue`` (which survives fork) against numba's default ``omp``.
"""

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from _common import best_time, print_table, write_json

PEAK = r"""
import resource, sys
from somcolor.cli import main
code = main(sys.argv[1:])
print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""

LAYER = r"""
import json, time
import numba
from somcolor import bundled_images, load_model
model = load_model("landscapes")
photos = bundled_images("train")
model.predict(photos[:2])
times = []
for _ in range(3):
    start = time.perf_counter()
    for photo in photos:
        model.predict([photo])
    times.append(time.perf_counter() - start)
print(json.dumps({"layer": numba.threading_layer(), "ms_per_photo": 1000 * min(times) / len(photos)}))
"""


def child(code, args=(), env=None, python=sys.executable):
    done = subprocess.run([python, "-c", code, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd="/")
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return done.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pixels", type=int, default=1_000_000)
    parser.add_argument("--row", type=int, default=20_000_000)
    parser.add_argument("--reference-python", help="an interpreter with another somcolor installed, whose one-row "
                        "peak is measured in the same run")
    args = parser.parse_args()

    from somcolor import SOMColorizer, bundled_images
    from somcolor.color import lightness
    from somcolor.io.images import read_image

    model = SOMColorizer(random_state=0).fit(bundled_images("train"))
    at_own_size = copy.deepcopy(model).set_params(working_side=None)
    gray = (lightness(read_image(bundled_images("test")[0])) * 2.55).astype(np.uint8)
    side = int(np.sqrt(args.pixels))
    n = side * side
    tiled = np.tile(gray, (side // gray.shape[0] + 1, side // gray.shape[1] + 1))[:side, :side]
    flat = tiled.ravel()

    def ns_per_pixel(m, image):
        return 1e9 * best_time(lambda: m.predict([image]), repeat=3) / image.size

    square_own = ns_per_pixel(at_own_size, tiled)
    square_working = ns_per_pixel(model, tiled)
    rows = []
    for shape in [(side, side), (n, 1), (1, n), (n // 8, 8), (8, n // 8), (n // 64, 64), (n // 200, 200)]:
        image = np.ascontiguousarray(flat[: shape[0] * shape[1]].reshape(shape))
        seconds = ns_per_pixel(model, image)
        rows.append({"shape": f"{shape[0]} x {shape[1]}", "ns_per_pixel": seconds,
                     "x_square_own_size": seconds / square_own, "x_square_working": seconds / square_working})
    rows.insert(1, {"shape": f"{side} x {side} at its own size", "ns_per_pixel": square_own,
                    "x_square_own_size": 1.0, "x_square_working": square_own / square_working})
    print(f"time per pixel by shape, {n / 1e6:.2f} MP, default model fit on the 48 bundled photos")
    print_table(rows, [("shape", "shape", "s"), ("ns_per_pixel", "ns / pixel", ".0f"),
                       ("x_square_own_size", "x square at its own size", ".2f"),
                       ("x_square_working", "x square (working resolution)", ".2f")])

    memory = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photo = tmp / "row.png"
        Image.fromarray(np.resize(flat, (1, args.row))).save(photo)
        pythons = [("this tree", sys.executable)] + ([("reference", args.reference_python)]
                                                     if args.reference_python else [])
        for label, python in pythons:
            try:
                line = child(PEAK, ["colorize", photo, "-o", tmp / f"out-{label}"], python=python)
                memory.append({"tree": label, "peak_mb": int(line.split()[-1]) / 1024})
            except RuntimeError as exc:
                memory.append({"tree": label, "error": str(exc)})
    print(f"\nsomcolor colorize, one row of {args.row / 1e6:.0f} million pixels (PNG)")
    print_table(memory, [("tree", "somcolor", "s"), ("peak_mb", "peak MB", ".0f"), ("error", "error", "s")])

    layers = [json.loads(child(LAYER)), json.loads(child(LAYER, env={"NUMBA_THREADING_LAYER": "omp"}))]
    print("\nthreading layers: the 48 bundled photos (150 x 150) colorized one by one with the bundled model")
    print_table(layers, [("layer", "layer", "s"), ("ms_per_photo", "ms / photo", ".2f")])
    write_json("shapes", {"pixels": n, "shapes": rows, "one_row": {"pixels": args.row, "rows": memory},
                          "threading_layers": layers})


if __name__ == "__main__":
    main()
