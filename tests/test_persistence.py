import numpy as np
import pytest
import skops.io as sio

from somcolor import SOMColorizer, load_model, save_model
from somcolor.persistence import ModelFileError


class Intruder:
    """A type outside somcolor's model: loading must refuse it."""


def test_round_trip_predicts_the_same(fitted, tmp_path, test_paths):
    path = tmp_path / "sub" / "model.skops"
    save_model(fitted, path)
    loaded = load_model(path)
    assert loaded.get_params() == fitted.get_params()
    np.testing.assert_array_equal(loaded.predict(test_paths[:1])[0], fitted.predict(test_paths[:1])[0])
    assert [p.name for p in path.parent.iterdir()] == ["model.skops"]


def test_refuses_untrusted_types(tmp_path):
    path = tmp_path / "evil.skops"
    sio.dump({"payload": Intruder()}, path)
    with pytest.raises(ModelFileError, match="refusing to load types .*Intruder"):
        load_model(path)


def test_refuses_other_objects(tmp_path):
    path = tmp_path / "dict.skops"
    sio.dump({"a": 1}, path)
    with pytest.raises(ModelFileError, match="not a SOMColorizer"):
        load_model(path)


def test_bad_files(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "none.skops")
    junk = tmp_path / "junk.skops"
    junk.write_text("hello")
    with pytest.raises(ModelFileError, match="junk.skops: not a somcolor model file"):
        load_model(junk)


def test_unfitted_model_is_not_saved(tmp_path):
    with pytest.raises(ValueError, match="fitted SOMColorizer"):
        save_model(SOMColorizer(), tmp_path / "m.skops")
    assert not list(tmp_path.iterdir())


def test_a_model_file_of_somcolor_0_1_still_loads_and_colorizes_the_same(test_paths):
    """Written by somcolor 0.1 (before the stages moved into packages), with its colorized test photo."""
    from pathlib import Path

    from somcolor.color import grayscale
    from somcolor.features import Context
    from somcolor.io.images import read_image

    data = Path(__file__).with_name("data")
    model = load_model(data / "model-0.1.skops")
    assert model.context_ == Context(patch_size=5, position=True, local_radii=(8, 32))
    (rgb,) = model.predict([grayscale(read_image(test_paths[0]))])
    expected = read_image(data / "model-0.1-test0.png")
    # Bit-identical on the machine that wrote it; a rounding step apart elsewhere (fastmath float32).
    assert np.abs(np.round(rgb * 255) - np.round(expected * 255)).max() <= 1


def test_the_bundled_model_loads_by_name_and_is_small():
    from somcolor.persistence import bundled_model_path

    model = load_model("landscapes")
    assert bundled_model_path("landscapes").stat().st_size <= 1 << 20
    from somcolor.inference.working import resolved_side

    assert resolved_side(model) == 64 and model.augment_mirror  # it colorizes every photo at about 64 pixels
    with pytest.raises(ModelFileError, match="portraits: no such model file, nor a bundled model .landscapes"):
        load_model("portraits")


def test_the_bundled_model_is_what_its_manifest_says():
    """The shipped file and its manifest (written by benchmarks/pretrained.py) agree: a file edited by hand,
    such as a new decoding temperature, must carry it in both, and in its fitted temperature too."""
    import json

    from somcolor.persistence import bundled_model_path

    path = bundled_model_path("landscapes")
    manifest = json.loads(path.with_suffix(".json").read_text())
    model = load_model("landscapes")
    params = {k: v for k, v in model.get_params().items() if k not in ("memory", "verbose")}
    assert json.loads(json.dumps(params, default=list)) == manifest["params"]
    assert model.temperature_ == manifest["params"]["temperature"]
    assert (model.training_side_, model.lightness_spread_) == (manifest["training_side"], manifest["lightness_spread"])
    assert path.stat().st_size == manifest["bytes"]


def test_a_model_file_of_somcolor_0_4_loads_colorizes_the_same_and_fine_tunes(test_paths, train_paths):
    """Written by somcolor 0.4: no replay sample and no temperature_; colorized test photo beside it."""
    from pathlib import Path

    from somcolor.color import grayscale
    from somcolor.io.images import read_image

    data = Path(__file__).with_name("data")
    model = load_model(data / "model-0.4.skops")
    assert not hasattr(model, "replay_features_") and not hasattr(model, "temperature_")
    (rgb,) = model.predict([grayscale(read_image(test_paths[0]))])
    expected = read_image(data / "model-0.4-test0.png")
    assert np.abs(np.round(rgb * 255) - np.round(expected * 255)).max() <= 1
    with pytest.raises(ValueError, match='temperature="auto" is chosen by fit'):
        model.set_params(temperature="auto").predict(test_paths[:1])
    model.set_params(temperature=0.5, warm_start=True, max_iter=1, random_state=0).fit(train_paths[:1])
    assert model.temperature_ == 0.5 and not hasattr(model, "replay_features_")


def test_what_somcolor_wrote_is_known_by_its_content(tmp_path, fitted):
    from somcolor.io.writing import REPORT_MARK, written_by_somcolor

    save_model(fitted, tmp_path / "model.skops")
    (tmp_path / "report.md").write_text(f"{REPORT_MARK}\n| a |\n")
    (tmp_path / "report.json").write_text('[{"split": "a -> b", "rows": []}]')
    for name in ("model.skops", "report.md", "report.json"):
        assert written_by_somcolor(tmp_path / name), name
    (tmp_path / "notes.md").write_text("| a |\n")
    (tmp_path / "data.json").write_text('{"a": 1}')
    from sklearn.preprocessing import StandardScaler

    sio.dump(StandardScaler().fit([[0.0], [1.0]]), tmp_path / "other.skops")  # another library's model
    for name in ("notes.md", "data.json", "other.skops", "missing.png"):
        assert not written_by_somcolor(tmp_path / name), name
