"""``somcolor fit``: train a model on color photos, or fine-tune one on them."""

import sys
import time
import warnings
from pathlib import Path

from .common import COUNT, add_model_options, fine_tuning, model_argument

HELP = "train a model on color images"


def _fine_tuned_from_args(args):
    """The model of --from, set to fine-tune: its features, colors and layers are kept, the training
    options of the command line apply, with the fine-tuning settings where none is given."""
    from ..persistence import load_model

    model = load_model(model_argument(args.start)).set_params(
        **fine_tuning(args.max_iter), pixels_per_image=args.pixels_per_image,
        rebalance=args.rebalance, max_image_pixels=args.max_pixels, random_state=args.seed, verbose=1,
    )
    if args.contrast_stretch is not None:
        model.set_params(contrast_stretch=args.contrast_stretch)
    return model if args.temperature is None else model.set_params(temperature=args.temperature)


def _model_from_args(args):
    from ..estimator import SOMColorizer

    return SOMColorizer(
        patch_size=args.patch_size,
        n_colors=args.n_colors,
        hidden_layer_sizes=args.hidden,
        pixels_per_image=args.pixels_per_image,
        max_iter=args.max_iter or SOMColorizer().max_iter,
        rebalance=args.rebalance,
        decode=args.decode,
        temperature=SOMColorizer().temperature if args.temperature is None else args.temperature,
        contrast_stretch=SOMColorizer().contrast_stretch if args.contrast_stretch is None else args.contrast_stretch,
        scales=tuple(args.scales),
        position=args.position,
        local_radii=tuple(args.local_radii),
        global_features=args.global_features,
        texture_scales=tuple(args.texture_scales),
        smooth_radius=args.smooth_radius,
        max_image_pixels=args.max_pixels,
        random_state=args.seed,
        verbose=1,
    )


def run(args):
    from ..io.images import ImageError, find_images
    from ..io.writing import OutputError, check_writable, refuse_inputs
    from ..persistence import save_model

    paths = find_images(args.inputs)
    if Path(args.output).is_dir():
        raise ImageError(f"{args.output} is a folder: give the model file to write, e.g. {Path(args.output) / 'model.skops'}")
    # The model fine-tuned from is an input too, and no command writes over its input.
    refuse_inputs([args.output], paths + ([args.start] if args.start and Path(args.start).is_file() else []))
    model = _fine_tuned_from_args(args) if args.start else _model_from_args(args)
    model._check_params()
    # Before training, not after it: a model that cannot be written is lost work.
    check_writable(args.output)
    if Path(args.output).exists() and not args.overwrite:
        raise OutputError(f"{args.output}: already exists (--overwrite replaces it)")
    if args.start and args.stream:
        raise ValueError("--from fine-tunes in memory: leave out --stream")
    what = f"fine-tuning {args.start} on" if args.start else "training on"
    print(f"{what} {len(paths)} images{' (streamed)' if args.stream else ''} ...", file=sys.stderr)
    # A photo without color found in a folder is skipped and counted; one named on the command line is refused.
    named = {Path(item) for item in args.inputs if not Path(item).is_dir()}
    in_folders = {path for path in paths if path not in named}
    skipped = []
    show = warnings.showwarning

    def count_skipped(message, *rest, **options):
        if str(message).endswith("; skipped"):
            skipped.append(message)
        show(message, *rest, **options)

    warnings.showwarning = count_skipped
    start = time.perf_counter()
    try:
        if args.stream:
            model.fit_stream(paths, chunk_images=args.chunk_images, skip_colorless=in_folders)
        else:
            model.fit(paths, skip_colorless=in_folders)
    finally:
        warnings.showwarning = show
    seconds = time.perf_counter() - start
    save_model(model.set_params(verbose=0), args.output)
    print(
        f"fitted {len(paths) - len(skipped)} images in {seconds:.1f} s"
        + (f" ({len(skipped)} skipped: no color)" if skipped else "") + f": {model.n_colors} colors, "
        f"{model.patch_size}x{model.patch_size} patches, {model.n_iter_} epochs, "
        f"final loss {model.loss_curve_[-1]:.3f}, SOM quantization error "
        f"{model.quantizer_.quantization_error_:.2f}\nmodel written to {args.output}"
    )
    return 0


def add_options(fit):
    from ..estimator import FINE_TUNING

    fit.add_argument("inputs", nargs="+", metavar="PHOTOS", help="color image files or folders")
    fit.add_argument("-o", "--output", required=True, help="model file to write (.skops)")
    fit.add_argument("--overwrite", action="store_true", help="replace the file -o names if it exists")
    fit.add_argument(
        "--stream", action="store_true",
        help="out of core: read the images a chunk at a time in every epoch (SOMColorizer.fit_stream)",
    )
    fit.add_argument("--chunk-images", type=COUNT, default=64, help="images per chunk with --stream (at least 1)")
    fit.add_argument(
        "--from", dest="start", metavar="MODEL",
        help="fine-tune this model (a bundled name such as 'landscapes', or a model file) on the photos "
        "instead of training from scratch: its features, colors and layers are kept, so the options of the "
        "model group other than --max-iter, --pixels-per-image, --rebalance, --seed and --max-pixels do "
        f"not apply, and the fine-tuned model decodes at temperature {FINE_TUNING['temperature']} unless "
        "--temperature is given",
    )
    add_model_options(fit)
