import numpy as np
import pytest

from somcolor import SCORERS, metrics


def test_psnr_known_value():
    original = np.full((4, 4, 3), 0.5)
    result = original + 0.1  # MSE 0.01 -> 20 dB
    assert metrics.psnr([result], [original]) == pytest.approx(20.0)
    assert metrics.psnr([result, original + 0.01], [original, original]) == pytest.approx(30.0)


def test_ssim_of_identical_images_is_one(photo):
    assert metrics.ssim([photo], [photo]) == pytest.approx(1.0)
    assert metrics.ssim([photo[::-1]], [photo]) < 0.5


def test_colorfulness_known_value():
    red = np.zeros((2, 2, 3))
    red[..., 0] = 1.0  # rg = 255, yb = 127.5, no spread
    assert metrics.colorfulness([red]) == pytest.approx(0.3 * np.hypot(255, 127.5))
    half = np.zeros((2, 2, 3))
    half[0, :, 0] = 1.0  # rg is 255 or 0: std 127.5, mean 127.5; yb likewise halved
    expected = np.hypot(127.5, 63.75) + 0.3 * np.hypot(127.5, 63.75)
    assert metrics.colorfulness([half]) == pytest.approx(expected)


def test_mismatches_are_reported(photo):
    with pytest.raises(ValueError, match="2 results but 1 originals"):
        metrics.psnr([photo, photo], [photo])
    with pytest.raises(ValueError, match="image 0: result of shape"):
        metrics.ssim([photo[:10]], [photo])
    with pytest.raises(ValueError, match="no images"):
        metrics.psnr([], [])


def test_rmse_known_value():
    original = np.full((3, 4, 3), 0.5)
    assert metrics.rmse([original + 0.1], [original]) == pytest.approx(0.1)
    assert metrics.rmse([original + 0.1, original], [original, original]) == pytest.approx(np.sqrt(0.005))


def test_auc_of_known_errors():
    ones = np.ones(2)
    assert metrics.auc_of_errors(np.array([0.0, 0.0]), ones) == pytest.approx(1.0)
    assert metrics.auc_of_errors(np.array([200.0, 300.0]), ones) == pytest.approx(0.0)
    # Half the pixels are exact, half 100 off: share 0.5 below 100, 1 from 100 to 150.
    assert metrics.auc_of_errors(np.array([0.0, 100.0]), ones) == pytest.approx((100 * 0.5 + 51) / 151)
    # Weighting the 100-off pixel 3x: share 0.25 below 100.
    assert metrics.auc_of_errors(np.array([0.0, 100.0]), np.array([1.0, 3.0])) == pytest.approx((100 * 0.25 + 51) / 151)


def test_inverse_bin_frequency():
    ab = np.array([[1.0, 1.0], [2.0, 3.0], [9.0, 0.0], [55.0, -20.0]])  # three in one 10 x 10 bin
    np.testing.assert_allclose(metrics.inverse_bin_frequency(ab), [1 / 3, 1 / 3, 1 / 3, 1.0])


def test_auc_on_images(photo):
    assert metrics.auc([photo], [photo]) == pytest.approx(1.0)
    assert metrics.rebalanced_auc([photo], [photo]) == pytest.approx(1.0)
    # A uniform color against its gray: every pixel has the same ab error e.
    color = np.zeros((4, 4, 3))
    color[..., 0], color[..., 1], color[..., 2] = 0.8, 0.4, 0.2
    from skimage.color import lab2rgb, rgb2lab

    lab = rgb2lab(color)
    gray = lab2rgb(np.concatenate([lab[..., :1], np.zeros((4, 4, 2))], axis=2))
    e = np.hypot(*lab[0, 0, 1:])
    expected = np.count_nonzero(metrics.AUC_THRESHOLDS >= e) / 151
    assert metrics.auc([gray], [color]) == pytest.approx(expected, abs=1 / 151)
    assert metrics.rebalanced_auc([gray], [color]) == pytest.approx(expected, abs=1 / 151)


def test_rebalancing_counts_rare_colors_more(photo):
    # Gray out the rarest-colored pixels only: the rebalanced AuC drops more than the raw one.
    from skimage.color import rgb2lab

    ab = rgb2lab(photo)[..., 1:]
    weights = metrics.inverse_bin_frequency(ab.reshape(-1, 2)).reshape(ab.shape[:2])
    rare = weights > np.quantile(weights, 0.9)
    damaged = photo.copy()
    damaged[rare] = damaged[rare].mean(axis=1, keepdims=True)
    raw, rebalanced = metrics.auc([damaged], [photo]), metrics.rebalanced_auc([damaged], [photo])
    assert rebalanced < raw < 1.0


def test_pixel_accuracy(photo):
    codebook = np.array([[0.0, 0.0], [50.0, 50.0], [-30.0, -60.0]])
    assert metrics.pixel_accuracy([photo], [photo], codebook) == 1.0
    gray = np.repeat(photo.mean(axis=2, keepdims=True), 3, axis=2)
    assert 0.0 < metrics.pixel_accuracy([gray], [photo], codebook) < 1.0


def test_scorers_in_grid_search(small_photos):
    from sklearn.model_selection import GridSearchCV, KFold

    from somcolor import SOMColorizer

    photos = small_photos + [p[:, ::-1] for p in small_photos]
    search = GridSearchCV(
        SOMColorizer(n_colors=4, pixels_per_image=300, max_iter=2, random_state=0),
        {"patch_size": [1, 3]},
        scoring=dict(SCORERS),
        refit="psnr",
        cv=KFold(2),
    )
    search.fit(photos)
    for name in SCORERS:
        scores = search.cv_results_[f"mean_test_{name}"]
        assert np.all(np.isfinite(scores)), name
    assert np.all(search.cv_results_["mean_test_neg_rmse"] < 0)
    assert np.all((search.cv_results_["mean_test_auc"] > 0.5) & (search.cv_results_["mean_test_auc"] <= 1))
