"""somcolor on a Dask cluster: a LocalCluster on loopback with 2 worker processes."""

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed", reason='needs dask: pip install "somcolor[dask]"')

from somcolor import SOMColorizer, save_model  # noqa: E402
from somcolor.inference.batch import colorize_files, output_paths  # noqa: E402
from somcolor.cli import main  # noqa: E402
from somcolor.io.images import read_image  # noqa: E402
from somcolor.io.writing import write_png  # noqa: E402
from somcolor.evaluation.model_selection import grid_search  # noqa: E402


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        yield cluster.scheduler_address


def test_grid_search_on_the_cluster_equals_the_local_run(scheduler, small_photos):
    photos = small_photos + [p[::-1] for p in small_photos]
    base = SOMColorizer(pixels_per_image=300, max_iter=2, random_state=0)
    grid = {"patch_size": [1, 3], "n_colors": [4]}
    local = grid_search(photos, grid, cv=2, estimator=base)
    remote = grid_search(photos, grid, cv=2, estimator=base, scheduler=scheduler)
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])
    assert remote.best_params_ == local.best_params_


def test_batch_colorization_on_the_cluster_equals_the_local_run(scheduler, fitted, small_photos, tmp_path):
    inputs = []
    for i, photo in enumerate(small_photos):
        inputs.append(tmp_path / "in" / f"{i}.png")
        write_png(inputs[-1], photo)
    bad = tmp_path / "in" / "bad.png"
    bad.write_text("no")
    local = colorize_files(fitted, output_paths(inputs + [bad], tmp_path / "local"), progress=False)
    remote = colorize_files(fitted, output_paths(inputs + [bad], tmp_path / "remote"), scheduler=scheduler)
    assert len(local[0]) == len(remote[0]) == 4 and remote[2] == local[2] and "bad.png" in remote[2][0]
    for path in inputs:
        np.testing.assert_array_equal(
            read_image(tmp_path / "remote" / f"{path.stem}.png"), read_image(tmp_path / "local" / f"{path.stem}.png")
        )


def test_cli_takes_a_scheduler_address(scheduler, fitted, test_paths, tmp_path, capsys):
    save_model(fitted, tmp_path / "m.skops")
    code = main(["colorize", str(tmp_path / "m.skops"), *map(str, test_paths[:2]), "-o", str(tmp_path / "o"),
                 "--scheduler", scheduler])
    assert code == 0 and "colorized 2 of 2 images" in capsys.readouterr().out
