from pathlib import Path

import pytest

from somcolor import bundled_images, holdout_split
from somcolor.io.images import read_image

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "landscapes"


def test_bundled_split():
    everything = bundled_images()
    train, test = bundled_images("train"), bundled_images("test")
    assert (len(everything), len(train), len(test)) == (60, 48, 12)
    assert set(train).isdisjoint(test) and set(train) | set(test) == set(everything)
    assert test[0] == everything[4]
    assert read_image(test[0]).shape == (150, 150, 3)
    sources = everything[0].parent / "SOURCES.md"
    assert "afroozsheikh/Intel-Image-Classifier" in sources.read_text()


def test_holdout_split_every_fifth():
    train, test = holdout_split(list(range(12)))
    assert test == [4, 9]
    assert train == [0, 1, 2, 3, 5, 6, 7, 8, 10, 11]


def test_unknown_split():
    with pytest.raises(ValueError, match="split must be one of"):
        bundled_images("validation")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/landscapes is not beside this clone")
def test_bundled_images_are_a_subset_of_the_shared_data():
    shared = {p.name for p in SHARED.glob("*.jpg")}
    assert len(shared) == 539
    assert {p.name for p in bundled_images()} <= shared
