"""Reading and validating images.

Every image that enters somcolor passes through :func:`as_pixels`, so every
bad input gets the same kind of error: an :class:`ImageError` whose message
starts with the file (or ``image <i>`` for arrays) and says what is wrong.
Pixels stay in their own dtype (uint8, uint16, float) until a stage needs
floats, so that a 48-megapixel photo costs 144 MB as read, not 1.2 GB.
"""

import functools
import io
import os
import re
import stat
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

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


class ImageWarning(UserWarning):
    """An input image was read, but not all of it is used (e.g. the later frames of an animated GIF)."""


def _too_large(name, height, width, max_pixels):
    return ImageError(
        f"{name}: image of {width} x {height} pixels ({width * height / 1e6:.1f} megapixels) is larger than "
        f"the limit of {max_pixels / 1e6:g} megapixels (max_image_pixels / --max-pixels)"
    )


def _open(file, path, max_pixels):
    """Open an image file (its header only) and refuse it if it holds more than `max_pixels` pixels."""
    with _PIL_LIMIT_LOCK:
        # Pillow's own limit (a warning, then an error, at a size of its
        # choosing) is lifted while the header is read: ours is checked below,
        # with the file's size in the message, before anything is decoded.
        saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            img = Image.open(file)
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    width, height = img.size
    if width * height > max_pixels:
        img.close()
        raise _too_large(path, height, width, max_pixels)
    return img


def read_pixels(path, max_pixels=DEFAULT_MAX_PIXELS, alpha=False):
    """Read an image file as an array in its own dtype: uint8, uint16 or float32 in [0, 1].

    The EXIF orientation is applied (a phone photo comes out upright), an
    embedded ICC profile is converted to sRGB (:func:`to_srgb`), CMYK and
    palette files are converted to RGB, 16-bit files stay 16-bit and
    grayscale files stay 2-D, so that any common file is converted rather
    than refused. TIFFs that Pillow cannot decode (float RGB, for one) are
    read by tifffile. Files over `max_pixels` are refused from their header,
    before they are decoded.

    Returns
    -------
    pixels : ndarray of shape (H, W) or (H, W, 3)
    alpha : ndarray of shape (H, W) or None
        Only with ``alpha=True``: the file's alpha channel in the dtype of
        `pixels` (None where it has none).
    """
    path = Path(path)
    with open_regular(path) as file:
        try:
            pixels, transparency, frames = _read_file(file, path, max_pixels)
        except ImageError:
            raise
        except MemoryError:
            raise ImageError(f"{path}: not enough memory to decode this image") from None
        except Exception as exc:  # noqa: BLE001 - every decoder error is this file's error, whatever its type
            raise ImageError(f"{path}: cannot read image ({type(exc).__name__}: {_first_line(exc)})") from None
    if frames > 1:
        warnings.warn(f"{path}: holds {frames} frames (animated or multi-page); only the first is used",
                      ImageWarning, stacklevel=2)
    return (pixels, transparency) if alpha else pixels


def _read_file(file, path, max_pixels):
    """(pixels, alpha or None, frames) of an open image file: Pillow, or tifffile for the TIFFs it cannot read."""
    try:
        img = _open(file, path, max_pixels)
    except UnidentifiedImageError:
        file.seek(0)
        if file.read(4) in _TIFF_MAGIC:
            file.seek(0)
            return (*_read_tiff(file, path, max_pixels), 1)
        raise ImageError(f"{path}: not an image (unrecognised file format)") from None
    with img:
        frames = getattr(img, "n_frames", 1)
        img.load()
        if img.width * img.height > max_pixels:  # a frame that grew the image as it was decoded
            raise _too_large(path, img.height, img.width, max_pixels)
        # In place: a transposed copy would be one more image-sized array.
        ImageOps.exif_transpose(img, in_place=True)
        return (*_pil_to_array(img, path), frames)


def _first_line(exc):
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else "no details"


def _kind_of_mode(mode):
    """What a file of this st_mode is: "folder", "file", or which special file."""
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def path_kind(path):
    """What is at `path`: None (nothing), "folder", "file" (a regular file, through links too), or which
    special file ("a FIFO", "a character device", ...). Other errors of the file system are raised."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    return _kind_of_mode(mode)


def check_regular_file(path):
    """Refuse a path that is missing, a folder, or not a regular file (a FIFO or a device would hang a
    reader or never end)."""
    try:
        kind = path_kind(path)
    except OSError as exc:
        raise ImageError(f"{path}: cannot read ({exc.strerror})") from None
    _refuse_kind(path, kind)


def _refuse_kind(path, kind):
    if kind is None:
        raise ImageError(f"{path}: no such file")
    if kind == "folder":
        raise ImageError(f"{path}: is a folder, not an image file")
    if kind != "file":
        raise ImageError(f"{path}: not a regular file ({kind}); refusing to read it")


def open_regular(path):
    """Open `path` for reading in binary, refusing anything but a regular file.

    The file is opened without blocking and checked on the open descriptor,
    so that a FIFO (or a file replaced by one after a check) never blocks
    the reader: every file somcolor reads is opened here.

    Raises
    ------
    ImageError
        If `path` is missing, a folder, a FIFO, a device or a socket, or
        cannot be opened.
    """
    check_regular_file(path)  # before opening: opening some devices acts on them
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file") from None
    except OSError as exc:
        raise ImageError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        _refuse_kind(path, _kind_of_mode(os.fstat(fd).st_mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


#: Where an image's colors are taken to be: files are converted to it on reading, and PNGs are written in it.
SRGB = "sRGB"


def to_srgb(img, name):
    """A Pillow image with an embedded ICC profile converted to sRGB (RGB, RGBA, gray and CMYK images);
    one without, or already in sRGB, as it is. A profile that cannot be used is said (an
    :class:`ImageWarning`), and the colors are then taken as sRGB."""
    icc = img.info.get("icc_profile")
    if not icc:
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(source).lower().replace(" ", ""):
            return img
        if img.mode not in _ICC_MODES:
            raise ValueError(f"Pillow cannot convert {img.mode} images between profiles")
        base, alpha = (img.convert("RGB"), img.getchannel("A")) if img.mode == "RGBA" else (img, None)
        if img.mode == "LA":
            base, alpha = img.getchannel("L"), img.getchannel("A")
        converted = ImageCms.profileToProfile(base, source, _srgb_profile(), outputMode="RGB")
    except Exception as exc:  # noqa: BLE001 - LittleCMS and Pillow raise many types for one bad profile
        warnings.warn(f"{name}: its ICC color profile cannot be applied ({_first_line(exc)}); its colors are "
                      "taken as sRGB", ImageWarning, stacklevel=3)
        return img
    if base.mode == "L":  # a gray profile: the gray levels of sRGB
        converted = converted.getchannel("R")
    if alpha is not None:
        converted = Image.merge("RGBA" if converted.mode == "RGB" else "LA", (*converted.split(), alpha))
    return converted


# The modes whose colors Pillow converts between ICC profiles (16-bit and float images keep theirs, said).
_ICC_MODES = ("RGB", "RGBA", "L", "LA", "CMYK")


@functools.lru_cache(maxsize=1)
def _srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _pil_to_array(img, path):
    """(pixels, alpha or None) of a decoded Pillow image, its colors converted to sRGB."""
    img = to_srgb(img, path)
    alpha = None
    if img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (img.mode == "P" and "transparency" in img.info):
        if img.mode in ("P", "PA", "La", "RGBa"):
            img = img.convert("RGBA")
        alpha = np.asarray(img.getchannel("A"))
        img = img.getchannel("L") if img.mode == "LA" else img.convert("RGB")
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(img).astype(np.uint16), alpha
    if img.mode == "I":
        # 32-bit integer mode is how Pillow opens most 16-bit grayscale PNGs; other
        # values (32-bit TIFFs) are judged by their range, as integer arrays are.
        return _judge_integers(np.asarray(img), str(path)), alpha
    if img.mode == "F":
        return _check_floats(np.asarray(img, dtype=np.float32), str(path), "float image files"), alpha
    if img.mode in ("1", "L"):
        return np.asarray(img.convert("L")), alpha
    if img.mode == "P" and img.palette is not None and img.palette.mode in ("RGB", "RGBA"):
        # Indices through the palette: Pillow's convert("RGB") would hold a 4-byte-a-pixel copy too.
        palette = np.zeros((256, 3), np.uint8)
        colors = np.asarray(img.getpalette(rawmode="RGB"), np.uint8).reshape(-1, 3)[:256]
        palette[: len(colors)] = colors
        return palette[np.asarray(img)], alpha
    return np.asarray(img.convert("RGB")), alpha


_TIFF_MAGIC = (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+")


def _read_tiff(file, path, max_pixels):
    """(pixels, alpha or None) of a TIFF that Pillow cannot decode (float or 32-bit RGB, say), by tifffile:
    its first page, gray, RGB or RGBA, refused by its header when too large."""
    import tifffile

    with tifffile.TiffFile(file, name=path.name) as tiff:
        page = tiff.pages[0]
        shape = page.shape
        contiguous = len(shape) == 2 or shape[-1] in (3, 4)
        height, width = shape[:2] if contiguous else shape[-2:]
        if height * width > max_pixels:
            raise _too_large(path, height, width, max_pixels)
        if len(shape) not in (2, 3) or (len(shape) == 3 and (shape[-1] if contiguous else shape[0]) not in (3, 4)):
            raise ImageError(f"{path}: TIFF of shape {shape}: expected gray, RGB or RGBA pixels")
        if 34675 in page.tags:  # an ICC profile: Pillow converts 8-bit images only
            warnings.warn(f"{path}: its ICC color profile cannot be applied to {page.dtype} pixels; its colors "
                          "are taken as sRGB", ImageWarning, stacklevel=4)
        array = page.asarray()
        if len(tiff.pages) > 1:
            warnings.warn(f"{path}: holds {len(tiff.pages)} frames (animated or multi-page); only the first is "
                          "used", ImageWarning, stacklevel=4)
    if not contiguous:
        array = np.moveaxis(array, 0, -1)
    array = as_pixels(array, str(path), max_pixels, alpha=True)
    return array


def _check_floats(array, name, what="float arrays"):
    """Floats that must be finite and lie in [0, 1]: refused by name otherwise, never clipped."""
    if not np.all(np.isfinite(array)):
        raise ImageError(f"{name}: contains NaN or infinite values")
    low, high = array.min(), array.max()
    if low < 0.0 or high > 1.0:
        raise ImageError(
            f"{name}: values must lie in [0, 1] for {what} (or use uint8), got [{low:g}, {high:g}]"
        )
    return array


def _judge_integers(array, name):
    """Integers of a dtype other than uint8 and uint16, by their values: 0-255 as uint8, 0-65535 as
    uint16; anything else is refused, naming the dtype."""
    low, high = int(array.min()), int(array.max())
    if low >= 0 and high <= 255:
        return array.astype(np.uint8)
    if low >= 0 and high <= 65535:
        return array.astype(np.uint16)
    raise ImageError(
        f"{name}: {array.dtype} values in [{low}, {high}] are not 8- or 16-bit levels; give uint8 (0-255), "
        "uint16 (0-65535) or floats in [0, 1]"
    )


def read_image(path, max_pixels=DEFAULT_MAX_PIXELS):
    """Read an image file as floats in [0, 1], shape (H, W) or (H, W, 3) (see :func:`read_pixels`)."""
    return to_float(read_pixels(path, max_pixels))


def as_pixels(image, name, max_pixels=DEFAULT_MAX_PIXELS, alpha=False):
    """Validate an array or read a file; unsigned integers stay as they are, anything else becomes float64.

    Parameters
    ----------
    image : str, path-like, PIL.Image.Image or array-like
        A file path; a Pillow image (read as its file would be: any mode,
        its EXIF orientation and ICC profile applied); or an array of shape
        (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) of uint8 (0-255), uint16
        (0-65535), booleans, floats in [0, 1], or integers of another width
        whose values are 8-bit levels (0-255, read as uint8) or 16-bit levels
        (read as uint16).
    name : str
        How error messages refer to an array (files are named by their path).
    max_pixels : int
        Larger images are refused.
    alpha : bool
        Also return the image's alpha channel (the fourth channel of an
        array; a file's or Pillow image's own), or None where it has none.

    Returns
    -------
    pixels : ndarray of shape (H, W) or (H, W, 3), uint8, uint16 or float64 in [0, 1]
    alpha : ndarray of shape (H, W) or None
        Only with ``alpha=True``, in the dtype of `pixels`.
    """
    if isinstance(image, (str, os.PathLike)):
        return read_pixels(image, max_pixels, alpha)
    if isinstance(image, Image.Image):
        pixels, transparency = _pil_image_pixels(image, name, max_pixels)
    else:
        pixels, transparency = _array_pixels(image, name, max_pixels)
    return (pixels, transparency) if alpha else pixels


def _pil_image_pixels(img, name, max_pixels):
    """(pixels, alpha or None) of a Pillow image given in memory: the same reading as a file's, on a copy."""
    if img.width * img.height > max_pixels:
        raise _too_large(name, img.height, img.width, max_pixels)
    try:
        upright = ImageOps.exif_transpose(img)  # a copy: the caller's image is left as it is
        pixels, transparency = _pil_to_array(upright, name)
    except ImageError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever Pillow raises for this image is this image's error
        raise ImageError(f"{name}: cannot read image ({type(exc).__name__}: {_first_line(exc)})") from None
    if pixels.size == 0:
        raise ImageError(f"{name}: empty image of shape {pixels.shape}")
    return pixels, transparency


def _array_pixels(image, name, max_pixels):
    """(pixels, alpha or None) of an array-like image, validated."""
    try:
        array = np.asarray(image)
    except (TypeError, ValueError) as exc:
        raise ImageError(f"{name}: not an image array ({exc})") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise ImageError(f"{name}: not an image (got an array of dtype {array.dtype})")
    transparency = None
    if array.ndim == 3 and array.shape[2] in (1, 3, 4):
        if array.shape[2] == 4:
            transparency = array[..., 3]
        array = array[..., 0] if array.shape[2] == 1 else array[..., :3]
    elif array.ndim != 2:
        raise ImageError(
            f"{name}: wrong shape {array.shape}; expected (H, W), (H, W, 3) or (H, W, 4)"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ImageError(f"{name}: empty image of shape {array.shape}")
    if array.shape[0] * array.shape[1] > max_pixels:
        raise _too_large(name, *array.shape[:2], max_pixels)
    pixels = _levels(array, name)
    if transparency is not None:
        # The alpha channel in the pixels' own dtype, judged with the rest of the array.
        transparency = _levels(transparency, name).astype(pixels.dtype)
    return pixels, transparency


def _levels(array, name):
    """An array's values as uint8, uint16 or float64 in [0, 1], refused by name where they are none of them."""
    if array.dtype == bool:
        return array.astype(np.uint8) * np.uint8(255)
    if array.dtype in (np.uint8, np.uint16):
        return array
    if np.issubdtype(array.dtype, np.integer):
        return _judge_integers(array, name)
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ImageError(f"{name}: complex values are not an image")
    return _check_floats(array.astype(np.float64), name)


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


def read_color(image, index, max_pixels=DEFAULT_MAX_PIXELS, alpha=False):
    """Pixels (H, W, 3) of the `index`-th input, which must be a color image (see :func:`as_pixels`); with
    `alpha`, its alpha channel too (or None)."""
    name = image_name(image, index)
    pixels, transparency = as_pixels(image, name, max_pixels, alpha=True)
    if pixels.ndim != 3:
        raise ImageError(f"{name}: grayscale image, but color images are needed here")
    return (pixels, transparency) if alpha else pixels


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
    if isinstance(X, Image.Image):
        raise ValueError("X must be a sequence of images, got one Pillow image; pass [image] for a single image")
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


def natural_key(path):
    """Sort key of a file name in natural order: ``frame2.png`` before ``frame10.png``.

    >>> sorted(["10.png", "2.png", "1.png"], key=natural_key)
    ['1.png', '2.png', '10.png']
    """
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", Path(path).name)]


def find_images(inputs, keep_missing=False):
    """Expand files and folders into a de-duplicated list of image paths, each folder's sorted by name.

    Folders contribute the regular image files directly inside them (by
    extension); files named explicitly are kept whatever their extension, so
    that a bad file is reported by name rather than silently dropped. With
    `keep_missing`, a missing input is kept too, for the caller to report
    while it does the rest.

    Raises
    ------
    ImageError
        If an input does not exist (unless `keep_missing`), or no image is found at all.
    """
    found = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(
                p
                # Plain name order, not natural order: the fixed splits and the bundled model's
                # training list are defined on it.
                for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
            )
        elif path.exists() or path.is_symlink() or keep_missing:
            found.append(path)
        else:
            raise ImageError(f"{path}: no such file or folder")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise ImageError(f"no image files found in {', '.join(map(str, inputs)) or '(nothing)'}")
    return unique
