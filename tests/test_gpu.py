"""The GPU path (numba.cuda kernels, the threaded pipeline of streams) against the CPU paths.

Under numba's CUDA simulator (set by conftest.py; SOMCOLOR_TEST_GPU=1 runs the
same tests on a real GPU), so the images are tiny: every GPU thread is a
Python thread here.
"""

import copy

import numpy as np
import pytest
from numba import cuda

from somcolor import SOMColorizer
from somcolor.color import lightness_array, luv_to_rgb_array
from somcolor.color import _cuda as color_cuda
from somcolor.color.cie import RGB_FROM_XYZ, U0, V0
from somcolor.filters import _cuda as filters_cuda
from somcolor.filters._cuda import launch_grid
from somcolor.filters.guided import box_mean_array, guided_filter_array
from somcolor.inference import gpu
from somcolor.inference.plan import colorize
from somcolor.io.images import as_pixels


def launch(kernel, height, width, *args):
    blocks, threads = launch_grid(height, width, (8, 8))
    kernel[blocks, threads](*args)


@pytest.fixture(scope="module")
def crops(photo):
    rgb = (photo * 255).astype(np.uint8)
    return [np.ascontiguousarray(c) for c in (rgb[:11, :13], rgb[40:49, 30:36].mean(axis=2).astype(np.uint8),
                                              rgb[100:110, 90:97])]


def test_lightness_and_colour_kernels_match_the_array_code(photo):
    pixels = (photo[:9, :7] * 255).astype(np.uint8)
    for image, scale in [(pixels, 255.0), (np.ascontiguousarray(pixels[..., 0]), 255.0), (photo[:9, :7].copy(), 1.0)]:
        out = np.empty(image.shape[:2], np.float32)
        launch(color_cuda.lightness_rgb if image.ndim == 3 else color_cuda.lightness_gray, *out.shape, image, scale, out)
        np.testing.assert_allclose(out, lightness_array(image / scale), atol=2e-3)
    luv = np.stack([np.linspace(0, 100, 63).reshape(9, 7), np.full((9, 7), 30.0), np.full((9, 7), -40.0)])
    rgb = np.empty((9, 7, 3), np.float32)
    launch(color_cuda.luv_to_rgb_image, 9, 7, luv.astype(np.float32), RGB_FROM_XYZ.astype(np.float32),
           np.float32(U0), np.float32(V0), False, rgb)
    np.testing.assert_allclose(rgb, luv_to_rgb_array(luv[0], np.moveaxis(luv[1:], 0, -1)), atol=1e-4)


def test_mirror_padding_is_numpys_reflect(rng):
    for shape in [(1, 1), (1, 6), (5, 2), (7, 9)]:
        L = rng.random(shape).astype(np.float32) * 100
        out = np.empty((shape[0] + 10, shape[1] + 10), np.float32)
        launch(filters_cuda.pad_scaled, *out.shape, L, 5, out)
        np.testing.assert_allclose(out, np.pad(L / 100, 5, mode="reflect"), atol=1e-7)


def test_box_means_and_guided_filter_match_the_array_code(rng):
    guide = rng.random((9, 11)).astype(np.float32)
    src = rng.random((2, 9, 11)).astype(np.float32) * 40
    work = gpu.Workspace()
    for radius in (0, 2, 6):
        out = np.empty_like(src)
        filters_cuda.box_means(src, radius, out, work, 0)
        np.testing.assert_allclose(out, box_mean_array(src.astype(np.float64), radius), atol=1e-4)
        smoothed = np.empty_like(src)
        filters_cuda.guided_filter(guide, src, radius, 1e-3, smoothed, work, 0)
        expected = guided_filter_array(guide.astype(np.float64), src.astype(np.float64), radius, 1e-3)
        np.testing.assert_allclose(smoothed, expected, atol=1e-3)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"decode": "argmax", "smooth_radius": 0},
        {"scales": (2, 4), "global_features": True, "local_radii": (3,)},
        {"texture_scales": (1, 2), "local_radii": ()},
        {"hidden_layer_sizes": (7,), "n_colors": 2, "position": False, "local_radii": ()},
    ],
)
def test_gpu_pipeline_matches_the_fused_cpu_pass(train_paths, crops, params):
    model = SOMColorizer(pixels_per_image=200, max_iter=2, random_state=0, **params).fit(train_paths[:3])
    plan = model.colorize_plan()
    pipeline = gpu.GpuPipeline(plan, streams=2)
    for crop, rgb in zip(crops, pipeline.run(crops)):
        assert rgb.shape == (*crop.shape[:2], 3) and rgb.dtype == np.float32
        np.testing.assert_allclose(rgb, colorize(crop, plan), atol=1e-3)


def test_bytes_out_and_order_kept_over_three_streams(fitted, crops):
    plan = fitted.colorize_plan()
    images = crops + crops[::-1]
    outputs = list(gpu.GpuPipeline(plan, streams=3).run(images, np.uint8))
    assert [o.shape[:2] for o in outputs] == [i.shape[:2] for i in images]
    for image, rgb in zip(images, outputs):
        assert rgb.dtype == np.uint8
        assert np.abs(rgb.astype(int) - colorize(image, plan, dtype=np.uint8).astype(int)).max() <= 1


def test_predict_and_colorize_files_on_the_device(fitted, crops, tmp_path):
    from PIL import Image

    from somcolor.inference.batch import colorize_files

    on_gpu = copy.deepcopy(fitted).set_params(device="cuda")
    for cpu_rgb, gpu_rgb in zip(fitted.predict(crops), on_gpu.predict(crops)):
        np.testing.assert_allclose(gpu_rgb, cpu_rgb, atol=1e-3)
    paths = []
    for k, crop in enumerate(crops):
        paths.append(tmp_path / f"c{k}.png")
        Image.fromarray(crop).save(paths[-1])
    bad = tmp_path / "c1b.png"
    bad.write_text("not an image")
    inputs = [paths[0], paths[1], bad, paths[2]]
    outputs = {p: tmp_path / "out" / f"{p.stem}.png" for p in inputs}
    done, skipped, failures = colorize_files(on_gpu, outputs, progress=False)
    assert done == [paths[0], paths[1], paths[2]] and not skipped
    assert len(failures) == 1 and "c1b.png: not an image" in failures[0]
    for path in done:
        expected = colorize(as_pixels(path, str(path)), fitted.colorize_plan(), dtype=np.uint8)
        assert np.abs(np.asarray(Image.open(outputs[path])).astype(int) - expected.astype(int)).max() <= 1


def test_simulated_or_real_device_is_reported():
    assert cuda.is_available()


def test_video_frames_stabilized_on_the_device_as_on_the_cpu(fitted):
    from somcolor import bundled_images
    from somcolor.video import Stabilizer, make_test_clip

    clip = make_test_clip(bundled_images("test")[:2], n_frames=6, size=(12, 16), cut_at=3)
    # Frames of 192 pixels have noisy histograms: a threshold above their changes within a scene.
    on_cpu = Stabilizer(fitted, flow_step=2, cut_threshold=0.45)
    on_gpu = Stabilizer(copy.deepcopy(fitted).set_params(device="cuda"), flow_step=2, cut_threshold=0.45)
    for frame in clip:
        np.testing.assert_allclose(on_gpu.colorize_frame(frame), on_cpu.colorize_frame(frame), atol=2e-3)
    assert on_gpu.cuts == on_cpu.cuts == [3]


def test_the_working_resolution_on_the_device(small_photos, crops):
    crops_small = [np.ascontiguousarray((p[:6, :6] * 255).astype(np.uint8)) for p in small_photos]
    model = SOMColorizer(pixels_per_image=30, max_iter=1, random_state=0, smooth_radius=1).fit(crops_small)
    plan = model.colorize_plan()
    assert plan.working_side == 6
    large = crops[0]  # 11 x 13: colorized at half its size
    (rgb,) = gpu.GpuPipeline(plan).run([large])
    np.testing.assert_allclose(rgb, colorize(large, plan), atol=1e-3)


def test_large_video_frames_at_the_working_resolution_on_the_device(small_photos):
    from somcolor import bundled_images
    from somcolor.video import Stabilizer, make_test_clip

    tiny = [np.ascontiguousarray(p[:6, :6]) for p in small_photos]
    model = SOMColorizer(pixels_per_image=30, max_iter=1, smooth_radius=1, random_state=0).fit(tiny)
    clip = make_test_clip(bundled_images("test")[:2], n_frames=4, size=(12, 18), cut_at=2)  # at half size
    on_cpu = Stabilizer(model, flow_step=1, cut_threshold=0.45)
    on_gpu = Stabilizer(copy.deepcopy(model).set_params(device="cuda"), flow_step=1, cut_threshold=0.45)
    for frame in clip:
        np.testing.assert_allclose(on_gpu.colorize_frame(frame), on_cpu.colorize_frame(frame), atol=2e-3)
    assert on_gpu.cuts == on_cpu.cuts == [2]


def test_a_flat_photo_is_seen_stretched_on_the_device_as_on_the_cpu(fitted, photo):
    from somcolor.features.contrast import lightness_spread, stretch_factor

    flat = np.ascontiguousarray(((0.5 + 0.3 * (photo[96:108, 78:92] - 0.5)) * 255).astype(np.uint8))
    plan = fitted.colorize_plan()
    assert stretch_factor(lightness_spread(lightness_array(flat / 255.0))[1], plan.lightness_spread) > 2
    (rgb,) = gpu.GpuPipeline(plan).run([flat])
    np.testing.assert_allclose(rgb, colorize(flat, plan), atol=1e-3)
    unstretched = plan._replace(lightness_spread=None)
    assert np.abs(colorize(flat, unstretched) - colorize(flat, plan)).max() > 1e-2
