import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from somcolor import UVQuantizer
from somcolor.color import rgb_to_luv
from somcolor.quantizer import map_shape_for, nearest_codeword, nearest_codeword_reference


@pytest.fixture(scope="module")
def uv(small_photos):
    return np.concatenate([rgb_to_luv(p)[..., 1:].reshape(-1, 2) for p in small_photos])


@pytest.mark.parametrize(
    "n, shape", [(9, (3, 3)), (25, (5, 5)), (100, (10, 10)), (400, (20, 20)), (12, (3, 4)), (7, (1, 7))]
)
def test_near_square_maps(n, shape):
    assert map_shape_for(n) == shape


def test_nearest_codeword_matches_reference(uv, rng):
    codebook = rng.normal(size=(37, 2)) * 30
    labels, d2 = nearest_codeword(uv, codebook)
    ref_labels, ref_d2 = nearest_codeword_reference(uv, codebook, chunk_size=1000)
    np.testing.assert_array_equal(labels, ref_labels)
    np.testing.assert_allclose(d2, ref_d2)
    brute = ((uv[:, None] - codebook[None]) ** 2).sum(2)
    np.testing.assert_array_equal(labels, brute.argmin(1))


def test_ties_go_to_the_first_codeword():
    labels, d2 = nearest_codeword(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0], [-1.0, 0.0]]))
    assert labels.tolist() == [0] and d2.tolist() == [1.0]


@pytest.mark.parametrize("n_colors", [9, 25])
def test_fit_round_trip_on_real_chroma(uv, n_colors):
    q = UVQuantizer(n_colors=n_colors, random_state=0).fit(uv)
    assert q.codebook_.shape == (n_colors, 2)
    assert q.map_shape_ == map_shape_for(n_colors)
    classes = np.arange(n_colors)
    np.testing.assert_array_equal(q.transform(q.inverse_transform(classes)), classes)
    labels = q.transform(uv)
    error = np.linalg.norm(uv - q.inverse_transform(labels), axis=1).mean()
    assert q.quantization_error_ == pytest.approx(error)
    # Much better than a single codeword at the mean.
    assert q.quantization_error_ < 0.6 * np.linalg.norm(uv - uv.mean(0), axis=1).mean()


def test_more_colors_quantize_better_and_seed_repeats(uv):
    errors = [UVQuantizer(n_colors=n, random_state=0).fit(uv).quantization_error_ for n in (4, 16, 64)]
    assert errors[0] > errors[1] > errors[2]
    a = UVQuantizer(random_state=1).fit(uv).codebook_
    b = UVQuantizer(random_state=1).fit(uv).codebook_
    np.testing.assert_array_equal(a, b)


def test_the_map_learns_from_the_whole_sample(uv):
    # fit's samples come photo by photo; ordered by V here, the first n_iterations are all the bluest.
    # minisom trains on the first n_iterations samples only, so the map must be given a draw of all.
    ordered = uv[np.argsort(uv[:, 1])]
    last_quarter = ordered[-len(ordered) // 4 :]
    q = UVQuantizer(n_iterations=len(ordered) // 4, random_state=0).fit(ordered)
    _, sq_dist = nearest_codeword(last_quarter, q.codebook_)
    assert np.sqrt(sq_dist).mean() < 2 * q.quantization_error_
    assert np.sqrt(sq_dist).mean() < 0.5 * np.linalg.norm(last_quarter - last_quarter.mean(0), axis=1).mean()


def test_explicit_map_shape(uv):
    assert UVQuantizer(n_colors=6, map_shape=(1, 6), random_state=0).fit(uv).map_shape_ == (1, 6)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_colors": 1}, "n_colors"),
        ({"n_colors": 9.5}, "n_colors"),
        ({"map_shape": (2, 2)}, "map_shape"),
        ({"map_shape": "3x3"}, "map_shape"),
        ({"sigma": 0}, "sigma"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"n_iterations": 0}, "n_iterations"),
    ],
)
def test_invalid_params(uv, params, message):
    with pytest.raises((TypeError, ValueError), match=message):
        UVQuantizer(**params).fit(uv)


def test_bad_inputs(uv):
    with pytest.raises(NotFittedError):
        UVQuantizer().transform(uv)
    q = UVQuantizer(n_colors=4, random_state=0).fit(uv)
    with pytest.raises(ValueError, match="X has 1 features, but UVQuantizer is expecting 2 features"):
        q.transform(uv[:, :1])
    with pytest.raises(ValueError, match="0 sample"):
        q.fit(np.empty((0, 2)))
    with pytest.raises(ValueError, match="NaN"):
        q.transform(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match=r"integers in \[0, 3\]"):
        q.inverse_transform([4])


def test_passes_scikit_learns_estimator_checks():
    import warnings

    from sklearn.exceptions import SkipTestWarning
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipTestWarning)  # the array-API check needs SCIPY_ARRAY_API
        results = check_estimator(UVQuantizer(n_iterations=200, random_state=0), on_fail=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert not failed and len(results) > 40


def test_kernel_matches_the_reference_in_any_dimension(rng):
    for dims in (1, 2, 3, 5):
        points, codebook = rng.normal(size=(2000, dims)), rng.normal(size=(17, dims))
        labels, sq_dist = nearest_codeword(points, codebook)
        expected_labels, expected_dist = nearest_codeword_reference(points, codebook)
        np.testing.assert_array_equal(labels, expected_labels)
        np.testing.assert_allclose(sq_dist, expected_dist)
