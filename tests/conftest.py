import numpy as np
import pytest

from somcolor import bundled_images
from somcolor.io.images import read_image


@pytest.fixture(scope="session")
def train_paths():
    return bundled_images("train")[:6]


@pytest.fixture(scope="session")
def test_paths():
    return bundled_images("test")[:3]


@pytest.fixture(scope="session")
def photo():
    """One real 150 x 150 landscape, RGB floats in [0, 1]."""
    return read_image(bundled_images("test")[0])


@pytest.fixture(scope="session")
def small_photos():
    """Real photos cropped to different odd sizes."""
    images = [read_image(p) for p in bundled_images("train")[:4]]
    return [images[0][:61, :47], images[1][:40, :90], images[2], images[3][5:80, 3:70]]


@pytest.fixture(scope="session")
def fitted(train_paths):
    from somcolor import SOMColorizer

    return SOMColorizer(pixels_per_image=600, max_iter=3, random_state=0).fit(train_paths)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, fitted):
    """The fitted model, saved: what the command line takes."""
    from somcolor import save_model

    path = tmp_path_factory.mktemp("model") / "m.skops"
    save_model(fitted, path)
    return path


@pytest.fixture(scope="module")
def frames_dir(tmp_path_factory, photo):
    """A folder of three frames of a real photo, shifted a little each."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("frames") / "src"
    folder.mkdir()
    for i in range(3):
        Image.fromarray((np.roll(photo[:48, :64], 3 * i, axis=1) * 255).astype(np.uint8)).save(folder / f"{i}.png")
    return folder


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def recolor_by_rule(photo):
    """A real photo's lightness, recolored by a rule: bright is orange, dark is blue."""
    from somcolor.color import lightness, luv_to_rgb

    L = lightness(photo)
    bright = L > 50
    u = np.where(bright, 40.0, -15.0)
    v = np.where(bright, 45.0, -45.0)
    return luv_to_rgb(np.stack([L, u, v], axis=2))


@pytest.fixture(scope="session")
def rule_photos(small_photos):
    return [recolor_by_rule(p) for p in small_photos]


@pytest.fixture(scope="session")
def rule_test_photo(photo):
    return recolor_by_rule(photo)


@pytest.fixture(scope="session")
def start_app():
    """A function that starts `somcolor app ARGS` in a child process and waits until it answers: it returns
    the process, the line it printed and the page's URL."""
    import subprocess
    import sys
    import time
    import urllib.request

    def start(args, cwd=None):
        child = subprocess.Popen([sys.executable, "-m", "somcolor", "app", *map(str, args)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, cwd=cwd)
        line = child.stdout.readline()
        url = line.split()[2].replace("0.0.0.0", "127.0.0.1")
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:  # not listening yet (or refusing this name: it answers all the same)
                time.sleep(0.1)
        return child, line, url

    return start
