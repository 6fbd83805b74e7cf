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

import warnings

import numpy as np
from skimage.registration import optical_flow_ilk
from tqdm.auto import tqdm

from .._arrays import array_module
from ..color import lightness
from ..filters.resample import downscale, upsample
from ..inference.backend import backend_of
from ..inference.working import colorize_lightness
from ..io.writing import refuse_inputs
from .frames import VideoError, VideoWarning, check_destination, check_source, open_frames, write_frames

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


def flow_step(shape):
    """The downscaling of frames of this shape for optical flow: about 60 pixels on the short side."""
    return max(1, min(shape[:2]) // 60)


def optical_flow(L_from, L_to, step=None):
    """Per-pixel displacement (2, H, W) (rows, columns), float32, such that ``L_from[p + flow[:, p]] ~ L_to[p]``.

    Computed by scikit-image's ``optical_flow_ilk`` on both frames
    downscaled by `step` (block means; default :func:`flow_step`), then
    interpolated bilinearly back to full size: colors move with objects, and
    detail finer than a few pixels does not matter for them.
    """
    height, width = L_to.shape
    step = step or flow_step(L_to.shape)
    return upsample(small_flow(downscale(L_from, step), downscale(L_to, step), step), height, width, step)


def small_flow(small_from, small_to, step):
    """The flow between two frames downscaled by `step`, in full-resolution pixels, (2, h, w) float32.

    CuPy arrays go to cuCIM's ``optical_flow_ilk`` on the GPU (the gpu-video
    extra), numpy arrays to scikit-image's.
    """
    if array_module(small_to) is not np:
        from cucim.skimage.registration import optical_flow_ilk as gpu_flow

        return gpu_flow(small_to, small_from, radius=5, num_warp=3).astype(np.float32) * step
    return optical_flow_ilk(small_to, small_from, radius=5, num_warp=3).astype(np.float32) * step


def colorize_video(
    model, source, destination, temporal_smoothing=0.7, cut_threshold=CUT_THRESHOLD, flow_step=None,
    fps=None, overwrite=False, verbose=True,
):
    """Colorize a grayscale video with a fitted :class:`~somcolor.SOMColorizer`, stably in time.

    Parameters
    ----------
    model : SOMColorizer
        A fitted model; its decoding, temperature, chroma smoothing and
        device apply.
    source : path
        A video file (anything ffmpeg reads) or a folder of frame images.
    destination : path
        A video file (``.mp4``: H.264, with the source's sound tracks) or a
        folder, which receives ``frame_000000.png``, ... (and no sound, which
        a :class:`~somcolor.video.VideoWarning` says). Written under a
        temporary name and renamed when complete.
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
        Replace an existing destination: a video file, or a folder that
        holds nothing but frames written there before (any other file in
        it is refused; nothing else is ever deleted).
    verbose : bool, default=True
        Show a progress bar with frames per second.

    Returns
    -------
    summary : dict
        ``frames``, ``height``, ``width``, ``fps``, ``cuts`` (the frame
        numbers that started a new scene) and ``missing``: the frames the
        source's header announces but that could not be read (a truncated
        or corrupt video, also reported by a :class:`VideoWarning`).

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
    check_source(source)
    check_destination(destination, overwrite)
    stabilizer = Stabilizer(model, temporal_smoothing, cut_threshold, flow_step)
    frames, source_fps = open_frames(source, fps)
    shape = []

    def colorized():
        progress = tqdm(frames, desc="colorizing", unit="frame", total=frames.announced, disable=not verbose)
        for index, frame in enumerate(progress):
            if not shape:
                shape.append(frame.shape[:2])
            elif frame.shape[:2] != shape[0]:
                raise VideoError(f"{source}: frame {index} is {frame.shape[:2]}, the first was {shape[0]}")
            yield stabilizer.colorize_frame(frame)
        if not shape:
            raise VideoError(f"{source}: no frames")

    count = write_frames(colorized(), destination, source_fps, overwrite, sound_from=source)
    if frames.missing:
        warnings.warn(
            f"{source}: the video ended after {count} of the {frames.announced} frames its header announces "
            f"(truncated or corrupt); {destination} holds the {count} that were read", VideoWarning, stacklevel=2
        )
    return {"frames": count, "height": shape[0][0], "width": shape[0][1], "fps": source_fps, "cuts": stabilizer.cuts,
            "missing": frames.missing}


class Stabilizer:
    """Colorizes consecutive frames with a motion-compensated moving average of class probabilities.

    The engine of :func:`colorize_video`, for frames that come from elsewhere
    (parameters as there); ``cuts`` lists the frames that started a new
    scene. The probabilities, their average, the warp and the decoding run on
    the model's device (:mod:`somcolor.inference.backend`); with
    ``device="cuda"`` the optical flow runs there too where cuCIM is installed
    (``pip install "somcolor[gpu-video]"``), else on the CPU, on frames
    downscaled to about 60 pixels. A frame much larger than the training
    photos is colorized, and its probabilities averaged, at the model's
    working resolution (:mod:`somcolor.inference.working`); the cut test sees
    the whole frame.
    """

    def __init__(self, model, temporal_smoothing=0.7, cut_threshold=CUT_THRESHOLD, flow_step=None):
        if not 0 <= temporal_smoothing < 1:
            raise ValueError(f"temporal_smoothing must be in [0, 1), got {temporal_smoothing!r}")
        if not 0 < cut_threshold <= 1:
            raise ValueError(f"cut_threshold must be in (0, 1], got {cut_threshold!r}")
        self.plan = model.colorize_plan()
        self.backend = backend_of(self.plan)
        self.temporal_smoothing = temporal_smoothing
        self.cut_threshold = cut_threshold
        self.flow_step = flow_step
        self.cuts = []
        self._frame = 0
        self._histogram = None
        self._small = None  # the last frame's L downscaled for the flow
        self._state = None  # the last frame's averaged probabilities, on the device

    def _new_scene(self, histogram):
        """Whether this frame starts a scene (the last frame's histogram is kept: each is computed once)."""
        cut = self._histogram is not None and total_variation(histogram, self._histogram) > self.cut_threshold
        if cut:
            self.cuts.append(self._frame)
        self._histogram = histogram
        self._frame += 1
        return cut

    def colorize(self, L):
        """RGB of the next frame, float32 (H, W, 3), from its lightness L (on the host)."""
        if self._new_scene(lightness_histogram(L)):
            self._state = None
        return colorize_lightness(L, self.plan, self.backend, self._stable_probabilities)

    def colorize_frame(self, frame):
        """RGB of the next frame, float32 (H, W, 3), from the frame (gray or color)."""
        return self.colorize(lightness(frame))

    def _stable_probabilities(self, L, proba):
        """The probability planes of L averaged with the last frame's, moved along the flow between them."""
        step = self.flow_step or flow_step(L.shape)
        small = self.backend.flow_input(downscale(L, step))
        if self._state is not None and self.temporal_smoothing > 0:
            flow = small_flow(self._small, small, step)
            self.backend.blend_past(proba, self._state, flow, step, self.temporal_smoothing)
        self._state, self._small = self.backend.keep(proba), small
        return proba
