import numpy as np
import pytest

from somcolor.color import lightness
from somcolor.features.patches import extract_patches, extract_patches_reference, iter_patch_blocks, row_blocks
from somcolor.features.sampling import sample_pixels


@pytest.mark.parametrize("p", [1, 3, 5, 11])
def test_numba_matches_numpy_on_all_pixels(photo, p):
    L = lightness(photo[:37, :29])
    np.testing.assert_array_equal(extract_patches(L, p), extract_patches_reference(L, p))


@pytest.mark.parametrize("p", [3, 5, 11])
def test_numba_matches_numpy_at_borders_and_samples(photo, p):
    L = lightness(photo)
    h, w = L.shape
    rows = np.array([0, 0, h - 1, h - 1, 1, 75, 149, 3])
    cols = np.array([0, w - 1, 0, w - 1, 148, 75, 2, 0])
    np.testing.assert_array_equal(
        extract_patches(L, p, rows, cols), extract_patches_reference(L, p, rows, cols)
    )


def test_known_reflected_corner():
    L = np.arange(16.0).reshape(4, 4) * 10  # L / 100 is 0.0 .. 1.5 in steps of 0.1
    corner = extract_patches(L, 3, np.array([0]), np.array([0]))
    expected = np.array([[0.5, 0.4, 0.5], [0.1, 0.0, 0.1], [0.5, 0.4, 0.5]], np.float32)
    np.testing.assert_allclose(corner.reshape(3, 3), expected)
    center = extract_patches(L, 3, np.array([1]), np.array([2]))
    np.testing.assert_allclose(center.reshape(3, 3), L[0:3, 1:4] / 100)


def test_features_are_scaled_float32(photo):
    features = extract_patches(lightness(photo), 5)
    assert features.dtype == np.float32
    assert features.shape == (150 * 150, 25)
    assert 0.0 <= features.min() and features.max() <= 1.0
    # The centre column is the pixel itself.
    np.testing.assert_allclose(features[:, 12], lightness(photo).ravel() / 100, atol=1e-6)


def test_blocks_cover_the_image(photo):
    L = lightness(photo[:50, :33])
    pieces = list(iter_patch_blocks(L, 5, block_pixels=200))
    assert pieces[0][0] == 0 and pieces[-1][1] == L.size
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    np.testing.assert_array_equal(
        np.concatenate([f for _, _, f in pieces]), extract_patches_reference(L, 5)
    )


@pytest.mark.parametrize("bad", [0, 2, -3, 4.0, "5", None, 33])
def test_patch_size_must_be_odd_positive_int(bad, photo):
    from somcolor import SOMColorizer

    with pytest.raises(ValueError, match="'patch_size' parameter of SOMColorizer must be"):
        SOMColorizer(patch_size=bad).fit([photo])


def test_row_blocks_cover_the_image_once():
    blocks = list(row_blocks(10, 7, 20))
    assert blocks[0][0] == 0 and blocks[-1][1] == 10
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
    assert list(row_blocks(3, 100, 10)) == [(0, 1), (1, 2), (2, 3)]  # at least one row per block


def test_sampling_is_seeded_and_distinct():
    a = sample_pixels((40, 30), 500, np.random.RandomState(3))
    b = sample_pixels((40, 30), 500, np.random.RandomState(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    flat = a[0] * 30 + a[1]
    assert len(np.unique(flat)) == 500
    assert a[0].max() < 40 and a[1].max() < 30
    rows, cols = sample_pixels((4, 5), 2500, np.random.RandomState(0))
    assert len(rows) == 20 and len(np.unique(rows * 5 + cols)) == 20
