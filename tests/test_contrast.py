"""A photo flatter than the training photos is seen by the features with its contrast stretched, by every
colorizing path, and its colors still join its own lightness."""

import copy

import numpy as np
import pytest

from somcolor import SOMColorizer, load_model, save_model
from somcolor.color import grayscale, lightness, luv_to_rgb, rgb_to_luv
from somcolor.features.contrast import MAX_STRETCH, lightness_spread, seen_lightness, stretch_factor
from somcolor.inference.exact import ExactBackend, colorize_exact
from somcolor.inference.fused import CpuBackend
from somcolor.inference.working import colorize_image
from somcolor.io.images import read_image


def flattened(photo, amount=0.5):
    """A real photo with its lightness contrast reduced about mid-gray, as a faded print or a film scan."""
    return grayscale(0.5 + amount * (photo - 0.5))


def gray_of(L):
    """The gray image whose lightness is L."""
    return luv_to_rgb(np.stack([L, 0 * L, 0 * L], axis=-1))[..., 0]


def test_the_training_photos_spread_is_kept(fitted, train_paths):
    spreads = [lightness_spread(lightness(read_image(p)))[1] for p in train_paths]
    assert fitted.lightness_spread_ == pytest.approx(np.mean(spreads), rel=1e-6)


def test_a_flat_photo_is_seen_stretched_and_keeps_its_own_lightness(fitted, photo):
    flat = flattened(photo)
    L = lightness(flat)
    assert stretch_factor(lightness_spread(L)[1], fitted.lightness_spread_) > 1.5
    as_is = copy.deepcopy(fitted).set_params(contrast_stretch=False)
    (seen,), (unseen,) = fitted.predict_proba([flat]), as_is.predict_proba([flat])
    # The probabilities are those of the stretched lightness, seen as it is.
    (expected,) = as_is.predict_proba([gray_of(seen_lightness(L, fitted.lightness_spread_))])
    np.testing.assert_allclose(seen, expected, atol=1e-4)
    assert np.abs(seen - unseen).max() > 0.05
    (rgb,) = fitted.predict([flat])
    np.testing.assert_allclose(rgb_to_luv(rgb)[..., 0], L, atol=0.05)
    np.testing.assert_allclose(rgb, colorize_exact(flat, fitted), atol=1e-3)


def test_a_flat_photo_takes_one_fused_pass_as_any_other(fitted, photo, monkeypatch):
    from somcolor.inference import fused

    passes, run = [], fused._run_fused

    def counted(L, plan, mode, *args):
        passes.append(mode)
        return run(L, plan, mode, *args)

    monkeypatch.setattr(fused, "_run_fused", counted)
    plan = fitted.colorize_plan()._replace(working_side=None)
    flat = flattened(photo)
    rgb = colorize_image(flat, plan, CpuBackend(plan))
    assert passes == [fused._kernels.OUT_LUV]  # features from the stretched L, colors from its own, at once
    np.testing.assert_allclose(rgb, colorize_image(flat, plan, ExactBackend(fitted)), atol=1e-3)


def test_a_photo_as_contrasty_as_the_training_photos_is_seen_as_it_is(fitted, photo):
    gray = grayscale(np.clip(0.5 + 1.5 * (photo - 0.5), 0, 1))
    assert lightness_spread(lightness(gray))[1] >= fitted.lightness_spread_
    as_is = copy.deepcopy(fitted).set_params(contrast_stretch=False)
    np.testing.assert_array_equal(fitted.predict([gray])[0], as_is.predict([gray])[0])


def test_bands_and_the_working_resolution_stretch_by_the_whole_image(fitted, photo):
    flat = flattened(np.tile(photo, (2, 1, 1)))  # 300 x 150
    plan = fitted.colorize_plan()._replace(working_side=None)
    whole = colorize_image(flat, plan, CpuBackend(plan))
    banded = colorize_image(flat, plan, CpuBackend(plan), band_pixels=150 * 40)
    np.testing.assert_allclose(banded, whole, atol=1e-5)
    small = fitted.colorize_plan()._replace(working_side=75)  # colorized at half size
    assert np.abs(colorize_image(flat, small, CpuBackend(small)) - whole).max() > 0


def test_a_stretch_is_bounded_and_old_models_see_photos_as_they_are(fitted, tmp_path):
    assert stretch_factor(0.5, 20.0) == MAX_STRETCH and stretch_factor(0.0, 20.0) == MAX_STRETCH
    uniform = np.full((20, 30), 0.4)
    assert np.all(np.isfinite(fitted.predict([uniform])[0]))
    old = copy.deepcopy(fitted)
    del old.lightness_spread_  # a model file of somcolor 0.5 or before
    save_model(old, tmp_path / "old.skops")
    loaded = load_model(tmp_path / "old.skops")
    assert loaded.contrast_stretch and loaded.colorize_plan().lightness_spread is None
    save_model(fitted, tmp_path / "new.skops")
    assert load_model(tmp_path / "new.skops").lightness_spread_ == fitted.lightness_spread_


def test_fine_tuning_takes_the_new_photos_spread(fitted, test_paths):
    tuned = copy.deepcopy(fitted).set_params(warm_start=True, max_iter=1).fit(test_paths[:2])
    new = np.mean([lightness_spread(lightness(read_image(p)))[1] for p in test_paths[:2]])
    assert tuned.lightness_spread_ == pytest.approx(new, rel=1e-6)


def test_video_frames_are_seen_stretched_as_photos(fitted, photo):
    from somcolor.video import Stabilizer

    flat = flattened(photo)
    frame = Stabilizer(fitted, temporal_smoothing=0).colorize_frame(flat)
    np.testing.assert_allclose(frame, fitted.predict([flat])[0], atol=1e-3)


def test_fit_from_a_stream_keeps_the_same_spread(train_paths):
    params = dict(pixels_per_image=100, max_iter=1, random_state=0)
    assert SOMColorizer(**params).fit_stream(train_paths[:3], chunk_images=2).lightness_spread_ == pytest.approx(
        SOMColorizer(**params).fit(train_paths[:3]).lightness_spread_
    )


def test_the_command_line_turns_it_off(tmp_path, fitted, photo, train_paths):
    from PIL import Image

    from somcolor.cli import main

    save_model(fitted, tmp_path / "m.skops")
    flat = tmp_path / "flat.png"
    Image.fromarray((flattened(photo) * 255).round().astype(np.uint8)).save(flat)
    for flag, out in (([], "on"), (["--no-contrast-stretch"], "off")):
        assert main(["colorize", str(tmp_path / "m.skops"), str(flat), "-o", str(tmp_path / out), *flag]) == 0
    on, off = (np.asarray(Image.open(tmp_path / out / "flat.png"), float) for out in ("on", "off"))
    assert np.abs(on - off).max() > 2
    assert main(["fit", str(train_paths[0]), "-o", str(tmp_path / "f.skops"), "--max-iter", "1",
                 "--no-contrast-stretch"]) == 0
    assert not load_model(tmp_path / "f.skops").contrast_stretch
