"""The ``somcolor`` command: fit, colorize, video, demo, compare and grid."""

import argparse
import os
import re
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

from ._version import __version__

# Everything heavy (scikit-learn, numba, scikit-image) is imported inside the commands, so that
# `somcolor --help` and `--version` answer at once.

DEFAULT_MODEL = "landscapes"


def _hidden_sizes(text):
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer sizes such as 50,50, got {text!r}"
        ) from None
    return sizes


def _at_least(minimum):
    """An argparse type: a whole number of at least `minimum`; anything else is refused in the flag's words
    (argparse names the flag)."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number of at least {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least {minimum}, got {value}")
        return value

    parse.__name__ = f"whole number >= {minimum}"
    return parse


_COUNT = _at_least(1)
_SEED_MAX = 2**32 - 1


def _seed(text):
    """--seed's value: a whole number in [0, 2**32 - 1], what numpy's RandomState takes."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number in [0, {_SEED_MAX}], got {text!r}") from None
    if not 0 <= value <= _SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be a whole number in [0, {_SEED_MAX}], got {value}")
    return value


def _n_jobs(text):
    """--n-jobs's value: a number of parallel jobs, or -1 for one per core (joblib's rule: not 0)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"expected a number of parallel fits, or -1 for one per core, got {text!r}")
    return value


def _rebalance(text):
    if text.lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1] or 'none', got {text!r}") from None


def _add_model_options(parser):
    from .estimator import FINE_TUNING, SOMColorizer

    defaults = SOMColorizer().get_params()
    group = parser.add_argument_group("model")
    group.add_argument("--patch-size", type=int, default=defaults["patch_size"],
                       help="odd side of the square patch of lightness around each pixel")
    group.add_argument("--n-colors", type=int, default=defaults["n_colors"],
                       help="color classes: the SOM's nodes, e.g. 9, 25, 100 or 400")
    group.add_argument(
        "--hidden", type=_hidden_sizes, default=",".join(map(str, defaults["hidden_layer_sizes"])),
        help="hidden layer sizes of the MLP, comma-separated",
    )
    group.add_argument("--pixels-per-image", type=_COUNT, default=defaults["pixels_per_image"],
                       help="training pixels sampled from each photo")
    group.add_argument("--max-iter", type=_COUNT, default=None,
                       help=f"training epochs at most, at least 1 (default: {defaults['max_iter']}; with --from, "
                       f"{FINE_TUNING['max_iter']})")
    group.add_argument(
        "--rebalance", type=_rebalance, default=defaults["rebalance"],
        help="class rebalancing lambda in [0, 1] (0: inverse frequency, 1: uniform), or 'none'",
    )
    group.add_argument(
        "--scales", type=int, nargs="*", default=list(defaults["scales"]),
        help="context: downscaling factors of the multi-scale patches, e.g. 2 4 8",
    )
    group.add_argument(
        "--position", action=argparse.BooleanOptionalAction, default=defaults["position"],
        help="context: the pixel's normalized row and column",
    )
    group.add_argument(
        "--local-radii", type=int, nargs="*", default=list(defaults["local_radii"]),
        help="context: window radii of the local mean and standard deviation of L, e.g. 8 32",
    )
    group.add_argument(
        "--texture-scales", type=int, nargs="*", default=list(defaults["texture_scales"]),
        help="context: pixel distances of the oriented texture energies of L, e.g. 1 3",
    )
    group.add_argument(
        "--global-features", action=argparse.BooleanOptionalAction, default=defaults["global_features"],
        help="context: the photo's L histogram, mean and contrast",
    )
    group.add_argument("--smooth-radius", type=int, default=defaults["smooth_radius"],
                       help="radius of the edge-aware chroma smoothing, 0 for none")
    group.add_argument("--seed", type=_seed, default=0,
                       help="random seed: the same seed and photos give the same model on the same kind of CPU")
    _add_max_pixels(group)
    # No default temperature here: a model trained from scratch takes the estimator's, a fine-tuned one
    # FINE_TUNING's, unless --temperature is given.
    _add_decode_options(parser, {"decode": defaults["decode"], "temperature": None},
                        temperature_default=f"{defaults['temperature']}; with --from, {FINE_TUNING['temperature']}")


def _add_max_pixels(parser):
    from .io.images import DEFAULT_MAX_PIXELS

    parser.add_argument("--max-pixels", type=_COUNT, default=DEFAULT_MAX_PIXELS,
                        help="refuse images larger than this many pixels")


def _add_decode_options(parser, defaults=None, temperature_default=None):
    from .network.decode import DECODERS

    own = " (default: the model's own)" if defaults is None else ""
    defaults = defaults or {"decode": None, "temperature": None}
    parser.add_argument("--decode", choices=DECODERS, default=defaults["decode"],
                        help="how class probabilities become colors" + own)
    parser.add_argument("--temperature", type=_temperature, default=defaults["temperature"],
                        help="of the annealed mean, in [0.01, 1] (lower is more colorful), or 'auto': "
                        "chosen by fit" + (f" (default: {temperature_default})" if temperature_default else own))
    parser.add_argument("--contrast-stretch", action=argparse.BooleanOptionalAction, default=None,
                        help="see a photo flatter than the training photos with its lightness contrast stretched "
                        "(colors still join its own lightness)" + (own or " (default: on)"))


def _temperature(text):
    """--temperature's value: 'auto' or a number (its range is checked by the estimator)."""
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a number nor 'auto'") from None


def _fine_tuned_from_args(args):
    """The model of --from, set to fine-tune: its features, colors and layers are kept, the training
    options of the command line apply, with the fine-tuning settings where none is given."""
    from .persistence import load_model

    model = load_model(_model_argument(args.start)).set_params(
        **_fine_tuning(args.max_iter), pixels_per_image=args.pixels_per_image,
        rebalance=args.rebalance, max_image_pixels=args.max_pixels, random_state=args.seed, verbose=1,
    )
    if args.contrast_stretch is not None:
        model.set_params(contrast_stretch=args.contrast_stretch)
    return model if args.temperature is None else model.set_params(temperature=args.temperature)


def _fine_tuning(max_iter):
    """The parameters that set a fitted model to fine-tune: :data:`~somcolor.estimator.FINE_TUNING`, with
    the epochs of --max-iter when given."""
    from .estimator import FINE_TUNING

    return {**FINE_TUNING, "warm_start": True, "max_iter": max_iter or FINE_TUNING["max_iter"]}


def _model_from_args(args):
    from .estimator import SOMColorizer

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


def cmd_fit(args):
    from .io.images import ImageError, find_images
    from .io.writing import OutputError, check_writable, refuse_inputs
    from .persistence import save_model

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


def _model_first(items):
    """(model, rest) of positional arguments that may start with a model: a model file (recognised by its
    content, or named .skops), or a bundled model's name where no file or folder of that name exists (a
    path that exists is the user's path: a folder of photos named 'landscapes' is photos); without one,
    the bundled landscapes model."""
    from .io.writing import is_model_file
    from .persistence import BUNDLED_MODELS

    first = items[0]
    exists = os.path.lexists(first)
    if is_model_file(first) or Path(first).suffix == ".skops" or (first in BUNDLED_MODELS and not exists):
        return _model_argument(first), items[1:]
    return DEFAULT_MODEL, items


def _model_argument(text):
    """What `load_model` is given for a model the user named: the path where a file or folder of that name
    exists (the user's path), else the name (a bundled model, or a missing file said by `load_model`)."""
    return Path(text) if os.path.lexists(text) else text


def _say_if_compiling():
    """Say so before the first colorizing on this machine: numba compiles the kernels then (about half a
    minute), and caches them on disk for every later run."""
    from .inference._kernels import fused_colorize

    try:
        cached = os.path.exists(fused_colorize._cache._cache_file._index_path)
    except AttributeError:  # another numba's cache layout: say nothing rather than guess
        cached = True
    if not cached:
        print("compiling the colorizing kernels (once: numba caches them for later runs) ...", file=sys.stderr)


def cmd_colorize(args):
    from .cluster import check_address
    from .inference.batch import colorize_files, output_paths
    from .io.images import find_images
    from .persistence import load_model

    model_name, inputs = _model_first(args.items)
    if not inputs:
        raise ValueError(f"no photos to colorize after the model {model_name}")
    if args.scheduler is not None:
        check_address(args.scheduler)
    photos = find_images(inputs, keep_missing=True)
    outputs = output_paths(photos, args.output)
    model = load_model(model_name)
    if args.decode is not None:
        model.set_params(decode=args.decode)
    if args.temperature is not None:
        model.set_params(temperature=args.temperature)
    if args.contrast_stretch is not None:
        model.set_params(contrast_stretch=args.contrast_stretch)
    model.set_params(device=args.device, max_image_pixels=args.max_pixels, verbose=0)
    _say_if_compiling()
    start = time.perf_counter()
    done, skipped, failures = colorize_files(
        model, outputs, overwrite=args.overwrite, scheduler=args.scheduler
    )
    seconds = time.perf_counter() - start
    print(
        f"colorized {len(done)} of {len(outputs)} images in {seconds:.1f} s into {args.output}"
        + (f"; {len(skipped)} already there (--overwrite to redo)" if skipped else "")
    )
    for message in failures:
        print(f"  skipped {message}", file=sys.stderr)
    return 1 if failures else 0


def cmd_demo(args):
    import numpy as np

    from .color import grayscale
    from .evaluation import metrics
    from .evaluation.figures import image_grid
    from .io.datasets import bundled_images
    from .io.images import as_image
    from .io.writing import check_report_outputs, check_writable, write_png
    from .persistence import load_model, save_model

    out = Path(args.output)
    train, test = bundled_images("train"), bundled_images("test")
    colorized = [out / "colorized" / f"{p.stem}.png" for p in test]
    # Every output, before the fine-tuning: a run that cannot write its last file would leave the rest behind.
    check_report_outputs(out, [out / "demo.png", out / "model.skops", *colorized], subfolders=[out / "colorized"])
    for path in (out / "demo.png", out / "model.skops", colorized[0]):
        check_writable(path)
    bundled = load_model(DEFAULT_MODEL)
    model = load_model(DEFAULT_MODEL).set_params(**_fine_tuning(args.max_iter), random_state=args.seed, verbose=1)
    print(f"fine-tuning the bundled model on the {len(train)} bundled landscapes ...", file=sys.stderr)
    start = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - start
    save_model(model.set_params(verbose=0), out / "model.skops")

    originals = [as_image(p, str(p)) for p in test]
    grays = [grayscale(o) for o in originals]
    _say_if_compiling()
    model.predict(grays[:1])  # the first call compiles the kernels (cached on disk afterwards)
    start = time.perf_counter()
    tuned = model.predict(grays)
    predict_ms = (time.perf_counter() - start) * 1000 / len(test)
    as_shipped = bundled.predict(grays)
    for path, rgb in zip(test, as_shipped):
        write_png(out / "colorized" / f"{path.stem}.png", rgb)
    # The gray baseline keeps each original's L and sets U = V = 0.
    gray = [np.repeat(g[..., None], 3, axis=2) for g in grays]
    rows = [list(row) for row in zip(grays, as_shipped, tuned, originals)]
    write_png(out / "demo.png", image_grid(rows, ["gray input", "bundled", "fine-tuned on 48", "original"]))

    scores = {"gray input": gray, "bundled model": as_shipped, "fine-tuned on 48": tuned}
    psnr = {name: metrics.psnr(results, originals) for name, results in scores.items()}
    lines = [f"{'':18}{'PSNR dB':>9}{'colorfulness':>14}"]
    for name, results in scores.items():
        lines.append(f"{name:18}{psnr[name]:9.2f}{metrics.colorfulness(results):14.1f}")
    lines.append(f"{'original':18}{'':>9}{metrics.colorfulness(originals):14.1f}")
    print(
        f"\nthe bundled model ({DEFAULT_MODEL}: trained on 1,999 photos of two sources) and the same model "
        f"fine-tuned here on the {len(train)} bundled training photos in {seconds:.1f} s ({model.n_iter_} epochs) "
        f"colorized {len(test)} held-out photos ({predict_ms:.0f} ms each):\n" + "\n".join(lines)
    )
    # Each column is held to the ones before it: a score below one of them is said, with the reason.
    why = {
        "bundled model": ("gray input", "these photos are unlike what it was trained on"),
        "fine-tuned on 48": ("bundled model", "the bundled model knows landscapes like these from some 2,000 "
                             "photos (these 48 among them), so fine-tuning on them teaches it little and carries "
                             "its training on toward rarer colors (bolder and less often right); fine-tune it on "
                             "photos of a kind it does not know ('somcolor fit PHOTOS -o OUT --from landscapes')"),
    }
    for name, (bar, reason) in why.items():
        below = [other for other in ("gray input", bar) if psnr[name] < psnr[other]]
        if below:
            print(f"note: the {name} scores below the {below[0]} ({psnr[name]:.2f} against "
                  f"{psnr[below[0]]:.2f} dB): {reason}.")
    print(
        f"wrote {out / 'demo.png'} (gray | bundled | fine-tuned on 48 | original), {out / 'colorized'}/ "
        f"(the bundled model's) and {out / 'model.skops'} (the fine-tuned model)"
    )
    return 0


def cmd_video(args):
    from .persistence import load_model
    from .video import VideoWarning, colorize_video

    if len(args.items) not in (2, 3):
        raise ValueError("expected [MODEL] INPUT OUTPUT")
    model_name, source, destination = args.items if len(args.items) == 3 else (DEFAULT_MODEL, *args.items)
    model = load_model(_model_argument(model_name) if len(args.items) == 3 else model_name)
    _say_if_compiling()
    with warnings.catch_warnings():
        # A video that ended early is said below, in the summary; what else a VideoWarning says is shown.
        warnings.filterwarnings("ignore", r".*the video ended after", VideoWarning)
        summary = colorize_video(
            model, source, destination, temporal_smoothing=args.temporal_smoothing,
            cut_threshold=args.cut_threshold, fps=args.fps, overwrite=args.overwrite,
        )
    cuts = ", ".join(map(str, summary["cuts"])) or "none"
    print(
        f"colorized {summary['frames']} frames of {summary['width']} x {summary['height']} at "
        f"{summary['fps']:g} fps into {destination} (scene cuts at frames: {cuts})"
    )
    if summary["missing"]:
        print(
            f"somcolor video: error: {source}: the video ended {summary['missing']} frames before the "
            f"{summary['frames'] + summary['missing']} its header announces (truncated or corrupt); "
            f"{destination} holds the {summary['frames']} that were read", file=sys.stderr,
        )
        return 1
    return 0


def cmd_compare(args):
    from .evaluation.compare import compare, default_methods, format_table
    from .io.datasets import holdout_split
    from .io.images import find_images
    from .io.writing import refuse_inputs

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
    from .evaluation.compare import cnn_epochs_for, default_methods, format_yardstick, yardstick
    from .io.images import find_images
    from .io.writing import refuse_inputs

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


def cmd_grid(args):
    import numpy as np

    from .estimator import SOMColorizer
    from .evaluation.model_selection import grid_search
    from .evaluation.scorers import SCORERS
    from .cluster import check_address
    from .io.images import find_images

    if args.scheduler is not None:
        check_address(args.scheduler)
    paths = find_images(args.inputs)
    grid = {"patch_size": args.patch_size, "n_colors": args.n_colors, "hidden_layer_sizes": list(args.hidden)}
    n_candidates = len(args.patch_size) * len(args.n_colors) * len(args.hidden)
    print(f"grid of {n_candidates} candidates x {args.cv} image folds on {len(paths)} images ...", file=sys.stderr)
    if args.scoring not in SCORERS:
        raise ValueError(f"--scoring must be one of {sorted(SCORERS)}, got {args.scoring!r}")
    search = grid_search(
        paths, grid, cv=args.cv, scoring=args.scoring,
        estimator=SOMColorizer(max_iter=args.max_iter, random_state=args.seed),
        n_jobs=args.n_jobs, scheduler=args.scheduler, verbose=1,
    )
    results = search.cv_results_
    print(f"{'rank':>4}  {'patch':>5}  {'colors':>6}  {'hidden':>10}  {args.scoring + ' (mean +- std)':>24}  {'fit s':>6}")
    for i in np.argsort(results["rank_test_score"]):
        params = results["params"][i]
        score = f"{results['mean_test_score'][i]:.4f} +- {results['std_test_score'][i]:.4f}"
        print(
            f"{results['rank_test_score'][i]:>4}  {params['patch_size']:>5}  {params['n_colors']:>6}  "
            f"{','.join(map(str, params['hidden_layer_sizes'])):>10}  {score:>24}  {results['mean_fit_time'][i]:>6.1f}"
        )
    best = search.best_params_
    print(
        f"best: --patch-size {best['patch_size']} --n-colors {best['n_colors']} "
        f"--hidden {','.join(map(str, best['hidden_layer_sizes']))} ({args.scoring} {search.best_score_:.4f})"
    )
    return 0


def _fit_options(fit):
    from .estimator import FINE_TUNING

    fit.add_argument("inputs", nargs="+", metavar="PHOTOS", help="color image files or folders")
    fit.add_argument("-o", "--output", required=True, help="model file to write (.skops)")
    fit.add_argument("--overwrite", action="store_true", help="replace the file -o names if it exists")
    fit.add_argument(
        "--stream", action="store_true",
        help="out of core: read the images a chunk at a time in every epoch (SOMColorizer.fit_stream)",
    )
    fit.add_argument("--chunk-images", type=_COUNT, default=64, help="images per chunk with --stream (at least 1)")
    fit.add_argument(
        "--from", dest="start", metavar="MODEL",
        help="fine-tune this model (a bundled name such as 'landscapes', or a model file) on the photos "
        "instead of training from scratch: its features, colors and layers are kept, so the options of the "
        "model group other than --max-iter, --pixels-per-image, --rebalance, --seed and --max-pixels do "
        f"not apply, and the fine-tuned model decodes at temperature {FINE_TUNING['temperature']} unless "
        "--temperature is given",
    )
    _add_model_options(fit)


def _colorize_options(colorize):
    from ._arrays import DEVICES

    colorize.add_argument(
        "items", nargs="+", metavar="PHOTO",
        help="image files or folders, optionally after a model: a file written by 'somcolor fit' (recognised "
        "by its content) or a bundled model's name; without one, the bundled 'landscapes' model",
    )
    colorize.add_argument("-o", "--output", required=True,
                          help="folder for the PNGs (or a .png file, for one photo)")
    _add_decode_options(colorize)
    colorize.add_argument("--device", choices=DEVICES, default="cpu", help="cuda needs the gpu extra (CuPy)")
    colorize.add_argument("--overwrite", action="store_true",
                          help="redo outputs that already exist (without it they are skipped)")
    colorize.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    _add_max_pixels(colorize)


def _video_options(video):
    from .video.stabilizer import CUT_THRESHOLD

    video.add_argument(
        "items", nargs="+", metavar="INPUT OUTPUT",
        help="optionally a model (default: the bundled landscapes model), then the video file or folder of "
        "frames, and the video file (.mp4) or folder for PNG frames to write",
    )
    video.add_argument("--temporal-smoothing", type=float, default=0.7,
                       help="weight of the motion-compensated past in [0, 1); 0: every frame on its own")
    video.add_argument("--cut-threshold", type=float, default=CUT_THRESHOLD,
                       help="L-histogram change that starts a new scene")
    video.add_argument("--fps", type=float, default=None,
                       help="output frame rate in (0, 1000] (default: the input's, 25 for frames)")
    video.add_argument("--overwrite", action="store_true",
                       help="replace an existing output (a folder only if it holds nothing but earlier frames)")


def _demo_options(demo):
    from .estimator import FINE_TUNING

    demo.add_argument("-o", "--output", default="somcolor-demo", help="output folder")
    demo.add_argument("--max-iter", type=_COUNT, default=FINE_TUNING["max_iter"],
                      help="epochs of fine-tuning the bundled model on the bundled photos (at least 1)")
    demo.add_argument("--seed", type=_seed, default=0, help="random seed of the fine-tuning")


def _compare_options(comp):
    comp.add_argument("inputs", nargs="+", metavar="PHOTOS", help="color image files or folders")
    comp.add_argument("-o", "--output", default="somcolor-compare", help="output folder")
    comp.add_argument("--other", nargs="+", metavar="OTHER",
                      help="color photos from another source (camera, size, era): adds the cross-source "
                           "yardstick, trained on one source and tested on the other, both ways")
    comp.add_argument("--every", type=_at_least(2), default=5, help="hold out every Nth image (at least 2)")
    comp.add_argument("--cnn-epochs", type=_COUNT, default=None,
                      help="epochs of the CNN references (default: as many image passes as ours)")
    comp.add_argument("--seed", type=_seed, default=0, help="random seed of every method")


def _grid_options(grid):
    from .estimator import SOMColorizer

    grid.add_argument("inputs", nargs="+", metavar="PHOTOS", help="color image files or folders")
    grid.add_argument("--patch-size", type=int, nargs="+", default=[3, 5], help="patch sizes to try")
    grid.add_argument("--n-colors", type=int, nargs="+", default=[9, 25], help="numbers of colors to try")
    grid.add_argument("--hidden", type=_hidden_sizes, nargs="+", default=[(50, 50)],
                      help="hidden layer sizes to try, each comma-separated, e.g. 50 50,50")
    grid.add_argument("--cv", type=_at_least(2), default=3, help="interleaved image folds (at least 2)")
    grid.add_argument("--scoring", default="psnr", help="psnr, ssim, neg_rmse, auc, rebalanced_auc, ...")
    grid.add_argument("--max-iter", type=_COUNT, default=SOMColorizer().max_iter, help="epochs per fit (at least 1)")
    grid.add_argument("--n-jobs", type=_n_jobs, default=None, help="parallel fits, -1 for one per core (default: one)")
    grid.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    grid.add_argument("--seed", type=_seed, default=0, help="random seed of every candidate")


#: The commands: name -> (one line of help, how its options are added, what runs it).
COMMANDS = {
    "fit": ("train a model on color images", _fit_options, cmd_fit),
    "colorize": ("colorize gray photos with a model (the bundled one by default)", _colorize_options, cmd_colorize),
    "video": ("colorize a grayscale video, stably in time", _video_options, cmd_video),
    "demo": ("colorize held-out bundled landscapes, with the bundled model and that model fine-tuned here",
             _demo_options,
             cmd_demo),
    "compare": ("measure somcolor against baselines and CNNs on held-out images", _compare_options, cmd_compare),
    "grid": ("grid-search patch size, colors and hidden layers", _grid_options, cmd_grid),
}
class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help with its default, except where there is none to show (required, off, unset)."""

    def _get_help_string(self, action):
        if action.required or action.default in (None, False) or "default:" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


USAGE = {
    "colorize": "somcolor colorize [options] [MODEL] PHOTO [PHOTO ...] -o OUT",
    "video": "somcolor video [options] [MODEL] INPUT OUTPUT",
}


def build_parser(command=None):
    """The argument parser; with `command`, only that command's options are added (the others' would
    import what that command does not need: `somcolor --help` stays instant)."""
    parser = argparse.ArgumentParser(
        prog="somcolor",
        description="Colorize grayscale photos with a self-organizing map and a small MLP.",
    )
    parser.add_argument("--version", action="version", version=f"somcolor {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_options, run) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".",
                                  usage=USAGE.get(name), formatter_class=_Formatter)
        if command is None or command == name:
            add_options(sub)
        sub.set_defaults(run=run)
    return parser


# Library parameter names as the command line spells them, for messages about what the user typed.
_FLAGS = {
    "patch_size": "--patch-size", "n_colors": "--n-colors", "hidden_layer_sizes": "--hidden",
    "pixels_per_image": "--pixels-per-image", "max_iter": "--max-iter", "rebalance": "--rebalance",
    "decode": "--decode", "temperature": "--temperature", "scales": "--scales", "position": "--position",
    "local_radii": "--local-radii", "global_features": "--global-features",
    "texture_scales": "--texture-scales", "smooth_radius": "--smooth-radius",
    "random_state": "--seed", "max_image_pixels": "--max-pixels", "device": "--device",
    "temporal_smoothing": "--temporal-smoothing", "cut_threshold": "--cut-threshold", "fps": "--fps",
    "chunk_images": "--chunk-images",
}


def cli_words(message):
    """A library message in the command line's words: flags where it names parameters.

    >>> cli_words("The 'n_colors' parameter of SOMColorizer must be an int in the range [2, 1024]. Got 1 instead.")
    '--n-colors must be an int in the range [2, 1024]. Got 1 instead.'
    >>> cli_words("out.mp4: already exists (overwrite=True replaces it)")
    'out.mp4: already exists (--overwrite replaces it)'
    """
    message = re.sub(
        r"The '(\w+)' parameter of \w+", lambda m: _FLAGS.get(m.group(1), f"the {m.group(1)!r} parameter"), message
    )
    message = message.replace("overwrite=True", "--overwrite").replace("max_image_pixels / --max-pixels", "--max-pixels")
    return re.sub(r"^(\w+) must be", lambda m: f"{_FLAGS.get(m.group(1), m.group(1))} must be", message)


class Interrupted(BaseException):
    """A termination signal, raised where the program is, so that temporary files are removed on the way
    out (as for Ctrl-C)."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


def main(argv=None):
    # Everything inside the try, the parsing and its imports too: Ctrl-C from the first moment ends with one
    # line and status 130, never a traceback or death by the signal; every warning is one line.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupted) if in_main_thread else None
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), "")
    prog = f"somcolor {command}" if command in COMMANDS else "somcolor"

    def one_line(message, category, filename, lineno, file=None, line=None):
        print(f"{prog}: warning: {cli_words(str(message))}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default", UserWarning)
            warnings.showwarning = one_line
            return _run(build_parser(command).parse_args(argv), prog)
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        print(
            f"{prog}: interrupted by {signal.Signals(signum).name}: outputs already complete are kept, none is "
            "half-written; run the same command again to finish", file=sys.stderr,
        )
        return 128 + signum
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _run(args, prog):
    """Run the parsed command; every error it raises for the user's input is one line and status 2."""
    from .io.images import ImageError
    from .persistence import ModelFileError

    try:
        return args.run(args)
    except (ImageError, ModelFileError, ValueError, TypeError, OSError, ImportError) as exc:
        print(f"{prog}: error: {cli_words(str(exc))}", file=sys.stderr)
    except MemoryError:
        print(f"{prog}: error: not enough memory for this command; give smaller or fewer photos", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
