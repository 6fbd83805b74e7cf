import copy

import numpy as np
import pytest

from somcolor import SOMColorizer, bundled_images, colorize_video, metrics
from somcolor.cli import main
from somcolor.color import lightness
from somcolor.persistence import save_model
from somcolor.filters.resample import warp, warp_reference
from somcolor.video import (
    Stabilizer,
    VideoError,
    flicker,
    flicker_ratio,
    histogram_distance,
    make_test_clip,
    open_frames,
    optical_flow,
    write_frames,
)

N_FRAMES, SIZE = 16, (48, 64)


@pytest.fixture(scope="module")
def clip():
    test = bundled_images("test")
    return make_test_clip([test[0], test[7]], n_frames=N_FRAMES, size=SIZE)


@pytest.fixture(scope="module")
def model(train_paths):
    # Without spatial chroma smoothing, which also damps flicker, so that the
    # tests see what the temporal smoothing does.
    return SOMColorizer(pixels_per_image=600, max_iter=3, smooth_radius=0, random_state=0).fit(train_paths)


@pytest.fixture(scope="module")
def clip_file(clip, tmp_path_factory):
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    write_frames(clip, path, fps=12)
    return path


def test_test_clip_is_a_pan_with_one_cut(clip):
    assert len(clip) == N_FRAMES
    assert all(frame.shape == (*SIZE, 3) and frame.dtype == np.float32 for frame in clip)
    L = [lightness(frame) for frame in clip]
    distances = [histogram_distance(a, b) for a, b in zip(L, L[1:])]
    assert np.argmax(distances) == N_FRAMES // 2 - 1
    assert max(distances) > 0.3 > max(np.delete(distances, N_FRAMES // 2 - 1))
    assert not np.allclose(clip[0], clip[1])  # it moves


def test_warp_kernel_matches_scipy(clip, rng):
    flow = rng.uniform(-6, 6, size=(2, *SIZE)).astype(np.float32)
    planes = np.moveaxis(clip[0], -1, 0).astype(np.float64)
    np.testing.assert_allclose(warp(planes, flow), warp_reference(planes, flow), atol=1e-5)


def test_optical_flow_recovers_a_known_shift(photo):
    L = lightness(photo)
    shifted = np.roll(L, 3, axis=1)  # shifted[x] = L[x - 3]
    flow = optical_flow(L, shifted, step=2)
    inner = flow[:, 20:-20, 20:-20]
    assert abs(np.median(inner[1]) + 3) < 0.5 and abs(np.median(inner[0])) < 0.5
    # Warping along the flow undoes the shift.
    back = warp(L[None], flow)[0]
    assert np.abs(back - shifted)[20:-20, 20:-20].mean() < 0.3 * np.abs(L - shifted)[20:-20, 20:-20].mean()


def test_video_file_in_video_file_out(model, clip, clip_file, tmp_path):
    out = tmp_path / "colorized.mp4"
    summary = colorize_video(model, clip_file, out, verbose=False)
    assert summary == {"frames": N_FRAMES, "height": SIZE[0], "width": SIZE[1], "fps": 12.0, "cuts": [N_FRAMES // 2],
                       "missing": 0}
    assert out.exists() and not list(tmp_path.glob(".*partial*"))
    frames, fps = open_frames(out)
    frames = list(frames)
    assert fps == 12.0 and len(frames) == N_FRAMES
    for result, original in zip(frames, clip):
        assert result.shape == (*SIZE, 3)
        # H.264 at CRF 16 twice (the source clip, then the result): lightness within a few units.
        assert np.abs(lightness(result) - lightness(original)).mean() < 2.0
    assert metrics.colorfulness(frames) > 5


def test_frame_folders_keep_lightness_exactly(model, clip, tmp_path):
    write_frames(clip, tmp_path / "frames")
    summary = colorize_video(model, tmp_path / "frames", tmp_path / "out", fps=8, verbose=False)
    assert summary["frames"] == N_FRAMES and summary["fps"] == 8
    results, _ = open_frames(tmp_path / "out")
    for result, original in zip(results, clip):
        assert np.median(np.abs(lightness(result) - lightness(original))) < 0.5


def test_stabilization_lowers_flicker(model, clip):
    per_frame = Stabilizer(model, temporal_smoothing=0)
    stable = Stabilizer(model, temporal_smoothing=0.7)
    plain = [per_frame.colorize(lightness(f)) for f in clip]
    smooth = [stable.colorize(lightness(f)) for f in clip]
    assert flicker_ratio(smooth, clip) < 0.7 * flicker_ratio(plain, clip)
    # Smoothing in time does not cost accuracy.
    assert metrics.psnr(smooth, clip) > metrics.psnr(plain, clip) - 0.3


def test_a_scene_cut_resets_the_state(model, clip):
    per_frame = Stabilizer(model, temporal_smoothing=0)
    stable = Stabilizer(model, temporal_smoothing=0.9)
    cut = N_FRAMES // 2
    for index, frame in enumerate(clip):
        a, b = per_frame.colorize(lightness(frame)), stable.colorize(lightness(frame))
        if index in (0, cut):
            np.testing.assert_array_equal(a, b)  # nothing carried over
        elif index == cut + 1:
            assert not np.array_equal(a, b)
    assert stable.cuts == [cut]


def test_large_frames_are_colorized_at_the_working_resolution(clip):
    # A model fitted on photos of 16 x 21 pixels works on these 48 x 64 frames at a third of their size,
    # in the video path as in predict: the same RGB frame by frame, and temporal smoothing still applies.
    small = [frame[::3, ::3] for frame in clip[:4]]
    model = SOMColorizer(pixels_per_image=200, max_iter=2, smooth_radius=2, random_state=0).fit(small)
    assert model.training_side_ == 16
    per_frame = Stabilizer(model, temporal_smoothing=0)
    stable = Stabilizer(model, temporal_smoothing=0.9)
    full_size = Stabilizer(copy.deepcopy(model).set_params(working_side=None), temporal_smoothing=0)
    for index, frame in enumerate(clip[:3]):
        L = lightness(frame)
        plain = per_frame.colorize(L)
        assert plain.shape == (*SIZE, 3)
        np.testing.assert_allclose(plain, model.predict([frame])[0], atol=2e-3)
        assert not np.allclose(plain, full_size.colorize(L), atol=1e-2)
        assert np.array_equal(stable.colorize(L), plain) == (index == 0)


def test_flicker_of_a_still_video_is_zero(clip):
    assert flicker([clip[0]] * 3) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="two consecutive frames"):
        flicker([clip[0]])


def test_bad_inputs_name_the_file_and_leave_nothing(model, clip_file, tmp_path):
    out = tmp_path / "out.mp4"
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(clip_file.read_bytes()[:600])
    empty = tmp_path / "empty"
    empty.mkdir()
    for source, message in [
        (tmp_path / "missing.mp4", "no such file"),
        (fake, "not a readable video"),
        (truncated, "video|frames"),
        (empty, "holds no frames"),
    ]:
        with pytest.raises(VideoError, match=message) as info:
            colorize_video(model, source, out, verbose=False)
        assert str(source) in str(info.value)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "fake.mp4", "truncated.mp4"]
    with pytest.raises(VideoError, match="unknown video type"):
        colorize_video(model, clip_file, tmp_path / "out.txt", verbose=False)
    colorize_video(model, clip_file, out, verbose=False)
    with pytest.raises(VideoError, match="already exists"):
        colorize_video(model, clip_file, out, verbose=False)
    with pytest.raises(ValueError, match="temporal_smoothing"):
        colorize_video(model, clip_file, out, temporal_smoothing=1.0, overwrite=True)


def test_frames_of_different_sizes_are_refused(model, clip, tmp_path):
    from somcolor.io.writing import write_png

    write_png(tmp_path / "in" / "a.png", clip[0])
    write_png(tmp_path / "in" / "b.png", clip[1][:40])
    with pytest.raises(VideoError, match="frame 1"):
        colorize_video(model, tmp_path / "in", tmp_path / "out", verbose=False)
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))


def test_cli_video(model, clip_file, tmp_path, capsys):
    save_model(model, tmp_path / "model.skops")
    out = tmp_path / "out.mp4"
    assert main(["video", str(tmp_path / "model.skops"), str(clip_file), str(out)]) == 0
    assert f"colorized {N_FRAMES} frames of 64 x 48" in capsys.readouterr().out
    assert len(list(open_frames(out)[0])) == N_FRAMES
    assert main(["video", str(tmp_path / "model.skops"), str(tmp_path / "nope.mp4"), str(out)]) == 2
    assert "nope.mp4: no such file" in capsys.readouterr().err
