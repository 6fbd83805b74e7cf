"""Reading, validating and writing images.

Every image that enters somcolor passes through :func:`as_image`, so every
bad input gets the same kind of error: an :class:`ImageError` whose message
starts with the file (or ``image <i>`` for arrays) and says what is wrong.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..color import lightness, rgb_to_luv

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class ImageError(ValueError):
    """An input image is missing, unreadable or unusable."""


def read_image(path):
    """Read an image file as floats in [0, 1].

    RGBA, LA and palette files lose their alpha channel, 16-bit files are
    scaled by 65535 and grayscale files stay 2-D, so that any common file is
    converted rather than refused.

    Parameters
    ----------
    path : str or path-like
        The image file.

    Returns
    -------
    image : ndarray of shape (H, W) or (H, W, 3), dtype float64
    """
    path = Path(path)
    if not path.exists():
        raise ImageError(f"{path}: no such file")
    if path.is_dir():
        raise ImageError(f"{path}: is a folder, not an image file")
    try:
        with Image.open(path) as img:
            img.load()
            return _pil_to_float(img)
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image (unrecognised file format)") from None
    except OSError as exc:
        raise ImageError(f"{path}: cannot read image ({exc})") from None


def _pil_to_float(img):
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(img, dtype=np.float64) / 65535.0
    if img.mode == "I":
        # 32-bit integer mode is how Pillow opens most 16-bit grayscale PNGs.
        return np.clip(np.asarray(img, dtype=np.float64) / 65535.0, 0.0, 1.0)
    if img.mode == "F":
        return np.clip(np.asarray(img, dtype=np.float64), 0.0, 1.0)
    if img.mode in ("1", "L"):
        return np.asarray(img.convert("L"), dtype=np.float64) / 255.0
    if img.mode == "LA":
        return np.asarray(img.getchannel("L"), dtype=np.float64) / 255.0
    return np.asarray(img.convert("RGB"), dtype=np.float64) / 255.0


def as_image(image, name):
    """Validate an array or read a file, returning floats in [0, 1].

    Parameters
    ----------
    image : str, path-like or array-like
        A file path, or an array of shape (H, W), (H, W, 1), (H, W, 3) or
        (H, W, 4) of unsigned integers, booleans or floats in [0, 1].
    name : str
        How error messages refer to an array (files are named by their path).

    Returns
    -------
    image : ndarray of shape (H, W) or (H, W, 3), dtype float64
    """
    if isinstance(image, (str, os.PathLike)):
        return read_image(image)
    try:
        array = np.asarray(image)
    except (TypeError, ValueError) as exc:
        raise ImageError(f"{name}: not an image array ({exc})") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise ImageError(f"{name}: not an image (got an array of dtype {array.dtype})")
    if array.ndim == 3 and array.shape[2] in (1, 3, 4):
        array = array[..., 0] if array.shape[2] == 1 else array[..., :3]
    elif array.ndim != 2:
        raise ImageError(
            f"{name}: wrong shape {array.shape}; expected (H, W), (H, W, 3) or (H, W, 4)"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ImageError(f"{name}: empty image of shape {array.shape}")
    if array.dtype == bool:
        return array.astype(np.float64)
    if np.issubdtype(array.dtype, np.unsignedinteger):
        return array.astype(np.float64) / np.iinfo(array.dtype).max
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ImageError(f"{name}: complex values are not an image")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ImageError(f"{name}: contains NaN or infinite values")
    low, high = array.min(), array.max()
    if low < 0.0 or high > 1.0:
        raise ImageError(
            f"{name}: values must lie in [0, 1] for float arrays (or use uint8), "
            f"got [{low:g}, {high:g}]"
        )
    return array


def image_name(image, index):
    """How messages name the `index`-th input: its path, or ``image <index>``."""
    if isinstance(image, (str, os.PathLike)):
        return str(image)
    return f"image {index}"


def _read_checked(image, index, min_size):
    name = image_name(image, index)
    array = as_image(image, name)
    if array.shape[0] < min_size or array.shape[1] < min_size:
        raise ImageError(
            f"{name}: image of {array.shape[0]} x {array.shape[1]} pixels is "
            f"smaller than the {min_size} x {min_size} patch"
        )
    return name, array


def read_rgb(image, index, min_size=1):
    """RGB of the `index`-th input, a color image at least `min_size` pixels on each side."""
    name, array = _read_checked(image, index, min_size)
    if array.ndim != 3:
        raise ImageError(f"{name}: grayscale image, but color images are needed here")
    return array


def read_luv(image, index, min_size=1):
    """CIELUV of the `index`-th input, a color image at least `min_size` pixels on each side."""
    return rgb_to_luv(read_rgb(image, index, min_size))


def read_lightness(image, index, min_size=1):
    """Lightness L of the `index`-th input (gray or color), at least `min_size` pixels on each side."""
    return lightness(_read_checked(image, index, min_size)[1])


def check_image_list(X):
    """X as a list of images (arrays or paths), refusing what is not a sequence."""
    if isinstance(X, (str, bytes, os.PathLike)):
        raise ValueError(
            f"X must be a sequence of images, got a single path {str(X)!r}; "
            "wrap it in a list"
        )
    if isinstance(X, np.ndarray):
        if X.ndim == 3 and X.shape[2] in (3, 4):
            raise ValueError(
                f"X must be a sequence of images, got one array of shape {X.shape}; "
                "pass [image] for a single image"
            )
        if X.ndim not in (3, 4):
            raise ValueError(
                f"X must be a sequence of images; an array X must have shape "
                f"(n, H, W) or (n, H, W, 3), got {X.shape}"
            )
    try:
        images = list(X)
    except TypeError:
        raise ValueError(
            f"X must be a sequence of images, got {type(X).__name__}"
        ) from None
    if not images:
        raise ValueError("X is empty: expected at least one image")
    return images


def find_images(inputs):
    """Expand files and folders into a sorted, de-duplicated list of image paths.

    Folders contribute the image files directly inside them (by extension);
    files named explicitly are kept whatever their extension, so that a bad
    file is reported by name rather than silently dropped.

    Raises
    ------
    ImageError
        If an input does not exist, or no image is found at all.
    """
    found = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
            )
        elif path.exists():
            found.append(path)
        else:
            raise ImageError(f"{path}: no such file or folder")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise ImageError(f"no image files found in {', '.join(map(str, inputs)) or '(nothing)'}")
    return unique


def to_uint8(image):
    """Floats in [0, 1] to uint8, rounding to nearest."""
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


@contextmanager
def atomic_path(path):
    """A temporary name beside `path` to write to; renamed to `path` when the block ends, removed on error.

    The file appears under its name only once it is complete, so an
    interrupted run never leaves a truncated file behind. The temporary
    name keeps the suffix, for writers that choose the format by it.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_png(path, image):
    """Write floats in [0, 1] as a PNG, atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        Image.fromarray(to_uint8(image)).save(tmp, format="PNG")
