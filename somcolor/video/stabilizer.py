"""Video colorization that is stable in time.

Colorizing frames one by one flickers: a pixel's most likely color class
jumps between frames. :func:`colorize_video` instead keeps, per pixel, an
exponential moving average of the class probabilities. Before each update the
previous average is moved along the optical flow of L (scikit-image's
``optical_flow_ilk``, on frames downscaled by `flow_step`), so that the
average follows moving content instead of smearing it; a scene cut (a large
change of the L histogram) resets it, so colors do not leak across cuts.

Frames stream through: memory holds a few frames, never the clip.
"""

import numpy as np
from skimage.registration import optical_flow_ilk
from tqdm.auto import tqdm

from ..color import lightness
from ..filters.resample import downscale, upsample, warp
from ..inference.fused import colorize_probabilities, probabilities_fused
from ..io.writing import refuse_inputs
from .frames import VideoError, open_frames, write_frames

HISTOGRAM_BINS = 32
CUT_THRESHOLD = 0.15


def lightness_histogram(L):
    """Fractions of the pixels of L in 32 equal bins over [0, 100]."""
    bins = np.clip((np.asarray(L) * (HISTOGRAM_BINS / 100)).astype(np.intp), 0, HISTOGRAM_BINS - 1)
    return np.bincount(bins.ravel(), minlength=HISTOGRAM_BINS) / bins.size


def histogram_distance(L_a, L_b):
    """Total-variation distance between the L histograms of two frames, in [0, 1]."""
    return total_variation(lightness_histogram(L_a), lightness_histogram(L_b))


def total_variation(p, q):
    """Total-variation distance between two histograms (fractions summing to 1)."""
    return 0.5 * float(np.abs(p - q).sum())


def optical_flow(L_from, L_to, step=None):
    """Per-pixel displacement (2, H, W) (rows, columns), float32, such that ``L_from[p + flow[:, p]] ~ L_to[p]``.

    Computed by scikit-image's ``optical_flow_ilk`` on both frames
    downscaled by `step` (block means; default: about 60 pixels on the short
    side), then interpolated bilinearly back to full size: colors move with
    objects, and detail finer than a few pixels does not matter for them.
    """
    height, width = L_to.shape
    step = step or max(1, min(height, width) // 60)
    small_to, small_from = downscale(L_to, step), downscale(L_from, step)
    flow = optical_flow_ilk(small_to, small_from, radius=5, num_warp=3).astype(np.float32) * step
    return upsample(flow, height, width, step)


def colorize_video(
    model, source, destination, temporal_smoothing=0.7, cut_threshold=CUT_THRESHOLD, flow_step=None,
    fps=None, overwrite=False, verbose=True,
):
    """Colorize a grayscale video with a fitted :class:`~somcolor.SOMColorizer`, stably in time.

    Parameters
    ----------
    model : SOMColorizer
        A fitted model; its decoding, temperature and chroma smoothing apply.
        Frames are colorized on the CPU.
    source : path
        A video file (anything ffmpeg reads) or a folder of frame images.
    destination : path
        A video file (``.mp4``: H.264) or a folder, which receives
        ``frame_000000.png``, ... Written under a temporary name and renamed
        when complete.
    temporal_smoothing : float in [0, 1), default=0.7
        Weight of the motion-compensated past in each pixel's moving average
        of class probabilities; 0 colorizes every frame on its own.
    cut_threshold : float in (0, 1], default=0.15
        A frame whose L histogram differs from the last one's by more than
        this (total-variation distance) starts a new scene: the average is
        reset. On test clips of landscapes (``benchmarks/video.py``), cuts
        between two photos measured 0.17 to 0.9 and fast pans within one at
        most 0.12.
    flow_step : int, optional
        Downscaling of the frames for optical flow; default: about 60
        pixels on the short side.
    fps : float, optional
        Frame rate of the output; default: the source's (25 for a folder).
    overwrite : bool, default=False
        Replace an existing destination.
    verbose : bool, default=True
        Show a progress bar with frames per second.

    Returns
    -------
    summary : dict
        ``frames``, ``height``, ``width``, ``fps`` and ``cuts`` (the frame
        numbers that started a new scene).

    Examples
    --------
    >>> from somcolor import SOMColorizer, bundled_images
    >>> from somcolor.video import make_test_clip, write_frames
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> clip = make_test_clip(bundled_images("test")[:2], n_frames=6, size=(48, 64))
    >>> write_frames(clip, folder / "clip.mp4")
    6
    >>> model = SOMColorizer(max_iter=2, random_state=0).fit(bundled_images("train")[:4])
    >>> colorize_video(model, folder / "clip.mp4", folder / "out.mp4", verbose=False)["frames"]
    6
    """
    refuse_inputs([destination], [source])
    stabilizer = Stabilizer(model, temporal_smoothing, cut_threshold, flow_step)
    frames, source_fps = open_frames(source, fps)
    shape = []

    def colorized():
        for index, frame in enumerate(tqdm(frames, desc="colorizing", unit="frame", disable=not verbose)):
            if not shape:
                shape.append(frame.shape[:2])
            elif frame.shape[:2] != shape[0]:
                raise VideoError(f"{source}: frame {index} is {frame.shape[:2]}, the first was {shape[0]}")
            yield stabilizer.colorize(lightness(frame))
        if not shape:
            raise VideoError(f"{source}: no frames")

    count = write_frames(colorized(), destination, source_fps, overwrite)
    return {"frames": count, "height": shape[0][0], "width": shape[0][1], "fps": source_fps, "cuts": stabilizer.cuts}


class Stabilizer:
    """Colorizes consecutive frames' L with a motion-compensated moving average of class probabilities.

    The engine of :func:`colorize_video`, for frames that come from elsewhere
    (parameters as there); ``cuts`` lists the frames that started a new scene.
    """

    def __init__(self, model, temporal_smoothing=0.7, cut_threshold=CUT_THRESHOLD, flow_step=None):
        if not 0 <= temporal_smoothing < 1:
            raise ValueError(f"temporal_smoothing must be in [0, 1), got {temporal_smoothing!r}")
        if not 0 < cut_threshold <= 1:
            raise ValueError(f"cut_threshold must be in (0, 1], got {cut_threshold!r}")
        self.plan = model.colorize_plan()
        self.temporal_smoothing = temporal_smoothing
        self.cut_threshold = cut_threshold
        self.flow_step = flow_step
        self.cuts = []
        self._frame = 0
        self._L = None
        self._histogram = None
        self._state = None

    def colorize(self, L):
        """RGB of the next frame, float32 (H, W, 3), from its lightness L."""
        proba = probabilities_fused(L, self.plan)
        histogram = lightness_histogram(L)
        # The last frame's histogram is kept, so each frame's is computed once.
        if self._L is not None and total_variation(histogram, self._histogram) > self.cut_threshold:
            self.cuts.append(self._frame)
            self._state = None
        if self._state is not None and self.temporal_smoothing > 0:
            past = warp(self._state, optical_flow(self._L, L, self.flow_step))
            # proba = a * past + (1 - a) * proba, in place: these are Q full-size planes.
            past *= np.float32(self.temporal_smoothing)
            proba *= np.float32(1 - self.temporal_smoothing)
            proba += past
        self._state, self._L, self._histogram = proba, L, histogram
        self._frame += 1
        return colorize_probabilities(L, proba, self.plan)
