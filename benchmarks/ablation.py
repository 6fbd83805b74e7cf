"""Ablation of SOMColorizer's context features and smoothing, next to the baselines and CNNs.

Trains every method on ../shared/data/landscapes (sorted names, every 5th image
held out) with the comparison harness (somcolor.evaluation.compare) and writes
benchmarks/results/ablation/comparison.{json,md,png}: PSNR, SSIM, AuC,
rebalanced AuC, colorfulness, fit seconds, predict ms per image and per
256 x 256 image, one row per feature set and smoothing choice.

    python benchmarks/ablation.py [--data DIR] [--skip-cnn] [--only NAME ...]

With --skip-cnn the CNN references are left out (15 minutes of training):
they are the same as in benchmarks/compare.py's comparison (same harness,
split and seeds).
"""

import argparse

from _common import RESULTS, SHARED_DATA
from somcolor import SOMColorizer, holdout_split
from somcolor.evaluation.compare import compare, default_methods, format_table
from somcolor.io.images import find_images

# Every variant states all of its context and smoothing, whatever the defaults are.
PLAIN = dict(scales=(), position=False, local_radii=(), global_features=False, smooth_radius=0)
ALL_CONTEXT = dict(scales=(2, 4, 8), position=True, local_radii=(8, 32), global_features=True)
VARIANTS = {
    name: dict(PLAIN, **params)
    for name, params in {
        "patch 5x5 only (0.1 default)": {},
        "+ position": dict(position=True),
        "+ local stats r 8, 32": dict(local_radii=(8, 32)),
        "+ global descriptor": dict(global_features=True),
        "+ scales 2, 4, 8": dict(scales=(2, 4, 8)),
        "all context": ALL_CONTEXT,
        "patch only, smoothing r 8": dict(smooth_radius=8),
        "position + local 8, 32, smoothing r 8 (default)": dict(position=True, local_radii=(8, 32), smooth_radius=8),
        "3x3, position + local 16, smoothing r 8": dict(
            patch_size=3, position=True, local_radii=(16,), smooth_radius=8
        ),
        "position + local + scales, smoothing r 8": dict(
            position=True, local_radii=(8, 32), scales=(2, 4, 8), smooth_radius=8
        ),
        "all context, smoothing r 8": dict(ALL_CONTEXT, smooth_radius=8),
    }.items()
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=SHARED_DATA / "landscapes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-cnn", action="store_true", help="leave out the CNN references (15 min)")
    parser.add_argument("--only", nargs="*", help="run only these variant names")
    parser.add_argument("--out", default=RESULTS / "ablation")
    args = parser.parse_args()
    train, test = holdout_split(find_images([args.data]))
    references = default_methods(seed=args.seed, verbose=1)
    methods = {name: references[name] for name in ("gray (no chroma)", "per-L mean chroma", "MSE patch regressor")}
    for name, params in VARIANTS.items():
        if args.only is None or name in args.only:
            methods[f"somcolor {name}"] = lambda params=params: SOMColorizer(
                random_state=args.seed, verbose=1, **params
            )
    if not args.skip_cnn:
        methods.update({name: make for name, make in references.items() if name.startswith("CNN")})
    rows = compare(train, test, methods, out_dir=args.out, verbose=True)
    print(format_table(rows))
    print(f"wrote {args.out}/comparison.json, comparison.md and comparison.png")


if __name__ == "__main__":
    main()
