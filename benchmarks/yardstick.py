"""The cross-source yardstick: every method on every split of the three shared training sources.

The Intel landscapes (150 x 150), the Oliva & Torralba 8-scene images
(64 x 64) and the outdoor photos (real size, long side 640): each in-source
(sorted names, every fifth held out), and each trained on all of one and
tested on all of another; and the 51 BSDS500 natural photos at their own
size (481 x 321), a test-only source, by models trained on each source and
on all of them together. The CNN references get
the same number of image passes in every split (35 epochs of 432 images).
Writes benchmarks/results/yardstick/yardstick.{json,md} and a figure per split;
--methods runs some methods and merges their rows into an earlier run's.

    python benchmarks/yardstick.py [--splits NAME ...] [--methods NAME ...]
"""

import argparse
import json
from pathlib import Path

from _common import RESULTS, SHARED_DATA, blas
from somcolor.evaluation.compare import cnn_epochs_for, default_methods, format_yardstick, yardstick, yardstick_splits
from somcolor.io.images import find_images
from somcolor.io.writing import REPORT_MARK, write_text

SOURCES = {"landscapes": SHARED_DATA / "landscapes", "8-scene": SHARED_DATA / "8scene_64px",
           "outdoor": SHARED_DATA / "outdoor_photos"}
# Tested on only, at the photos' own size (481 x 321): nothing here trains on it.
TEST_ONLY = {"BSDS": SHARED_DATA / "bsds500_natural"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="*", help="e.g. 'landscapes -> 8-scene' '8-scene (in-source)'")
    parser.add_argument("--methods", nargs="*", help="method names of somcolor.evaluation.compare.default_methods")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS / "yardstick")
    args = parser.parse_args()

    def methods(n_train):
        chosen = default_methods(seed=args.seed, cnn_epochs=cnn_epochs_for(n_train), verbose=1)
        return {name: make for name, make in chosen.items() if args.methods is None or name in args.methods}

    sources = {name: find_images([folder]) for name, folder in SOURCES.items()}
    test_only = {name: find_images([folder]) for name, folder in TEST_ONLY.items()}
    kernels = blas()
    names = args.splits or [name for name, _, _ in yardstick_splits(sources, test_only=test_only)]
    # One split at a time, each merged into the results as it is done: a long run interrupted keeps its splits.
    for name in names:
        results = yardstick(sources, methods, out_dir=None, only=[name], verbose=True, test_only=test_only)
        for split in results:  # rows of several runs merge: each says which BLAS kernels trained it
            for row in split["rows"]:
                row["blas"] = kernels
        merged = merge(args.out / "yardstick.json", results)
        write_text(args.out / "yardstick.json", json.dumps(merged, indent=2))
        write_text(args.out / "yardstick.md", f"{REPORT_MARK}\n{format_yardstick(merged)}")
    print(format_yardstick(merged))


def merge(path, results):
    """An earlier run's splits with these results' rows put in (replacing rows of the same method)."""
    earlier = json.loads(path.read_text()) if path.exists() else []
    by_split = {split["split"]: split for split in earlier}
    for split in results:
        old = by_split.setdefault(split["split"], {**split, "rows": []})
        fresh = {row["method"] for row in split["rows"]}
        old["rows"] = [row for row in old["rows"] if row["method"] not in fresh] + split["rows"]
    order = ["gray", "per-L", "MSE", "somcolor", "CNN", "original"]
    for split in by_split.values():
        split["rows"].sort(key=lambda row: next(i for i, p in enumerate(order) if row["method"].startswith(p)))
    return list(by_split.values())


if __name__ == "__main__":
    main()
