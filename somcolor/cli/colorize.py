"""``somcolor colorize``: colorize gray photos, with hints and a reference photo where given."""

import sys
import time
from pathlib import Path

from .common import add_decode_options, add_max_pixels, model_first, say_if_compiling

HELP = "colorize gray photos with a model (the bundled one by default)"
USAGE = "somcolor colorize [options] [MODEL] PHOTO [PHOTO ...] -o OUT"


def run(args):
    from ..cluster import check_address
    from ..inference.batch import colorize_files, output_paths
    from ..io.images import check_regular_file, find_images
    from ..io.writing import refuse_inputs
    from ..persistence import load_model

    model_name, inputs = model_first(args.items)
    if not inputs:
        raise ValueError(f"no photos to colorize after the model {model_name}")
    if args.scheduler is not None:
        check_address(args.scheduler)
    photos = find_images(inputs, keep_missing=True)
    outputs = output_paths(photos, args.output)
    hints = hint_files(args.hints, photos) if args.hints else {}
    if args.reference is not None:
        check_regular_file(args.reference)
    # The hint files and the reference are inputs too: never written over.
    refuse_inputs(outputs.values(), [*hints.values(), *([args.reference] if args.reference else [])])
    model = load_model(model_name)
    if args.decode is not None:
        model.set_params(decode=args.decode)
    if args.temperature is not None:
        model.set_params(temperature=args.temperature)
    if args.contrast_stretch is not None:
        model.set_params(contrast_stretch=args.contrast_stretch)
    model.set_params(device=args.device, max_image_pixels=args.max_pixels, verbose=0)
    say_if_compiling()
    start = time.perf_counter()
    done, skipped, failures = colorize_files(
        model, outputs, overwrite=args.overwrite, scheduler=args.scheduler, hints=hints, reference=args.reference
    )
    seconds = time.perf_counter() - start
    print(
        f"colorized {len(done)} of {len(outputs)} images in {seconds:.1f} s into {args.output}"
        + (f"; {len(skipped)} already there (--overwrite to redo)" if skipped else "")
    )
    for message in failures:
        print(f"  skipped {message}", file=sys.stderr)
    return 1 if failures else 0


def hint_files(hints, photos):
    """Photo -> hint file: `hints` a file (for one photo) or a folder whose files pair with the photos by
    name (``beach.png`` with ``beach.jpg``)."""
    from ..io.images import IMAGE_EXTENSIONS, ImageError, check_regular_file

    folder = Path(hints)
    if not folder.is_dir():
        check_regular_file(folder)
        if len(photos) != 1:
            raise ImageError(f"{hints}: one hint file for {len(photos)} photos; give a folder of hint files named "
                             "like the photos (beach.png for beach.jpg)")
        return {photos[0]: folder}
    by_name = {p.stem: p for p in sorted(folder.iterdir())
               if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS}
    paired = {photo: by_name[Path(photo).stem] for photo in photos if Path(photo).stem in by_name}
    paired = {photo: hint for photo, hint in paired.items() if Path(hint).resolve() != Path(photo).resolve()}
    if not paired:
        raise ImageError(f"{hints}: no hint file is named like a photo (beach.png for beach.jpg): "
                         f"{len(by_name)} files there, {len(photos)} photos")
    return paired


def add_options(colorize):
    from .._arrays import DEVICES

    colorize.add_argument(
        "items", nargs="+", metavar="PHOTO",
        help="image files or folders, optionally after a model: a file written by 'somcolor fit' (recognised "
        "by its content) or a bundled model's name; without one, the bundled 'landscapes' model",
    )
    colorize.add_argument("-o", "--output", required=True,
                          help="folder for the PNGs (or a .png file, for one photo)")
    add_decode_options(colorize)
    colorize.add_argument("--device", choices=DEVICES, default="cpu", help="cuda needs the gpu extra (CuPy)")
    colorize.add_argument("--overwrite", action="store_true",
                          help="redo outputs that already exist (without it they are skipped)")
    colorize.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    colorize.add_argument(
        "--hints", metavar="HINTS",
        help="a hint image (an RGBA PNG of the photo's size: paint the colors where you know them on a "
        "transparent layer) for one photo, or a folder of them named like the photos (beach.png for beach.jpg)",
    )
    colorize.add_argument("--reference", metavar="PHOTO",
                          help="a color photo of the same place or kind of scene, whose palette the colors follow")
    add_max_pixels(colorize)
