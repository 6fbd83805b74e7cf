"""``somcolor compare``: somcolor against baselines and CNN colorizers, in-source and across sources."""

import sys
from pathlib import Path

from .common import COUNT, at_least, seed_number

HELP = "measure somcolor against baselines and CNNs on held-out images"


def run(args):
    from ..evaluation.compare import compare, default_methods, format_table
    from ..io.datasets import holdout_split
    from ..io.images import find_images
    from ..io.writing import refuse_inputs

    paths = find_images(args.inputs)
    if args.other:
        return _compare_across_sources(args, paths)
    refuse_inputs([Path(args.output) / f"comparison.{ext}" for ext in ("json", "md", "png")], paths)
    train, test = holdout_split(paths, every=args.every)
    if not train or not test:
        raise ValueError(f"need at least {args.every} images to hold every {args.every}th out")
    print(f"comparing on {len(train)} training and {len(test)} held-out images ...", file=sys.stderr)
    rows = compare(
        train, test, default_methods(seed=args.seed, cnn_epochs=args.cnn_epochs, verbose=1),
        out_dir=args.output, verbose=True,
    )
    print(format_table(rows))
    print(f"wrote {args.output}/comparison.json, comparison.md and comparison.png")
    return 0


def _compare_across_sources(args, paths):
    """The cross-source yardstick: each source in-source, then trained on one and tested on the other."""
    from ..evaluation.compare import cnn_epochs_for, default_methods, format_yardstick, yardstick
    from ..io.images import find_images
    from ..io.writing import refuse_inputs

    other = find_images(args.other)
    names = [Path(args.inputs[0]).name or "first", Path(args.other[0]).name or "second"]
    if names[0] == names[1]:
        names = [f"{names[0]} (first)", f"{names[1]} (second)"]
    out = Path(args.output)
    refuse_inputs([out / "yardstick.json", out / "yardstick.md"], paths + other)
    for name, images in zip(names, (paths, other)):
        if len(images) < args.every:
            raise ValueError(f"{name}: need at least {args.every} images to hold every {args.every}th out")
    print(f"cross-source yardstick: {names[0]} ({len(paths)} images) and {names[1]} ({len(other)} images) ...",
          file=sys.stderr)

    def methods(n_train):
        epochs = args.cnn_epochs or cnn_epochs_for(n_train)
        return default_methods(seed=args.seed, cnn_epochs=epochs, verbose=1)

    results = yardstick(dict(zip(names, (paths, other))), methods, out_dir=out, every=args.every, verbose=True)
    print(format_yardstick(results))
    print(f"wrote {out}/yardstick.json, yardstick.md and a folder per split")
    return 0


def add_options(comp):
    comp.add_argument("inputs", nargs="+", metavar="PHOTOS", help="color image files or folders")
    comp.add_argument("-o", "--output", default="somcolor-compare", help="output folder")
    comp.add_argument("--other", nargs="+", metavar="OTHER",
                      help="color photos from another source (camera, size, era): adds the cross-source "
                           "yardstick, trained on one source and tested on the other, both ways")
    comp.add_argument("--every", type=at_least(2), default=5, help="hold out every Nth image (at least 2)")
    comp.add_argument("--cnn-epochs", type=COUNT, default=None,
                      help="epochs of the CNN references (default: as many image passes as ours)")
    comp.add_argument("--seed", type=seed_number, default=0, help="random seed of every method")
