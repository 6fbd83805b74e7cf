import numpy as np
import pytest
from PIL import Image

from somcolor.io.images import ImageError, as_image, find_images, read_image
from somcolor.io.writing import write_png


def test_read_bundled_jpeg(photo):
    assert photo.shape == (150, 150, 3)
    assert photo.dtype == np.float64
    assert 0.0 <= photo.min() and photo.max() <= 1.0


@pytest.mark.parametrize("mode", ["RGBA", "P", "L", "LA", "I;16", "1"])
def test_other_modes_are_converted(tmp_path, photo, mode):
    img = Image.fromarray((photo * 255).astype(np.uint8))
    if mode == "I;16":
        gray = (np.asarray(img.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
        img = Image.fromarray(gray)
    else:
        img = img.convert(mode)
    path = tmp_path / "converted.png"
    img.save(path)
    array = read_image(path)
    assert array.shape[:2] == (150, 150)
    assert array.ndim == (3 if mode in ("RGBA", "P") else 2)
    assert 0.0 <= array.min() and array.max() <= 1.0
    if mode in ("L", "I;16"):
        expected = np.asarray(Image.fromarray((photo * 255).astype(np.uint8)).convert("L")) / 255
        np.testing.assert_allclose(array, expected, atol=1e-6)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(ImageError, match=r"nope\.png: no such file"):
        read_image(tmp_path / "nope.png")


def test_not_an_image_names_it(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("not a picture")
    with pytest.raises(ImageError, match=r"notes\.jpg: not an image"):
        read_image(path)


def test_truncated_image(tmp_path, photo):
    path = tmp_path / "cut.png"
    Image.fromarray((photo * 255).astype(np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ImageError, match="cut.png"):
        read_image(path)


def test_folder_is_not_a_file(tmp_path):
    with pytest.raises(ImageError, match="is a folder"):
        read_image(tmp_path)


def test_array_conversions(photo):
    as_uint8 = (photo * 255).round().astype(np.uint8)
    np.testing.assert_allclose(as_image(as_uint8, "x"), as_uint8 / 255.0)
    assert as_image(as_uint8[..., :1], "x").shape == (150, 150)
    rgba = np.concatenate([as_uint8, np.full((150, 150, 1), 255, np.uint8)], axis=2)
    assert as_image(rgba, "x").shape == (150, 150, 3)
    assert as_image(np.array([[True, False]]), "x").tolist() == [[1.0, 0.0]]


@pytest.mark.parametrize(
    "array, message",
    [
        (np.zeros((4, 4, 2)), "wrong shape"),
        (np.zeros(5), "wrong shape"),
        (np.zeros((0, 4)), "empty image"),
        (np.full((4, 4), 2.0), r"must lie in \[0, 1\]"),
        (np.full((4, 4), np.nan), "NaN"),
        (np.array([["a", "b"]]), "not an image"),
    ],
)
def test_bad_arrays(array, message):
    with pytest.raises(ImageError, match=f"image 7: .*{message}"):
        as_image(array, "image 7")


def test_find_images(tmp_path, photo):
    for name in ("b.png", "a.jpg", "skip.txt"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    assert [p.name for p in find_images([tmp_path])] == ["a.jpg", "b.png"]
    assert [p.name for p in find_images([tmp_path / "skip.txt"])] == ["skip.txt"]
    with pytest.raises(ImageError, match="gone: no such file or folder"):
        find_images([tmp_path / "gone"])
    with pytest.raises(ImageError, match="no image files"):
        find_images([tmp_path / "sub"])


def test_write_png_round_trip_and_no_partial_files(tmp_path, photo):
    path = tmp_path / "out" / "x.png"
    write_png(path, photo)
    np.testing.assert_allclose(read_image(path), photo, atol=0.5 / 255 + 1e-9)
    with pytest.raises(Exception):
        write_png(tmp_path / "bad.png", np.zeros((2, 2, 7)))
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["x.png"]


def test_a_killed_writers_temporary_file_is_removed_and_a_live_ones_kept(tmp_path):
    import os
    import subprocess

    from somcolor.io.writing import atomic_path

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".out.{dead.pid}-abc123.part.png"
    live = tmp_path / f".out.{os.getpid()}-def456.part.png"
    other = tmp_path / f".other.{dead.pid}-abc123.part.png"
    for path in (stale, live, other):
        path.write_bytes(b"half")
    write_png(tmp_path / "out.png", np.zeros((2, 2)))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name, "out.png"])
    with pytest.raises(RuntimeError):
        with atomic_path(tmp_path / "x.txt") as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert not (tmp_path / "x.txt").exists() and len(list(tmp_path.iterdir())) == 3


def test_integer_and_float_pixels_give_the_same_lightness(photo):
    from somcolor.color import lightness

    as_uint8 = (photo * 255).round().astype(np.uint8)
    np.testing.assert_allclose(lightness(as_uint8), lightness(as_uint8 / 255.0), atol=1e-6)
    as_uint16 = as_uint8.astype(np.uint16) * 257
    np.testing.assert_allclose(lightness(as_uint16), lightness(as_uint8), atol=1e-4)
