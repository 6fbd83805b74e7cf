"""Reading and writing frames: video files (imageio's ffmpeg plugin, whose wheel ships ffmpeg) or folders."""

from pathlib import Path

import numpy as np

from ..io.images import IMAGE_EXTENSIONS, ImageError, as_image
from ..io.writing import atomic_folder, atomic_path, to_uint8, write_png

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")
DEFAULT_FPS = 25.0


class VideoError(ImageError):
    """A video source or destination is missing, unreadable or unusable."""


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


def write_frames(frames, destination, fps=DEFAULT_FPS, overwrite=False):
    """Write RGB frames (floats in [0, 1]) as an H.264 MP4 or a folder of PNGs, atomically.

    Returns the number of frames written. Nothing appears under
    `destination` unless every frame was written (see
    :func:`somcolor.io.writing.atomic_path`).
    """
    destination = Path(destination)
    if destination.exists() and not overwrite:
        raise VideoError(f"{destination}: already exists (pass overwrite=True to replace it)")
    to_video = _is_video_file(destination)
    if not to_video and destination.suffix and not destination.is_dir():
        raise VideoError(
            f"{destination}: unknown video type {destination.suffix!r}; "
            f"use {', '.join(VIDEO_EXTENSIONS)} or a folder name for PNG frames"
        )
    if to_video and destination.is_dir():
        raise VideoError(f"{destination}: is a folder, not a video file")
    writing = atomic_path(destination) if to_video else atomic_folder(destination, overwrite)
    with writing as partial:
        count = _write_video(frames, partial, fps) if to_video else _write_pngs(frames, partial)
        if count == 0:
            raise VideoError(f"{destination}: no frames to write")
    return count
