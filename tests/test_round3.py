"""Round 3 of hostile and careless inputs (issue 38): each finding reproduced as a test.

Every test here failed on the main before this round. Cases that hung or died by a signal run in a child
process or under an alarm, so that a regression fails one test instead of the suite.
"""

import hashlib
import io
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from PIL import Image, ImageCms

from somcolor import ImageWarning, SOMColorizer, bundled_images, load_model
from somcolor.cli import main
from somcolor.color import lightness, rgb_to_luv
from somcolor.io.images import ImageError, read_pixels
from somcolor.io.writing import write_png
from somcolor.persistence import bundled_model_path
from somcolor.video import VideoWarning

TIMEOUT = 180
FAST = ["--pixels-per-image", "300", "--max-iter", "2", "--n-colors", "4"]


def run_python(code, env=None, timeout=TIMEOUT):
    """Run `code` in a fresh interpreter, in a session of its own: on a timeout its whole process group is
    killed (the workers of a pool it forked too, which would hold its output open); its exit status and
    output, or -9 and what it printed before the timeout."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        out, _ = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        out, _ = child.communicate()
        return -9, f"timed out after {timeout} s:\n{out}"
    return child.returncode, out


@contextmanager
def deadline(seconds):
    """Fail the test (not the suite) if the block takes longer: a blocked open() is interrupted too."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gray_as_rgb(path, out):
    """A black-and-white photo saved as RGB: the gray of a real photo in three equal channels."""
    Image.open(path).convert("L").convert("RGB").save(out, quality=90)
    return out


# -- 1. data loss ------------------------------------------------------------------------------------


def test_video_overwrite_keeps_a_users_frames_named_like_ours(tmp_path, model_file, frames_dir, capsys):
    out = tmp_path / "frames"
    out.mkdir()
    for i in range(2):  # ffmpeg's usual names, the user's own frames: no somcolor mark
        Image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(out / f"frame_{i:06d}.png")
    before = {p.name: digest(p) for p in out.iterdir()}
    assert main(["video", str(model_file), str(frames_dir), str(out), "--overwrite"]) == 2
    assert "named like its frames but not written by somcolor: refusing to replace the folder" in capsys.readouterr().err
    assert {p.name: digest(p) for p in out.iterdir()} == before


def test_video_overwrite_through_a_link_keeps_the_link_and_replaces_its_frames(tmp_path, model_file, frames_dir):
    real = tmp_path / "real"
    assert main(["video", str(model_file), str(frames_dir), str(real)]) == 0
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    write_png(real / "frame_000001.png", np.zeros((4, 4)))  # an earlier run's frame, to be replaced
    assert main(["video", str(model_file), str(frames_dir), str(link), "--overwrite"]) == 0
    assert link.is_symlink() and os.path.realpath(link) == str(real)
    assert sorted(p.name for p in real.iterdir()) == [f"frame_{i:06d}.png" for i in range(3)]
    assert Image.open(real / "frame_000001.png").size == (64, 48)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing left aside


def test_a_failed_video_overwrite_leaves_the_earlier_frames(tmp_path, model_file, frames_dir, photo):
    out = tmp_path / "out"
    assert main(["video", str(model_file), str(frames_dir), str(out)]) == 0
    before = {p.name: digest(p) for p in out.iterdir()}
    bad = tmp_path / "bad"
    bad.mkdir()
    Image.fromarray((photo[:48, :64] * 255).astype(np.uint8)).save(bad / "0.png")
    Image.fromarray((photo[:40, :64] * 255).astype(np.uint8)).save(bad / "1.png")  # another size: fails late
    assert main(["video", str(model_file), str(bad), str(out), "--overwrite"]) == 2
    assert {p.name: digest(p) for p in out.iterdir()} == before


def test_nothing_inside_the_installed_package_is_written(tmp_path, train_paths, test_paths, capsys, monkeypatch):
    bundled = bundled_model_path("landscapes")
    before = digest(bundled)
    monkeypatch.setattr(SOMColorizer, "fit", lambda *a, **k: pytest.fail("training started"))
    for extra in ([], ["--overwrite"]):
        assert main(["fit", str(train_paths[0]), "--from", "landscapes", "-o", str(bundled), *extra]) == 2
        assert "is inside the installed somcolor package" in capsys.readouterr().err
    inside = bundled.parent / "new.skops"
    assert main(["fit", str(train_paths[0]), "-o", str(inside)]) == 2
    assert main(["colorize", str(test_paths[0]), "-o", str(bundled.parent)]) == 2
    assert "is inside the installed somcolor package" in capsys.readouterr().err
    assert digest(bundled) == before and not inside.exists()
    assert not list(bundled.parent.glob("*.png"))


# -- 2. hangs, crashes, memory and time ----------------------------------------------------------------


@pytest.mark.parametrize("how", ["multiprocessing", "joblib"])
def test_forking_after_predict_works(how):
    pool = ("with multiprocessing.get_context('fork').Pool(2) as pool:\n    print(pool.map(colors, [0, 1]))"
            if how == "multiprocessing" else
            "print(Parallel(n_jobs=2, backend='multiprocessing')(delayed(colors)(i) for i in range(2)))")
    code = f"""
import multiprocessing
from joblib import Parallel, delayed
from somcolor import bundled_images, load_model
model = load_model("landscapes")
photos = bundled_images("test")[:2]
model.predict(photos[:1])  # the kernels have run in the parent
def colors(i):
    return round(float(model.predict(photos[i : i + 1])[0].mean()), 4)
{pool}
"""
    status, out = run_python(code, timeout=120)
    assert status == 0 and out.count("0.") >= 2, out
    assert "Terminating" not in out


def test_threads_colorizing_at_once_take_turns():
    code = """
from concurrent.futures import ThreadPoolExecutor
from somcolor import bundled_images, load_model
model = load_model("landscapes")
photos = bundled_images("test")[:4]
with ThreadPoolExecutor(4) as pool:
    print(len(list(pool.map(lambda p: model.predict([p])[0], photos * 3))))
"""
    status, out = run_python(code, timeout=120)
    assert status == 0 and out.strip().endswith("12"), out


def test_a_fifo_where_a_model_or_an_output_is_looked_for_never_hangs(tmp_path, test_paths, capsys, monkeypatch):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    named = tmp_path / "model.skops"
    os.mkfifo(named)
    demo = tmp_path / "demo"
    demo.mkdir()
    os.mkfifo(demo / "demo.png")
    compare = tmp_path / "compare"
    compare.mkdir()
    os.mkfifo(compare / "comparison.md")
    monkeypatch.setattr(SOMColorizer, "fit", lambda *a, **k: pytest.fail("training started"))
    with deadline(60):  # a hang fails the test instead of the suite
        # A FIFO first: not a model (by content), so a photo; refused as one, and the rest is done.
        assert main(["colorize", str(fifo), str(test_paths[0]), "-o", str(tmp_path / "out")]) == 1
        assert "pipe: not a regular file (a FIFO)" in capsys.readouterr().err
        assert main(["colorize", str(named), str(test_paths[0]), "-o", str(tmp_path / "out2")]) == 2
        assert "model.skops: is a FIFO, not a model file" in capsys.readouterr().err
        assert main(["demo", "-o", str(demo)]) == 2
        assert "demo.png is a FIFO: refusing to write there" in capsys.readouterr().err
        assert main(["compare", *map(str, bundled_images("train")[:10]), "-o", str(compare)]) == 2
        assert "comparison.md is a FIFO" in capsys.readouterr().err


def _peak_mb(args, code=None):
    """Peak resident memory (MB) of `somcolor ARGS` (or of `code`) in a child process."""
    code = code or ("import resource, sys\nfrom somcolor.cli import main\ncode = main(sys.argv[1:])\n"
                    "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\nsys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    return int(done.stdout.split("peak")[-1]) / 1024


def test_one_row_photos_cost_a_few_bytes_a_pixel(tmp_path, photo):
    row = (lightness(photo).ravel() * 2.55).astype(np.uint8)
    peaks = []
    for length in (2_000_000, 6_000_000):  # one row: it was one band, 135 bytes a pixel
        path = tmp_path / f"row{length}.png"
        Image.fromarray(np.resize(row, (1, length))).save(path)
        peaks.append(_peak_mb(["colorize", path, "-o", tmp_path / f"out{length}"]))
        assert Image.open(tmp_path / f"out{length}" / f"row{length}.png").size == (length, 1)
    # What each further pixel costs: its gray byte, its RGB bytes of the band written, the decoder's copy.
    assert (peaks[1] - peaks[0]) * 2**20 / 4e6 < 12, peaks


@pytest.mark.parametrize("width", [1, 5])
def test_thin_photos_colorized_across_match_the_exact_path(fitted, photo, width):
    from somcolor.inference.exact import colorize_exact

    thin = np.ascontiguousarray((np.resize(photo, (3000 // width, width, 3)) * 255).astype(np.uint8))
    model = SOMColorizer(pixels_per_image=300, max_iter=2, random_state=0, scales=(2,),
                         texture_scales=(1,)).fit(bundled_images("train")[:3])
    for m in (fitted, model):
        (fast,) = m.predict([thin])
        np.testing.assert_allclose(fast, colorize_exact(thin, m), atol=2e-3)


def test_fit_samples_large_photos_a_tile_at_a_time(tmp_path):
    peaks = []
    for megapixels in (4, 12):  # one-color PNGs of a few kB: it took 110 bytes a pixel
        side = int(np.sqrt(megapixels * 1e6))
        path = tmp_path / f"red{megapixels}.png"
        Image.new("RGB", (side, side), (200, 40, 30)).save(path)
        peaks.append(_peak_mb(["fit", path, "-o", tmp_path / f"m{megapixels}.skops", *FAST]))
    # The photo as read (3 bytes a pixel) and Pillow's decoding buffer (4): never float copies of it.
    assert (peaks[1] - peaks[0]) * 2**20 / 8e6 < 12, peaks


def test_tiles_give_the_training_features_of_the_whole_photo(photo):
    from somcolor.features.context import Context
    from somcolor.features.sampling import pixel_features, sample_pixels, version_features

    pixels = (np.tile(photo, (3, 2, 1))[:437, :291] * 255).astype(np.uint8)
    rows, cols = sample_pixels(pixels.shape[:2], 2000, np.random.RandomState(0))
    for context in (Context(5, position=True, local_radii=(8, 32)),
                    Context(3, scales=(2, 4), position=True, local_radii=(3,), global_features=True,
                            texture_scales=(1, 3))):
        whole = pixel_features(lightness(pixels), context, rows, cols)
        for tile_pixels in (3000, 20_000):
            np.testing.assert_array_equal(version_features(pixels, None, context, rows, cols, tile_pixels), whole)


def test_running_out_of_memory_on_one_photo_is_that_photos_error(tmp_path, model_file, test_paths, capsys,
                                                                   monkeypatch):
    import somcolor.inference.batch as batch

    real = batch.colorize_bands

    def short_of_memory(pixels, *args, **kwargs):
        if pixels.shape[:2] == (40, 40):
            raise MemoryError  # what numpy raises when an allocation fails
        return real(pixels, *args, **kwargs)

    monkeypatch.setattr(batch, "colorize_bands", short_of_memory)
    big = tmp_path / "big.png"
    Image.fromarray(np.zeros((40, 40), np.uint8)).save(big)
    out = tmp_path / "out"
    assert main(["colorize", str(model_file), str(big), str(test_paths[0]), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "skipped" in err and "big.png: not enough memory to colorize it (40 x 40 pixels)" in err
    assert [p.name for p in out.iterdir()] == [f"{test_paths[0].stem}.png"]


def _read_only_install(tmp_path):
    """A copy of the package where numba cannot cache beside the sources, and a HOME that cannot be written."""
    import shutil

    import somcolor

    # Under another name: the editable install's finder would import the checkout for "somcolor".
    site = tmp_path / "site"
    shutil.copytree(os.path.dirname(somcolor.__file__), site / "somcolor_copy",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))
    for folder in [site / "somcolor_copy", *(p for p in (site / "somcolor_copy").rglob("*") if p.is_dir())]:
        (folder / "__pycache__").write_text("not a folder")  # as unwritable as a read-only install, even as root
    home = tmp_path / "home"
    home.write_text("not a folder")
    env = {**os.environ, "PYTHONPATH": str(site), "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("XDG_CACHE_HOME", None)
    env.pop("NUMBA_CACHE_DIR", None)
    return env


@pytest.mark.parametrize("temporary_writable", [True, False])
def test_a_read_only_install_caches_elsewhere_or_runs_uncached(tmp_path, temporary_writable):
    env = _read_only_install(tmp_path)
    temporary = tmp_path / "tmp"
    if temporary_writable:
        temporary.mkdir()
    else:
        temporary.write_text("not a folder either")
    code = f"""
import tempfile, warnings
tempfile.tempdir = {str(temporary)!r}  # where the temporary folder is, writable or not (as root, none else is)
warnings.simplefilter("always")
import numpy as np
from somcolor_copy.color import lightness
print("L", lightness(np.full((3, 4), 0.5))[0, 0].round(1))
"""
    status, out = run_python(code, env=env)
    assert status == 0 and "L 53.4" in out, out
    if temporary_writable:
        assert f"caching them in {temporary}/somcolor-numba-cache-" in out
        assert any((temporary).glob("somcolor-numba-cache-*/*/*.nbi"))
    else:
        assert "every run compiles them again" in out
    assert out.count("KernelCacheWarning") == 1, out


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5])
def test_ctrl_c_while_starting_is_one_line_and_status_130(tmp_path, test_paths, delay):
    run = subprocess.Popen([sys.executable, "-m", "somcolor", "colorize", str(test_paths[0]), "-o",
                            str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=TIMEOUT)
    if run.returncode == 0:  # finished before the signal came: nothing to see
        return
    assert run.returncode == 130, err
    assert "Traceback" not in err and err.strip().endswith("run the same command again to finish"), err


# -- 3. silent wrong results ---------------------------------------------------------------------------


def test_photos_without_color_are_refused_by_name_or_skipped_in_folders(tmp_path, train_paths, capsys):
    gray = gray_as_rgb(train_paths[0], tmp_path / "bw.jpg")
    with pytest.raises(ImageError, match=r"bw\.jpg: has no color \(a black-and-white photo saved as RGB\?\)"):
        SOMColorizer(max_iter=1, random_state=0).fit([gray, *train_paths[1:3]])
    with pytest.warns(ImageWarning, match=r"bw\.jpg: has no color .*; skipped"):
        SOMColorizer(max_iter=1, pixels_per_image=200, random_state=0).fit([gray, *train_paths[1:3]],
                                                                            skip_colorless=True)
    with pytest.raises(ImageError, match="none of the 1 photos has color"):
        SOMColorizer(max_iter=1, random_state=0).fit([gray], skip_colorless=True)
    # Fine-tuning refuses it too.
    with pytest.raises(ImageError, match=r"bw\.jpg: has no color"):
        load_model("landscapes").set_params(warm_start=True, max_iter=1).fit([gray])
    # On the command line: named, refused; in a folder, skipped and counted.
    assert main(["fit", str(gray), str(train_paths[1]), "-o", str(tmp_path / "m.skops"), *FAST]) == 2
    assert "bw.jpg: has no color" in capsys.readouterr().err
    folder = tmp_path / "photos"
    folder.mkdir()
    gray_as_rgb(train_paths[0], folder / "a-bw.jpg")
    for path in train_paths[1:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    assert main(["fit", str(folder), "-o", str(tmp_path / "m.skops"), *FAST]) == 0
    captured = capsys.readouterr()
    assert "a-bw.jpg: has no color" in captured.err and "fitted 2 images" in captured.out
    assert "(1 skipped: no color)" in captured.out
    assert main(["fit", str(folder), "--from", "landscapes", "-o", str(tmp_path / "t.skops"), "--max-iter", "1"]) == 0
    assert "(1 skipped: no color)" in capsys.readouterr().out


def test_transparent_pixels_are_not_trained_on(photo):
    from somcolor.features.context import Context
    from somcolor.features.sampling import sample_training_pixels

    rgba = np.dstack([photo, np.ones(photo.shape[:2])])
    rgba[:, 75:, :3] = [1.0, 0.0, 0.0]  # pure red, hidden: alpha 0
    rgba[:, 75:, 3] = 0.0
    _, chroma, _ = sample_training_pixels([rgba], Context(3), 3000, np.random.RandomState(0))
    red = rgb_to_luv(np.array([[[1.0, 0.0, 0.0]]]))[0, 0, 1:]
    assert len(chroma) == 3000 and np.abs(chroma - red).sum(axis=1).min() > 50
    rgba[..., 3] = 0
    with pytest.raises(ImageError, match="image 0: every pixel is transparent"):
        sample_training_pixels([rgba], Context(3), 100, np.random.RandomState(0))


def test_colorizing_keeps_the_alpha_channel(tmp_path, fitted, photo, model_file):
    alpha = np.tile(np.linspace(0, 255, 150).astype(np.uint8), (150, 1))
    rgba = np.dstack([(photo * 255).astype(np.uint8), alpha])
    (colors,) = fitted.predict([rgba])
    assert colors.shape == (150, 150, 4)
    np.testing.assert_allclose(colors[..., 3], alpha / 255.0, atol=1e-6)
    np.testing.assert_allclose(colors[..., :3], fitted.predict([rgba[..., :3]])[0], atol=1e-6)
    for mode in ("RGBA", "LA"):
        path = tmp_path / f"{mode}.png"
        Image.fromarray(rgba).convert(mode).save(path)
        assert main(["colorize", str(model_file), str(path), "-o", str(tmp_path / f"out-{mode}")]) == 0
        written = Image.open(tmp_path / f"out-{mode}" / f"{mode}.png")
        assert written.mode == "RGBA" and np.array_equal(np.asarray(written)[..., 3], alpha)


def _icc_profile(primaries, gamma, description):
    """A matrix/TRC ICC v2 display profile: the D50 XYZ of the R, G, B primaries and one gamma curve."""

    def s15(value):
        return struct.pack(">i", int(round(value * 65536)))

    def xyz(values):
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    text = description.encode()
    tags = [(b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + b"\0" * 12 + b"\0" * 67),
            (b"wtpt", xyz((0.9642, 1.0, 0.8249))), (b"cprt", b"text\0\0\0\0" + b"none\0")]
    tags += [(name, xyz(p)) for name, p in zip((b"rXYZ", b"gXYZ", b"bXYZ"), primaries)]
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, int(round(gamma * 256))) + b"\0\0"
    tags += [(name, curve) for name in (b"rTRC", b"gTRC", b"bTRC")]
    table, data, offset = b"", b"", 128 + 4 + 12 * len(tags)
    for name, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += name + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + b"\0" * 12
              + b"acsp" + b"\0" * 24 + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + data


PROPHOTO = _icc_profile(((0.7977, 0.2880, 0.0), (0.1352, 0.7119, 0.0), (0.0313, 0.0001, 0.8249)), 1.8, "ProPhoto")
DISPLAY_P3 = _icc_profile(((0.5151, 0.2412, -0.0011), (0.2920, 0.6922, 0.0419), (0.1571, 0.0666, 0.7841)), 2.2,
                          "Display P3")


@pytest.mark.parametrize("profile, paler", [(PROPHOTO, 0.15), (DISPLAY_P3, 0.04)], ids=["ProPhoto", "Display P3"])
def test_icc_profiles_are_converted_to_srgb(tmp_path, test_paths, profile, paler):
    original = Image.open(test_paths[0]).convert("RGB")
    wide = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    encoded = ImageCms.profileToProfile(original, ImageCms.createProfile("sRGB"), wide, outputMode="RGB")
    path = tmp_path / "wide.png"
    encoded.save(path, icc_profile=profile)

    def chroma(rgb):
        luv = rgb_to_luv(np.asarray(rgb) / 255.0)
        return np.hypot(luv[..., 1], luv[..., 2]).mean()

    assert chroma(encoded) < (1 - paler) * chroma(original)  # read as sRGB, the photo would be this much paler
    read = read_pixels(path)
    assert abs(chroma(read) / chroma(original) - 1) < 0.02
    assert np.abs(read.astype(int) - np.asarray(original).astype(int)).mean() < 1.5


def test_outputs_say_they_are_srgb(tmp_path, model_file, test_paths):
    assert main(["colorize", str(model_file), str(test_paths[0]), "-o", str(tmp_path)]) == 0
    assert Image.open(tmp_path / f"{test_paths[0].stem}.png").info.get("srgb") == 0


@pytest.mark.parametrize("mode", ["P", "CMYK", "LA", "I;16", "1"])
def test_pillow_images_of_every_mode_read_as_their_files(tmp_path, fitted, test_paths, mode):
    image = Image.open(test_paths[0]).convert(mode if mode != "I;16" else "I")
    if mode == "I;16":
        image = Image.fromarray((np.asarray(image.convert("L"), np.uint16) * 257))
    path = tmp_path / ("photo.tif" if mode in ("CMYK", "I;16") else "photo.png")
    image.save(path)
    from_file = fitted.predict([path])[0]
    from_image = fitted.predict([Image.open(path)])[0]
    np.testing.assert_array_equal(from_image, from_file)


def test_video_keeps_its_sound(tmp_path, model_file, capsys):
    import imageio_ffmpeg

    from somcolor.video.frames import has_sound

    source = tmp_path / "with-sound.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                    "-c:a", "aac", str(source)], check=True, capture_output=True, timeout=TIMEOUT)
    assert has_sound(source)
    assert main(["video", str(model_file), str(source), str(tmp_path / "out.mp4")]) == 0
    assert has_sound(tmp_path / "out.mp4")
    assert main(["video", str(model_file), str(source), str(tmp_path / "frames")]) == 0
    assert "its sound track is not kept in a folder of PNG frames" in capsys.readouterr().err
    with pytest.warns(VideoWarning, match="sound track is not kept"):
        from somcolor.video import colorize_video

        colorize_video(load_model(model_file), source, tmp_path / "frames2", verbose=False)


def test_score_sees_the_photo_as_predict_does(fitted, photo):
    from somcolor.features.contrast import seen_lightness, stretch_target

    flat = 0.45 + 0.25 * (photo - 0.45)  # a faded print: predict sees it stretched
    luv = rgb_to_luv(flat)
    truth = fitted.quantizer_.transform(luv[..., 1:].reshape(-1, 2))
    assert seen_lightness(luv[..., 0], stretch_target(fitted)) is not luv[..., 0]
    predicted = fitted.predict_proba([flat])[0].reshape(-1, fitted.n_colors).argmax(axis=1)
    assert fitted.score([flat]) == pytest.approx(np.mean(predicted == truth))


def test_a_folder_named_like_the_bundled_model_is_photos(tmp_path, test_paths, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("landscapes", "other"):
        (tmp_path / name).mkdir()
    (tmp_path / "landscapes" / "a.jpg").write_bytes(test_paths[0].read_bytes())
    (tmp_path / "other" / "b.jpg").write_bytes(test_paths[1].read_bytes())
    assert main(["colorize", "landscapes", "other", "-o", "out"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "b.png"]


# -- 4. clear errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("every", ["0", "-1", "1"])
def test_compare_every_is_checked_in_the_flags_words(tmp_path, every, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["compare", *map(str, bundled_images("train")[:5]), "--every", every])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --every: must be a whole number of at least 2, got {every}" in err and "Traceback" not in err


def test_compare_checks_its_output_before_any_training(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(SOMColorizer, "fit", lambda *a, **k: pytest.fail("training started"))
    taken = tmp_path / "report"
    taken.write_text("mine")
    assert main(["compare", *map(str, bundled_images("train")[:10]), "-o", str(taken)]) == 2
    assert main(["compare", *map(str, bundled_images("train")[:10]), "--other",
                 *map(str, bundled_images("test")[:10]), "-o", str(taken)]) == 2
    assert capsys.readouterr().err.count("is a file, not a folder") == 2 and taken.read_text() == "mine"


def test_colorize_into_the_inputs_folder_spelled_another_way_reruns(tmp_path, model_file, test_paths, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    for path in test_paths[:2]:
        (photos / path.name).write_bytes(path.read_bytes())
    (tmp_path / "link").symlink_to(photos, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    assert main(["colorize", str(model_file), "photos", "-o", "photos"]) == 0
    assert main(["colorize", str(model_file), "photos", "-o", str(photos)]) == 0  # absolute
    assert main(["colorize", str(model_file), "photos", "-o", "link"]) == 0  # through a link
    assert main(["colorize", str(model_file), "photos", "-o", "./photos/", "--overwrite"]) == 0
    assert len(list(photos.glob("*.png"))) == 2 and len(list(photos.glob("*.jpg"))) == 2


@pytest.mark.parametrize("argv, flag", [
    (["fit", "P", "-o", "m.skops", "--max-iter", "0"], "--max-iter: must be a whole number of at least 1, got 0"),
    (["fit", "P", "-o", "m.skops", "--max-iter", "-1"], "--max-iter: must be a whole number of at least 1, got -1"),
    (["fit", "P", "-o", "m.skops", "--stream", "--chunk-images", "0"], "--chunk-images: must be a whole number"),
    (["fit", "P", "-o", "m.skops", "--seed", "-1"], "--seed: must be a whole number in [0, 4294967295], got -1"),
    (["grid", "P", "--seed", "2**40"], "--seed: expected a whole number in [0, 4294967295], got '2**40'"),
    (["grid", "P", "--n-jobs", "0"], "--n-jobs: expected a number of parallel fits, or -1 for one per core"),
    (["demo", "--max-iter", "0"], "--max-iter: must be a whole number of at least 1, got 0"),
])
def test_counts_and_seeds_are_refused_in_the_flags_words(argv, flag, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert flag in err and "RandomState" not in err and "Traceback" not in err


def test_a_float_rgb_tiff_is_an_image(tmp_path, fitted, photo):
    import tifffile

    path = tmp_path / "float.tif"
    tifffile.imwrite(path, photo.astype(np.float32))
    np.testing.assert_allclose(read_pixels(path), photo, atol=1e-6)
    np.testing.assert_allclose(fitted.predict([path])[0], fitted.predict([photo])[0], atol=1e-5)


def test_a_file_too_large_for_the_limit_is_that_outputs_error(tmp_path, model_file, test_paths):
    small = tmp_path / "small.png"
    Image.fromarray(np.full((6, 6), 90, np.uint8)).save(small)
    code = f"""
import resource, sys
from somcolor.cli import main
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))  # a 150 x 150 PNG is larger; 6 x 6 is not
sys.exit(main(["colorize", {str(model_file)!r}, {str(test_paths[0])!r}, {str(small)!r}, "-o", {str(tmp_path / 'out')!r}]))
"""
    status, out = run_python(code)
    assert status == 1, out
    assert f"{test_paths[0].stem}.png: cannot write (File too large)" in out and "colorized 1 of 2" in out
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["small.png"]


def test_demo_checks_every_output_before_fine_tuning(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(SOMColorizer, "fit", lambda *a, **k: pytest.fail("training started"))
    out = tmp_path / "demo"
    out.mkdir()
    (out / "colorized").write_text("a file where the demo's folder goes")
    assert main(["demo", "-o", str(out)]) == 2
    assert "colorized is a file, not a folder" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["colorized"]


def test_images_refused_early_warn_nothing_else(tmp_path, fitted):
    """A Pillow image given where a list is expected is named, as a path or an array is."""
    with pytest.raises(ValueError, match="got one Pillow image; pass \\[image\\]"):
        fitted.predict(Image.new("RGB", (4, 4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.predict([Image.new("RGB", (4, 4))])
