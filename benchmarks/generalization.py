"""Ablation of what makes colors hold on photos from elsewhere, on the cross-source yardstick.

Every variant of SOMColorizer is trained and measured on every split of the two
shared sources (somcolor.evaluation.compare.yardstick): the Intel landscapes
(150 x 150) and the Oliva & Torralba 8-scene images (64 x 64), each in-source
(every fifth held out) and each trained on one and tested on the other. The
gray photo and the per-lightness mean chroma are measured beside them. Writes
benchmarks/results/generalization/yardstick.{json,md} and a figure per split.

    python benchmarks/generalization.py [--only NAME ...] [--splits SPLIT ...]
"""

import argparse
import json

from _common import RESULTS, SHARED_DATA
from somcolor import SOMColorizer
from somcolor.evaluation.compare import default_methods, yardstick
from somcolor.io.images import find_images

SOURCES = {"landscapes": SHARED_DATA / "landscapes", "8-scene": SHARED_DATA / "8scene_64px"}

# Every variant states what it changes from the 0.2 default.
VARIANTS = {
    "0.2 default": {},
    "rebalance None": dict(rebalance=None),
    "argmax, no rebalancing (paper)": dict(decode="argmax", rebalance=None),
}


def sources():
    return {name: find_images([folder]) for name, folder in SOURCES.items()}


def methods(names, seed=0):
    references = default_methods(seed=seed)
    chosen = {name: references[name] for name in ("gray (no chroma)", "per-L mean chroma")}
    for name in names:
        chosen[f"somcolor {name}"] = lambda params=VARIANTS[name]: SOMColorizer(random_state=seed, **params)
    return chosen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(VARIANTS), help="variant names")
    parser.add_argument("--splits", nargs="*", help="split names, e.g. 'landscapes -> 8-scene'")
    parser.add_argument("--out", default=RESULTS / "generalization")
    args = parser.parse_args()
    results = yardstick(sources(), methods(args.only), out_dir=args.out, only=args.splits, verbose=True)
    for split in results:
        print(f"\n{split['split']}:")
        for row in split["rows"]:
            if "psnr" in row:
                print(f"  {row['method']:<55} {row['psnr']:6.2f} dB  SSIM {row['ssim']:.3f}  "
                      f"rebal. AuC {row['rebalanced_auc']:5.1f}  colorf. {row['colorfulness_pct']:4.0f}%  "
                      f"fit {row['fit_s']:5.1f} s")
    print(json.dumps({"wrote": str(args.out)}))


if __name__ == "__main__":
    main()
