import numpy as np
import pytest

from somcolor.color import (
    lightness,
    lightness_array,
    luv_to_rgb,
    luv_to_rgb_array,
    merge_luv,
    rgb_to_luv,
)


def test_luv_round_trip(photo):
    luv = rgb_to_luv(photo)
    assert 0.0 <= luv[..., 0].min() and luv[..., 0].max() <= 100.0
    np.testing.assert_allclose(luv_to_rgb(luv), photo, atol=1e-6)


def test_gray_forms_give_the_same_lightness(photo):
    gray = photo.mean(axis=2)
    stacked = np.repeat(gray[..., None], 3, axis=2)
    np.testing.assert_allclose(lightness(gray), lightness(stacked), atol=1e-4)
    np.testing.assert_allclose(rgb_to_luv(stacked)[..., 1:], 0.0, atol=1e-2)


@pytest.mark.parametrize("gray", [False, True])
def test_fast_lightness_matches_scikit_image(photo, gray, rng):
    images = [photo, rng.random((40, 30, 3)), np.zeros((3, 3, 3)), np.ones((3, 3, 3))]
    for image in images:
        if gray:
            image = image.mean(axis=2)
            expected = rgb_to_luv(np.repeat(image[..., None], 3, axis=2))[..., 0]
        else:
            expected = rgb_to_luv(image)[..., 0]
        np.testing.assert_allclose(lightness(image), expected, atol=1e-4)
        np.testing.assert_allclose(lightness_array(image), expected, atol=1e-10)


def test_luv_to_rgb_xp_matches_scikit_image(photo, rng):
    luv = rgb_to_luv(photo)
    # Out-of-gamut chroma too: both clip the same way.
    uv = rng.normal(size=luv[..., 1:].shape) * 60
    for chroma in (luv[..., 1:], uv):
        expected = merge_luv(luv[..., 0], chroma)
        np.testing.assert_allclose(luv_to_rgb_array(luv[..., 0], chroma), expected, atol=1e-10)
        got32 = luv_to_rgb_array(luv[..., 0].astype(np.float32), chroma.astype(np.float32))
        assert got32.dtype == np.float32
        np.testing.assert_allclose(got32, expected, atol=1e-4)


def test_merge_keeps_lightness_of_in_gamut_colors(photo):
    luv = rgb_to_luv(photo)
    rgb = merge_luv(luv[..., 0], luv[..., 1:])
    np.testing.assert_allclose(lightness(rgb), luv[..., 0], atol=1e-3)
