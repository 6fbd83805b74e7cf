"""Round 2 of hostile inputs (issue 18): each finding reproduced as a test, then the generated cases.

Cases that crashed the interpreter before run in a child process, so that a regression fails one test
instead of killing the suite; every case is bounded in time (timeouts) and the large ones in memory.
"""

import copy
import errno
import io
import os
import signal
import struct
import subprocess
import sys
import time
import warnings
import zipfile
import zlib

import numpy as np
import pytest
import skops.io as sio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils._param_validation import InvalidParameterError

from somcolor import ImageWarning, SOMColorizer, load_model
from somcolor.cli import main
from somcolor.io.images import ImageError, read_pixels
from somcolor.persistence import MAX_MODEL_BYTES, ModelFileError
from somcolor.video import VideoWarning, colorize_video, open_frames

TIMEOUT = 120


def run_python(code, timeout=TIMEOUT):
    """Run `code` in a fresh interpreter; its exit status (negative: killed by that signal) and output."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


def no_fit(monkeypatch):
    """Make any training fail loudly: what must be refused before any work never reaches it."""

    def refuse(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(SOMColorizer, "fit", refuse)
    monkeypatch.setattr(SOMColorizer, "fit_stream", refuse)


# -- 1. data loss ------------------------------------------------------------------------------------


def test_video_overwrite_never_deletes_a_users_folder(tmp_path, model_file, frames_dir, capsys, monkeypatch):
    out = tmp_path / "out"
    assert main(["video", str(model_file), str(frames_dir), str(out)]) == 0
    (out / "notes.txt").write_text("mine")
    assert main(["video", str(model_file), str(frames_dir), str(out), "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert "holds 'notes.txt', which this command did not write: refusing to replace the folder" in err
    assert (out / "notes.txt").read_text() == "mine" and len(list(out.glob("frame_*.png"))) == 3
    # DIR = the folder that holds the source: refused, the source intact.
    monkeypatch.chdir(frames_dir.parent)
    before = sorted(p.name for p in frames_dir.iterdir())
    assert main(["video", str(model_file), "src", ".", "--overwrite"]) == 2
    assert "which this command did not write" in capsys.readouterr().err
    assert sorted(p.name for p in frames_dir.iterdir()) == before


def test_video_overwrite_replaces_a_folder_of_its_own_frames(tmp_path, model_file, frames_dir):
    from somcolor.io.writing import write_png

    out = tmp_path / "out"
    assert main(["video", str(model_file), str(frames_dir), str(out)]) == 0
    write_png(out / "frame_000000.png", np.zeros((4, 4)))  # an earlier run's frame (marked), of another size
    assert main(["video", str(model_file), str(frames_dir), str(out), "--overwrite"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [f"frame_{i:06d}.png" for i in range(3)]
    assert Image.open(out / "frame_000000.png").size == (64, 48)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_special_files_are_never_replaced_and_refused_before_work(tmp_path, train_paths, model_file, test_paths,
                                                                   frames_dir, capsys, monkeypatch):
    no_fit(monkeypatch)
    assert main(["fit", str(train_paths[0]), "-o", "/dev/null"]) == 2
    assert "/dev/null is a character device: refusing to write there" in capsys.readouterr().err
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    fifo = tmp_path / "out.png"
    os.mkfifo(fifo)
    assert main(["colorize", str(model_file), str(test_paths[0]), "-o", str(fifo)]) == 2
    assert "out.png is a FIFO: refusing to write there" in capsys.readouterr().err
    folder = tmp_path / "colorized"
    folder.mkdir()
    os.mkfifo(folder / f"{test_paths[0].stem}.png")
    assert main(["colorize", str(model_file), str(test_paths[0]), "-o", str(folder)]) == 2
    assert "is a FIFO" in capsys.readouterr().err
    video_fifo = tmp_path / "clip.mp4"
    os.mkfifo(video_fifo)
    assert main(["video", str(model_file), str(frames_dir), str(video_fifo), "--overwrite"]) == 2
    assert "clip.mp4 is a FIFO" in capsys.readouterr().err
    assert all(p.is_fifo() for p in (fifo, folder / f"{test_paths[0].stem}.png", video_fifo))


# -- 2. no crash from any input ----------------------------------------------------------------------


def test_inputs_that_were_segmentation_faults_are_refused_by_name(tmp_path):
    code = f"""
import numpy as np
from PIL import Image
from somcolor import SOMColorizer, bundled_images, load_model
nan = np.full((20, 20), 0.5, np.float32)
nan[3, 3] = np.nan
Image.fromarray(nan, mode="F").save({str(tmp_path / 'nan.tif')!r})
model = load_model("landscapes")
for case in ("tiff", "temperature", "som_learning_rate", "som_sigma"):
    try:
        if case == "tiff":
            model.predict([{str(tmp_path / 'nan.tif')!r}])
        elif case == "temperature":
            model.set_params(temperature=1e-37).predict(bundled_images("test")[:1])
        else:
            value = 5 if case == "som_learning_rate" else 1e-300
            SOMColorizer(**{{case: value}}, max_iter=1).fit(bundled_images("train")[:2])
        print(case, "accepted")
    except Exception as exc:
        print(case, type(exc).__name__, exc)
"""
    status, out = run_python(code)
    assert status == 0, out
    assert "tiff ImageError" in out and "nan.tif: contains NaN or infinite values" in out
    assert "temperature InvalidParameterError The 'temperature' parameter of SOMColorizer must be" in out
    assert "som_learning_rate InvalidParameterError" in out and "som_sigma InvalidParameterError" in out


def test_the_kernels_survive_nan_and_infinite_values():
    """Below every check: NaN pixels, weights and codewords reach the numba kernels and end as colors."""
    code = """
import numpy as np
from somcolor import load_model
from somcolor.inference.plan import colorize, plan_of
from somcolor.network.mlp import Network
L = np.full((40, 50), 0.5)
L[3, 3], L[4, 4], L[5, 5] = np.nan, np.inf, -np.inf
model = load_model("landscapes")
plan = plan_of(model)
bad = [w.copy() for w in plan.network.weights]
bad[0][0, 0], bad[1][1, 1] = np.nan, np.inf
for p in (plan, plan._replace(network=plan.network._replace(weights=tuple(bad))),
          plan._replace(codebook=np.full_like(plan.codebook, np.nan)), plan._replace(temperature=1e-37),
          plan._replace(working_side=None)):
    rgb = colorize(L, p, dtype=np.uint8)
    assert rgb.shape == (40, 50, 3)
print("survived")
"""
    status, out = run_python(code)
    assert status == 0 and "survived" in out, out


def _mutations():
    def nan(m):
        m.mlp_.coefs_[1][0, 0] = np.nan

    def inf(m):
        m.mlp_.intercepts_[0][2] = np.inf

    def huge_codeword(m):
        m.quantizer_.codebook_[0, 0] = 1e300  # infinite in float32, as the kernels read it

    def codebook_rows(m):
        m.quantizer_.codebook_ = m.quantizer_.codebook_[:5]

    def codebook_columns(m):
        m.quantizer_.codebook_ = np.zeros((9, 3))

    def layer_shape(m):
        m.mlp_.coefs_[1] = m.mlp_.coefs_[1][:7]

    def bias_shape(m):
        m.mlp_.intercepts_[1] = m.mlp_.intercepts_[1][:3]

    def patch_size(m):
        m.context_ = m.context_._replace(patch_size=3)

    def missing_layer(m):
        m.mlp_.coefs_ = m.mlp_.coefs_[:2]

    def swapped_mlp(m):
        m.mlp_ = RandomForestClassifier(n_estimators=2, random_state=0).fit([[0.0], [1.0]], [0, 1])

    def swapped_quantizer(m):
        m.quantizer_ = {"codebook_": [1, 2]}

    return [nan, inf, huge_codeword, codebook_rows, codebook_columns, layer_shape, bias_shape, patch_size,
            missing_layer, swapped_mlp, swapped_quantizer]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_malformed_model_files_are_refused_on_load_in_one_line(tmp_path, fitted, mutate, test_paths, capsys):
    model = copy.deepcopy(fitted)
    mutate(model)
    path = tmp_path / "bad.skops"
    sio.dump(model, path)
    with pytest.raises(ModelFileError, match=r"bad\.skops: (not a usable model|refusing to load types)"):
        load_model(path)
    assert main(["colorize", str(path), str(test_paths[0]), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.skops" in err and not (tmp_path / "out").exists()


# -- 3. one bad file never stops a batch -------------------------------------------------------------


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_with_chunk(path, kind, payload):
    """A 4 x 4 gray PNG with one more chunk before its pixels."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
    pixels = _png_chunk(b"IDAT", zlib.compress(b"\0" + b"\x80" * 4) * 1)
    pixels = _png_chunk(b"IDAT", zlib.compress((b"\0" + b"\x80" * 4) * 4))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + _png_chunk(kind, payload) + pixels + _png_chunk(b"IEND", b""))
    return path


def test_chunks_that_inflate_past_pillows_limit_are_that_files_error(tmp_path, model_file, test_paths, capsys):
    bomb = zlib.compress(b"\0" * (64 << 20), 9)
    bad = [
        png_with_chunk(tmp_path / "text.png", b"zTXt", b"Comment\0\0" + bomb),
        png_with_chunk(tmp_path / "icc.png", b"iCCP", b"icc\0\0" + bomb),
    ]
    out = tmp_path / "out"
    assert main(["colorize", str(model_file), *map(str, bad), str(test_paths[0]), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    for path in bad:
        assert f"skipped {path}: cannot read image" in err
    assert "Traceback" not in err and [p.name for p in out.iterdir()] == [f"{test_paths[0].stem}.png"]


def test_a_missing_file_on_the_command_line_is_skipped_and_reported(tmp_path, model_file, test_paths, capsys):
    out = tmp_path / "out"
    missing = tmp_path / "gone.jpg"
    assert main(["colorize", str(model_file), str(missing), str(test_paths[0]), "-o", str(out)]) == 1
    assert f"skipped {missing}: no such file" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == [f"{test_paths[0].stem}.png"]


def test_a_fifo_input_is_refused_without_waiting(tmp_path, model_file, test_paths, capsys):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    signal.alarm(60)  # a hang fails the test instead of the suite
    try:
        assert main(["colorize", str(model_file), str(fifo), str(test_paths[0]), "-o", str(tmp_path / "o")]) == 1
    finally:
        signal.alarm(0)
    assert "pipe.png: not a regular file" in capsys.readouterr().err


# -- 4. memory bounded by the pixels decoded ----------------------------------------------------------


def _peak_mb(args):
    """Peak resident memory (MB) of `somcolor ARGS` in a child process."""
    code = (
        "import resource, sys\nfrom somcolor.cli import main\ncode = main(sys.argv[1:])\n"
        "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\nsys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split("peak")[-1]) / 1024


def test_a_gif_claiming_a_huge_screen_costs_a_few_bytes_per_pixel(tmp_path):
    small = tmp_path / "small.gif"
    Image.fromarray((np.random.default_rng(0).random((10, 10)) * 255).astype(np.uint8)).convert("P").save(small)
    peaks = []
    for height in (1000, 2000):  # 16 and 32-megapixel screens in files of a few hundred bytes
        data = bytearray(small.read_bytes())
        data[6:10] = struct.pack("<HH", 16000, height)
        screen = tmp_path / f"screen{height}.gif"
        screen.write_bytes(bytes(data))
        peaks.append(_peak_mb(["colorize", screen, "-o", tmp_path / f"out{height}"]))
    # What each further pixel costs, above the bands' fixed working memory: the pixels (3 bytes) and the
    # read's copies; it was 16 bytes a pixel.
    assert (peaks[1] - peaks[0]) * 2**20 / 16e6 < 10, peaks


def test_a_model_file_that_would_inflate_past_the_limit_is_refused(tmp_path):
    path = tmp_path / "bomb.skops"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", "{}")
        with archive.open("zeros.npy", "w") as entry:
            block = b"\0" * (1 << 24)
            for _ in range(MAX_MODEL_BYTES // len(block) + 1):
                entry.write(block)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(ModelFileError, match=r"bomb\.skops: inflates to 272 MB, more than any somcolor model"):
        load_model(path)


# -- 5. no silent wrong results ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64, np.int64, np.int16, np.int8])
def test_integer_arrays_of_any_width_are_judged_by_their_values(fitted, photo, dtype):
    levels = (photo * 127).astype(np.uint8)
    expected = fitted.predict([levels])[0]
    np.testing.assert_array_equal(fitted.predict([levels.astype(dtype)])[0], expected)


@pytest.mark.parametrize("values, dtype", [([0, 70000], np.int64), ([-1, 5], np.int16), ([0, 2**40], np.uint64)])
def test_integers_that_are_no_levels_are_refused_naming_the_dtype(fitted, values, dtype):
    array = np.resize(np.array(values, dtype=dtype), (8, 8))
    with pytest.raises(ImageError, match=rf"^image 0: {np.dtype(dtype).name} values in \[{values[0]}, {values[1]}\] "
                                         r"are not 8- or 16-bit levels"):
        fitted.predict([array])


def test_float_files_outside_0_1_are_refused_not_clipped(tmp_path):
    path = tmp_path / "bright.tif"
    Image.fromarray(np.full((8, 8), 3.0, np.float32), mode="F").save(path)
    with pytest.raises(ImageError, match=r"bright\.tif: values must lie in \[0, 1\] for float image files"):
        read_pixels(path)


def test_frames_are_read_in_natural_order(tmp_path, photo):
    for i in (1, 2, 10, 11, 12, 3):
        level = np.full((8, 8), i * 20, np.uint8)
        Image.fromarray(level).save(tmp_path / f"{i}.png")
    frames, _ = open_frames(tmp_path)
    assert [int(frame[0, 0] * 255 / 20 + 0.5) for frame in frames] == [1, 2, 3, 10, 11, 12]


def test_a_truncated_video_is_reported(tmp_path, fitted, photo, model_file, capsys):
    import imageio.v2 as imageio

    whole = tmp_path / "whole.mkv"
    noise = np.random.default_rng(0).random((30, 48, 64, 1)) * 0.3
    with imageio.get_writer(whole, format="FFMPEG", fps=10, codec="libx264", macro_block_size=1,
                            ffmpeg_log_level="error") as writer:
        for i in range(30):
            writer.append_data((np.clip(photo[:48, :64] * 0.7 + noise[i], 0, 1) * 255).astype(np.uint8))
    data = whole.read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) * 6 // 10])
    with pytest.warns(VideoWarning, match=r"cut\.mkv: the video ended after \d+ of the 30 frames"):
        summary = colorize_video(fitted, cut, tmp_path / "api.mp4", verbose=False)
    assert 0 < summary["frames"] < 30 and summary["missing"] == 30 - summary["frames"]
    assert main(["video", str(model_file), str(cut), str(tmp_path / "cli.mp4")]) == 1
    assert "cut.mkv: the video ended" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["GIF", "TIFF"])
def test_only_the_first_frame_is_used_and_that_is_said(tmp_path, photo, fmt, model_file, capsys):
    frames = [Image.fromarray((np.roll(photo[:40, :40], 5 * i, axis=0) * 255).astype(np.uint8)) for i in range(3)]
    path = tmp_path / f"many.{fmt.lower()}"
    frames[0].save(path, format=fmt, save_all=True, append_images=frames[1:])
    with pytest.warns(ImageWarning, match=r"many\.\w+: holds 3 frames \(animated or multi-page\); only the first"):
        read_pixels(path)
    assert main(["colorize", str(model_file), str(path), "-o", str(tmp_path / "out")]) == 0
    assert "somcolor colorize: warning: " in capsys.readouterr().err


# -- 6. resume, interrupts, failures after long work -------------------------------------------------


def test_colorizing_into_the_inputs_folder_can_be_rerun(tmp_path, model_file, test_paths, capsys):
    for path in test_paths[:2]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    args = ["colorize", str(model_file), str(tmp_path), "-o", str(tmp_path)]
    assert main(args) == 0
    assert main(args) == 0
    assert "2 already there" in capsys.readouterr().out
    assert main([*args, "--overwrite"]) == 0
    assert len(list(tmp_path.glob("*.png"))) == 2 and len(list(tmp_path.glob("*.jpg"))) == 2


def test_fit_checks_its_output_before_training(tmp_path, train_paths, capsys, monkeypatch):
    no_fit(monkeypatch)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["fit", str(train_paths[0]), "-o", str(blocker / "model.skops")]) == 2
    assert "model.skops: cannot write there (Not a directory)" in capsys.readouterr().err


def test_a_full_disk_names_the_file(tmp_path, train_paths, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sio, "dump", full)
    out = tmp_path / "model.skops"
    assert main(["fit", str(train_paths[0]), "-o", str(out), "--max-iter", "1", "--pixels-per-image", "50"]) == 2
    assert f"{out}: cannot write (No space left on device)" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.iterdir())


# -- 7. the bundled model and CLI manners --------------------------------------------------------------


def test_a_file_named_like_the_bundled_model_does_not_replace_it(tmp_path, test_paths, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["colorize", "landscapes", str(test_paths[0]), "-o", "out"]) == 0  # no such path: the bundled one
    (tmp_path / "landscapes").write_text("not a model")
    assert load_model("landscapes").n_colors == 9  # the API's bare name is the bundled model
    # On the command line a path that exists is the user's: here a photo (that is not one), never the model.
    assert main(["colorize", "landscapes", str(test_paths[0]), "-o", "out2"]) == 1
    assert "skipped landscapes: not an image" in capsys.readouterr().err
    with pytest.raises(ModelFileError, match=r"landscapes: not a somcolor model file"):
        load_model("./landscapes")


@pytest.mark.parametrize("sizes", [["4"], ["3", "4"]])
def test_grid_values_are_checked_before_any_fit(tmp_path, train_paths, capsys, monkeypatch, sizes):
    no_fit(monkeypatch)
    assert main(["grid", *map(str, train_paths[:3]), "--patch-size", *sizes, "--max-iter", "1"]) == 2
    err = capsys.readouterr().err
    assert "--patch-size must be odd" in err and "Traceback" not in err


def test_a_bad_scheduler_address_fails_at_once(tmp_path, test_paths, train_paths):
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "somcolor", "colorize", str(test_paths[0]), "-o", str(tmp_path), "--scheduler",
         "garbage"], capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode == 2 and time.monotonic() - start < 30
    assert "'garbage' is not a Dask scheduler address" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


@pytest.mark.parametrize("fps", ["0", "-5", "nan", "1e9"])
def test_frame_rates_must_be_positive(tmp_path, model_file, frames_dir, fps, capsys):
    assert main(["video", str(model_file), str(frames_dir), str(tmp_path / "o.mp4"), "--fps", fps]) == 2
    assert "--fps must be a number of frames per second in (0, 1000]" in capsys.readouterr().err
    assert not (tmp_path / "o.mp4").exists()


def test_messages_name_the_flags_the_user_typed(tmp_path, model_file, frames_dir, capsys):
    out = tmp_path / "o"
    assert main(["video", str(model_file), str(frames_dir), str(out)]) == 0
    assert main(["video", str(model_file), str(frames_dir), str(out)]) == 2
    assert "already exists (--overwrite replaces it)" in capsys.readouterr().err
    assert main(["fit", str(frames_dir), "-o", str(tmp_path / "m.skops"), "--n-colors", "1"]) == 2
    assert "--n-colors must be an int in the range [2, 1024]" in capsys.readouterr().err


# -- generated cases -------------------------------------------------------------------------------------

GENERATED = settings(max_examples=30, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _pillow_files():
    """A small valid file of every format Pillow can write here, in a mode that format takes."""
    Image.init()
    image = Image.fromarray((np.random.default_rng(1).random((12, 16, 3)) * 255).astype(np.uint8))
    files = {}
    for fmt in sorted(Image.SAVE):
        for mode in ("RGB", "L", "1"):
            buffer = io.BytesIO()
            try:
                image.convert(mode).save(buffer, format=fmt)
                Image.open(io.BytesIO(buffer.getvalue())).load()
            except Exception:  # noqa: BLE001 - formats this Pillow cannot write or read back
                continue
            files[fmt] = buffer.getvalue()
            break
    return files


PILLOW_FILES = _pillow_files()


def test_every_format_pillow_writes_here_is_colorized(tmp_path, fitted):
    assert len(PILLOW_FILES) >= 15, sorted(PILLOW_FILES)
    for fmt, data in PILLOW_FILES.items():
        path = tmp_path / f"image.{fmt.lower()}"
        path.write_bytes(data)
        if Image.open(path).mode == "F":  # float formats (SPIDER) store the levels 0-255 as they are
            with pytest.raises(ImageError, match=r"values must lie in \[0, 1\] for float image files"):
                fitted.predict([path])
            continue
        (rgb,) = fitted.predict([path])
        assert rgb.shape == (*Image.open(path).size[::-1], 3) and np.all(np.isfinite(rgb)), fmt


@GENERATED
@given(fmt=st.sampled_from(sorted(PILLOW_FILES)), cut=st.floats(0.0, 0.99), flips=st.lists(st.integers(0, 10**6),
                                                                                            max_size=4))
def test_every_format_damaged_is_that_files_error_in_bounded_time(tmp_path_factory, fitted, fmt, cut, flips):
    data = bytearray(PILLOW_FILES[fmt][: max(1, int(len(PILLOW_FILES[fmt]) * (1 - cut)))])
    for flip in flips:
        data[flip % len(data)] ^= 0xA5
    path = tmp_path_factory.mktemp("damaged") / "photo.png"  # whatever its format, named .png
    path.write_bytes(bytes(data))
    start = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImageWarning)
        try:
            (rgb,) = fitted.predict([path])
            assert np.all(np.isfinite(rgb)) and rgb.min() >= 0 and rgb.max() <= 1
        except ImageError as exc:
            assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
    assert time.monotonic() - start < 20


# The numeric parameters, each with values at and beyond its extremes.
EXTREMES = [-1, 0, 1e-300, 1e-37, 1e-9, 1e-3, 0.01, 0.5, 1, 5, 1e3, 1e9, 1e300, float("nan"), float("inf")]
NUMERIC = ["temperature", "smooth_eps", "alpha", "learning_rate_init", "som_sigma", "som_learning_rate", "tol",
           "rebalance", "batch_size", "n_iter_no_change", "max_image_pixels", "working_side", "smooth_radius"]


@GENERATED
@given(name=st.sampled_from(NUMERIC), value=st.sampled_from(EXTREMES))
def test_numeric_parameters_at_their_extremes_are_refused_or_give_finite_colors(small_photos, name, value):
    if name in ("batch_size", "n_iter_no_change", "max_image_pixels", "working_side", "smooth_radius") and (
            isinstance(value, float) and value.is_integer() and abs(value) < 1e12):
        value = int(value)
    model = SOMColorizer(**{name: value}, pixels_per_image=80, max_iter=2, som_iterations=500, random_state=0)
    try:
        model.fit(small_photos[:2])
    except InvalidParameterError:
        return
    except ValueError as exc:  # a bound the table cannot see: said in one line, nothing fitted
        assert "training diverged" in str(exc) or "larger than the limit" in str(exc)
        assert not hasattr(model, "mlp_")
        return
    (rgb,) = model.predict([small_photos[2][:30, :40]])
    assert rgb.shape == (30, 40, 3) and np.all(np.isfinite(rgb)) and rgb.min() >= 0 and rgb.max() <= 1
