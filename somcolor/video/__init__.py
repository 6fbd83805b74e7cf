"""Video colorization that is stable in time: frames in and out, the stabilizer, flicker, test clips."""

from .clips import make_test_clip
from .flicker import flicker, flicker_ratio
from .frames import VideoError, VideoWarning, open_frames, write_frames
from .stabilizer import Stabilizer, colorize_video, histogram_distance, optical_flow

__all__ = [
    "Stabilizer",
    "VideoError",
    "VideoWarning",
    "colorize_video",
    "flicker",
    "flicker_ratio",
    "histogram_distance",
    "make_test_clip",
    "open_frames",
    "optical_flow",
    "write_frames",
]
