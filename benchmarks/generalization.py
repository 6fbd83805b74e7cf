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
import copy
import json

from _common import RESULTS, SHARED_DATA
from somcolor import SOMColorizer
from somcolor.evaluation.compare import default_methods, yardstick
from somcolor.io.images import find_images

SOURCES = {"landscapes": SHARED_DATA / "landscapes", "8-scene": SHARED_DATA / "8scene_64px"}

# Every variant states what it changes from the 0.3 default (mirror and working resolution on, T 0.5);
# the 0.2 default had working_side=None, augment_mirror=False, temperature=0.38.
V02 = dict(working_side=None, augment_mirror=False, temperature=0.38)
VARIANTS = {
    "0.2 default": V02,
    "+ mirror": dict(V02, augment_mirror=True),
    "+ scales 0.5, 1, 2": dict(V02, augment_scales=(0.5, 1.0, 2.0)),
    "+ working resolution": dict(V02, working_side="auto"),
    "0.3 default + scales 0.5, 1, 2": dict(augment_scales=(0.5, 1.0, 2.0)),
    "0.3 default, rebalance None": dict(rebalance=None),
    "0.3 default, 25 colors": dict(n_colors=25),
    "0.3 default, hidden 100 + 100": dict(hidden_layer_sizes=(100, 100)),
    "0.3 default, alpha 1e-3": dict(alpha=1e-3),
}


def sources():
    return {name: find_images([folder]) for name, folder in SOURCES.items()}


# Mirror + working resolution and its decodings, fitted once per split; T 0.5 is the 0.3 default.
DECODINGS = {
    "+ mirror + working resolution, T 0.38": dict(temperature=0.38),
    "0.3 default, T 0.45": dict(temperature=0.45),
    "0.3 default (mirror + working resolution, T 0.5)": {},
    "0.3 default, T 0.6": dict(temperature=0.6),
    "0.3 default, T 1.0": dict(temperature=1.0),
}


class Refit:
    """A fitted model whose fit is remembered per training set: decodings measured without refitting."""

    fitted = {}

    def __init__(self, seed, **decoding):
        self.seed = seed
        self.decoding = decoding

    def fit(self, X, y=None):
        key = (self.seed, *map(str, X))
        if key not in Refit.fitted:
            Refit.fitted[key] = SOMColorizer(random_state=self.seed).fit(X)
        self.model_ = copy.deepcopy(Refit.fitted[key]).set_params(**self.decoding)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def methods(names, seed=0, decodings=True):
    references = default_methods(seed=seed)
    chosen = {name: references[name] for name in ("gray (no chroma)", "per-L mean chroma")}
    for name in names:
        chosen[f"somcolor {name}"] = lambda params=VARIANTS[name]: SOMColorizer(random_state=seed, **params)
    if decodings:
        for name, decoding in DECODINGS.items():
            chosen[f"somcolor {name}"] = lambda decoding=decoding: Refit(seed, **decoding)
    return chosen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(VARIANTS), help="variant names")
    parser.add_argument("--no-decodings", action="store_true", help="leave out the decodings of the default")
    parser.add_argument("--splits", nargs="*", help="split names, e.g. 'landscapes -> 8-scene'")
    parser.add_argument("--out", default=RESULTS / "generalization")
    args = parser.parse_args()
    results = yardstick(sources(), methods(args.only, decodings=not args.no_decodings), out_dir=args.out, only=args.splits, verbose=True)
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
