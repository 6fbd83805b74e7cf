"""Video colorization that is stable in time.

Colorizing frames one by one flickers: a pixel's most likely color class
jumps between frames. :func:`colorize_video` instead keeps, per pixel, an
exponential moving average of the class probabilities. Before each update the
previous average is moved along the optical flow of L (scikit-image's
``optical_flow_ilk``, on frames downscaled by `flow_step`), so that the
average follows moving content instead of smearing it; a scene cut (a large
change of the L histogram) resets it, so colors do not leak across cuts.

Frames stream through: memory holds a few frames, never the clip. Sources
and destinations are video files (read and written by imageio's ffmpeg
plugin, whose wheel ships ffmpeg; H.264 MP4 out) or folders of frames.
"""

import os
import shutil
from pathlib import Path

import numpy as np
from scipy.ndimage import map_coordinates
from skimage.registration import optical_flow_ilk
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from . import _kernels
from .color import lightness
from .context import coarse_coordinates, downscale
from .images import IMAGE_EXTENSIONS, ImageError, as_image, to_uint8, write_png
from .inference import colorize_probabilities, network_of, pack, probabilities_fused

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")
DEFAULT_FPS = 25.0
HISTOGRAM_BINS = 32


class VideoError(ImageError):
    """A video source or destination is missing, unreadable or unusable."""


# -- scene cuts and motion -----------------------------------------------------


def lightness_histogram(L):
    """Fractions of the pixels of L in 32 equal bins over [0, 100]."""
    bins = np.clip((np.asarray(L) * (HISTOGRAM_BINS / 100)).astype(np.intp), 0, HISTOGRAM_BINS - 1)
    return np.bincount(bins.ravel(), minlength=HISTOGRAM_BINS) / bins.size


def histogram_distance(L_a, L_b):
    """Total-variation distance between the L histograms of two frames, in [0, 1]."""
    return _total_variation(lightness_histogram(L_a), lightness_histogram(L_b))


def _total_variation(p, q):
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
    # Bilinear upsampling as two linear passes (columns, then rows via a transpose).
    grid = np.pad(flow, ((0, 0), (0, 1), (0, 1)), mode="edge")
    wide = np.empty((2, grid.shape[1], width), np.float32)
    _kernels.upsample_columns(grid, *coarse_coordinates(width, step), wide)
    wide = np.ascontiguousarray(wide.transpose(0, 2, 1))
    full = np.empty((2, width, height), np.float32)
    _kernels.upsample_columns(wide, *coarse_coordinates(height, step), full)
    return np.ascontiguousarray(full.transpose(0, 2, 1))


def warp(planes, flow):
    """``planes`` (C, H, W) sampled at ``p + flow[:, p]``, bilinearly, clamped at the borders; float32.

    A numba kernel; :func:`warp_reference` is its scipy version.
    """
    out = np.empty(planes.shape, np.float32)
    _kernels.warp_bilinear(
        np.ascontiguousarray(planes, dtype=np.float32), np.ascontiguousarray(flow, dtype=np.float32), out
    )
    return out


def warp_reference(planes, flow):
    """:func:`warp` with ``scipy.ndimage.map_coordinates``."""
    height, width = planes.shape[1:]
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    coords = [np.clip(rows + flow[0], 0, height - 1), np.clip(cols + flow[1], 0, width - 1)]
    return np.stack([map_coordinates(plane, coords, order=1) for plane in planes])


# -- reading and writing ---------------------------------------------------------


def _is_video_file(path):
    return path.suffix.lower() in VIDEO_EXTENSIONS


def open_frames(source, fps=None):
    """The frames of `source`, a video file or a folder of images, and its frame rate.

    Returns ``(frames, fps)``: ``frames`` is an iterator of (H, W) or (H, W, 3)
    float arrays in [0, 1], read one at a time. A folder's frames are its
    images in sorted name order, at `fps` (default 25) frames per second.
    Raises :class:`VideoError` naming the source if it is missing or not a
    readable video.
    """
    source = Path(source)
    if not source.exists():
        raise VideoError(f"{source}: no such file or folder")
    if source.is_dir():
        paths = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
        if not paths:
            raise VideoError(f"{source}: folder holds no frames ({', '.join(IMAGE_EXTENSIONS)})")
        return (as_image(p, str(p)) for p in paths), float(fps or DEFAULT_FPS)
    import imageio.v2 as imageio

    try:
        reader = imageio.get_reader(source, format="FFMPEG")
        meta = reader.get_meta_data()
    except Exception as exc:  # imageio and ffmpeg raise many kinds for one problem
        raise VideoError(f"{source}: not a readable video ({_first_line(exc)})") from None

    def frames():
        try:
            for frame in reader:
                yield np.asarray(frame[..., :3], dtype=np.float32) / 255.0
        except Exception as exc:
            raise VideoError(f"{source}: cannot decode video ({_first_line(exc)})") from None
        finally:
            reader.close()

    return frames(), float(fps or meta.get("fps") or DEFAULT_FPS)


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _FrameWriter:
    """Writes frames to a temporary name beside `destination` and renames it when complete."""

    def __init__(self, destination, fps, overwrite):
        self.destination = Path(destination)
        if self.destination.exists() and not overwrite:
            raise VideoError(f"{self.destination}: already exists (pass overwrite=True to replace it)")
        self._writer = None
        self.to_video = _is_video_file(self.destination)
        if not self.to_video and self.destination.suffix and not self.destination.is_dir():
            raise VideoError(
                f"{self.destination}: unknown video type {self.destination.suffix!r}; "
                f"use {', '.join(VIDEO_EXTENSIONS)} or a folder name for PNG frames"
            )
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        suffix = self.destination.suffix
        self.partial = self.destination.with_name(f".{self.destination.stem}.partial{suffix}")
        self.discard()  # what an interrupted run left
        self.fps = fps
        self.count = 0

    def add(self, rgb):
        if not self.to_video:
            write_png(self.partial / f"frame_{self.count:06d}.png", rgb)
        else:
            if self._writer is None:
                self._writer = self._open(rgb.shape)
            self._writer.append_data(to_uint8(rgb))
        self.count += 1

    def _open(self, shape):
        import imageio.v2 as imageio

        # 4:2:0 chroma needs even sides; odd-sized frames keep full chroma (4:4:4)
        # rather than being resized.
        even = shape[0] % 2 == 0 and shape[1] % 2 == 0
        return imageio.get_writer(
            self.partial, format="FFMPEG", fps=self.fps, codec="libx264", quality=None,
            pixelformat="yuv420p" if even else "yuv444p", macro_block_size=1,
            output_params=["-crf", "16"], ffmpeg_log_level="error",
        )

    def finish(self):
        if self._writer is not None:
            self._writer.close()
        if self.count == 0:
            self.discard()
            return
        if self.destination.is_dir():
            shutil.rmtree(self.destination)
        os.replace(self.partial, self.destination)

    def discard(self):
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:
                pass
        if self.partial.is_dir():
            shutil.rmtree(self.partial)
        else:
            self.partial.unlink(missing_ok=True)


def write_frames(frames, destination, fps=DEFAULT_FPS, overwrite=False):
    """Write RGB frames (floats in [0, 1]) as an H.264 MP4 or a folder of PNGs, atomically.

    Returns the number of frames written. Nothing appears under
    `destination` unless every frame was written.
    """
    writer = _FrameWriter(destination, fps, overwrite)
    try:
        for frame in frames:
            writer.add(frame)
    except BaseException:
        writer.discard()
        raise
    if writer.count == 0:
        writer.discard()
        raise VideoError(f"{destination}: no frames to write")
    writer.finish()
    return writer.count


# -- colorizing ------------------------------------------------------------------


def colorize_video(
    model, source, destination, temporal_smoothing=0.7, cut_threshold=0.3, flow_step=None,
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
    cut_threshold : float in (0, 1], default=0.3
        A frame whose L histogram differs from the last one's by more than
        this (total-variation distance) starts a new scene: the average is reset.
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

    def __init__(self, model, temporal_smoothing=0.7, cut_threshold=0.3, flow_step=None):
        check_is_fitted(model)
        if not 0 <= temporal_smoothing < 1:
            raise ValueError(f"temporal_smoothing must be in [0, 1), got {temporal_smoothing!r}")
        if not 0 < cut_threshold <= 1:
            raise ValueError(f"cut_threshold must be in (0, 1], got {cut_threshold!r}")
        self.model = model
        self.context = model._context()
        self.packed = pack(network_of(model.mlp_), self.context)
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
        model = self.model
        proba = probabilities_fused(L, self.packed, self.context, model.n_colors)
        histogram = lightness_histogram(L)
        # The last frame's histogram is kept, so each frame's is computed once.
        if self._L is not None and _total_variation(histogram, self._histogram) > self.cut_threshold:
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
        return colorize_probabilities(
            L, proba, model.quantizer_.codebook_, model.decode, model.temperature,
            model.smooth_radius, model.smooth_eps,
        )


# -- test clips ------------------------------------------------------------------


def make_test_clip(photos, n_frames=60, size=(240, 320), cut_at=None):
    """A clip made from real photos: a slow pan and zoom across one, a hard cut, then across the next.

    Parameters
    ----------
    photos : sequence of two or more color images (paths or arrays)
        One scene per photo; frames are split evenly between the first two
        (the cut at `cut_at`, default the middle).
    n_frames : int
    size : (height, width)

    Returns
    -------
    frames : list of ndarray of shape (height, width, 3), float32 in [0, 1]
    """
    photos = [as_image(p, str(p)) for p in photos][:2]
    if len(photos) < 2 or any(p.ndim != 3 for p in photos):
        raise ValueError("make_test_clip needs two color photos")
    cut_at = n_frames // 2 if cut_at is None else cut_at
    height, width = size
    frames = []
    for t in range(n_frames):
        scene, start, length = (0, 0, cut_at) if t < cut_at else (1, cut_at, n_frames - cut_at)
        progress = (t - start) / max(length - 1, 1)
        frames.append(_view(photos[scene], progress, height, width))
    return frames


def _view(photo, progress, height, width):
    """The photo seen through a window that pans right and zooms in as `progress` goes 0 -> 1."""
    ph, pw = photo.shape[:2]
    # The window keeps the clip's aspect ratio; it shrinks from 85% to 65% of the photo.
    scale = 0.85 - 0.2 * progress
    win_w = min(pw, ph * width / height) * scale
    win_h = win_w * height / width
    left = (pw - win_w) * (0.1 + 0.8 * progress)
    top = (ph - win_h) * 0.5
    rows = top + (np.arange(height) + 0.5) * win_h / height - 0.5
    cols = left + (np.arange(width) + 0.5) * win_w / width - 0.5
    grid = np.meshgrid(rows, cols, indexing="ij")
    return np.stack(
        [map_coordinates(photo[..., c], grid, order=1, mode="nearest") for c in range(3)], axis=-1
    ).astype(np.float32)
