"""Reading and validating images.

Every image that enters somcolor passes through :func:`as_pixels`, so every
bad input gets the same kind of error: an :class:`ImageError` whose message
starts with the file (or ``image <i>`` for arrays) and says what is wrong.
Pixels stay in their own dtype (uint8, uint16, float) until a stage needs
floats, so that a 48-megapixel photo costs 144 MB as read, not 1.2 GB.
"""

import os
import threading
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..color import lightness, rgb_to_luv

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")

#: The largest image read or colorized by default, in pixels (200 megapixels:
#: a large scan). Anything larger, decompression bombs included, is refused
#: before it is decoded; ``SOMColorizer(max_image_pixels=...)`` and
#: ``--max-pixels`` change it.
DEFAULT_MAX_PIXELS = 200_000_000

# Pillow's own decompression-bomb limit is a module global: it is set to ours
# while a file's header is read, one file at a time.
_PIL_LIMIT_LOCK = threading.Lock()


class ImageError(ValueError):
    """An input image is missing, unreadable or unusable."""


def _too_large(name, height, width, max_pixels):
    return ImageError(
        f"{name}: image of {width} x {height} pixels ({width * height / 1e6:.1f} megapixels) is larger than "
        f"the limit of {max_pixels / 1e6:g} megapixels (max_image_pixels / --max-pixels)"
    )


def _open(path, max_pixels):
    """Open an image file (its header only) and refuse it if it holds more than `max_pixels` pixels."""
    with _PIL_LIMIT_LOCK:
        # Pillow's own limit (a warning, then an error, at a size of its
        # choosing) is lifted while the header is read: ours is checked below,
        # with the file's size in the message, before anything is decoded.
        saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            img = Image.open(path)
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    width, height = img.size
    if width * height > max_pixels:
        img.close()
        raise _too_large(path, height, width, max_pixels)
    return img


def read_pixels(path, max_pixels=DEFAULT_MAX_PIXELS):
    """Read an image file as an array in its own dtype: uint8, uint16 or float32 in [0, 1].

    The EXIF orientation is applied (a phone photo comes out upright), RGBA,
    LA, CMYK and palette files lose their alpha channel or are converted to
    RGB, 16-bit files stay 16-bit and grayscale files stay 2-D, so that any
    common file is converted rather than refused. Files over `max_pixels`
    are refused from their header, before they are decoded.

    Returns
    -------
    pixels : ndarray of shape (H, W) or (H, W, 3)
    """
    path = Path(path)
    if not path.exists():
        raise ImageError(f"{path}: no such file")
    if path.is_dir():
        raise ImageError(f"{path}: is a folder, not an image file")
    try:
        with _open(path, max_pixels) as img:
            img.load()
            return _pil_to_array(ImageOps.exif_transpose(img))
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image (unrecognised file format)") from None
    except OSError as exc:
        raise ImageError(f"{path}: cannot read image ({exc})") from None


def _pil_to_array(img):
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(img).astype(np.uint16)
    if img.mode == "I":
        # 32-bit integer mode is how Pillow opens most 16-bit grayscale PNGs.
        return np.clip(np.asarray(img), 0, 65535).astype(np.uint16)
    if img.mode == "F":
        return np.clip(np.asarray(img, dtype=np.float32), 0.0, 1.0)
    if img.mode in ("1", "L"):
        return np.asarray(img.convert("L"))
    if img.mode == "LA":
        return np.asarray(img.getchannel("L"))
    return np.asarray(img.convert("RGB"))


def read_image(path, max_pixels=DEFAULT_MAX_PIXELS):
    """Read an image file as floats in [0, 1], shape (H, W) or (H, W, 3) (see :func:`read_pixels`)."""
    return to_float(read_pixels(path, max_pixels))


def as_pixels(image, name, max_pixels=DEFAULT_MAX_PIXELS):
    """Validate an array or read a file; unsigned integers stay as they are, anything else becomes float64.

    Parameters
    ----------
    image : str, path-like or array-like
        A file path, or an array of shape (H, W), (H, W, 1), (H, W, 3) or
        (H, W, 4) of unsigned integers, booleans or floats in [0, 1].
    name : str
        How error messages refer to an array (files are named by their path).
    max_pixels : int
        Larger images are refused.

    Returns
    -------
    pixels : ndarray of shape (H, W) or (H, W, 3), of an unsigned integer dtype or float64 in [0, 1]
    """
    if isinstance(image, (str, os.PathLike)):
        return read_pixels(image, max_pixels)
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
    if array.shape[0] * array.shape[1] > max_pixels:
        raise _too_large(name, *array.shape[:2], max_pixels)
    if array.dtype == bool:
        return array.astype(np.uint8) * np.uint8(255)
    if np.issubdtype(array.dtype, np.unsignedinteger):
        return array
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


def to_float(pixels):
    """Pixels of any dtype :func:`as_pixels` returns as float64 in [0, 1]."""
    if np.issubdtype(pixels.dtype, np.unsignedinteger):
        return pixels.astype(np.float64) / np.iinfo(pixels.dtype).max
    return pixels.astype(np.float64)


def as_image(image, name, max_pixels=DEFAULT_MAX_PIXELS):
    """:func:`as_pixels` as floats in [0, 1], shape (H, W) or (H, W, 3), dtype float64."""
    return to_float(as_pixels(image, name, max_pixels))


def image_name(image, index):
    """How messages name the `index`-th input: its path, or ``image <index>``."""
    if isinstance(image, (str, os.PathLike)):
        return str(image)
    return f"image {index}"


def read_color(image, index, max_pixels=DEFAULT_MAX_PIXELS):
    """Pixels (H, W, 3) of the `index`-th input, which must be a color image (see :func:`as_pixels`)."""
    name = image_name(image, index)
    pixels = as_pixels(image, name, max_pixels)
    if pixels.ndim != 3:
        raise ImageError(f"{name}: grayscale image, but color images are needed here")
    return pixels


def read_rgb(image, index, max_pixels=DEFAULT_MAX_PIXELS):
    """RGB floats in [0, 1] of the `index`-th input, a color image."""
    return to_float(read_color(image, index, max_pixels))


def read_luv(image, index, max_pixels=DEFAULT_MAX_PIXELS):
    """CIELUV of the `index`-th input, a color image."""
    return rgb_to_luv(read_rgb(image, index, max_pixels))


def read_lightness(image, index, max_pixels=DEFAULT_MAX_PIXELS):
    """Lightness L (float64, in [0, 100]) of the `index`-th input, gray or color."""
    return lightness(as_pixels(image, image_name(image, index), max_pixels))


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
