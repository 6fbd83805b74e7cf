"""Writing files so that nothing is lost or half-written.

Every file somcolor writes appears under its name only once it is complete:
it is written under a temporary name beside it and renamed (an atomic step
on one file system). Temporary names carry the writer's process id, so a
later write of the same file removes what a killed writer left, without
touching a live writer's. Files get the mode a plain ``open`` would give
under the user's umask. And no command writes over one of its inputs.
"""

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from .images import ImageError


def _umask():
    """The process's umask, read without changing it where Linux allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _partial_pattern(path):
    return re.compile(rf"^\.{re.escape(path.stem)}\.(\d+)-[^.]*\.part{re.escape(path.suffix)}$")


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process, or no way to tell: leave its files alone
    return True


def remove_stale_partials(path):
    """Delete the temporary files and folders of `path` whose writer is no longer running."""
    path = Path(path)
    if not path.parent.is_dir():
        return
    pattern = _partial_pattern(path)
    for entry in path.parent.iterdir():
        found = pattern.match(entry.name)
        if found and not _alive(int(found.group(1))):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _finish(tmp, path, mode):
    os.chmod(tmp, mode)
    os.replace(tmp, path)


@contextmanager
def atomic_path(path):
    """A temporary name beside `path` to write to; renamed to `path` when the block ends, removed on error.

    The temporary name keeps the suffix, for writers that choose the format
    by it.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.{os.getpid()}-", suffix=f".part{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        _finish(tmp, path, 0o666 & ~_umask())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(path, overwrite=False):
    """A temporary folder beside `path` to fill; renamed to `path` when the block ends, removed on error.

    An existing `path` is replaced only with `overwrite`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(path)
    tmp = tempfile.mkdtemp(prefix=f".{path.stem}.{os.getpid()}-", suffix=f".part{path.suffix}", dir=path.parent)
    try:
        yield Path(tmp)
        if path.is_dir() and overwrite:
            shutil.rmtree(path)
        _finish(tmp, path, 0o777 & ~_umask())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def to_uint8(image):
    """Floats in [0, 1] to uint8, rounding to nearest (uint8 passes through)."""
    if image.dtype == np.uint8:
        return image
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def write_png(path, image):
    """Write floats in [0, 1] (or uint8) as a PNG, atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        Image.fromarray(to_uint8(image)).save(tmp, format="PNG")


def write_text(path, text):
    """Write a text file atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def refuse_inputs(outputs, inputs):
    """Raise ImageError if any output path is one of the input paths: no command writes over its input."""
    taken = {os.path.realpath(p) for p in inputs}
    for out in outputs:
        if os.path.realpath(out) in taken:
            raise ImageError(f"{out} is one of the inputs: refusing to write over it; choose another output")


def check_folder(path):
    """Refuse an output folder that exists as a file."""
    if Path(path).exists() and not Path(path).is_dir():
        raise ImageError(f"{path} is a file, not a folder: give a folder to write into")
