"""Colorizing on a GPU with numba.cuda: the fused kernel, the guided filter as a few launches, and a
pipeline of CUDA streams that keeps the GPU busy over a stream of images.

Images cross the bus as bytes (uint8 in, uint8 out, four bytes a pixel for
RGB) through pinned host buffers; with two or more streams, one image's upload
and the last one's download overlap the current one's kernels. Everything
here also runs under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``),
where device arrays are numpy arrays: that is how the tests, and CI, check it
against the CPU paths without a GPU.
"""

from collections import deque
from typing import NamedTuple

import numpy as np
from numba import cuda

from ..color import _cuda as color_cuda
from ..color import lightness
from ..color.cie import RGB_FROM_XYZ, U0, V0
from ..features.context import Band, image_context
from ..filters import _cuda as filters_cuda
from ..filters._cuda import launch
from . import _cuda
from .fused import _coarse_inputs
from ..filters.resample import working_factor
from .working import BAND_PIXELS, colorize_at_working_side

GPU_EXTRA = 'pip install "somcolor[gpu]"'


def require_gpu():
    """Refuse clearly where numba finds no CUDA GPU (and no simulator)."""
    if not cuda.is_available():
        raise ImportError(
            f'device="cuda" needs an NVIDIA GPU with its driver, and numba\'s CUDA support: {GPU_EXTRA}'
        )


class DevicePlan(NamedTuple):
    """A :class:`~somcolor.inference.ColorizePlan`'s network and constants on the GPU."""

    weights: object
    biases: np.ndarray  # on the host: images with a global descriptor add to a copy
    device_biases: object  # and on the GPU, for the others
    sizes: object
    codebook: object
    rgb_from_xyz: object
    kernel: object  # the fused kernel compiled for this network's width


def upload_plan(plan):
    """The plan's arrays on the GPU, and its fused kernel."""
    packed = plan.fused
    n_shared = packed.weights.size if packed.weights.size <= _cuda.SHARED_WEIGHTS else 0
    return DevicePlan(
        weights=cuda.to_device(packed.weights),
        biases=packed.biases,
        device_biases=cuda.to_device(packed.biases),
        sizes=cuda.to_device(packed.sizes),
        codebook=cuda.to_device(plan.codebook),
        rgb_from_xyz=cuda.to_device(RGB_FROM_XYZ.astype(np.float32)),
        kernel=_cuda.fused_kernel(_cuda.network_width(packed.sizes), n_shared),
    )


class Workspace:
    """Device arrays kept between images of one stream, reallocated only when a shape changes."""

    def __init__(self):
        self._arrays = {}

    def __getitem__(self, key):
        return self._arrays[key]

    def zeros(self, key, shape, dtype, stream=0):
        """A device array of zeros, uploaded once per shape."""
        array = self._arrays.get(key)
        if array is None or array.shape != tuple(shape):
            array = cuda.to_device(np.zeros(shape, dtype), stream=stream)
            self._arrays[key] = array
        return array

    def get(self, key, shape, dtype=np.float32, stream=0):
        array = self._arrays.get(key)
        if array is None or array.shape != tuple(shape) or array.dtype != np.dtype(dtype):
            array = cuda.device_array(tuple(shape), dtype=dtype, stream=stream)
            self._arrays[key] = array
        return array


def context_planes(L, plan, band, work, stream):
    """The per-pixel context planes (position, local statistics) of L on the GPU."""
    context = plan.context
    height, width = L.shape
    planes = work.get("planes", (context.n_planes, height, width), stream=stream)
    offset = 0
    if context.position:
        launch(_cuda.position_planes, height, width, stream, band.top, band.image_height, planes[0:2])
        offset = 2
    if context.local_radii:
        moments = work.get("moments", (2, height, width), stream=stream)
        means = work.get("moment_means", (2, height, width), stream=stream)
        launch(filters_cuda.moments, height, width, stream, L, moments)
        for radius in context.local_radii:
            filters_cuda.box_means(moments, radius, means, work, stream)
            launch(filters_cuda.spread, height, width, stream, means, planes[offset : offset + 2])
            offset += 2
    return planes


def _host_context(host_lightness, shape, plan, band, device_plan, work, stream):
    """Multi-scale shares and the global descriptor's bias, computed on the CPU (they are per coarse pixel
    and per image), as device arrays; empty stand-ins when the model has neither."""
    context, packed = plan.context, plan.fused
    if not (context.scales or context.global_features):
        n_hidden, (height, width) = int(packed.sizes[1]), shape
        return (work.zeros("no_columns", (n_hidden, 1, width), np.float32, stream),
                work.zeros("no_rows", (0, height), np.int64, stream),
                work.zeros("no_weights", (0, height), np.float32, stream),
                device_plan.device_biases)
    image = image_context(host_lightness(), context, band)
    columns, y0s, fys = (np.ascontiguousarray(a) for a in _coarse_inputs(image, packed))
    biases = device_plan.biases.copy()
    if image.descriptor.size:
        biases[: packed.sizes[1]] += image.descriptor.astype(np.float32) @ packed.global_weights
    return tuple(cuda.to_device(a, stream=stream) for a in (columns, y0s, fys, biases))


def colorize_device(pixels_host, pixels, plan, device_plan, work, stream, as_bytes=True, band=None, mode=None):
    """Colorize an image already on the GPU (`pixels`, uint8/uint16/float, gray or RGB; `pixels_host` its
    host copy, read only for multi-scale and global context). Returns the device RGB (H, W, 3), uint8 or
    float32 (or, with ``mode=OUT_PROBA``, the class probability planes)."""
    height, width = pixels.shape[:2]
    full_scale = float(np.iinfo(pixels.dtype).max) if np.issubdtype(pixels.dtype, np.integer) else 1.0
    L = work.get("L", (height, width), stream=stream)
    gray = len(pixels.shape) == 2
    launch(color_cuda.lightness_gray if gray else color_cuda.lightness_rgb, height, width, stream,
            pixels, full_scale, L)
    return colorize_lightness_device(L, lambda: lightness(pixels_host), plan, device_plan, work, stream,
                                     as_bytes, band, mode)


def colorize_lightness_device(L, host_lightness, plan, device_plan, work, stream, as_bytes=True, band=None,
                              mode=None):
    """:func:`colorize_device` from lightness L (H, W) on the GPU; ``host_lightness()`` gives it on the host,
    for multi-scale and global context. ``mode=OUT_LUV`` returns the smoothed CIELUV planes."""
    height, width = L.shape
    band = Band(0, height, None) if band is None else band
    p = plan.context.patch_size
    padded = work.get("padded", (height + p - 1, width + p - 1), stream=stream)
    launch(filters_cuda.pad_scaled, height + p - 1, width + p - 1, stream, L, p // 2, padded)
    planes = context_planes(L, plan, band, work, stream)
    columns, y0s, fys, biases = _host_context(host_lightness, (height, width), plan, band, device_plan, work, stream)
    luv_only = mode == _cuda.OUT_LUV
    if mode == _cuda.OUT_PROBA:
        out = work.get("proba", (plan.codebook.shape[0], height, width), stream=stream)
    elif plan.smooth_radius or luv_only:
        mode, out = _cuda.OUT_LUV, work.get("luv", (3, height, width), stream=stream)
    else:
        mode = _cuda.OUT_RGB8 if as_bytes else _cuda.OUT_RGB
        out = work.get("rgb", (height, width, 3), np.uint8 if as_bytes else np.float32, stream=stream)
    packed = plan.fused
    launch(device_plan.kernel, height, width, stream,
            padded, p, planes, columns, y0s, fys, device_plan.weights, biases, device_plan.sizes,
            packed.activation, packed.binary, device_plan.codebook, plan.decode == "argmax",
            np.float32(1.0 / plan.temperature), device_plan.rgb_from_xyz, np.float32(U0), np.float32(V0),
            mode, out)
    if mode in (_cuda.OUT_PROBA, _cuda.OUT_RGB, _cuda.OUT_RGB8):
        return out
    if luv_only:
        return smooth(out, plan, work, stream)
    return smooth_and_convert(out, plan, device_plan, work, stream, as_bytes)


def smooth(luv, plan, work, stream):
    """Smooth the chroma of CIELUV planes on the GPU in place, guided by their L (when the plan says so)."""
    _, height, width = luv.shape
    if plan.smooth_radius:
        guide = work.get("guide", (height, width), stream=stream)
        launch(_scale_plane, height, width, stream, luv, np.float32(0.01), guide)
        chroma = work.get("chroma", (2, height, width), stream=stream)
        launch(_copy_chroma, height, width, stream, luv, chroma)
        filters_cuda.guided_filter(guide, chroma, plan.smooth_radius, plan.smooth_eps, luv[1:], work, stream)
    return luv


def smooth_and_convert(luv, plan, device_plan, work, stream, as_bytes):
    """RGB (H, W, 3) on the GPU from CIELUV planes, the chroma smoothed guided by L first."""
    _, height, width = luv.shape
    smooth(luv, plan, work, stream)
    rgb = work.get("rgb", (height, width, 3), np.uint8 if as_bytes else np.float32, stream=stream)
    launch(color_cuda.luv_to_rgb_image, height, width, stream, luv, device_plan.rgb_from_xyz,
            np.float32(U0), np.float32(V0), as_bytes, rgb)
    return rgb


@cuda.jit
def _scale_plane(luv, factor, out):
    j, i = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        out[i, j] = luv[0, i, j] * factor


@cuda.jit
def _copy_chroma(luv, out):
    j, i = cuda.grid(2)
    if i < out.shape[1] and j < out.shape[2]:
        out[0, i, j] = luv[1, i, j]
        out[1, i, j] = luv[2, i, j]


class _Slot:
    """One CUDA stream with its pinned host buffers and device workspace."""

    def __init__(self):
        self.stream = cuda.stream()
        self.work = Workspace()
        self.pinned = {}
        self.pending = None

    def buffer(self, key, shape, dtype):
        array = self.pinned.get(key)
        if array is None or array.shape != tuple(shape) or array.dtype != np.dtype(dtype):
            array = cuda.pinned_array(tuple(shape), dtype=dtype)
            self.pinned[key] = array
        return array


class GpuPipeline:
    """Colorizes a stream of images on the GPU, with `streams` CUDA streams in flight.

    ``run(images)`` takes an iterable of host pixel arrays (any dtype
    :func:`~somcolor.io.images.as_pixels` gives) and yields their RGB, uint8
    (or float32 with ``as_bytes=False``), in order. While image k's kernels
    run, image k + 1 is uploaded and image k - 1 downloaded on other streams.
    """

    def __init__(self, plan, streams=2, as_bytes=True):
        require_gpu()
        self.plan = plan
        self.device_plan = upload_plan(plan)
        self.slots = [_Slot() for _ in range(max(1, streams))]
        self.as_bytes = as_bytes

    def _start(self, slot, pixels):
        host_in = slot.buffer("in", pixels.shape, pixels.dtype)
        host_in[...] = pixels
        device_in = slot.work.get("in", pixels.shape, pixels.dtype, stream=slot.stream)
        device_in.copy_to_device(host_in, stream=slot.stream)
        rgb = colorize_device(pixels, device_in, self.plan, self.device_plan, slot.work, slot.stream, self.as_bytes)
        host_out = slot.buffer("out", rgb.shape, rgb.dtype)
        rgb.copy_to_host(host_out, stream=slot.stream)
        slot.pending = host_out

    def _finish(self, slot):
        slot.stream.synchronize()
        result, slot.pending = slot.pending.copy(), None
        return result

    def _small_luv(self, L):
        """Smoothed CIELUV planes of a small image's L, colorized on the GPU (for the working resolution)."""
        slot = self.slots[0]
        device = cuda.to_device(np.ascontiguousarray(L, np.float32), stream=slot.stream)
        luv = colorize_lightness_device(device, lambda: L, self.plan, self.device_plan, slot.work, slot.stream,
                                        mode=_cuda.OUT_LUV)
        host = luv.copy_to_host(stream=slot.stream)
        slot.stream.synchronize()
        return host

    def run(self, images):
        in_flight = deque()
        dtype = np.uint8 if self.as_bytes else np.float32
        for k, pixels in enumerate(images):
            factor = working_factor(pixels.shape, self.plan.working_side)
            if factor > 1:
                # Much larger than the training photos: colorized small on the GPU, brought back to full
                # size on the CPU, after the images before it.
                while in_flight:
                    yield self._finish(in_flight.popleft())
                yield colorize_at_working_side(pixels, self.plan, factor, self._small_luv, dtype, BAND_PIXELS)
                continue
            slot = self.slots[k % len(self.slots)]
            if slot.pending is not None:
                yield self._finish(in_flight.popleft())
            self._start(slot, np.ascontiguousarray(pixels))
            in_flight.append(slot)
        while in_flight:
            yield self._finish(in_flight.popleft())


@cuda.jit
def _copy_planes(src, out):
    j, i = cuda.grid(2)
    if i < out.shape[1] and j < out.shape[2]:
        for q in range(out.shape[0]):
            out[q, i, j] = src[q, i, j]


class GpuFrames:
    """The steps of :class:`~somcolor.video.Stabilizer` on the GPU, frame after frame.

    The class probabilities, their motion-compensated moving average, the warp
    and the decoding stay on the GPU; only the frame goes up and its RGB down,
    and for the optical flow, frames downscaled to about 60 pixels.
    """

    def __init__(self, plan):
        require_gpu()
        self.plan = plan
        self.device_plan = upload_plan(plan)
        self.stream = cuda.stream()
        self.work = Workspace()
        self._state = None

    def probabilities(self, frame):
        """Upload a frame and compute its class probability planes on the GPU (kept as the current frame)."""
        frame = np.ascontiguousarray(frame)
        device = self.work.get("frame", frame.shape, frame.dtype, stream=self.stream)
        device.copy_to_device(frame, stream=self.stream)
        return colorize_device(frame, device, self.plan, self.device_plan, self.work, self.stream,
                               mode=_cuda.OUT_PROBA)

    def probabilities_of_lightness(self, L):
        """Upload a frame's lightness L (H, W) (a frame at the working resolution) and compute its class
        probability planes on the GPU (kept as the current frame)."""
        L = np.ascontiguousarray(L, np.float32)
        device = self.work.get("L", L.shape, stream=self.stream)
        device.copy_to_device(L, stream=self.stream)
        return colorize_lightness_device(device, lambda: L, self.plan, self.device_plan, self.work, self.stream,
                                         mode=_cuda.OUT_PROBA)

    def histogram(self, bins):
        """Fractions of the current frame's pixels in `bins` equal bins of L over [0, 100], as the CPU's
        :func:`~somcolor.video.stabilizer.lightness_histogram`."""
        L = self.work["L"]
        counts = cuda.to_device(np.zeros(bins, np.int64), stream=self.stream)
        launch(_cuda.histogram, *L.shape, self.stream, L, bins, counts)
        host = counts.copy_to_host(stream=self.stream)
        self.stream.synchronize()
        return host / L.size

    def small_lightness(self, step, on_device=False):
        """The current frame's L as block means of `step` x `step` pixels: on the host, or (for cuCIM's flow)
        as a new CuPy array on the GPU."""
        L = self.work["L"]
        height, width = L.shape
        small = cuda.device_array((-(-height // step), -(-width // step)), np.float32, stream=self.stream)
        launch(filters_cuda.downscale_blocks, *small.shape, self.stream, L, step, small)
        if on_device:
            import cupy

            self.stream.synchronize()
            return cupy.asarray(small).astype(cupy.float64)
        host = small.copy_to_host(stream=self.stream)
        self.stream.synchronize()
        return host.astype(np.float64)

    def blend_past(self, proba, flow, step, weight):
        """proba = weight * (the kept state moved along `flow`) + (1 - weight) * proba, on the GPU; `flow`
        (2, h, w) is on the host, for frames downscaled by `step`."""
        _, height, width = proba.shape
        if isinstance(flow, np.ndarray):
            small = cuda.to_device(np.ascontiguousarray(flow, np.float32), stream=self.stream)
        else:
            small = cuda.as_cuda_array(flow)  # a CuPy array from cuCIM, already on the GPU
        full = self.work.get("flow", (2, height, width), stream=self.stream)
        launch(filters_cuda.upsample, height, width, self.stream, small, np.float32(step), full)
        past = self.work.get("past", proba.shape, stream=self.stream)
        launch(filters_cuda.warp_bilinear, height, width, self.stream, self._state, full, past)
        launch(_cuda.blend, height, width, self.stream, past, np.float32(weight), proba)

    def keep(self, proba):
        """Keep `proba` as the state the next frame blends with (None forgets it: a scene cut)."""
        if proba is None:
            self._state = None
            return
        self._state = self.work.get("state", proba.shape, stream=self.stream)
        launch(_copy_planes, proba.shape[1], proba.shape[2], self.stream, proba, self._state)

    def _decoded(self, proba):
        """CIELUV planes (3, H, W) on the GPU decoded from the current frame's probability planes."""
        _, height, width = proba.shape
        luv = self.work.get("luv", (3, height, width), stream=self.stream)
        plan = self.plan
        launch(_cuda.decode_probabilities, height, width, self.stream, proba, self.work["L"],
                self.device_plan.codebook, plan.decode == "argmax", np.float32(1.0 / plan.temperature), luv)
        return luv

    def _download(self, array):
        host = array.copy_to_host(stream=self.stream)
        self.stream.synchronize()
        return host

    def rgb(self, proba):
        """The frame's RGB (float32, on the host) from its probability planes: decode, smooth, convert."""
        luv = self._decoded(proba)
        return self._download(smooth_and_convert(luv, self.plan, self.device_plan, self.work, self.stream,
                                                 as_bytes=False))

    def luv(self, proba):
        """The frame's smoothed CIELUV planes (3, H, W) on the host, for the working resolution."""
        return self._download(smooth(self._decoded(proba), self.plan, self.work, self.stream))
