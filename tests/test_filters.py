import copy

import numpy as np
import pytest

from somcolor.color import lightness, rgb_to_luv
from somcolor.filters import _kernels
from somcolor.filters.guided import box_mean_array, guided_filter, guided_filter_array
from array_reference import colorize_array
from somcolor.inference.fused import CpuBackend
from somcolor.inference.plan import plan_of


def test_box_mean_against_a_direct_window_mean(rng):
    a = rng.random((2, 9, 7))
    r = 2
    expected = np.empty_like(a)
    for i in range(9):
        for j in range(7):
            expected[:, i, j] = a[:, max(0, i - r) : i + r + 1, max(0, j - r) : j + r + 1].mean(axis=(1, 2))
    np.testing.assert_allclose(box_mean_array(a, r), expected)


@pytest.mark.parametrize("shape, radius", [((1, 1), 3), ((5, 40), 1), ((33, 6), 8), ((20, 20), 0)])
def test_numba_kernels_match_the_references_at_any_size(rng, shape, radius):
    a = rng.random(shape)
    out = np.empty((2, *shape))
    _kernels.box_means(np.stack([a, 1 - a]), radius, out)
    np.testing.assert_allclose(out[0], box_mean_array(a, radius), atol=1e-12)
    np.testing.assert_allclose(out[1], 1 - out[0], atol=1e-12)
    src = rng.random((2, *shape)) * 50
    np.testing.assert_allclose(
        guided_filter(a, src, radius, 1e-3), guided_filter_array(a, src, radius, 1e-3), atol=1e-8
    )
    np.testing.assert_allclose(
        guided_filter(a, src[0], radius, 1e-3), guided_filter_array(a, src[0], radius, 1e-3), atol=1e-8,
    )
    single = guided_filter(a.astype(np.float32), src.astype(np.float32), radius, 1e-3)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, guided_filter_array(a, src, radius, 1e-3), atol=1e-3)


def test_constant_chroma_stays_constant(photo):
    guide = lightness(photo) / 100
    uv = np.stack([np.full(guide.shape, 12.0), np.full(guide.shape, -30.0)])
    np.testing.assert_allclose(guided_filter(guide, uv, 4, 1e-3), uv, atol=1e-8)


def test_step_edge_is_preserved_and_flat_noise_removed(rng):
    guide = np.zeros((40, 40))
    guide[:, 20:] = 0.8  # a step edge in L
    chroma = np.where(guide > 0, 40.0, -20.0) + rng.normal(0, 8, size=guide.shape)
    smoothed = guided_filter(guide, chroma, 4, 1e-3)
    left, right = smoothed[:, 2:18], smoothed[:, 22:38]
    assert abs(left.mean() + 20) < 1 and abs(right.mean() - 40) < 1
    assert left.std() < 8 / 3 and right.std() < 8 / 3  # noise down by more than 3x
    # No bleeding: the columns next to the edge keep their side's color.
    assert smoothed[:, 19].mean() < -15 and smoothed[:, 20].mean() > 35


def test_smoothing_paths_agree_and_reduce_speckle(fitted, photo):
    L = lightness(photo.mean(axis=2))
    # The backend's steps on L as given (working.py decides whether the features see it stretched).
    plan = plan_of(fitted)._replace(decode="annealed_mean", temperature=0.38, smooth_radius=3, lightness_spread=None)
    fused = CpuBackend(plan).rgb(L)
    np.testing.assert_allclose(fused, colorize_array(L, plan), atol=1e-3)
    plain = CpuBackend(plan._replace(smooth_radius=0)).rgb(L)
    roughness = [np.abs(np.diff(rgb_to_luv(x)[..., 1:], axis=1)).mean() for x in (plain, fused)]
    assert roughness[1] < 0.7 * roughness[0]
    model = copy.deepcopy(fitted).set_params(smooth_radius=3, temperature=0.38, contrast_stretch=False)
    np.testing.assert_allclose(model.predict([photo.mean(axis=2)])[0], fused, atol=1e-5)


@pytest.mark.parametrize("params, message", [({"smooth_radius": -1}, "'smooth_radius' parameter"),
                                             ({"smooth_eps": 0}, "'smooth_eps' parameter")])
def test_smoothing_parameters_are_checked(fitted, photo, params, message):
    with pytest.raises(ValueError, match=message):
        copy.deepcopy(fitted).set_params(**params).predict([photo])
