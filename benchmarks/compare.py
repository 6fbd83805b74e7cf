"""The comparison on the landscapes: somcolor vs baselines vs CNN references.

Trains every method on ../shared/data/landscapes (sorted names, every 5th image
held out) and writes benchmarks/results/comparison.{json,md,png}. The CNN
references need the cnn extra (pip install "somcolor[cnn]"); without it they
are listed as skipped.

    python benchmarks/compare.py [--data DIR] [--cnn-epochs N]
"""

import argparse

from _common import RESULTS, SHARED_DATA
from somcolor import holdout_split
from somcolor.evaluation.compare import compare, default_methods, format_table
from somcolor.io.images import find_images


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=SHARED_DATA / "landscapes")
    parser.add_argument("--cnn-epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train, test = holdout_split(find_images([args.data]))
    rows = compare(
        train, test, default_methods(seed=args.seed, cnn_epochs=args.cnn_epochs, verbose=1),
        out_dir=RESULTS, verbose=True,
    )
    print(format_table(rows))
    print(f"wrote {RESULTS}/comparison.json, comparison.md and comparison.png")


if __name__ == "__main__":
    main()
