import copy

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from somcolor import ImageError, SOMColorizer
from somcolor.color import grayscale, lightness, rgb_to_luv
from somcolor.network import decode_chroma, rebalancing_weights

FAST = dict(pixels_per_image=400, max_iter=2, random_state=0)


def test_learns_a_simple_color_rule(rule_photos, rule_test_photo):
    train = rule_photos
    model = SOMColorizer(
        patch_size=1, n_colors=4, hidden_layer_sizes=(20,), pixels_per_image=1500,
        max_iter=40, learning_rate_init=0.01, rebalance=None, decode="argmax", random_state=0,
    ).fit(train)
    test = rule_test_photo
    assert model.score([test]) > 0.9
    (result,) = model.predict([grayscale(test)])
    L = lightness(test)
    uv = rgb_to_luv(result)[..., 1:]
    assert uv[L > 55, 0].mean() > 20 and uv[L > 55, 1].mean() > 20
    assert uv[L < 45, 1].mean() < -20


def test_predict_accepts_every_gray_form(fitted, photo, tmp_path):
    from somcolor.io.writing import write_png

    gray = grayscale(photo)
    path = tmp_path / "photo.png"
    write_png(path, photo)
    forms = [gray, np.repeat(gray[..., None], 3, axis=2), photo, (photo * 255).astype(np.uint8), path, str(path)]
    results = fitted.predict(forms)
    assert len(results) == len(forms)
    for result in results:
        assert result.shape == (150, 150, 3)
        assert 0.0 <= result.min() and result.max() <= 1.0
    np.testing.assert_allclose(results[0], results[1], atol=1e-6)
    np.testing.assert_allclose(results[2], results[3], atol=0.02)
    # The gray photo holds the photo's lightness, so it colorizes alike.
    np.testing.assert_allclose(results[0], results[2], atol=2e-3)


def test_outputs_keep_size_and_lightness(fitted, small_photos):
    results = fitted.predict(small_photos)
    for result, original in zip(results, small_photos):
        assert result.shape == original.shape
        # Lightness is the input's wherever the predicted color is in gamut.
        assert np.median(np.abs(lightness(result) - lightness(original))) < 0.5
    stack = fitted.predict(np.stack([small_photos[2]] * 2))
    assert len(stack) == 2


def test_predict_proba(fitted, small_photos):
    proba = fitted.predict_proba(small_photos[:2])
    for p, image in zip(proba, small_photos):
        assert p.shape == (*image.shape[:2], fitted.n_colors)
        np.testing.assert_allclose(p.sum(axis=2), 1.0, atol=1e-4)


def test_score_is_an_accuracy(fitted, test_paths):
    score = fitted.score(test_paths)
    assert 0.2 < score <= 1.0


def test_argmax_uses_codewords(fitted, photo):
    model = copy.deepcopy(fitted).set_params(decode="argmax", smooth_radius=0)
    (result,) = model.predict([photo])
    uv = rgb_to_luv(result)[..., 1:].reshape(-1, 2)
    codebook = fitted.quantizer_.codebook_
    distance = np.min(np.linalg.norm(uv[:, None] - codebook[None], axis=2), axis=1)
    in_gamut = np.all((result > 0.002) & (result < 0.998), axis=2).ravel()
    assert np.median(distance[in_gamut]) < 0.5


def test_fit_is_deterministic(train_paths, test_paths):
    a = SOMColorizer(**FAST).fit(train_paths).predict(test_paths[:1])[0]
    b = SOMColorizer(**FAST).fit(train_paths).predict(test_paths[:1])[0]
    np.testing.assert_array_equal(a, b)


def test_fitted_attributes(fitted):
    assert fitted.quantizer_.codebook_.shape == (9, 2)
    assert fitted.class_frequencies_.sum() == pytest.approx(1.0)
    assert np.dot(fitted.class_frequencies_, fitted.class_weights_) == pytest.approx(1.0)
    assert fitted.n_iter_ == len(fitted.loss_curve_) <= 3
    assert fitted.mlp_.classes_.tolist() == list(range(9))


def test_decode_chroma_known_answers():
    codebook = np.array([[10.0, 0.0], [0.0, 20.0]])
    proba = np.array([[0.75, 0.25]])
    np.testing.assert_allclose(decode_chroma(proba, codebook, "argmax"), [[10.0, 0.0]])
    np.testing.assert_allclose(decode_chroma(proba, codebook, "annealed_mean", 1.0), [[7.5, 5.0]])
    # T = 0.5 squares the probabilities: 0.5625 / 0.625 = 0.9.
    np.testing.assert_allclose(decode_chroma(proba, codebook, "annealed_mean", 0.5), [[9.0, 2.0]])
    np.testing.assert_allclose(
        decode_chroma(proba, codebook, "annealed_mean", 0.01), [[10.0, 0.0]], atol=1e-6
    )


def test_rebalancing_weights():
    p = np.array([0.7, 0.2, 0.1, 0.0])
    np.testing.assert_allclose(rebalancing_weights(p, 1.0), 1.0)
    w = rebalancing_weights(p, 0.5)
    assert np.dot(p, w) == pytest.approx(1.0)
    assert w[0] < w[1] < w[2] < w[3]
    # lambda = 0: inverse frequency, each present class carries equal total weight.
    w0 = rebalancing_weights(p, 0.0)
    np.testing.assert_allclose(w0 * p, [1 / 3, 1 / 3, 1 / 3, 0.0])


def test_clone_and_params():
    model = SOMColorizer(patch_size=3, n_colors=25, hidden_layer_sizes=(10,))
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    twin.set_params(patch_size=7, decode="argmax")
    assert (twin.patch_size, twin.decode, model.patch_size) == (7, "argmax", 3)
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(patch=3)


def test_grid_search_on_images_of_different_sizes(small_photos):
    photos = small_photos + [p[::-1] for p in small_photos]
    search = GridSearchCV(
        SOMColorizer(n_colors=4, **FAST),
        {"patch_size": [1, 3], "n_colors": [4, 9]},
        cv=KFold(2),
    )
    search.fit(photos)
    assert set(search.best_params_) == {"patch_size", "n_colors"}
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert len(search.best_estimator_.predict(photos[:1])) == 1


def test_pipeline(small_photos):
    pipe = Pipeline([("colorizer", SOMColorizer(n_colors=4, **FAST))]).fit(small_photos)
    assert pipe.predict(small_photos[:1])[0].shape == small_photos[0].shape
    assert 0.0 < pipe.score(small_photos) <= 1.0


def test_joblib_round_trip(fitted, tmp_path, test_paths):
    joblib.dump(fitted, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(loaded.predict(test_paths[:1])[0], fitted.predict(test_paths[:1])[0])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"patch_size": 4}, r"'patch_size' parameter of SOMColorizer must be odd"),
        ({"n_colors": 1}, r"'n_colors' parameter of SOMColorizer must be an int in the range \[2, 1024\]"),
        ({"n_colors": 2.5}, "'n_colors' parameter of SOMColorizer must be an int"),
        ({"hidden_layer_sizes": (50, 0)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": "big"}, "hidden_layer_sizes"),
        ({"pixels_per_image": 0}, "pixels_per_image"),
        ({"decode": "mode"}, "'decode' parameter of SOMColorizer must be a str among"),
        ({"temperature": 0}, r"'temperature' parameter of SOMColorizer must be a float in the range \[0.01, 1.0\]"),
        ({"temperature": 2.0}, r"'temperature' parameter of SOMColorizer must be a float in the range \[0.01, 1.0\]"),
        ({"rebalance": 1.5}, r"'rebalance' parameter of SOMColorizer must be a float in the range \[0.0, 1.0\] or None"),
        ({"max_iter": 0}, "max_iter"),
        ({"alpha": -1}, "alpha"),
        ({"learning_rate_init": 0}, "learning_rate_init"),
        ({"som_sigma": 0}, "sigma"),
    ],
)
def test_invalid_params_fail_in_fit(train_paths, params, message):
    model = SOMColorizer(**params)  # stored as given, checked in fit
    assert model.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises((TypeError, ValueError), match=message):
        model.fit(train_paths[:1] + ["/nonexistent/checked-after-params.jpg"])


def test_unfitted_model():
    with pytest.raises(NotFittedError):
        SOMColorizer().predict([np.zeros((8, 8))])


def test_bad_collections(fitted, photo):
    with pytest.raises(ValueError, match="X is empty"):
        SOMColorizer().fit([])
    with pytest.raises(ValueError, match="single path"):
        fitted.predict("photo.png")
    with pytest.raises(ValueError, match=r"pass \[image\]"):
        fitted.predict(photo)
    with pytest.raises(ValueError, match="sequence of images"):
        fitted.predict(42)


def test_bad_images_are_named(fitted, photo, tmp_path, train_paths):
    with pytest.raises(ImageError, match=r"image 1: image of 9 x 9 pixels \(0.0 megapixels\) is larger than the limit"):
        copy.deepcopy(fitted).set_params(max_image_pixels=80).predict([photo[:8, :8], np.zeros((9, 9))])
    with pytest.raises(ImageError, match=r"missing\.jpg: no such file"):
        fitted.predict([tmp_path / "missing.jpg"])
    with pytest.raises(ImageError, match="image 0: grayscale image, but color images are needed"):
        SOMColorizer(**FAST).fit([photo.mean(axis=2)])
    with pytest.raises(ImageError, match=r"image 1: .*\[0, 1\]"):
        SOMColorizer(**FAST).fit([photo, photo * 255])


def test_decode_checked_at_predict(fitted, photo):
    bad = copy.deepcopy(fitted).set_params(decode="median")
    with pytest.raises(ValueError, match="'decode' parameter of SOMColorizer"):
        bad.predict([photo])


def test_memory_caches_sampling_and_som_without_changing_results(train_paths, test_paths, tmp_path):
    plain = SOMColorizer(**FAST).fit(train_paths)
    cached = SOMColorizer(memory=str(tmp_path), **FAST).fit(train_paths)
    np.testing.assert_array_equal(plain.predict(test_paths[:1])[0], cached.predict(test_paths[:1])[0])
    entries = {p.parent.parent.name for p in tmp_path.rglob("output.pkl")}
    assert {"_sample_and_draw_seed", "_fit_quantizer"} <= entries
    n_cached = len(list(tmp_path.rglob("output.pkl")))
    # Another hidden size and another decode reuse both; another patch size only the SOM.
    SOMColorizer(memory=str(tmp_path), hidden_layer_sizes=(7,), decode="argmax", **FAST).fit(train_paths)
    assert len(list(tmp_path.rglob("output.pkl"))) == n_cached
    SOMColorizer(memory=str(tmp_path), patch_size=3, **FAST).fit(train_paths)
    assert len(list(tmp_path.rglob("output.pkl"))) == n_cached + 1
    # A SOM cached by a version that trained it otherwise is not reused.
    from unittest import mock

    from somcolor import estimator

    with mock.patch.object(estimator, "_SOM_TRAINING", estimator._SOM_TRAINING + 1):
        SOMColorizer(memory=str(tmp_path), **FAST).fit(train_paths)
    assert len(list(tmp_path.rglob("output.pkl"))) == n_cached + 2


def test_fit_stream_learns_the_rule_chunk_by_chunk(rule_photos, rule_test_photo):
    params = dict(patch_size=1, n_colors=4, hidden_layer_sizes=(20,), pixels_per_image=1500, max_iter=40,
                  learning_rate_init=0.01, rebalance=None, decode="argmax", random_state=0)
    model = SOMColorizer(**params).fit_stream(rule_photos, chunk_images=2, reservoir_size=2000)
    assert model.score([rule_test_photo]) > 0.9
    assert model.class_frequencies_.sum() == pytest.approx(1.0)
    again = SOMColorizer(**params).fit_stream(rule_photos, chunk_images=2, reservoir_size=2000)
    np.testing.assert_array_equal(model.predict([rule_test_photo])[0], again.predict([rule_test_photo])[0])


def test_fit_stream_checks_and_names_bad_files(train_paths, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_text("no")
    with pytest.raises(ImageError, match=r"bad\.jpg: not an image"):
        SOMColorizer(**FAST).fit_stream(list(train_paths[:3]) + [bad], chunk_images=2)
    with pytest.raises(ValueError, match="chunk_images == 0"):
        SOMColorizer(**FAST).fit_stream(train_paths, chunk_images=0)


def test_reservoir_is_uniform():
    from somcolor.features.sampling import Reservoir

    hits = np.zeros(100)
    for seed in range(300):
        reservoir = Reservoir(10, np.random.RandomState(seed))
        for start in range(0, 100, 7):  # uneven chunks
            reservoir.add(np.arange(start, min(start + 7, 100))[:, None])
        assert reservoir.seen == 100 and len(np.unique(reservoir.sample)) == 10
        hits[reservoir.sample[:, 0]] += 1
    # Each row is kept with probability 10 / 100: 30 times in 300 draws on average.
    assert hits.mean() == pytest.approx(30) and hits.min() > 10 and hits.max() < 55
    small = Reservoir(10, np.random.RandomState(0))
    small.add(np.arange(4)[:, None])
    assert small.sample[:, 0].tolist() == [0, 1, 2, 3]


# -- warm start: fine-tuning a fitted model (issue 20) ----------------------------------------------


def test_warm_start_keeps_colors_and_features_and_learns_the_new_photos(fitted, rule_photos, rule_test_photo):
    model = copy.deepcopy(fitted).set_params(warm_start=True, max_iter=15, learning_rate_init=0.01, random_state=0)
    before = copy.deepcopy(model.mlp_.coefs_)
    codebook, context = model.quantizer_.codebook_.copy(), model.context_
    model.fit(rule_photos)
    np.testing.assert_array_equal(model.quantizer_.codebook_, codebook)  # the color classes are kept
    assert model.context_ == context and model.n_iter_ <= 15
    assert any(not np.array_equal(a, b) for a, b in zip(model.mlp_.coefs_, before))
    # It learned the new photos' rule (bright orange, dark blue) better than it knew it.
    assert model.score([rule_test_photo]) > fitted.score([rule_test_photo]) + 0.05
    np.testing.assert_array_equal(fitted.mlp_.coefs_[0], before[0])  # the starting model is untouched


def test_warm_start_is_reproducible_and_off_by_default(fitted, train_paths):
    runs = [copy.deepcopy(fitted).set_params(warm_start=True, random_state=3).fit(train_paths[:2]) for _ in range(2)]
    for a, b in zip(runs[0].mlp_.coefs_, runs[1].mlp_.coefs_):
        np.testing.assert_array_equal(a, b)
    refit = copy.deepcopy(fitted).set_params(n_colors=5).fit(train_paths[:2])  # warm_start=False: from scratch
    assert len(refit.quantizer_.codebook_) == 5


def test_fit_stream_does_not_pretend_to_fine_tune(fitted, train_paths):
    with pytest.raises(ValueError, match="fit_stream trains from scratch"):
        copy.deepcopy(fitted).set_params(warm_start=True).fit_stream(train_paths[:1])


def test_warm_start_refuses_other_features_colors_or_layers(fitted, train_paths):
    for params in ({"patch_size": 3}, {"n_colors": 16}, {"hidden_layer_sizes": (20,)}, {"local_radii": (4,)}):
        model = copy.deepcopy(fitted).set_params(warm_start=True, **params)
        with pytest.raises(ValueError, match="warm_start keeps the fitted model's features, colors and layers"):
            model.fit(train_paths[:1])


def test_the_bundled_model_fine_tunes_saves_and_loads(tmp_path, train_paths, test_paths):
    from somcolor import load_model, save_model

    model = load_model("landscapes").set_params(warm_start=True, max_iter=2, random_state=0, temperature="auto")
    model.fit(train_paths[:3])
    save_model(model, tmp_path / "mine.skops")
    loaded = load_model(tmp_path / "mine.skops")
    np.testing.assert_array_equal(loaded.predict(test_paths[:1])[0], model.predict(test_paths[:1])[0])
    assert loaded.temperature_ == model.temperature_ and len(loaded.replay_classes_) == len(model.replay_classes_)
    assert loaded.working_side == 64 and loaded.training_side_ == 150  # the bundled model's scale is kept


def test_a_fit_keeps_a_replay_sample_that_fine_tuning_trains_on_and_keeps(fitted, train_paths):
    from somcolor.estimator import _REPLAY_PIXELS

    assert fitted.replay_features_.dtype == np.float16 and fitted.replay_classes_.dtype == np.uint16
    assert len(fitted.replay_features_) == len(fitted.replay_classes_) == min(_REPLAY_PIXELS, 6 * 600)
    assert fitted.replay_features_.shape[1] == fitted.mlp_.coefs_[0].shape[0]
    assert fitted.replay_classes_.max() < len(fitted.quantizer_.codebook_)
    # The replay sample is drawn by its own seed: keeping it changed no weight of the model.
    plain = SOMColorizer(pixels_per_image=600, max_iter=3, random_state=0).fit(train_paths)
    np.testing.assert_array_equal(plain.mlp_.coefs_[0], fitted.mlp_.coefs_[0])
    tuned = copy.deepcopy(fitted).set_params(warm_start=True, max_iter=2, random_state=0).fit(train_paths[:1])
    np.testing.assert_array_equal(tuned.replay_features_, fitted.replay_features_)  # the original scenes stay
    # Without a replay sample (a model file of somcolor 0.4) fine-tuning still runs, on the new pixels only.
    bare = copy.deepcopy(fitted).set_params(warm_start=True, max_iter=2, random_state=0)
    del bare.replay_features_, bare.replay_classes_
    bare.fit(train_paths[:1])
    assert not hasattr(bare, "replay_features_")
    assert any(not np.array_equal(a, b) for a, b in zip(bare.mlp_.coefs_, tuned.mlp_.coefs_))


def test_fine_tuning_replays_about_as_many_original_pixels_as_new_ones(fitted, train_paths):
    from somcolor.estimator import _replay_repeats

    assert _replay_repeats(25_000, 6_000) == 4 and _replay_repeats(600, 6_000) == 1
    n_replay = len(fitted.replay_classes_)  # 3,600: six photos of 600 pixels
    tuned = copy.deepcopy(fitted).set_params(warm_start=True, max_iter=1, random_state=0)
    seen = tuned.mlp_.t_
    tuned.fit(train_paths * 2)  # 12 photos, 7,200 new pixels: the sample is replayed twice
    assert tuned.mlp_.t_ - seen == 600 * 12 + 2 * n_replay


def test_fit_stream_keeps_its_replay_sample_from_the_reservoir(train_paths):
    model = SOMColorizer(pixels_per_image=300, max_iter=1, random_state=0, som_iterations=500)
    model.fit_stream(train_paths[:4], chunk_images=2, reservoir_size=700)
    assert model.replay_features_.shape == (700, model.mlp_.coefs_[0].shape[0])


# -- temperature="auto": chosen on the training pixels (issue 22) ---------------------------------------


def test_calibrated_temperature_reaches_its_chroma_target_at_the_highest_temperature(rng):
    from somcolor.network.decode import TEMPERATURES, calibrated_temperature, decode_chroma

    codebook = np.array([[-30.0, 10.0], [0.0, 0.0], [25.0, 20.0]])
    logits = rng.normal(size=(500, 3)) * 1.5
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    chroma = codebook[rng.integers(0, 3, 500)]
    chosen = [calibrated_temperature(proba, chroma, codebook, target) for target in (0.3, 0.6, 0.9, 5.0)]
    assert chosen == sorted(chosen, reverse=True) and chosen[-1] == TEMPERATURES[-1]
    assert chosen[0] == SOMColorizer().temperature  # never paler than the default
    truth = np.hypot(*chroma.T).mean()
    for target, temperature in zip((0.3, 0.6, 0.9), chosen):
        reached = np.hypot(*decode_chroma(proba, codebook, temperature=temperature).T).mean()
        assert reached >= target * truth or temperature == TEMPERATURES[-1]
        higher = [t for t in TEMPERATURES if t > temperature]
        if higher:  # the next higher temperature falls short
            assert np.hypot(*decode_chroma(proba, codebook, temperature=min(higher)).T).mean() < target * truth


def test_temperature_auto_is_chosen_by_fit_and_used_by_every_path(train_paths, test_paths):
    from somcolor.inference.exact import colorize_exact
    from somcolor.io.images import read_image

    model = SOMColorizer(pixels_per_image=600, max_iter=3, random_state=0, temperature="auto").fit(train_paths)
    again = SOMColorizer(pixels_per_image=600, max_iter=3, random_state=0, temperature="auto").fit(train_paths)
    assert model.temperature_ == again.temperature_  # same seed, same data: same temperature
    fixed = copy.deepcopy(model).set_params(temperature=model.temperature_)
    np.testing.assert_array_equal(model.predict(test_paths[:1])[0], fixed.predict(test_paths[:1])[0])
    photo = read_image(test_paths[0])
    np.testing.assert_allclose(colorize_exact(photo, model), colorize_exact(photo, fixed), atol=1e-6)
    from somcolor.network.decode import DEFAULT_TEMPERATURE

    assert SOMColorizer(max_iter=1, random_state=0).fit(train_paths[:1]).temperature_ == DEFAULT_TEMPERATURE


def test_temperature_auto_on_a_model_fitted_without_it_says_so(fitted, test_paths):
    old = copy.deepcopy(fitted).set_params(temperature="auto")
    del old.temperature_  # as a model file of somcolor 0.4
    with pytest.raises(ValueError, match='temperature="auto" is chosen by fit'):
        old.predict(test_paths[:1])
    with pytest.raises(ValueError, match="temperature"):
        SOMColorizer(temperature="hot").fit(test_paths[:1])
