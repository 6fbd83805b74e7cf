"""Writing files so that nothing is lost or half-written.

Every file somcolor writes appears under its name only once it is complete:
it is written under a temporary name beside it and renamed (an atomic step
on one file system). Temporary names carry the writer's process id, so a
later write of the same file removes what a killed writer left, without
touching a live writer's. Files get the mode a plain ``open`` would give
under the user's umask. No command writes over one of its inputs, and
nothing replaces what is not a regular file (a device, a FIFO, a socket) or
a folder the command did not fill itself. A failed write names its file.
"""

import errno
import json
import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from .images import ImageError, path_kind

# Errors of the disk or its permissions, as opposed to errors of the data being written.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO,
                 errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG}


class OutputError(OSError):
    """An output cannot be written: its path is taken by something that must not be replaced, or the
    disk refused the write. The message names the path."""


def check_output_file(path):
    """Refuse an output file path that is a folder or a special file (a device, a FIFO, a socket).

    An absent path or a regular file (through a symbolic link too) is fine.

    >>> check_output_file("/dev/null")
    Traceback (most recent call last):
    ...
    somcolor.io.writing.OutputError: /dev/null is a character device: refusing to write there; give a file name
    """
    try:
        kind = path_kind(path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there ({exc.strerror})") from None
    if kind == "folder":
        raise OutputError(f"{path} is a folder: give the name of the file to write")
    if kind not in (None, "file"):
        raise OutputError(f"{path} is {kind}: refusing to write there; give a file name")


def check_writable(path):
    """Refuse `path` as an output file before any work: taken by a folder or a special file, or in a place
    where no file can be created (the parent folders are created)."""
    path = Path(path)
    check_output_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{path.stem}.{os.getpid()}-", suffix=".part", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there ({exc.strerror or exc})") from None


@contextmanager
def _named_write_errors(path):
    """Let a disk error (full, read-only, no permission) name the output it stopped."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        if exc.errno not in _WRITE_ERRNOS:
            raise
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None


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
    check_output_file(path)
    with _named_write_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.{os.getpid()}-", suffix=f".part{path.suffix}", dir=path.parent)
        os.close(fd)
    try:
        with _named_write_errors(path):
            yield Path(tmp)
            check_output_file(path)  # taken meanwhile?
            _finish(tmp, path, 0o666 & ~_umask())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_output_folder(path, overwrite=False, replaceable=None):
    """Refuse an output folder that is taken: by a file, or, unless `overwrite`, by a folder; and with
    `overwrite`, by a folder holding anything but files whose names match the regular expression
    `replaceable` (what the command itself writes there). Nothing else is ever deleted."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    if not path.is_dir():
        raise OutputError(f"{path} is a file, not a folder: give a folder to write into")
    if not overwrite:
        raise OutputError(f"{path}: already exists (overwrite=True replaces it)")
    pattern = re.compile(replaceable or r"(?!)")
    for entry in sorted(path.iterdir()):
        if not (pattern.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink()):
            raise OutputError(
                f"{path} holds {entry.name!r}, which this command did not write: refusing to replace the "
                "folder; give a new or empty folder"
            )


def _empty_and_remove(path, replaceable):
    """Remove the folder `path` after deleting its files that match `replaceable`; anything else in it
    (something written meanwhile) makes this fail, with nothing else deleted."""
    check_output_folder(path, True, replaceable)
    for entry in path.iterdir():
        entry.unlink()
    path.rmdir()


@contextmanager
def atomic_folder(path, overwrite=False, replaceable=None):
    """A temporary folder beside `path` to fill; renamed to `path` when the block ends, removed on error.

    An existing `path` is replaced only with `overwrite`, and only if it holds
    nothing but files whose names match `replaceable` (see
    :func:`check_output_folder`): a user's folder is never deleted.
    """
    path = Path(path)
    check_output_folder(path, overwrite, replaceable)
    with _named_write_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(path)
        tmp = tempfile.mkdtemp(prefix=f".{path.stem}.{os.getpid()}-", suffix=f".part{path.suffix}", dir=path.parent)
    try:
        with _named_write_errors(path):
            yield Path(tmp)
            if path.is_dir():
                _empty_and_remove(path, replaceable)
            _finish(tmp, path, 0o777 & ~_umask())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def to_uint8(image):
    """Floats in [0, 1] to uint8, rounding to nearest (uint8 passes through)."""
    if image.dtype == np.uint8:
        return image
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


#: The PNG text chunk somcolor marks its outputs with, so that a rerun into the inputs' own folder can
#: tell its earlier outputs from the user's photos.
SOFTWARE = "somcolor"


# Rows filtered and compressed at a time: a few MB of temporaries whatever the image's size.
_PNG_CHUNK_PIXELS = 1 << 18


def write_png(path, image):
    """Write floats in [0, 1] (or uint8), (H, W) or (H, W, 3), as a PNG, atomically (see
    :func:`atomic_path`), marked as somcolor's (see :func:`written_by_somcolor`)."""
    image = np.asarray(image)
    write_png_rows(path, image.shape, [image])


def write_png_rows(path, shape, bands):
    """Write an 8-bit PNG of `shape` ((H, W) or (H, W, 3)) from `bands`, arrays of consecutive rows
    (floats in [0, 1] or uint8) top to bottom, atomically and marked as somcolor's.

    The rows are filtered (PNG's Paeth filter) and compressed as they come,
    so memory holds one band, never the image: Pillow would copy the whole
    image (4 bytes a pixel) before encoding it.
    """
    height, width = shape[:2]
    channels = 3 if len(shape) == 3 else 1
    compressor = zlib.compressobj(6)
    with atomic_path(path) as tmp, open(tmp, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n")
        _png_chunk(file, b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if channels == 3 else 0, 0, 0, 0))
        _png_chunk(file, b"tEXt", b"Software\0" + SOFTWARE.encode())
        above = np.zeros(width * channels, np.uint8)
        rows_done = 0
        step = max(1, _PNG_CHUNK_PIXELS // max(width, 1))
        for band in bands:
            band = to_uint8(np.asarray(band)).reshape(len(band), width * channels)
            for r0 in range(0, len(band), step):
                rows = band[r0 : r0 + step]
                data = compressor.compress(_paeth_filtered(rows, above, channels))
                if data:
                    _png_chunk(file, b"IDAT", data)
                above = rows[-1]
            rows_done += len(band)
        if rows_done != height:
            raise ValueError(f"{path}: {rows_done} rows given for an image of {height}")
        _png_chunk(file, b"IDAT", compressor.flush())
        _png_chunk(file, b"IEND", b"")


def _png_chunk(file, kind, data):
    file.write(struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _paeth_filtered(rows, above, channels):
    """PNG scanlines of uint8 `rows` (n, W * channels), each with filter type 4 (Paeth) and its byte,
    `above` being the row before the first (zeros at the top of the image)."""
    x = rows.astype(np.int16)
    b = np.empty_like(x)
    b[0] = above
    b[1:] = x[:-1]
    a = np.zeros_like(x)
    a[:, channels:] = x[:, :-channels]
    c = np.zeros_like(x)
    c[:, channels:] = b[:, :-channels]
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    predicted = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    out = np.empty((len(rows), rows.shape[1] + 1), np.uint8)
    out[:, 0] = 4
    out[:, 1:] = (x - predicted).astype(np.uint8)  # modulo 256, as PNG wants
    return out.tobytes()


#: The first line of every Markdown report somcolor writes: how a rerun knows the file as its own.
REPORT_MARK = "<!-- written by somcolor -->"
# A JSON file larger than this is not one of our reports, and is not read to find out.
_REPORT_BYTES = 64 * 2**20


def written_by_somcolor(path):
    """Whether `path` is a file somcolor wrote, known by what it holds: a ``.png`` that :func:`write_png`
    marked (read from its header only), a ``.md`` report that starts with :data:`REPORT_MARK`, a ``.json``
    report of ``compare`` (its rows, or a list of splits with theirs), or, under any other name, a
    somcolor model file."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".md":
            with open(path, encoding="utf-8", errors="replace") as file:
                return file.readline().rstrip("\n") == REPORT_MARK
        if suffix == ".json":
            if os.path.getsize(path) > _REPORT_BYTES:
                return False
            report = json.loads(Path(path).read_text(encoding="utf-8"))
            splits = report if isinstance(report, list) and report else [report]
            return all(isinstance(split, dict) and "rows" in split for split in splits)
        if suffix == ".png":
            with Image.open(path) as img:
                return img.format == "PNG" and img.info.get("Software") == SOFTWARE
        return is_model_file(path, somcolor_only=True)
    except Exception:  # noqa: BLE001 - anything unreadable is not ours
        return False


def is_model_file(path, somcolor_only=False):
    """Whether `path` is a model file by its content (a skops archive), whatever its name; with
    `somcolor_only`, one that holds a somcolor estimator."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "schema.json" not in archive.namelist():
                return False
            with archive.open("schema.json") as schema:
                return not somcolor_only or b'"somcolor.estimator"' in schema.read(512)
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def refuse_foreign(paths):
    """Refuse, before any work, an output that exists and that somcolor did not write: a command that
    writes files of fixed names into a folder (``demo``, ``compare``) replaces its own earlier outputs
    there, nothing else."""
    for path in paths:
        if os.path.lexists(path) and not written_by_somcolor(path):
            raise OutputError(f"{path}: already exists and somcolor did not write it: refusing to replace it; "
                              "give another output folder")


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
    """Refuse an output folder that exists as a file (files are written into it, one by one)."""
    if Path(path).exists() and not Path(path).is_dir():
        raise OutputError(f"{path} is a file, not a folder: give a folder to write into")
