import numpy as np
import pytest

from somcolor import bundled_images
from somcolor.images import read_image


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


@pytest.fixture
def rng():
    return np.random.default_rng(0)
