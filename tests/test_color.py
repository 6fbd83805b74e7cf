import numpy as np

from somcolor.color import lightness, luv_to_rgb, merge_luv, rgb_to_luv


def test_luv_round_trip(photo):
    luv = rgb_to_luv(photo)
    assert 0.0 <= luv[..., 0].min() and luv[..., 0].max() <= 100.0
    np.testing.assert_allclose(luv_to_rgb(luv), photo, atol=1e-6)


def test_gray_forms_give_the_same_lightness(photo):
    gray = photo.mean(axis=2)
    stacked = np.repeat(gray[..., None], 3, axis=2)
    np.testing.assert_allclose(lightness(gray), lightness(stacked))
    np.testing.assert_allclose(rgb_to_luv(stacked)[..., 1:], 0.0, atol=1e-2)


def test_lightness_of_a_photo_is_its_luv_l(photo):
    np.testing.assert_array_equal(lightness(photo), rgb_to_luv(photo)[..., 0])
    np.testing.assert_allclose(lightness(np.ones((2, 2))), 100.0)
    np.testing.assert_allclose(lightness(np.zeros((2, 2))), 0.0)


def test_merge_keeps_lightness_of_in_gamut_colors(photo):
    luv = rgb_to_luv(photo)
    rgb = merge_luv(luv[..., 0], luv[..., 1:])
    np.testing.assert_allclose(lightness(rgb), luv[..., 0], atol=1e-4)
