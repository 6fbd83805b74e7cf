import numpy as np
import pytest

from somcolor import SOMColorizer
from somcolor.color import grayscale, lightness, luv_to_rgb
from somcolor.features.context import (
    N_GLOBAL,
    Context,
    coarse_patches,
    context_at,
    global_descriptor,
    image_context,
    local_statistics,
    texture_energies,
)
from somcolor.features.patches import extract_patches_reference
from somcolor.features.sampling import pixel_features
from somcolor.filters.resample import downscale
from array_reference import colorize_array
from somcolor.inference.exact import colorize_exact
from somcolor.inference.plan import plan_of

ALL = Context(patch_size=3, scales=(2, 4), position=True, local_radii=(2, 5), global_features=True,
              texture_scales=(1, 3))


def every_pixel(shape):
    rows, cols = np.divmod(np.arange(shape[0] * shape[1]), shape[1])
    return rows, cols


def test_feature_count_and_order(photo):
    L = lightness(photo)[:40, :30]
    features = pixel_features(L, ALL, *every_pixel(L.shape))
    assert features.shape == (1200, 9 + ALL.n_features)
    assert ALL.n_features == 2 + 4 + 8 + 9 * 2 + N_GLOBAL
    assert features.dtype == np.float32
    np.testing.assert_allclose(features[:, :9], extract_patches_reference(L, 3), atol=1e-6)
    assert not Context(5) and Context(5).n_features == 0


def test_multiscale_features_of_a_constant_image_are_constant():
    L = np.full((37, 53), 42.0)
    context = Context(patch_size=5, scales=(2, 4, 8))
    features = context_at(image_context(L, context), *every_pixel(L.shape))
    np.testing.assert_allclose(features, 0.42, atol=1e-6)


def test_multiscale_features_are_the_coarse_patch_at_coarse_pixel_centres(photo):
    L = lightness(photo)[:63, :63]
    context = Context(patch_size=3, scales=(3,))
    # Pixel 3m + 1 is the centre of coarse pixel m: its features are that coarse patch.
    rows, cols = np.meshgrid(np.arange(1, 63, 3), np.arange(1, 63, 3), indexing="ij")
    image = image_context(L, context)
    features = context_at(image, rows.ravel(), cols.ravel())
    expected = extract_patches_reference(downscale(L, 3), 3)
    np.testing.assert_allclose(features, expected, atol=1e-5)
    # Between centres the features interpolate: never outside the coarse values' range.
    grid = coarse_patches(L, 3, 3)
    assert grid.shape == (22, 22, 9)
    features = context_at(image, *every_pixel(L.shape))
    assert features.min() >= grid.min() - 1e-6 and features.max() <= grid.max() + 1e-6


def test_tiny_image_smaller_than_a_coarse_patch():
    L = np.linspace(0, 100, 15).reshape(3, 5)
    features = pixel_features(L, Context(patch_size=3, scales=(8,)), *every_pixel(L.shape))
    # One coarse pixel: its patch is its own mean everywhere.
    np.testing.assert_allclose(features[:, 9:], L.mean() / 100, atol=1e-6)


def test_position_features_are_invariant_to_image_content(photo):
    context = Context(patch_size=1, position=True)
    pixels = every_pixel((20, 30))
    a = context_at(image_context(lightness(photo)[:20, :30], context), *pixels)
    b = context_at(image_context(np.zeros((20, 30)), context), *pixels)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[:, 0], (pixels[0] + 0.5) / 20, atol=1e-7)
    np.testing.assert_allclose(a[:, 1], (pixels[1] + 0.5) / 30, atol=1e-7)


def test_local_statistics_match_a_direct_window_computation(photo):
    L = lightness(photo)[:30, :25]
    mean, std, mean_1, std_1 = local_statistics(L, (3, 1))
    assert mean_1[5, 5] == pytest.approx(L[4:7, 4:7].mean() / 100, abs=1e-6)
    assert std_1[5, 5] == pytest.approx(L[4:7, 4:7].std() / 100, abs=1e-4)
    for i, j in [(0, 0), (10, 12), (29, 24), (3, 20)]:
        window = L[max(i - 3, 0) : i + 4, max(j - 3, 0) : j + 4] / 100
        assert mean[i, j] == pytest.approx(window.mean(), abs=1e-6)
        assert std[i, j] == pytest.approx(window.std(), abs=1e-4)


def test_texture_energies_match_a_direct_window_computation(photo):
    L = lightness(photo)[:30, :25]
    planes = texture_energies(L, (1, 2))
    assert planes.shape == (8, 30, 25) and planes.dtype == np.float32
    padded = np.pad(L / 100, 2, mode="edge")
    for k, s in enumerate((1, 2)):
        window = 4 * s
        for i, j in [(0, 0), (10, 12), (29, 24), (3, 20)]:
            rows = range(max(i - window, 0), min(i + window + 1, 30))
            cols = range(max(j - window, 0), min(j + window + 1, 25))
            # Differences of the pixels s before and after, along rows, columns and both diagonals.
            steps = [(0, s), (s, 0), (s, s), (s, -s)]
            for o, (dy, dx) in enumerate(steps):
                squares = [(padded[y + 2 + dy, x + 2 + dx] - padded[y + 2 - dy, x + 2 - dx]) ** 2
                           for y in rows for x in cols]
                assert planes[4 * k + o, i, j] == pytest.approx(np.sqrt(np.mean(squares)), abs=1e-5)


def test_texture_tells_the_orientation_of_stripes():
    stripes = np.tile([0.0, 0.0, 100.0, 100.0], (16, 4))  # vertical, 2 pixels wide
    np.testing.assert_allclose(texture_energies(stripes, (1,))[:, 8, 8], [1, 0, 1, 1], atol=1e-6)
    np.testing.assert_allclose(texture_energies(stripes.T, (1,))[:, 8, 8], [0, 1, 1, 1], atol=1e-6)
    # 4 apart, a stripe pattern of period 4 repeats: no energy away from the image's edges.
    np.testing.assert_allclose(texture_energies(np.tile(stripes, (2, 2)), (2,))[:, 16, 16], 0, atol=1e-6)
    assert not texture_energies(np.full((12, 12), 37.0), (1, 3)).any()


def test_global_descriptor_known_answer(photo):
    L = lightness(photo)
    descriptor = global_descriptor(L)
    assert descriptor.shape == (N_GLOBAL,)
    assert descriptor[:16].sum() == pytest.approx(1.0)
    assert descriptor[16] == pytest.approx(L.mean() / 100)
    assert descriptor[17] == pytest.approx(L.std() / 100)
    np.testing.assert_allclose(descriptor[:16], np.histogram(L / 100, bins=16, range=(0, 1))[0] / L.size)



@pytest.fixture(scope="module")
def context_model(train_paths):
    params = dict(scales=(2, 4, 8), position=True, local_radii=(4,), global_features=True, texture_scales=(1,),
                  smooth_radius=0)
    return SOMColorizer(pixels_per_image=400, max_iter=2, random_state=0, **params).fit(train_paths[:4])


def test_fast_paths_match_the_reference_with_every_context_feature(context_model, photo, small_photos):
    assert context_model.mlp_.coefs_[0].shape[0] == 25 + 2 + 2 + 4 + 3 * 25 + N_GLOBAL
    for image in [photo, small_photos[0], small_photos[3]]:
        gray = grayscale(image)
        reference = colorize_exact(gray, context_model)
        np.testing.assert_allclose(context_model.predict([gray])[0], reference, atol=1e-3)
        by_array = colorize_array(lightness(gray), plan_of(context_model), block_pixels=999)
        np.testing.assert_allclose(by_array, reference, atol=1e-4)


def test_position_lets_the_model_learn_what_a_patch_cannot(small_photos):
    """Same lightness, different color by height: only the position tells them apart."""
    def recolor(photo):
        L = lightness(photo)
        top = np.arange(L.shape[0])[:, None] < L.shape[0] / 2
        uv = np.stack([np.where(top, -20.0, 30.0), np.where(top, -40.0, 40.0)], axis=2) * np.ones_like(L)[..., None]
        return luv_to_rgb(np.concatenate([L[..., None], uv], axis=2))

    photos = [recolor(p) for p in small_photos]
    params = dict(patch_size=3, n_colors=4, hidden_layer_sizes=(20,), pixels_per_image=1500, max_iter=30,
                  learning_rate_init=0.01, rebalance=None, local_radii=(), random_state=0)
    blind = SOMColorizer(position=False, **params).fit(photos[:3])
    seeing = SOMColorizer(position=True, **params).fit(photos[:3])
    assert seeing.score(photos[3:]) > 0.85 > blind.score(photos[3:]) + 0.2


@pytest.mark.parametrize(
    "params, message",
    [
        ({"scales": (1,)}, r"'scales' parameter of SOMColorizer must be an int in \[2, 64\]"),
        ({"scales": "2"}, "'scales' parameter"),
        ({"local_radii": (0, 4)}, r"'local_radii' parameter of SOMColorizer must be an int in \[1, 256\]"),
        ({"texture_scales": (0,)}, r"'texture_scales' parameter of SOMColorizer must be an int in \[1, 32\]"),
        ({"position": "yes"}, "'position' parameter of SOMColorizer must be an instance of 'bool'"),
        ({"global_features": 1}, "'global_features' parameter of SOMColorizer must be an instance of 'bool'"),
    ],
)
def test_bad_context_parameters(params, message, train_paths):
    with pytest.raises(ValueError, match=message):
        SOMColorizer(**params).fit(train_paths[:1])
