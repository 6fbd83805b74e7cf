"""Peak memory and time to colorize one huge photo (default 8000 x 6000, 48 MP).

    python benchmarks/huge.py [--width 8000 --height 6000] [--reference-tree DIR]

A bundled landscape is enlarged to the size and saved as a JPEG. Each way of colorizing runs
in a fresh process, which fits the default model on the 48 bundled training
photos and measures its peak resident memory (ru_maxrss) above
what it held once the model was loaded and the kernels compiled: ``predict``
(float32 RGB returned) and ``somcolor colorize`` (uint8 PNG written).
``--reference-tree`` runs the same in another checkout (e.g. an older version)
in the same run, for a before/after ratio.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from _common import print_table, write_json

CHILD = r"""
import json, resource, sys, time
from pathlib import Path

import numpy as np

def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

from somcolor import SOMColorizer, bundled_images, save_model
photo, mode, out = sys.argv[1:4]
model = SOMColorizer(random_state=0).fit(bundled_images("train"))
model_path = str(Path(out).with_suffix(".skops"))
save_model(model, model_path)
model.predict([np.full((64, 64), 0.5)])  # compile the kernels
base = rss_mb()
start = time.perf_counter()
if mode == "predict":
    (rgb,) = model.predict([photo])
    shape = rgb.shape
else:
    from somcolor.cli import main
    assert main(["colorize", model_path, photo, "-o", out]) == 0
    shape = None
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"base_mb": base, "peak_mb": peak, "seconds": seconds}))
"""


def run(tree, photo, mode, out):
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = str(tree)
    result = subprocess.run([sys.executable, "-c", CHILD, str(photo), mode, str(out)],
                            capture_output=True, text=True, env=env, cwd=tree or None)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1]}
    row = json.loads(result.stdout.strip().splitlines()[-1])
    row["above_model_mb"] = row["peak_mb"] - row["base_mb"]
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=8000)
    parser.add_argument("--height", type=int, default=6000)
    parser.add_argument("--reference-tree", help="another checkout to measure in the same run")
    args = parser.parse_args()

    from somcolor import bundled_images

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photo = tmp / "huge.jpg"
        Image.open(bundled_images("test")[3]).resize((args.width, args.height), Image.LANCZOS).save(photo, quality=90)
        trees = [("this tree", None)] + ([("reference", Path(args.reference_tree).resolve())]
                                         if args.reference_tree else [])
        rows = []
        for label, tree in trees:
            for mode in ("predict", "cli"):
                row = run(tree, photo, mode, tmp / f"out-{label}-{mode}")
                rows.append({"tree": label, "way": "predict (float32)" if mode == "predict" else "somcolor colorize (PNG)",
                             **row})
    megapixels = args.width * args.height / 1e6
    print(f"{args.width} x {args.height} photo ({megapixels:.0f} MP), default model")
    print_table(rows, [("tree", "tree", "s"), ("way", "way", "s"), ("above_model_mb", "peak above model MB", ".0f"),
                       ("seconds", "seconds", ".1f"), ("error", "error", "s")])
    write_json("huge", {"width": args.width, "height": args.height, "rows": rows,
                        "target": "peak within 2 GB above the model"})


if __name__ == "__main__":
    main()
