"""Reading and writing frames: video files (imageio's ffmpeg plugin, whose wheel ships ffmpeg) or folders."""

import os
import shutil
from pathlib import Path

import numpy as np

from ..io.images import IMAGE_EXTENSIONS, ImageError, as_image, to_uint8, write_png

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
