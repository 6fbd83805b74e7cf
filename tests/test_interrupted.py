"""Real processes: killed mid-batch, two writers into one folder, and the same model whatever the thread count."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from somcolor import save_model
from somcolor.io.writing import to_uint8

TIMEOUT = 240
N = 24


def somcolor(*args):
    return [sys.executable, "-m", "somcolor", *map(str, args)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory, fitted, photo):
    """A model file and 24 photos of 450 x 450, slow enough to kill a run in the middle."""
    folder = tmp_path_factory.mktemp("batch")
    save_model(fitted, folder / "m.skops")
    photos = folder / "photos"
    photos.mkdir()
    big = np.tile(photo, (3, 3, 1))
    for i in range(N):
        Image.fromarray((np.roll(big, 7 * i, axis=1) * 255).astype(np.uint8)).save(photos / f"p{i:02d}.jpg")
    return folder


def complete_pngs(folder):
    """The visible PNGs, each checked to decode fully."""
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    for name in names:
        assert name.endswith(".png")
        with Image.open(folder / name) as img:
            img.load()
            assert img.size == (450, 450)
    return names


def test_killed_mid_batch_leaves_only_complete_files_and_a_rerun_finishes(batch, tmp_path):
    out = tmp_path / "out"
    run = subprocess.Popen(somcolor("colorize", batch / "m.skops", batch / "photos", "-o", out),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + TIMEOUT
    while not (out.is_dir() and len([p for p in out.glob("*.png") if not p.name.startswith(".")]) >= 3):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    run.wait(TIMEOUT)
    done = complete_pngs(out)
    assert 3 <= len(done) < N
    rerun = subprocess.run(somcolor("colorize", batch / "m.skops", batch / "photos", "-o", out),
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert rerun.returncode == 0, rerun.stderr
    assert f"colorized {N - len(done)} of {N} images" in rerun.stdout
    assert f"{len(done)} already there" in rerun.stdout
    assert complete_pngs(out) == [f"p{i:02d}.png" for i in range(N)]
    assert len(list(out.iterdir())) == N, "the killed run's temporary file is cleaned up"


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_batch_gives_one_line_its_status_and_no_leftovers(batch, tmp_path, signum, status):
    out = tmp_path / "out"
    # As typed in a terminal: Ctrl-C's signal at its default (a test run started in the background, as `&`
    # in a script does, would hand the child SIGINT ignored, and Python keeps it ignored).
    run = subprocess.Popen(somcolor("colorize", batch / "m.skops", batch / "photos", "-o", out),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + TIMEOUT
    while not (out.is_dir() and len([p for p in out.glob("*.png") if not p.name.startswith(".")]) >= 2):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it could be stopped"
        time.sleep(0.02)
    run.send_signal(signum)
    _, err = run.communicate(timeout=TIMEOUT)
    assert run.returncode == status, err
    lines = [line for line in err.splitlines() if "somcolor colorize:" in line]
    assert lines == [f"somcolor colorize: interrupted by {signal.Signals(signum).name}: outputs already complete "
                     "are kept, none is half-written; run the same command again to finish"], err
    assert "Traceback" not in err
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [], "no temporary file is left"
    complete_pngs(out)


def test_two_writers_into_one_folder(batch, tmp_path, fitted):
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(somcolor("colorize", batch / "m.skops", batch / "photos", "-o", out),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for run in runs:
        _, err = run.communicate(timeout=TIMEOUT)
        assert run.returncode == 0, err
    assert complete_pngs(out) == [f"p{i:02d}.png" for i in range(N)]
    assert len(list(out.iterdir())) == N
    for i in (0, N - 1):
        (alone,) = fitted.predict([batch / "photos" / f"p{i:02d}.jpg"])
        np.testing.assert_array_equal(np.asarray(Image.open(out / f"p{i:02d}.png")), to_uint8(alone))


FIT = """
import sys, numpy as np
from somcolor import SOMColorizer, bundled_images
model = SOMColorizer(pixels_per_image=800, max_iter=3, random_state=7).fit(bundled_images("train")[:8])
arrays = model.mlp_.coefs_ + model.mlp_.intercepts_ + [model.quantizer_.codebook_]
np.savez(sys.argv[1], *arrays, prediction=model.predict(bundled_images("test")[:2])[1])
"""


def test_same_seed_same_model_in_fresh_processes_with_1_and_2_threads(tmp_path):
    results = []
    for threads in ("1", "2", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads)
        path = tmp_path / f"fit{len(results)}.npz"
        subprocess.run([sys.executable, "-c", FIT, str(path)], env=env, check=True, timeout=TIMEOUT)
        results.append(np.load(path))
    for other in results[1:]:
        assert results[0].files == other.files
        for name in results[0].files:
            np.testing.assert_array_equal(results[0][name], other[name])
