import numpy as np
import pytest

from somcolor import metrics


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
