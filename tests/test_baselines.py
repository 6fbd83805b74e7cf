import numpy as np
import pytest
from sklearn.base import clone

from somcolor.evaluation.baselines import GrayColorizer, LightnessLookup, PatchRegressor
from somcolor.color import grayscale, lightness, rgb_to_luv


def test_gray_keeps_lightness_and_has_no_chroma(photo):
    (result,) = GrayColorizer().fit([photo]).predict([photo])
    np.testing.assert_allclose(lightness(result), lightness(photo), atol=1e-3)
    np.testing.assert_allclose(result[..., 0], result[..., 1], atol=1e-4)  # D65 white: gray to 1e-5


def test_lightness_lookup_learns_chroma_by_lightness(rule_photos, rule_test_photo):
    model = LightnessLookup(n_bins=20).fit(rule_photos)
    assert model.table_.shape == (20, 2)
    # The rule's colors, less what the sRGB gamut clips: L in [75, 80) and [25, 30).
    assert model.table_[15, 0] > 30 and model.table_[15, 1] > 35
    assert model.table_[5, 0] < -5 and model.table_[5, 1] < -35
    (result,) = model.predict([grayscale(rule_test_photo)])
    uv = rgb_to_luv(result)[..., 1:]
    L = lightness(rule_test_photo)
    assert uv[L > 55, 1].mean() > 20 and uv[L < 45, 1].mean() < -20


def test_patch_regressor(rule_photos, rule_test_photo):
    model = PatchRegressor(patch_size=3, hidden_layer_sizes=(20,), pixels_per_image=800, max_iter=30, random_state=0)
    (result,) = model.fit(rule_photos).predict([rule_test_photo])
    assert result.shape == rule_test_photo.shape
    uv = rgb_to_luv(result)[..., 1:]
    L = lightness(rule_test_photo)
    assert uv[L > 60, 1].mean() > 15 and uv[L < 40, 1].mean() < -15
    assert clone(model).get_params() == model.get_params()


def test_baselines_check_their_inputs(photo):
    with pytest.raises(ValueError, match="'n_bins' parameter of LightnessLookup"):
        LightnessLookup(n_bins=0).fit([photo])
    with pytest.raises(ValueError, match="'patch_size' parameter of PatchRegressor"):
        PatchRegressor(patch_size=2).fit([photo])
    with pytest.raises(ValueError, match="grayscale image"):
        LightnessLookup().fit([photo.mean(axis=2)])
