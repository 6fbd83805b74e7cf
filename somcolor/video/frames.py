"""Reading and writing frames: video files (imageio's ffmpeg plugin, whose wheel ships ffmpeg) or folders."""

import os
import re
import subprocess
import warnings
from pathlib import Path

import numpy as np

from ..io.images import IMAGE_EXTENSIONS, ImageError, as_image, check_regular_file, natural_key
from ..io.writing import atomic_folder, atomic_path, check_output_file, check_output_folder, to_uint8, write_png

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")
DEFAULT_FPS = 25.0
# The names of the frames write_frames puts in a folder: all an overwrite may delete there.
FRAME_NAMES = r"frame_\d{6}\.png"


class VideoError(ImageError):
    """A video source or destination is missing, unreadable or unusable."""


class VideoWarning(UserWarning):
    """A video was colorized, but not all of it: it ended before the frames its header announces, or its
    sound track could not be kept."""


def _is_video_file(path):
    return path.suffix.lower() in VIDEO_EXTENSIONS


#: The highest output frame rate accepted.
MAX_FPS = 1000.0


def check_fps(fps):
    """Refuse a frame rate that is not a number in (0, MAX_FPS]; None means the source's own."""
    if fps is None:
        return None
    if isinstance(fps, bool) or not isinstance(fps, (int, float, np.floating, np.integer)) or not (
            0 < fps <= MAX_FPS):
        raise VideoError(f"fps must be a number of frames per second in (0, {MAX_FPS:g}], got {fps!r}")
    return float(fps)


class Frames:
    """The frames of a source, read one at a time as (H, W) or (H, W, 3) float arrays in [0, 1].

    ``announced`` is how many frames the source says it holds (a folder's
    image count, a video's duration times its frame rate; None where it
    does not say); ``read`` counts those read so far, so that a video that
    ends early (truncated or corrupt) can be told from a complete one.
    """

    def __init__(self, frames, announced):
        self._frames = frames
        self.announced = announced
        self.read = 0

    def __iter__(self):
        for frame in self._frames:
            self.read += 1
            yield frame

    @property
    def missing(self):
        """Frames announced but not read (0 if none are, or the count is unknown)."""
        return max(0, (self.announced or 0) - self.read)


def check_source(source):
    """Refuse a source that is missing, or neither a folder nor a regular file."""
    if not Path(source).exists():
        raise VideoError(f"{source}: no such file or folder")
    if not Path(source).is_dir():
        check_regular_file(source)


def open_frames(source, fps=None):
    """The frames of `source`, a video file or a folder of images, and its frame rate.

    Returns ``(frames, fps)``: ``frames`` is a :class:`Frames`, read one at a
    time. A folder's frames are its images in natural name order (``2.png``
    before ``10.png``), at `fps` (default 25) frames per second. Raises
    :class:`VideoError` naming the source if it is missing or not a readable
    video, or if `fps` is not a positive frame rate.
    """
    source = Path(source)
    fps = check_fps(fps)
    check_source(source)
    if source.is_dir():
        paths = sorted((p for p in source.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS),
                       key=natural_key)
        if not paths:
            raise VideoError(f"{source}: folder holds no frames ({', '.join(IMAGE_EXTENSIONS)})")
        return Frames((as_image(p, str(p)) for p in paths), len(paths)), fps or DEFAULT_FPS
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

    try:
        source_fps = check_fps(meta.get("fps")) or DEFAULT_FPS
    except VideoError:  # a rate the header gets wrong: the default, as for a folder of frames
        source_fps = DEFAULT_FPS
    duration = meta.get("duration")
    announced = round(duration * source_fps) if duration and np.isfinite(duration) else None
    return Frames(frames(), announced), fps or float(source_fps)


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _video_writer(path, fps, shape):
    import imageio.v2 as imageio

    # 4:2:0 chroma needs even sides; odd-sized frames keep full chroma (4:4:4)
    # rather than being resized.
    even = shape[0] % 2 == 0 and shape[1] % 2 == 0
    return imageio.get_writer(
        path, format="FFMPEG", fps=fps, codec="libx264", quality=None,
        pixelformat="yuv420p" if even else "yuv444p", macro_block_size=1,
        output_params=["-crf", "16"], ffmpeg_log_level="error",
    )


def _write_video(frames, path, fps):
    writer, count = None, 0
    try:
        for frame in frames:
            if writer is None:
                writer = _video_writer(path, fps, frame.shape)
            writer.append_data(to_uint8(frame))
            count += 1
    finally:
        if writer is not None:
            writer.close()
    return count


def _write_pngs(frames, folder):
    count = 0
    for count, frame in enumerate(frames, start=1):
        write_png(folder / f"frame_{count - 1:06d}.png", frame)
    return count


def check_destination(destination, overwrite=False):
    """Refuse a destination that :func:`write_frames` may not write: an unknown video type, an existing
    one without `overwrite`, a folder for a video file, a special file, or (even with `overwrite`) a
    folder that holds anything but the frames written there before."""
    destination = Path(destination)
    if _is_video_file(destination):
        if destination.is_dir():
            raise VideoError(f"{destination}: is a folder, not a video file")
        check_output_file(destination)
        if destination.exists() and not overwrite:
            raise VideoError(f"{destination}: already exists (overwrite=True replaces it)")
        return
    if destination.suffix and not destination.is_dir():
        raise VideoError(
            f"{destination}: unknown video type {destination.suffix!r}; "
            f"use {', '.join(VIDEO_EXTENSIONS)} or a folder name for PNG frames"
        )
    check_output_folder(destination, overwrite, FRAME_NAMES)


def write_frames(frames, destination, fps=DEFAULT_FPS, overwrite=False, sound_from=None):
    """Write RGB frames (floats in [0, 1]) as an H.264 MP4 or a folder of PNGs, atomically.

    Returns the number of frames written. Nothing appears under
    `destination` unless every frame was written (see
    :func:`somcolor.io.writing.atomic_path`). With `overwrite`, an existing
    video file is replaced, and an existing folder only if it holds nothing
    but frames somcolor wrote there before (``frame_000000.png``, ...): any
    other file in it makes this refuse, before the first frame is made.
    A video file gets the sound tracks of the video file `sound_from`
    (:func:`add_sound`); a folder of frames has no room for them, which a
    :class:`VideoWarning` says.
    """
    destination = Path(destination)
    check_destination(destination, overwrite)
    to_video = _is_video_file(destination)
    if sound_from is not None and not to_video and has_sound(sound_from):
        warnings.warn(f"{sound_from}: its sound track is not kept in a folder of PNG frames; write a video file "
                      "to keep it", VideoWarning, stacklevel=2)
    writing = atomic_path(destination) if to_video else atomic_folder(destination, overwrite, FRAME_NAMES)
    with writing as partial:
        if to_video and sound_from is not None and has_sound(sound_from):
            count = _write_video_with_sound(frames, partial, fps, sound_from)
        else:
            count = _write_video(frames, partial, fps) if to_video else _write_pngs(frames, partial)
        if count == 0:
            raise VideoError(f"{destination}: no frames to write")
    return count


def _ffmpeg():
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def has_sound(source):
    """Whether the video file `source` holds a sound track (a folder of frames holds none)."""
    if Path(source).is_dir():
        return False
    probe = subprocess.run([_ffmpeg(), "-hide_banner", "-i", str(source)], capture_output=True, text=True,
                           errors="replace", stdin=subprocess.DEVNULL)
    return re.search(r"Stream #\S+.*: Audio:", probe.stderr) is not None


def _write_video_with_sound(frames, path, fps, sound_from):
    """Write the frames to a silent video beside `path`, then `path` from it and the sound of `sound_from`."""
    # Named as the partial file is, so that a rerun removes it too if this run is killed.
    cut = path.name.rindex(".part")
    silent = path.with_name(f"{path.name[:cut]}-silent{path.name[cut:]}")
    try:
        count = _write_video(frames, Path(silent), fps)
        if count:
            add_sound(Path(silent), sound_from, path)
        return count
    finally:
        Path(silent).unlink(missing_ok=True)


def add_sound(video, sound_from, out):
    """Write `out`: the picture of `video` and the sound tracks of `sound_from`, the sound copied as it is
    where the container takes it, else encoded as AAC; where neither works, the picture alone, and a
    :class:`VideoWarning` says why. The sound ends with the picture."""
    base = [_ffmpeg(), "-v", "error", "-y", "-i", str(video), "-i", str(sound_from), "-map", "0:v:0", "-map", "1:a",
            "-c:v", "copy", "-shortest"]
    for sound in (["-c:a", "copy"], ["-c:a", "aac"]):
        done = subprocess.run([*base, *sound, str(out)], capture_output=True, text=True, errors="replace",
                              stdin=subprocess.DEVNULL)
        if done.returncode == 0:
            return True
    os.replace(video, out)
    reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"ffmpeg exit status {done.returncode}"
    warnings.warn(f"{sound_from}: its sound track could not be kept ({reason}); the video is silent",
                  VideoWarning, stacklevel=3)
    return False
