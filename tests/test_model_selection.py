import numpy as np
import pytest

from somcolor import SOMColorizer, holdout_split
from somcolor.cli import main
from somcolor.io.writing import write_png
from somcolor.evaluation.model_selection import InterleavedImageFolds, grid_search


def test_folds_are_image_level_and_interleaved():
    images = list(range(11))
    folds = list(InterleavedImageFolds(5).split(images))
    assert len(folds) == 5
    tests = [test.tolist() for _, test in folds]
    assert sorted(sum(tests, [])) == images  # every image tested exactly once
    for train, test in folds:
        assert set(train).isdisjoint(test) and len(train) + len(test) == 11
    # The last fold is the fixed every-fifth hold-out.
    assert [images[i] for i in tests[4]] == holdout_split(images)[1]
    with pytest.raises(ValueError, match="n_splits must be in"):
        list(InterleavedImageFolds(20).split(images))


def test_grid_search_runs_and_leaves_the_estimator_alone(small_photos):
    photos = small_photos + [p[::-1] for p in small_photos]
    base = SOMColorizer(pixels_per_image=300, max_iter=2, random_state=0)
    search = grid_search(photos, {"patch_size": [1, 3], "n_colors": [4, 9]}, cv=2, estimator=base)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.memory is None and base.memory is None
    assert search.best_estimator_.predict(photos[:1])[0].shape == photos[0].shape
    with pytest.raises(ValueError, match="scoring must be one of"):
        grid_search(photos, {"patch_size": [1]}, scoring="beauty", estimator=base)


def test_grid_cli(tmp_path, small_photos, capsys):
    for i, photo in enumerate(small_photos):
        write_png(tmp_path / f"{i}.png", photo)
    code = main(["grid", str(tmp_path), "--patch-size", "1", "3", "--n-colors", "4", "--cv", "2", "--max-iter", "1"])
    assert code == 0
    out = capsys.readouterr().out
    assert "best: --patch-size" in out and out.count(" +- ") == 3  # header and two candidates
