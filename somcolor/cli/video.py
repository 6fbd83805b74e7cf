"""``somcolor video``: colorize a gray video, stably in time."""

import sys
import warnings

from .common import DEFAULT_MODEL, model_argument, say_if_compiling

HELP = "colorize a grayscale video, stably in time"
USAGE = "somcolor video [options] [MODEL] INPUT OUTPUT"


def run(args):
    from ..persistence import load_model
    from ..video import VideoWarning, colorize_video

    if len(args.items) not in (2, 3):
        raise ValueError("expected [MODEL] INPUT OUTPUT")
    model_name, source, destination = args.items if len(args.items) == 3 else (DEFAULT_MODEL, *args.items)
    model = load_model(model_argument(model_name) if len(args.items) == 3 else model_name)
    say_if_compiling()
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


def add_options(video):
    from ..video.stabilizer import CUT_THRESHOLD

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
