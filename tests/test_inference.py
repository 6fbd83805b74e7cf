"""The fast colorization paths against the exact scikit-learn / scikit-image path."""

import copy

import numpy as np
import pytest

from somcolor import SOMColorizer
from somcolor.color import lightness
from somcolor.features.context import context_at, image_context
from somcolor.features.patches import extract_patches_reference, pad_lightness, patches_array
from array_reference import colorize_array
from somcolor.inference.exact import colorize_exact
from somcolor.inference.fused import CpuBackend, pack
from somcolor.inference.plan import plan_of
from somcolor.network import network_of
from somcolor.network.mlp import logits_array


def reference_rgb(model, gray):
    return colorize_exact(gray, model)


@pytest.fixture(scope="module")
def grays(small_photos, photo):
    wide = np.tile(photo.mean(axis=2), (1, 4))[:70, :531]  # several 256-pixel chunks and a remainder
    return [p.mean(axis=2) for p in small_photos[:2]] + [wide]


@pytest.mark.parametrize("decode", ["argmax", "annealed_mean"])
def test_predict_matches_the_reference(fitted, grays, decode):
    model = copy.deepcopy(fitted).set_params(decode=decode)
    for gray, fast in zip(grays, model.predict(grays)):
        assert fast.dtype == np.float32 and fast.shape == (*gray.shape, 3)
        np.testing.assert_allclose(fast, reference_rgb(model, gray), atol=1e-3)


def test_numpy_array_code_path_matches_the_reference(fitted, grays):
    for gray in grays:
        rgb = colorize_array(lightness(gray), plan_of(fitted), block_pixels=1000)
        np.testing.assert_allclose(rgb, reference_rgb(fitted, gray), atol=1e-4)


def test_argmax_classes_agree_except_near_ties(fitted, grays):
    L = lightness(grays[2])
    features = patches_array(pad_lightness(L, 5), 5)
    np.testing.assert_array_equal(features, extract_patches_reference(L, 5))
    rows, cols = np.divmod(np.arange(L.size), L.shape[1])
    context = context_at(image_context(L, fitted.context_), rows, cols)
    features = np.concatenate([features, context], axis=1)
    logits = logits_array(features, network_of(fitted.mlp_))
    proba = fitted.mlp_.predict_proba(features)
    ours, theirs = logits.argmax(axis=1), proba.argmax(axis=1)
    top2 = np.sort(proba, axis=1)[:, -2:]
    near_tie = (top2[:, 1] - top2[:, 0]) < 1e-5
    assert np.all((ours == theirs) | near_tie)
    assert np.mean(ours == theirs) > 0.999


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_layer_sizes": (7,), "n_colors": 2},  # one logistic output unit
        {"hidden_layer_sizes": (9, 5, 3), "n_colors": 5, "patch_size": 3},  # odd widths, 3 layers
        {"hidden_layer_sizes": (6,), "n_colors": 4, "patch_size": 1},
        {"hidden_layer_sizes": (4, 4), "n_colors": 9, "patch_size": 7, "decode": "argmax"},
    ],
)
def test_fused_kernel_handles_any_network_shape(train_paths, grays, params):
    model = SOMColorizer(pixels_per_image=300, max_iter=2, random_state=0, **params).fit(train_paths[:3])
    gray = grays[0]
    np.testing.assert_allclose(model.predict([gray])[0], reference_rgb(model, gray), atol=1e-3)


@pytest.mark.parametrize("activation", ["tanh", "logistic", "identity"])
def test_fused_kernel_activations(fitted, grays, activation):
    network = network_of(fitted.mlp_)._replace(activation=activation)
    plan = plan_of(fitted)._replace(network=network, fused=pack(network, fitted.context_), smooth_radius=0,
                                    lightness_spread=None)
    L = lightness(grays[0])
    np.testing.assert_allclose(CpuBackend(plan).rgb(L), colorize_array(L, plan), atol=1e-4)


def test_subnormal_weights_are_flushed(fitted):
    for array in fitted.mlp_.coefs_ + fitted.mlp_.intercepts_:
        small = np.abs(array) < 1e-30
        assert np.all(array[small] == 0)


def test_cuda_without_a_gpu_names_the_extra():
    import os
    import subprocess
    import sys

    code = "from somcolor import SOMColorizer; SOMColorizer(device='cuda').fit(['x.png'])"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    if "no such file" in run.stderr:
        pytest.skip("a CUDA GPU is present here")
    assert run.returncode == 1
    assert 'ImportError: device="cuda" needs an NVIDIA GPU' in run.stderr
    assert 'pip install "somcolor[gpu]"' in run.stderr


def test_unknown_device(fitted, grays):
    with pytest.raises(ValueError, match="'device' parameter of SOMColorizer must be a str among"):
        SOMColorizer(device="tpu").fit(grays)


def test_black_and_extreme_inputs_stay_finite(fitted):
    gray = np.zeros((20, 30))
    gray[5:10, 5:10] = 1.0
    for decode in ("argmax", "annealed_mean"):
        (rgb,) = copy.deepcopy(fitted).set_params(decode=decode).predict([gray])
        assert np.all(np.isfinite(rgb))
        np.testing.assert_allclose(rgb[0, 0], 0.0, atol=1e-6)
        assert rgb[7, 7].max() == pytest.approx(1.0, abs=1e-3)


def test_fused_probabilities_match_predict_proba_and_decode_to_predict(fitted, grays):
    fitted = clone_with(fitted, contrast_stretch=False)  # the backend's steps on L as given
    plan = plan_of(fitted)
    gray = grays[1]
    L = lightness(gray)
    proba = CpuBackend(plan).probabilities(L)
    (expected,) = fitted.predict_proba([gray])
    assert proba.shape == (fitted.n_colors, *L.shape) and proba.dtype == np.float32
    np.testing.assert_allclose(np.moveaxis(proba, 0, -1), expected, atol=1e-4)
    rgb = CpuBackend(plan._replace(smooth_radius=0)).rgb(L, proba=proba)
    np.testing.assert_allclose(rgb, clone_with(fitted, smooth_radius=0).predict([gray])[0], atol=1e-3)
    smoothed = CpuBackend(plan._replace(smooth_radius=3)).rgb(L, proba=proba)
    np.testing.assert_allclose(smoothed, clone_with(fitted, smooth_radius=3).predict([gray])[0], atol=1e-3)


def clone_with(model, **params):
    import copy

    return copy.deepcopy(model).set_params(**params)


def test_the_exact_reference_goes_through_the_same_bands_and_working_resolution(train_paths, photo):
    from somcolor.inference.backend import backend_of
    from somcolor.inference.exact import ExactBackend
    from somcolor.inference.working import colorize_image

    model = SOMColorizer(pixels_per_image=300, max_iter=2, random_state=0, scales=(2,), local_radii=(3,),
                         global_features=True).fit(train_paths[:3])
    plan = model.colorize_plan()
    assert type(backend_of(plan)) is CpuBackend
    image = (photo[:60, :45] * 255).astype(np.uint8)
    whole = colorize_image(image, plan, ExactBackend(model))
    # Bands of 8 rows, each with its margin, and the whole image: the same colors by the exact path as by
    # the fused pass.
    banded = colorize_image(image, plan, ExactBackend(model), band_pixels=360)
    np.testing.assert_allclose(banded, whole, atol=1e-5)
    np.testing.assert_allclose(colorize_image(image, plan, CpuBackend(plan), band_pixels=360), whole, atol=1e-3)
    small = plan._replace(working_side=20)  # k = 2: colorized at half size, chroma brought back
    np.testing.assert_allclose(colorize_image(image, small, CpuBackend(small)),
                               colorize_image(image, small, ExactBackend(model)), atol=2e-3)


@pytest.mark.parametrize("params", [{}, {"scales": (2, 4), "global_features": True, "local_radii": (3, 9)},
                                    {"texture_scales": (1, 3), "local_radii": (3,)}])
def test_bands_colorize_exactly_as_the_whole_image(train_paths, photo, params):
    from somcolor.inference.plan import colorize
    from somcolor.inference.working import margin_rows

    model = SOMColorizer(pixels_per_image=300, max_iter=2, random_state=0, **params).fit(train_paths[:3])
    plan = model.colorize_plan()
    image = (np.tile(photo, (3, 2, 1))[:437, :291] * 255).astype(np.uint8)
    whole = colorize(image, plan)
    context = plan.context
    assert margin_rows(plan) == max(2, *context.local_radii, *(5 * s for s in context.texture_scales),
                                    *(4 * s for s in context.scales)) + 16
    for band_pixels in (3000, 20_000, 100_000):  # bands of 10, 68 and 343 rows
        np.testing.assert_allclose(colorize(image, plan, band_pixels=band_pixels), whole, atol=1e-5)
    as_bytes = colorize(image, plan, dtype=np.uint8, band_pixels=20_000)
    assert as_bytes.dtype == np.uint8
    assert np.abs(as_bytes.astype(int) - np.floor(whole * 255 + 0.5)).max() <= 1


def test_a_photo_much_larger_than_the_training_photos_is_colorized_at_their_scale(small_photos, photo):
    from somcolor.inference.plan import colorize

    crops = [p[:40, :40] for p in small_photos]
    model = SOMColorizer(pixels_per_image=300, max_iter=2, random_state=0).fit(crops)
    assert model.training_side_ == 40
    plan = model.colorize_plan()
    large = np.repeat(np.repeat((photo * 255).astype(np.uint8), 2, axis=0), 2, axis=1)[:257, :300]  # k = 6
    fast = colorize(large, plan)
    assert fast.shape == (257, 300, 3)
    np.testing.assert_allclose(fast, colorize_exact(large, model), atol=2e-3)
    np.testing.assert_allclose(colorize(large, plan, band_pixels=9000), fast, atol=1e-5)
    at_own_size = colorize(large, plan._replace(working_side=None))
    # It did colorize differently: by far more than the paths' rounding (1e-5 above), though a model of two
    # epochs on six crops guesses near-uniform colors at either size.
    assert np.abs(at_own_size - fast).max() > 0.01
    assert np.abs(lightness(fast) - lightness(large)).mean() < 0.5  # the photo's own L, at full resolution
