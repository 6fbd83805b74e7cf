import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason='the CNN references need PyTorch: pip install "somcolor[cnn]"'
)

from somcolor.evaluation.cnn import ECCV16, CNNColorizer, load_eccv16  # noqa: E402


@pytest.fixture(scope="module")
def tiny_photos(small_photos):
    return [p[:40, :40] for p in small_photos]


@pytest.mark.parametrize("loss", ["classification", "l1", "l2"])
def test_cnn_trains_and_its_loss_falls(tiny_photos, loss):
    model = CNNColorizer(loss=loss, size=32, width=8, epochs=8, batch_size=2, learning_rate=3e-3, random_state=0)
    model.fit(tiny_photos)
    assert len(model.loss_curve_) == 8
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    results = model.predict([p.mean(axis=2) for p in tiny_photos[:2]] + [np.zeros((21, 35))])
    assert [r.shape for r in results] == [(40, 40, 3), (40, 40, 3), (21, 35, 3)]
    assert all(0 <= r.min() and r.max() <= 1 for r in results)
    if loss == "classification":
        assert model.bin_centers_.shape[1] == 2


def test_cnn_is_seeded(tiny_photos):
    a = CNNColorizer(size=16, width=4, epochs=2, batch_size=2).fit(tiny_photos).predict(tiny_photos[:1])[0]
    b = CNNColorizer(size=16, width=4, epochs=2, batch_size=2).fit(tiny_photos).predict(tiny_photos[:1])[0]
    np.testing.assert_array_equal(a, b)


def test_cnn_checks_parameters(tiny_photos):
    with pytest.raises(ValueError, match="loss must be one of"):
        CNNColorizer(loss="gan").fit(tiny_photos)
    with pytest.raises(ValueError, match="multiple of 8"):
        CNNColorizer(size=30).fit(tiny_photos)
    with pytest.raises(ValueError, match="grayscale image"):
        CNNColorizer(size=16).fit([tiny_photos[0].mean(axis=2)])


def test_eccv16_loader_with_randomly_initialized_weights(tmp_path, photo):
    torch.manual_seed(0)
    path = tmp_path / "eccv16.pth"
    torch.save(ECCV16().state_dict(), path)
    model = load_eccv16(path)
    (result,) = model.predict([photo[:64, :48]])
    assert result.shape == (64, 48, 3) and np.all(np.isfinite(result))
    saved, loaded = torch.load(path, weights_only=True), model.net_.state_dict()
    assert all(torch.equal(loaded[name], tensor) for name, tensor in saved.items())
    # Files saved before batch norm counted its steps lack those keys, and still load.
    state = {k: v for k, v in saved.items() if "num_batches" not in k}
    torch.save(state, tmp_path / "old.pth")
    load_eccv16(tmp_path / "old.pth")


def test_eccv16_loader_refuses_other_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloaded"):
        load_eccv16(tmp_path / "missing.pth")
    other = tmp_path / "other.pth"
    torch.save({"conv.weight": torch.zeros(3)}, other)
    with pytest.raises(ValueError, match="not ECCV16 weights"):
        load_eccv16(other)
    junk = tmp_path / "junk.pth"
    junk.write_text("junk")
    with pytest.raises(ValueError, match="not a PyTorch weights file"):
        load_eccv16(junk)
