"""What the commands share: argument types, option groups, how a model is named, messages in the
command line's words."""

import argparse
import os
import re
import sys
from pathlib import Path


class Interrupted(BaseException):
    """A termination signal (Ctrl-C, SIGTERM), raised where the program is, so that temporary files are
    removed on the way out."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def raise_interrupted(signum, frame):
    raise Interrupted(signum)


DEFAULT_MODEL = "landscapes"


def hidden_sizes(text):
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer sizes such as 50,50, got {text!r}"
        ) from None
    return sizes


def at_least(minimum):
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


COUNT = at_least(1)
SEED_MAX = 2**32 - 1


def seed_number(text):
    """--seed's value: a whole number in [0, 2**32 - 1], what numpy's RandomState takes."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number in [0, {SEED_MAX}], got {text!r}") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be a whole number in [0, {SEED_MAX}], got {value}")
    return value


def job_count(text):
    """--n-jobs's value: a number of parallel jobs, or -1 for one per core (joblib's rule: not 0)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"expected a number of parallel fits, or -1 for one per core, got {text!r}")
    return value


def rebalance_value(text):
    if text.lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1] or 'none', got {text!r}") from None


def add_model_options(parser):
    from ..estimator import FINE_TUNING, SOMColorizer

    defaults = SOMColorizer().get_params()
    group = parser.add_argument_group("model")
    group.add_argument("--patch-size", type=int, default=defaults["patch_size"],
                       help="odd side of the square patch of lightness around each pixel")
    group.add_argument("--n-colors", type=int, default=defaults["n_colors"],
                       help="color classes: the SOM's nodes, e.g. 9, 25, 100 or 400")
    group.add_argument(
        "--hidden", type=hidden_sizes, default=",".join(map(str, defaults["hidden_layer_sizes"])),
        help="hidden layer sizes of the MLP, comma-separated",
    )
    group.add_argument("--pixels-per-image", type=COUNT, default=defaults["pixels_per_image"],
                       help="training pixels sampled from each photo")
    group.add_argument("--max-iter", type=COUNT, default=None,
                       help=f"training epochs at most, at least 1 (default: {defaults['max_iter']}; with --from, "
                       f"{FINE_TUNING['max_iter']})")
    group.add_argument(
        "--rebalance", type=rebalance_value, default=defaults["rebalance"],
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
    group.add_argument("--seed", type=seed_number, default=0,
                       help="random seed: the same seed and photos give the same model on the same kind of CPU")
    add_max_pixels(group)
    # No default temperature here: a model trained from scratch takes the estimator's, a fine-tuned one
    # FINE_TUNING's, unless --temperature is given.
    add_decode_options(parser, {"decode": defaults["decode"], "temperature": None},
                        temperature_default=f"{defaults['temperature']}; with --from, {FINE_TUNING['temperature']}")


def add_max_pixels(parser):
    from ..io.images import DEFAULT_MAX_PIXELS

    parser.add_argument("--max-pixels", type=COUNT, default=DEFAULT_MAX_PIXELS,
                        help="refuse images larger than this many pixels")


def add_decode_options(parser, defaults=None, temperature_default=None):
    from ..network.decode import DECODERS

    own = " (default: the model's own)" if defaults is None else ""
    defaults = defaults or {"decode": None, "temperature": None}
    parser.add_argument("--decode", choices=DECODERS, default=defaults["decode"],
                        help="how class probabilities become colors" + own)
    parser.add_argument("--temperature", type=temperature_value, default=defaults["temperature"],
                        help="of the annealed mean, in [0.01, 1] (lower is more colorful), or 'auto': "
                        "chosen by fit" + (f" (default: {temperature_default})" if temperature_default else own))
    parser.add_argument("--contrast-stretch", action=argparse.BooleanOptionalAction, default=None,
                        help="see a photo flatter than the training photos with its lightness contrast stretched "
                        "(colors still join its own lightness)" + (own or " (default: on)"))


def temperature_value(text):
    """--temperature's value: 'auto' or a number (its range is checked by the estimator)."""
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a number nor 'auto'") from None


def fine_tuning(max_iter):
    """The parameters that set a fitted model to fine-tune: :data:`~somcolor.estimator.FINE_TUNING`, with
    the epochs of --max-iter when given."""
    from ..estimator import FINE_TUNING

    return {**FINE_TUNING, "warm_start": True, "max_iter": max_iter or FINE_TUNING["max_iter"]}


def model_first(items):
    """(model, rest) of positional arguments that may start with a model: a model file (recognised by its
    content, or named .skops), or a bundled model's name where no file or folder of that name exists (a
    path that exists is the user's path: a folder of photos named 'landscapes' is photos); without one,
    the bundled landscapes model."""
    from ..io.writing import is_model_file
    from ..persistence import BUNDLED_MODELS

    first = items[0]
    exists = os.path.lexists(first)
    if is_model_file(first) or Path(first).suffix == ".skops" or (first in BUNDLED_MODELS and not exists):
        return model_argument(first), items[1:]
    return DEFAULT_MODEL, items


def model_argument(text):
    """What `load_model` is given for a model the user named: the path where a file or folder of that name
    exists (the user's path), else the name (a bundled model, or a missing file said by `load_model`)."""
    return Path(text) if os.path.lexists(text) else text


def say_if_compiling():
    """Say so before the first colorizing on this machine: numba compiles the kernels then (about half a
    minute), and caches them on disk for every later run."""
    from ..inference._kernels import fused_colorize

    try:
        cached = os.path.exists(fused_colorize._cache._cache_file._index_path)
    except AttributeError:  # another numba's cache layout: say nothing rather than guess
        cached = True
    if not cached:
        print("compiling the colorizing kernels (once: numba caches them for later runs) ...", file=sys.stderr)


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
