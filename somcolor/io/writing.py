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
import struct
import tempfile
import threading
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from .images import ImageError, open_regular, path_kind

# Errors of the disk or its permissions, as opposed to errors of the data being written.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO,
                 errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG}


class OutputError(OSError):
    """An output cannot be written: its path is taken by something that must not be replaced, or the
    disk refused the write. The message names the path."""


# The installed package: no command writes inside it (its bundled model, its data, its code).
_PACKAGE = Path(__file__).resolve().parents[1]
_PACKAGE_WRITES = threading.local()


@contextmanager
def package_data_writes():
    """Allow writes inside the installed package for the block: how ``benchmarks/pretrained.py`` rebuilds
    the bundled model. Nothing else writes there."""
    _PACKAGE_WRITES.allowed = True
    try:
        yield
    finally:
        _PACKAGE_WRITES.allowed = False


def check_outside_package(path):
    """Refuse an output inside the installed somcolor package (through links too), whatever it is."""
    if getattr(_PACKAGE_WRITES, "allowed", False):
        return
    real = Path(os.path.realpath(path))
    if real == _PACKAGE or _PACKAGE in real.parents:
        raise OutputError(f"{path} is inside the installed somcolor package ({_PACKAGE}): refusing to write "
                          "there, with or without --overwrite; give a path of your own")


def check_output_file(path):
    """Refuse an output file path that is a folder or a special file (a device, a FIFO, a socket), or inside
    the installed package (:func:`check_outside_package`).

    An absent path or a regular file (through a symbolic link too) is fine.

    >>> check_output_file("/dev/null")
    Traceback (most recent call last):
    ...
    somcolor.io.writing.OutputError: /dev/null is a character device: refusing to write there; give a file name
    """
    check_outside_package(path)
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
        error = OutputError(f"{path}: cannot write ({exc.strerror or exc})")
        error.errno = exc.errno  # what it was: one file's (too large) or the disk's (full)
        raise error from None


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
    """Delete the temporary files and folders of `path` whose writer is no longer running; of a folder,
    only the files somcolor wrote (and the folder, once that empties it)."""
    path = Path(path)
    if not path.parent.is_dir():
        return
    pattern = _partial_pattern(path)
    for entry in path.parent.iterdir():
        found = pattern.match(entry.name)
        if found and not _alive(int(found.group(1))):
            if entry.is_dir() and not entry.is_symlink():
                _remove_own_files(entry)
            else:
                entry.unlink(missing_ok=True)


def _remove_own_files(folder):
    """Delete the regular files in `folder` that somcolor wrote, then the folder if that empties it."""
    for entry in folder.iterdir():
        if entry.is_file() and not entry.is_symlink() and written_by_somcolor(entry):
            entry.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass  # something of someone else's is in it: left alone


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
    `overwrite`, by a folder holding anything but files that somcolor wrote (known by their content:
    :func:`written_by_somcolor`) whose names match the regular expression `replaceable` (what the command
    itself writes there). Nothing else is ever deleted. A folder inside the installed package is refused."""
    path = Path(path)
    check_outside_package(path)
    if not path.exists() and not path.is_symlink():
        return
    if not path.is_dir():
        raise OutputError(f"{path} is a file, not a folder: give a folder to write into")
    if not overwrite:
        raise OutputError(f"{path}: already exists (overwrite=True replaces it)")
    pattern = re.compile(replaceable or r"(?!)")
    for entry in sorted(path.iterdir()):
        ours = pattern.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink()
        if not (ours and written_by_somcolor(entry)):
            what = "which this command did not write" if not ours else "named like its frames but not written by somcolor"
            raise OutputError(
                f"{path} holds {entry.name!r}, {what}: refusing to replace the folder; give a new or empty folder"
            )


@contextmanager
def atomic_folder(path, overwrite=False, replaceable=None):
    """A temporary folder beside `path` to fill; renamed to `path` when the block ends, removed on error.

    An existing `path` is replaced only with `overwrite`, and only if it holds
    nothing but files somcolor wrote whose names match `replaceable` (see
    :func:`check_output_folder`): a user's folder is never deleted. A
    symbolic link to a folder keeps pointing where it did: the folder it
    points to is the one replaced. The old folder is moved aside before the
    new one takes its name, and its files are deleted only once the new one
    is in place, so that a failure at any step leaves one of the two whole.
    """
    path = Path(path)
    check_output_folder(path, overwrite, replaceable)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    with _named_write_errors(path):
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.stem}.{os.getpid()}-", suffix=f".part{target.suffix}",
                                    dir=target.parent))
    try:
        with _named_write_errors(path):
            yield tmp
            os.chmod(tmp, 0o777 & ~_umask())
            _swap_in(tmp, target, path, replaceable)
    except BaseException:
        _remove_own_files(tmp) if tmp.is_dir() else None
        raise


def _swap_in(new, target, path, replaceable):
    """Rename the folder `new` to `target`, moving a folder already there aside first and deleting its
    files (all somcolor's, checked again now) only once `new` is in place."""
    if not target.is_dir():
        os.rename(new, target)
        return
    check_output_folder(target, True, replaceable)  # written meanwhile?
    old = Path(tempfile.mkdtemp(prefix=f".{target.stem}.{os.getpid()}-old", suffix=f".part{target.suffix}",
                                dir=target.parent))
    old.rmdir()
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    _remove_own_files(old)


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
    """Write floats in [0, 1] (or uint8), (H, W), (H, W, 3) or (H, W, 4) (RGBA), as a PNG, atomically (see
    :func:`atomic_path`), marked as somcolor's (see :func:`written_by_somcolor`)."""
    image = np.asarray(image)
    write_png_rows(path, image.shape, [image])


# PNG color types by channels: gray, gray and alpha, RGB, RGBA.
_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}


def write_png_rows(path, shape, bands):
    """Write an 8-bit PNG of `shape` ((H, W), (H, W, 3) or (H, W, 4)) from `bands`, arrays of consecutive
    rows (floats in [0, 1] or uint8) top to bottom, atomically and marked as somcolor's. Its colors are
    sRGB, and its ``sRGB`` chunk says so.

    The rows are filtered (PNG's Paeth filter) and compressed as they come,
    so memory holds one band, never the image: Pillow would copy the whole
    image (4 bytes a pixel) before encoding it.
    """
    height, width = shape[:2]
    channels = shape[2] if len(shape) == 3 else 1
    compressor = zlib.compressobj(6)
    with atomic_path(path) as tmp, open(tmp, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n")
        _png_chunk(file, b"IHDR", struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0))
        _png_chunk(file, b"sRGB", b"\0")  # perceptual rendering intent
        _png_chunk(file, b"tEXt", b"Software\0" + SOFTWARE.encode())
        above = np.zeros(width * channels, np.uint8)
        rows_done = 0
        step = max(1, _PNG_CHUNK_PIXELS // max(width, 1))
        for band in bands:
            band = to_uint8(np.asarray(band)).reshape(len(band), width * channels)
            for r0 in range(0, len(band), step):
                rows = band[r0 : r0 + step]
                for filtered in _paeth_filtered(rows, above, channels):
                    data = compressor.compress(filtered)
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
    `above` being the row before the first (zeros at the top of the image), as pieces of bytes to compress
    one after another: whole rows, or spans of one row where rows are wider than a chunk, so that the
    temporaries stay a few MB however wide the image."""
    span = _PNG_CHUNK_PIXELS * 3
    if rows.shape[1] <= span:
        out = np.empty((len(rows), rows.shape[1] + 1), np.uint8)
        out[:, 0] = 4
        out[:, 1:] = _paeth_span(rows, above, channels, 0, rows.shape[1])
        yield out.tobytes()
        return
    for index, row in enumerate(rows):
        before = above if index == 0 else rows[index - 1]
        yield b"\x04"
        for j0 in range(0, row.shape[0], span):
            yield _paeth_span(row[None], before, channels, j0, min(row.shape[0], j0 + span)).tobytes()


def _paeth_span(rows, above, channels, j0, j1):
    """Bytes j0 to j1 of `rows` (n, W * channels) Paeth-filtered (modulo 256, as PNG wants), `above` the row
    before the first; j0 a multiple of `channels`."""
    x = rows[:, max(0, j0 - channels) : j1].astype(np.int16)
    lead = j0 - max(0, j0 - channels)  # bytes of the pixel to the left, where there is one
    up = np.empty_like(x)
    up[0] = above[j0 - lead : j1]
    up[1:] = rows[:-1, j0 - lead : j1]
    b, current = up[:, lead:], x[:, lead:]
    a = np.zeros_like(current)
    c = np.zeros_like(current)
    a[:, channels - lead :] = x[:, : x.shape[1] - channels] if lead else current[:, :-channels]
    c[:, channels - lead :] = up[:, : up.shape[1] - channels] if lead else b[:, :-channels]
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    predicted = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    return (current - predicted).astype(np.uint8)


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
        with open_regular(path) as file:  # a FIFO or a device is nobody's output: never opened to find out
            if suffix == ".md":
                return file.readline().decode("utf-8", errors="replace").rstrip("\n") == REPORT_MARK
            if suffix == ".json":
                if os.fstat(file.fileno()).st_size > _REPORT_BYTES:
                    return False
                report = json.loads(file.read().decode("utf-8"))
                splits = report if isinstance(report, list) and report else [report]
                return all(isinstance(split, dict) and "rows" in split for split in splits)
            if suffix == ".png":
                with Image.open(file) as img:
                    return img.format == "PNG" and img.info.get("Software") == SOFTWARE
            return _holds_model(file, somcolor_only=True)
    except Exception:  # noqa: BLE001 - anything unreadable is not ours
        return False


def is_model_file(path, somcolor_only=False):
    """Whether `path` is a model file by its content (a skops archive), whatever its name; with
    `somcolor_only`, one that holds a somcolor estimator. Anything but a regular file is not."""
    try:
        with open_regular(path) as file:
            return _holds_model(file, somcolor_only)
    except (ImageError, OSError):
        return False


def _holds_model(file, somcolor_only):
    try:
        with zipfile.ZipFile(file) as archive:
            if "schema.json" not in archive.namelist():
                return False
            with archive.open("schema.json") as schema:
                return not somcolor_only or b'"somcolor.estimator"' in schema.read(512)
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def check_report_outputs(folder, files, subfolders=()):
    """Refuse, before any work, the outputs of a command that writes files of fixed names into `folder`
    (``demo``, ``compare``): the folder (and each of `subfolders`) taken by a file, or inside the package;
    any of `files` that is a folder or a special file, or exists and was not written by somcolor."""
    for place in (folder, *subfolders):
        check_folder(place)
    for path in files:
        check_output_file(path)
    refuse_foreign(files)


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
    """Refuse an output folder that exists as a file (files are written into it, one by one), or that is
    inside the installed package."""
    check_outside_package(path)
    if Path(path).exists() and not Path(path).is_dir():
        raise OutputError(f"{path} is a file, not a folder: give a folder to write into")
