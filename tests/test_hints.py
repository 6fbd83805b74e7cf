"""Hints and reference photos (issue 39): the API, the session, the kernels against their references, the
command line and the refusals, on real photos."""

import warnings

import numpy as np
import pytest
from PIL import Image

from somcolor import ImageWarning, bundled_images, load_model, metrics
from somcolor.cli import main
from somcolor.color import grayscale, rgb_to_luv
from somcolor.color._kernels import LUV_CONSTANTS, luv_to_rgb_image
from somcolor.hints import HintSession, Propagation, hint_image, hints_in, read_hints, write_hints
from somcolor.hints.images import hint_chromaticity
from somcolor.hints.propagation import (affinities, data_weights, degrees, geodesic_distances, geodesic_reference,
                                        smooth, smoothing_reference)
from somcolor.io.images import ImageError, read_image
from somcolor.io.writing import to_uint8


@pytest.fixture(scope="module")
def bundled():
    return load_model("landscapes")


@pytest.fixture(scope="module")
def gray(photo):
    return grayscale(photo)


def true_hint(photo, row, col, radius=2):
    """A hint image of one disk at (row, col) in the photo's own mean color there (made at its lightness)."""
    rgb = tuple(int(v) for v in np.round(photo[row, col] * 255))
    return hint_image(photo.shape, points=[(row, col, rgb)], radius=radius), rgb


def test_hint_images_are_drawn_written_and_read_back_exactly(tmp_path):
    hints = hint_image((40, 60), points=[(10, 20, (30, 160, 40))], strokes=[([(30, 5), (30, 50), (5, 50)], (0.8, 0.7, 0.5))],
                       radius=1)
    assert hints[10, 20].tolist() == [30, 160, 40, 255] and hints[5, 50].tolist() == [204, 178, 128, 255]
    assert hints[0, 0, 3] == 0 and (hints[..., 3] > 0).sum() > 100
    write_hints(tmp_path / "h.png", hints)
    np.testing.assert_array_equal(read_hints(tmp_path / "h.png", (40, 60), "h"), hints)
    found = hints_in(hints)
    assert [h.rgb for h in found] == [(204, 178, 128), (30, 160, 40)]  # in the order of their first pixels
    assert sum(len(h.pixels) for h in found) == (hints[..., 3] > 0).sum()


def test_bad_hints_are_named(tmp_path, photo):
    with pytest.raises(ImageError, match=r"small\.png: hints of 10 x 8 pixels for the photo of 150 x 150"):
        Image.fromarray(np.zeros((8, 10, 4), np.uint8)).save(tmp_path / "small.png")
        read_hints(tmp_path / "small.png", (150, 150), "h")
    Image.fromarray(np.zeros((150, 150, 3), np.uint8)).save(tmp_path / "rgb.png")
    with pytest.raises(ImageError, match=r"rgb\.png: a hint image needs an alpha channel"):
        read_hints(tmp_path / "rgb.png", (150, 150), "h")
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(ImageError, match=r"text\.png: not an image"):
        read_hints(tmp_path / "text.png", (150, 150), "h")
    with pytest.warns(ImageWarning, match="every pixel is transparent, so it hints nothing"):
        assert read_hints(np.zeros((150, 150, 4), np.uint8), (150, 150), "image 0") is None
    with pytest.raises(ValueError, match="a color is \\(r, g, b\\)"):
        hint_image((10, 10), points=[(1, 1, (1, 2))])


def test_without_hints_predict_is_unchanged_bit_for_bit(bundled, gray, photo):
    expected = bundled.predict([gray, photo])
    for hints in ([None, None], [None, np.zeros((150, 150, 4), np.uint8)]):
        with pytest.warns(ImageWarning) if hints[1] is not None else _nothing():
            got = bundled.predict([gray, photo], hints=hints)
        for a, b in zip(got, expected):
            np.testing.assert_array_equal(a, b)
    session = bundled.hint_session(gray)
    np.testing.assert_array_equal(session.colors(), expected[0])
    first = session.add_point(20, 30, (200, 60, 40))
    assert not np.array_equal(session.colors(), expected[0])
    session.remove_hint(first)
    np.testing.assert_array_equal(session.colors(), expected[0])


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_hinted_pixel_comes_out_in_its_hints_color(bundled, gray, photo):
    hints, rgb = true_hint(photo, 100, 40)
    (colors,) = bundled.predict([gray], hints=[hints])
    hinted = hints[..., 3] > 0
    got = rgb_to_luv(colors.astype(np.float64))[hinted]
    L = rgb_to_luv(np.repeat(gray[..., None], 3, axis=2))[hinted][:, 0]
    wanted = hint_chromaticity(rgb)[None, :] * 13 * L[:, None]  # the hint's (U, V) at each pixel's lightness
    assert np.abs(got[:, 1:] - wanted).max() < 2.0
    assert np.abs(got[:, 0] - L).max() < 0.5  # the photo keeps its lightness


def test_hints_act_locally_by_likeness_and_nowhere_else(bundled, photo):
    # The photo beside itself: a hint on the left half reaches its twin pixel on the right half by likeness
    # (the same kind of thing, 150 pixels away), more than a pixel of another kind near the hint.
    twin = np.concatenate([photo, photo], axis=1)
    gray = grayscale(twin)
    session = bundled.hint_session(gray)
    automatic = session.colors().copy()
    session.add_point(120, 40, (250, 30, 200))  # a color no landscape has: its spread is easy to see
    moved = np.abs(session.colors() - automatic).sum(axis=2)
    near = moved[110:131, 30:51].mean()
    assert near > 0.2 and moved[120, 190] > 0.5 * moved[120, 40]  # the twin, by likeness
    probabilities = bundled.predict_proba([gray])[0]
    unlike = np.argmin((np.sqrt(probabilities) * np.sqrt(probabilities[120, 40])).sum(axis=2))
    r, c = divmod(int(unlike), twin.shape[1])
    assert moved[r, c] < 0.25 * near  # unlike the hint: it keeps most of its automatic colors


def test_the_kernels_match_their_references(bundled, photo):
    session = bundled.hint_session(grayscale(np.tile(photo, (2, 3, 1))))
    for row, col in ((30, 40), (200, 300), (120, 400)):
        session.add_point(row, col, tuple(int(v) for v in np.round(photo[row % 150, col % 150] * 255)))
    reference = np.empty((*session.shape, 3), np.float32)
    luv_to_rgb_image(session.hinted_luv(), *LUV_CONSTANTS, reference)
    # The smoothing's conjugate gradient stops at 1e-4 of its first residual: a few 1e-4 of RGB.
    np.testing.assert_allclose(session.colors(), reference, atol=5e-4)
    L = read_image(bundled_images("test")[1])[:50, :70].mean(axis=2) * 100
    seeds = np.zeros((2, *L.shape), bool)
    seeds[0, 10, 10] = seeds[1, 40, 60] = seeds[1, 3, 65] = True
    fast = geodesic_distances(L, seeds, 2.0, 4.0, sweeps=30)  # enough passes for every path: the exact distances
    for k in range(2):
        np.testing.assert_allclose(fast[k], geodesic_reference(L, seeds[k], 2.0, 4.0), rtol=1e-5, atol=1e-3)


def test_the_smoothing_kernel_solves_the_system_of_its_reference(photo):
    luv = rgb_to_luv(photo).transpose(2, 0, 1).astype(np.float32)
    weights = affinities(luv[0])
    assert weights.shape == (4, 150, 150) and weights[0, :, -1].max() == 0 and weights[1, -1].max() == 0
    rng = np.random.default_rng(0)
    fixed = np.zeros((150, 150), bool)
    fixed[rng.integers(0, 150, 20), rng.integers(0, 150, 20)] = True
    data = data_weights(degrees(weights), 0.03, rng.random((150, 150)))
    exact = smoothing_reference(weights, data, luv[1:], fixed)
    fast = smooth(weights, data, luv[1:], fixed)
    assert np.abs(exact - luv[1:]).mean() > 0.5  # it smooths
    np.testing.assert_allclose(fast, exact, atol=0.1)
    np.testing.assert_array_equal(fast[:, fixed], luv[1:, fixed])


def test_dense_hints_follow_the_edges_between_them(bundled, photo, gray):
    # A hint in its true color every 15 pixels: the smoothing (Levin et al.'s edge-aware spread between them)
    # brings the photo nearer its true colors than the weighted blend of the hints alone.
    points = [(row, col, tuple(int(v) for v in np.round(photo[row, col] * 255)))
              for row in range(7, 150, 15) for col in range(7, 150, 15)]
    hints = hint_image(photo.shape, points=points, radius=1)
    scores = {}
    for keep in (Propagation().keep, np.inf):
        session = HintSession(bundled, gray, propagation=Propagation(keep=keep))
        session.set_hints(hints)
        scores[keep] = metrics.psnr([session.colors()], [photo])
    assert scores[Propagation().keep] > scores[np.inf] + 1.0  # 31.6 against 30.1 dB


@pytest.mark.parametrize("shape", [(1, 1), (1, 40), (40, 1), (3, 150)])
def test_a_hint_on_a_tiny_or_thin_photo_colors_it_without_warnings(bundled, photo, shape):
    gray = grayscale(photo)[: shape[0], : shape[1]]
    session = HintSession(bundled, gray)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning from a cell without neighbours
        session.add_point(0, 0, (200, 30, 40), radius=1)
        colors = session.colors()
    assert colors.shape == (*shape, 3) and np.isfinite(colors).all()
    assert colors[0, 0, 0] > colors[0, 0, 1] + 0.3  # the hint's red


@pytest.mark.parametrize("setting, message", [
    ({"keep": 0}, r"keep must be a number above 0 \(inf: no smoothing\), got 0"),
    ({"keep": float("nan")}, "keep must be a number above 0"),
    ({"reach": float("inf")}, "reach must be a number above 0, got inf"),
    ({"edge": -1}, "edge must be a number at least 0, got -1"),
    ({"unlike": "far"}, "unlike must be a number at least 0, got 'far'"),
    ({"mode": "blur"}, "mode must be 'blend' or 'shift', got 'blur'"),
])
def test_impossible_propagation_settings_are_named(bundled, gray, setting, message):
    with pytest.raises(ValueError, match=message):
        HintSession(bundled, gray, propagation=Propagation(**setting))


def test_a_session_reads_back_its_own_hints(bundled, gray, photo):
    session = bundled.hint_session(gray)
    session.add_point(20, 20, (90, 140, 200))
    session.add_stroke([(140, 10), (140, 120)], (80, 120, 50), radius=1)
    colors = session.colors().copy()
    again = bundled.hint_session(gray)
    again.set_hints(session.hint_image())
    np.testing.assert_allclose(again.colors(), colors, atol=1e-6)
    np.testing.assert_allclose(bundled.predict([gray], hints=[session.hint_image()])[0], colors, atol=1e-6)


def test_suggestions_are_the_likeliest_colors_and_give_themselves_back(bundled, gray):
    session = bundled.hint_session(gray)
    suggestions = session.suggest_colors(75, 75, k=3)
    assert len(suggestions) == 3 and suggestions[0].probability >= suggestions[1].probability >= suggestions[2].probability
    assert len(session.suggest_colors(75, 75, k=50)) == bundled.n_colors
    session.add_point(75, 75, suggestions[1].rgb, radius=0)
    assert np.abs(np.round(session.colors()[75, 75] * 255) - suggestions[1].rgb).max() <= 1
    with pytest.raises(ValueError, match="outside its 150 x 150 pixels"):
        session.suggest_colors(150, 3)
    assert bundled.suggest_colors(gray, 75, 75, k=1)[0].rgb == suggestions[0].rgb


def test_a_reference_photo_brings_its_palette(bundled, rule_test_photo, photo):
    gray = grayscale(photo)
    automatic = bundled.predict([gray])[0]
    # A reference painted by a rule (bright orange, dark blue): the colors move toward its palette.
    with_reference = bundled.predict([gray], reference=rule_test_photo)[0]
    orange = rgb_to_luv(np.array([[[0.9, 0.55, 0.2]]]))[0, 0, 1:]

    def toward_orange(rgb):
        uv = rgb_to_luv(rgb.astype(np.float64))[..., 1:].reshape(-1, 2)
        return float((uv @ orange).mean())

    assert toward_orange(with_reference) > toward_orange(automatic) + 5
    proba = bundled.predict_proba([gray])[0]
    shifted = bundled.predict_proba([gray], reference=[rule_test_photo])[0]
    np.testing.assert_allclose(shifted.sum(axis=2), 1, atol=1e-5)
    assert np.abs(shifted - proba).max() > 0.05


def test_hints_and_references_are_given_one_per_photo(bundled, gray):
    with pytest.raises(ValueError, match="hints must be a sequence of one entry per photo"):
        bundled.predict([gray], hints=np.zeros((150, 150, 4), np.uint8))
    with pytest.raises(ValueError, match="hints: 2 given for 1 photos"):
        bundled.predict([gray], hints=[None, None])
    with pytest.raises(ValueError, match="reference: 2 given for 1 photos"):
        bundled.predict([gray], reference=[None, None])


def test_colorize_with_hints_and_a_reference_on_the_command_line(tmp_path, photo, test_paths, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    for path in test_paths:
        (photos / path.name).write_bytes(path.read_bytes())
    hints = tmp_path / "hints"
    hints.mkdir()
    hint, _ = true_hint(read_image(test_paths[0]), 60, 60)
    write_hints(hints / f"{test_paths[0].stem}.png", hint)
    out = tmp_path / "out"
    assert main(["colorize", str(photos), "--hints", str(hints), "-o", str(out)]) == 0
    bundled = load_model("landscapes")
    np.testing.assert_array_equal(np.asarray(Image.open(out / f"{test_paths[0].stem}.png")),
                                  to_uint8(bundled.predict([test_paths[0]], hints=[hint])[0]))
    np.testing.assert_array_equal(np.asarray(Image.open(out / f"{test_paths[1].stem}.png")),
                                  to_uint8(bundled.predict([test_paths[1]])[0]))
    one = tmp_path / "one.png"
    assert main(["colorize", str(test_paths[0]), "--hints", str(hints / f"{test_paths[0].stem}.png"), "--reference",
                 str(test_paths[2]), "-o", str(one)]) == 0
    assert one.exists()
    # A folder whose names match no photo; a hint file of another size (that photo's error, the rest done).
    stray = tmp_path / "stray"
    stray.mkdir()
    write_hints(stray / "elsewhere.png", hint)
    assert main(["colorize", str(photos), "--hints", str(stray), "-o", str(tmp_path / "o2")]) == 2
    assert "no hint file is named like a photo" in capsys.readouterr().err
    write_hints(hints / f"{test_paths[1].stem}.png", np.zeros((10, 10, 4), np.uint8) + 255)
    assert main(["colorize", str(photos), "--hints", str(hints), "-o", str(tmp_path / "o3")]) == 1
    err = capsys.readouterr().err
    assert f"{test_paths[1].stem}.png: hints of 10 x 10 pixels" in err
    assert len(list((tmp_path / "o3").iterdir())) == 2
