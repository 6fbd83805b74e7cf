"""Hostile and odd inputs, through the API and the CLI: each case has one exact outcome,
a named error or a correct result, and none may hang (hypothesis deadlines, subprocess timeouts)."""

import copy
import os
import stat
import struct
import zlib

import numpy as np
import pytest
import skops.io as sio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from somcolor import SOMColorizer, load_model, save_model
from somcolor.cli import main
from somcolor.parameters import PARAMETER_LIMITS
from somcolor.io.images import ImageError, read_image
from somcolor.persistence import ModelFileError

EXAMPLES = settings(
    max_examples=40, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True
)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, fitted):
    path = tmp_path_factory.mktemp("model") / "m.skops"
    save_model(fitted, path)
    return path


def bomb_png(path, width=30000, height=30000):
    """A PNG whose header says width x height (900 MP for the default): a decompression bomb of 300 bytes."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(b"\0" * (width + 1) * 4)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + body)
    return path


def phone_photo(path, photo):
    """A JPEG stored 150 wide x 75 high, with EXIF orientation 6: shown rotated, 75 wide x 150 high."""
    stored = Image.fromarray((photo[:75] * 255).astype(np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(path, exif=exif, quality=95)
    return path


# -- the findings ------------------------------------------------------------------------------


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_colorize_refuses_to_write_over_its_inputs(tmp_path, model_file, photo, capsys, overwrite):
    folder = tmp_path / "photos"
    folder.mkdir()
    originals = []
    for i in range(2):
        Image.fromarray((photo[i * 10 :] * 255).astype(np.uint8)).save(folder / f"p{i}.png")
        originals.append((folder / f"p{i}.png").read_bytes())
    assert main(["colorize", str(model_file), str(folder), "-o", str(folder), *overwrite]) == 2
    assert "is one of the inputs: refusing to write over it" in capsys.readouterr().err
    assert [(folder / f"p{i}.png").read_bytes() for i in range(2)] == originals


def test_fit_and_video_refuse_to_write_over_their_inputs(tmp_path, train_paths, model_file, capsys):
    image = tmp_path / "photo.png"
    image.write_bytes(train_paths[0].read_bytes())
    before = image.read_bytes()
    assert main(["fit", str(image), "-o", str(image)]) == 2
    assert "is one of the inputs" in capsys.readouterr().err
    assert image.read_bytes() == before
    clip = tmp_path / "frames"
    clip.mkdir()
    assert main(["video", str(model_file), str(clip), str(clip), "--overwrite"]) == 2
    assert "is one of the inputs" in capsys.readouterr().err


def test_exif_orientation_is_applied_in_predict_fit_and_the_cli(tmp_path, photo, fitted, model_file):
    path = phone_photo(tmp_path / "phone.jpg", photo)
    assert read_image(path).shape == (150, 75, 3)
    assert fitted.predict([path])[0].shape == (150, 75, 3)
    SOMColorizer(pixels_per_image=100, max_iter=1, random_state=0).fit([path])
    assert main(["colorize", str(model_file), str(path), "-o", str(tmp_path / "out")]) == 0
    assert Image.open(tmp_path / "out" / "phone.png").size == (75, 150)


def test_a_decompression_bomb_is_refused_by_name_and_size_and_the_rest_is_done(tmp_path, model_file, test_paths, capsys):
    bomb = bomb_png(tmp_path / "bomb.png")
    out = tmp_path / "out"
    assert main(["colorize", str(model_file), str(bomb), str(test_paths[0]), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "bomb.png: image of 30000 x 30000 pixels (900.0 megapixels) is larger than the limit of 200 megapixels" in err
    assert "Traceback" not in err
    assert [p.name for p in out.iterdir()] == [f"{test_paths[0].stem}.png"]
    with pytest.raises(ImageError, match=r"bomb\.png: image of 30000 x 30000 pixels"):
        SOMColorizer().fit([bomb])


def test_a_limit_of_its_own_is_a_parameter(tmp_path, fitted, test_paths, model_file, capsys):
    with pytest.raises(ImageError, match=r"image of 150 x 150 pixels \(0.0 megapixels\) is larger than the limit"):
        copy.deepcopy(fitted).set_params(max_image_pixels=10_000).predict(test_paths[:1])
    args = ["colorize", str(model_file), str(test_paths[0]), "-o", str(tmp_path / "o"), "--max-pixels", "10000"]
    assert main(args) == 1
    assert "is larger than the limit of 0.01 megapixels" in capsys.readouterr().err


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("n_colors", 10**6, r"'n_colors' parameter of SOMColorizer must be an int in the range \[2, 1024\]"),
        ("patch_size", 99, r"'patch_size' parameter of SOMColorizer must be an int in the range \[1, 31\]"),
        ("hidden_layer_sizes", (50, 100_000), r"'hidden_layer_sizes' parameter .* an int in \[1, 1024\]"),
        ("hidden_layer_sizes", (8,) * 5, r"'hidden_layer_sizes' parameter .* at most 4"),
        ("pixels_per_image", 10**7, r"'pixels_per_image' parameter of SOMColorizer must be an int in the range"),
        ("scales", (2, 1000), r"'scales' parameter of SOMColorizer must be an int in \[2, 64\]"),
        ("local_radii", (8, 10**5), r"'local_radii' parameter of SOMColorizer must be an int in \[1, 256\]"),
        ("som_iterations", 10**9, r"'som_iterations' parameter of SOMColorizer must be an int in the range"),
        ("max_iter", 10**6, r"'max_iter' parameter of SOMColorizer must be an int in the range"),
        ("smooth_radius", 10**4, r"'smooth_radius' parameter of SOMColorizer must be an int in the range"),
    ],
)
def test_sizes_that_drive_time_or_memory_are_bounded(tmp_path, name, value, message):
    # The missing file is never reached: the parameters are refused first.
    with pytest.raises(InvalidParameterError, match=message):
        SOMColorizer(**{name: value}).fit([tmp_path / "not-read.png"])


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (1, 5000), (5000, 1), (3, 4)])
def test_images_of_any_size_are_colorized(fitted, shape, tmp_path, model_file):
    gray = np.random.default_rng(0).random(shape)
    (rgb,) = fitted.predict([gray])
    assert rgb.shape == (*shape, 3) and np.all(np.isfinite(rgb)) and rgb.min() >= 0 and rgb.max() <= 1
    path = tmp_path / "thin.png"
    Image.fromarray((gray * 255).astype(np.uint8)).save(path)
    assert main(["colorize", str(model_file), str(path), "-o", str(tmp_path / "out")]) == 0
    assert np.asarray(Image.open(tmp_path / "out" / "thin.png")).shape == (*shape, 3)


def test_tiny_training_images_are_used(photo):
    tiny = [photo[:1, :1], photo[10:12, 10:12], photo[20:21, :90]]
    model = SOMColorizer(n_colors=2, pixels_per_image=50, max_iter=1, random_state=0).fit(tiny)
    assert model.predict([photo[:2, :3]])[0].shape == (2, 3, 3)


def test_outputs_get_the_mode_of_a_plain_write(tmp_path, model_file, test_paths, train_paths):
    saved = os.umask(0o022)
    try:
        assert main(["colorize", str(model_file), str(test_paths[0]), "-o", str(tmp_path / "out")]) == 0
        assert main(["fit", str(train_paths[0]), "-o", str(tmp_path / "m.skops"), "--max-iter", "1"]) == 0
        modes = [stat.S_IMODE(p.stat().st_mode) for p in [*(tmp_path / "out").iterdir(), tmp_path / "m.skops"]]
        assert modes == [0o644, 0o644]
        os.umask(0o077)
        assert main(["colorize", str(model_file), str(test_paths[1]), "-o", str(tmp_path / "out")]) == 0
        assert stat.S_IMODE((tmp_path / "out" / f"{test_paths[1].stem}.png").stat().st_mode) == 0o600
    finally:
        os.umask(saved)


def test_an_output_folder_that_is_a_file_is_named(tmp_path, model_file, test_paths, capsys):
    taken = tmp_path / "t.mp4"
    taken.write_bytes(b"x")
    assert main(["colorize", str(model_file), str(test_paths[0]), "-o", str(taken)]) == 2
    assert f"{taken} is a file, not a folder" in capsys.readouterr().err
    assert main(["fit", str(test_paths[0]), "-o", str(tmp_path)]) == 2
    assert "is a folder: give the model file to write" in capsys.readouterr().err


# -- inputs that were handled well, kept under test ---------------------------------------------


def test_bad_model_files_are_refused_by_name(tmp_path, model_file):
    data = model_file.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    truncated = data[: len(data) // 3]
    cases = {"flipped.skops": bytes(flipped), "truncated.skops": truncated, "empty.skops": b""}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ModelFileError, match=name):
            load_model(tmp_path / name)
    foreign = tmp_path / "foreign.skops"
    sio.dump(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), foreign)
    with pytest.raises(ModelFileError, match="foreign.skops: (refusing to load types|holds a LogisticRegression)"):
        load_model(foreign)


@pytest.mark.parametrize("content", [None, b"", b"not a video at all", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40])
def test_bad_video_inputs_get_one_line(tmp_path, model_file, content, capsys):
    source = tmp_path / "in.mp4"
    if content is not None:
        source.write_bytes(content)
    assert main(["video", str(model_file), str(source), str(tmp_path / "out.mp4")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "in.mp4" in err
    assert not (tmp_path / "out.mp4").exists()


# -- generated cases -------------------------------------------------------------------------------


def _valid_array(array):
    if array.dtype == bool or np.issubdtype(array.dtype, np.unsignedinteger):
        return True
    if np.issubdtype(array.dtype, np.integer):  # judged by value: 8- or 16-bit levels
        return bool(array.min() >= 0 and array.max() <= 65535)
    values = array.astype(np.float64)
    return bool(np.all(np.isfinite(values)) and values.min() >= 0 and values.max() <= 1)


@EXAMPLES
@given(
    array=hnp.arrays(
        dtype=st.sampled_from([np.uint8, np.uint16, np.float32, np.float64, np.bool_, np.int16]),
        shape=st.tuples(st.integers(1, 24), st.integers(1, 24)).flatmap(
            lambda hw: st.sampled_from([hw, (*hw, 1), (*hw, 3), (*hw, 4)])
        ),
        elements=None,
    )
)
def test_any_array_is_colorized_or_refused_by_name(fitted, array):
    if not _valid_array(array):
        with pytest.raises(ImageError, match=r"^image 0: "):
            fitted.predict([array])
        return
    (rgb,) = fitted.predict([array])
    with_alpha = array.ndim == 3 and array.shape[2] == 4  # RGBA in, RGBA out: the alpha channel as given
    assert rgb.shape == (*array.shape[:2], 4 if with_alpha else 3) and rgb.dtype == np.float32
    assert np.all(np.isfinite(rgb)) and rgb.min() >= 0 and rgb.max() <= 1
    if with_alpha:
        np.testing.assert_allclose(rgb[..., 3], array[..., 3] / _full_scale(array), atol=1e-6)


def _full_scale(array):
    """White of an image array, as the documented rule reads it: floats and booleans 1, uint8 255, uint16
    65535, other integers by their values."""
    if array.dtype.kind in "fb":
        return 1.0
    if array.dtype == np.uint16 or (array.dtype != np.uint8 and array.max() > 255):
        return 65535.0
    return 255.0


@EXAMPLES
@given(shape=st.sampled_from([(0, 5), (5, 0), (2, 2, 2), (2, 2, 5), (3,), (2, 2, 3, 1)]))
def test_arrays_of_the_wrong_shape_are_named(fitted, shape):
    with pytest.raises(ImageError, match=r"^image 0: (wrong shape|empty image)"):
        fitted.predict([np.zeros(shape)])


def _allowed(name, value):
    """The documented rule of each parameter (README: What it refuses and why)."""

    def whole(v):
        return isinstance(v, int) and not isinstance(v, bool)

    if name in ("scales", "local_radii", "texture_scales", "hidden_layer_sizes"):
        low, high, longest = PARAMETER_LIMITS[name]
        values = (value,) if whole(value) else value if isinstance(value, tuple) else None
        return (
            values is not None
            and len(values) <= longest
            and all(whole(v) and low <= v <= high for v in values)
            and (name != "hidden_layer_sizes" or len(values) > 0)
        )
    if name == "temperature":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and 0.01 <= value <= 1
    low = 2 if name == "n_colors" else 1
    return whole(value) and low <= value <= PARAMETER_LIMITS[name] and (name != "patch_size" or value % 2 == 1)


@EXAMPLES
@given(
    name=st.sampled_from(
        ["patch_size", "n_colors", "pixels_per_image", "max_iter", "som_iterations", "temperature",
         "scales", "local_radii", "texture_scales", "hidden_layer_sizes"]
    ),
    value=st.one_of(
        st.integers(-10, 2_000_000_000),
        st.floats(-1e9, 1e9, allow_nan=False),
        st.tuples(st.integers(-5, 3000)),
        st.lists(st.integers(1, 300), max_size=6).map(tuple),
        st.just("5"),
        st.none(),
    ),
)
def test_any_parameter_value_is_accepted_or_refused_before_any_work(tmp_path, name, value):
    model = SOMColorizer(**{name: value})
    allowed = _allowed(name, value)
    expected = ImageError if allowed else InvalidParameterError
    # A missing file: reached only when every parameter passes.
    with pytest.raises(expected) as info:
        model.fit([tmp_path / "missing.png"])
    assert ("missing.png: no such file" in str(info.value)) == allowed


@EXAMPLES
@given(content=st.binary(min_size=0, max_size=300), suffix=st.sampled_from([".png", ".jpg", ".gif", ".tif"]))
def test_garbage_files_get_one_line_naming_them(tmp_path_factory, model_file, test_paths, content, suffix):
    folder = tmp_path_factory.mktemp("garbage")
    bad = folder / f"garbage{suffix}"
    bad.write_bytes(content)
    out = folder / "out"
    from contextlib import redirect_stderr
    from io import StringIO

    err = StringIO()
    with redirect_stderr(err):
        code = main(["colorize", str(model_file), str(bad), str(test_paths[0]), "-o", str(out)])
    assert code == 1
    assert f"skipped {bad}: " in err.getvalue() and "Traceback" not in err.getvalue()
    assert sorted(p.name for p in out.iterdir()) == [f"{test_paths[0].stem}.png"]
