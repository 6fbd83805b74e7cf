"""Colorizing on a GPU with numba.cuda: the colorizing steps as CUDA kernels (:class:`CudaBackend`), and
a pipeline that keeps the GPU busy over a stream of images (:class:`GpuPipeline`).

Images go up as they are read (bytes for 8-bit photos) and RGB comes down as
bytes when the caller asks for uint8; each of the pipeline's threads has its
own CUDA stream, so that one image's copies overlap another's kernels.
Everything here also runs under numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``), where device arrays are numpy arrays: that is
how the tests, and CI, check it against the CPU paths without a GPU.
"""

import contextlib
import functools
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from numba import config, cuda

from .._arrays import GPU_EXTRA
from ..color import _cuda as color_cuda
from ..color import lightness
from ..color.cie import RGB_FROM_XYZ, U0, V0
from ..features._cuda import context_planes
from ..features.context import Band, image_context
from ..filters import _cuda as filters_cuda
from ..filters._cuda import launch
from . import _cuda
from .fused import CoarseShares, _coarse_inputs
from .working import colorize_image


def require_gpu():
    """Refuse clearly where numba finds no CUDA GPU (and no simulator)."""
    if not cuda.is_available():
        raise ImportError(
            f'device="cuda" needs an NVIDIA GPU with its driver, and numba\'s CUDA support: {GPU_EXTRA}'
        )


class DevicePlan(NamedTuple):
    """A :class:`~somcolor.inference.ColorizePlan`'s network and constants on the GPU."""

    layers: object  # the plan's Layers, its arrays on the GPU
    host_biases: np.ndarray  # images with a global descriptor add to a copy of these and upload it
    decoding: object  # the plan's Decoding, the codebook on the GPU
    luv_constants: tuple  # (rgb_from_xyz on the GPU, u0, v0)
    kernel: object  # the fused kernel compiled for this network's width


def upload_plan(plan):
    """The plan's arrays on the GPU, and its fused kernel."""
    layers = plan.fused.layers
    n_shared = layers.weights.size if layers.weights.size <= _cuda.SHARED_WEIGHTS else 0
    return DevicePlan(
        layers=layers._replace(weights=cuda.to_device(layers.weights), biases=cuda.to_device(layers.biases),
                               sizes=cuda.to_device(layers.sizes)),
        host_biases=layers.biases,
        decoding=plan.decoding._replace(codebook=cuda.to_device(plan.codebook)),
        luv_constants=(cuda.to_device(RGB_FROM_XYZ.astype(np.float32)), np.float32(U0), np.float32(V0)),
        kernel=_cuda.fused_kernel(_cuda.network_width(layers.sizes), n_shared),
    )


class Workspace:
    """Device arrays kept between images of one stream, reallocated only when a shape changes."""

    def __init__(self):
        self._arrays = {}

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


def _host_context(host_lightness, shape, plan, band, device_plan, work, stream):
    """Multi-scale shares (:class:`~somcolor.inference.fused.CoarseShares`) and the layers' biases with the
    global descriptor's share, computed on the CPU (they are per coarse pixel and per image), on the GPU;
    empty stand-ins and the plan's biases when the model has neither."""
    context, packed = plan.context, plan.fused
    if not (context.scales or context.global_features):
        n_hidden, (height, width) = int(packed.layers.sizes[1]), shape
        empty = CoarseShares(work.zeros("no_columns", (n_hidden, 1, width), np.float32, stream),
                             work.zeros("no_rows", (0, height), np.int64, stream),
                             work.zeros("no_weights", (0, height), np.float32, stream))
        return empty, device_plan.layers.biases
    image = image_context(host_lightness(), context, band)
    coarse = CoarseShares(*(cuda.to_device(np.ascontiguousarray(a), stream=stream)
                            for a in _coarse_inputs(image, packed)))
    biases = device_plan.host_biases.copy()
    if image.descriptor.size:
        biases[: packed.layers.sizes[1]] += image.descriptor.astype(np.float32) @ packed.global_weights
    return coarse, cuda.to_device(biases, stream=stream)


class DeviceLightness(NamedTuple):
    """L on the GPU, and where its host copy comes from (for multi-scale and global context, which are
    computed on the CPU)."""

    array: object  # (H, W) float32 device array
    source: np.ndarray  # the host pixels it was computed from, or the host L itself
    is_lightness: bool

    def host(self):
        return np.asarray(self.source) if self.is_lightness else lightness(self.source)


class CudaBackend:
    """The colorizing steps of a :class:`~somcolor.inference.ColorizePlan` as CUDA kernels on one stream.

    The steps are those of :class:`~somcolor.inference.fused.CpuBackend`,
    which :mod:`somcolor.inference.working` composes; arrays stay on the GPU
    between them and come back by :meth:`host` (RGB by :meth:`rgb`). One
    instance serves one thread: its device arrays are reused from call to
    call (:class:`Workspace`).
    """

    def __init__(self, plan, device_plan=None):
        require_gpu()
        self.plan = plan
        self.device_plan = upload_plan(plan) if device_plan is None else device_plan
        self.stream = cuda.stream()
        self.work = Workspace()

    def lightness(self, pixels):
        """Upload an image's pixels (uint8/uint16/float, gray or RGB) and compute their L on the GPU."""
        pixels = np.ascontiguousarray(pixels)
        device = self.work.get("in", pixels.shape, pixels.dtype, stream=self.stream)
        device.copy_to_device(pixels, stream=self.stream)
        full_scale = float(np.iinfo(pixels.dtype).max) if np.issubdtype(pixels.dtype, np.integer) else 1.0
        L = self.work.get("L", pixels.shape[:2], stream=self.stream)
        launch(color_cuda.lightness_gray if pixels.ndim == 2 else color_cuda.lightness_rgb, *L.shape,
               self.stream, device, full_scale, L)
        return DeviceLightness(L, pixels, False)

    def upload(self, L, slot="L"):
        """Upload L computed on the host, into the device array of that name (the L the features see, where
        it is stretched, must not replace the L that is decoded and smoothed with)."""
        L = np.ascontiguousarray(L, np.float32)
        device = self.work.get(slot, L.shape, stream=self.stream)
        device.copy_to_device(L, stream=self.stream)
        return DeviceLightness(device, L, True)

    def host_lightness(self, L):
        """Device L on the host (its spread decides whether the features see it stretched)."""
        return self.host(L.array)

    def host(self, array):
        host = array.copy_to_host(stream=self.stream)
        self.stream.synchronize()
        return host

    def _fused(self, L, band, mode, out, seen=None):
        """Run the fused kernel on device L into `out` (what `mode` says it receives), its features computed
        from device `seen` where given."""
        plan, device_plan, work, stream = self.plan, self.device_plan, self.work, self.stream
        features_of = L if seen is None else seen
        height, width = L.array.shape
        band = Band(0, height, None) if band is None else band
        p = plan.context.patch_size
        padded = work.get("padded", (height + p - 1, width + p - 1), stream=stream)
        launch(filters_cuda.pad_scaled, height + p - 1, width + p - 1, stream, features_of.array, p // 2, padded)
        planes = context_planes(features_of.array, plan.context, band, work, stream)
        coarse, biases = _host_context(features_of.host, (height, width), plan, band, device_plan, work, stream)
        launch(device_plan.kernel, height, width, stream, padded, p, planes, coarse,
               device_plan.layers._replace(biases=biases), device_plan.decoding, device_plan.luv_constants,
               mode, L.array, out)
        return out

    def probabilities(self, L, band=None):
        """Class probability planes (n_classes, H, W) on the GPU."""
        shape = (self.plan.codebook.shape[0], *L.array.shape)
        return self._fused(L, band, _cuda.OUT_PROBA, self.work.get("proba", shape, stream=self.stream))

    def luv(self, L, band=None, proba=None, seen=None):
        """CIELUV planes (3, H, W) on the GPU, decoded from `proba` (or in one pass from L, its features from
        `seen` where given), the chroma smoothed when the plan says so."""
        height, width = L.array.shape
        luv = self.work.get("luv", (3, height, width), stream=self.stream)
        if proba is None:
            self._fused(L, band, _cuda.OUT_LUV, luv, seen)
        else:
            launch(_cuda.decode_probabilities, height, width, self.stream, proba, L.array,
                   self.device_plan.decoding, luv)
        return self._smooth(luv)

    def rgb(self, L, band=None, proba=None, dtype=np.float32, seen=None):
        """RGB (H, W, 3) on the host in `dtype`, converted to bytes on the GPU for uint8."""
        as_bytes = dtype == np.uint8
        height, width = L.array.shape
        rgb = self.work.get("rgb", (height, width, 3), np.uint8 if as_bytes else np.float32, stream=self.stream)
        if proba is None and not self.plan.smooth_radius:
            self._fused(L, band, _cuda.OUT_RGB8 if as_bytes else _cuda.OUT_RGB, rgb, seen)
        else:
            luv = self.luv(L, band, proba, seen)
            launch(color_cuda.luv_to_rgb_image, height, width, self.stream, luv, *self.device_plan.luv_constants,
                   as_bytes, rgb)
        return self.host(rgb)

    def _smooth(self, luv):
        """Smooth the chroma of CIELUV planes on the GPU in place, guided by their L (when the plan says so)."""
        _, height, width = luv.shape
        plan, work, stream = self.plan, self.work, self.stream
        if plan.smooth_radius:
            guide = work.get("guide", (height, width), stream=stream)
            launch(_scale_plane, height, width, stream, luv, np.float32(0.01), guide)
            chroma = work.get("chroma", (2, height, width), stream=stream)
            launch(_copy_chroma, height, width, stream, luv, chroma)
            filters_cuda.guided_filter(guide, chroma, plan.smooth_radius, plan.smooth_eps, luv[1:], work, stream)
        return luv

    def colorize_many(self, images, dtype=np.float32):
        """The RGB of each image's pixels, in order, by a :class:`GpuPipeline` on this backend's network."""
        return GpuPipeline(self.plan, device_plan=self.device_plan).run(images, dtype)

    # The video stabilizer's steps: the motion-compensated moving average of probability planes.

    def flow_input(self, small):
        """A frame's L downscaled for the optical flow, where the flow is computed: on the GPU as a CuPy
        array where cuCIM is installed (``pip install "somcolor[gpu-video]"``), else on the host."""
        if not _has_cucim():
            return small
        import cupy

        return cupy.asarray(small)

    def blend_past(self, proba, state, flow, step, weight):
        """proba = weight * (`state` moved along `flow`) + (1 - weight) * proba, on the GPU; `flow`
        (2, h, w), for the frames downscaled by `step`, is on the host or a CuPy array."""
        _, height, width = proba.shape
        if isinstance(flow, np.ndarray):
            small = cuda.to_device(np.ascontiguousarray(flow, np.float32), stream=self.stream)
        else:
            small = cuda.as_cuda_array(flow)  # a float32 CuPy array from cuCIM, already on the GPU
        full = self.work.get("flow", (2, height, width), stream=self.stream)
        launch(filters_cuda.upsample, height, width, self.stream, small, np.float32(step), full)
        past = self.work.get("past", proba.shape, stream=self.stream)
        launch(filters_cuda.warp_bilinear, height, width, self.stream, state, full, past)
        launch(_cuda.blend, height, width, self.stream, past, np.float32(weight), proba)

    def keep(self, proba):
        """A copy of `proba` that the next frame's steps leave alone, as the state it blends with."""
        state = self.work.get("state", proba.shape, stream=self.stream)
        launch(_copy_planes, proba.shape[1], proba.shape[2], self.stream, proba, state)
        return state


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


@cuda.jit
def _copy_planes(src, out):
    j, i = cuda.grid(2)
    if i < out.shape[1] and j < out.shape[2]:
        for q in range(out.shape[0]):
            out[q, i, j] = src[q, i, j]


class GpuPipeline:
    """Colorizes a stream of images on the GPU, `streams` at a time.

    ``run(images, dtype)`` takes an iterable of host pixel arrays (any dtype
    :func:`~somcolor.io.images.as_pixels` gives) and yields their RGB, in
    order. Each of `streams` threads colorizes one image at a time by
    :func:`~somcolor.inference.working.colorize_image` on its own
    :class:`CudaBackend` (its own CUDA stream), so that while one image's
    kernels run, the next is uploaded and the last downloaded.
    """

    def __init__(self, plan, streams=2, device_plan=None):
        require_gpu()
        self.plan = plan
        self.device_plan = upload_plan(plan) if device_plan is None else device_plan
        self.streams = max(1, streams)
        self._local = threading.local()

    def _colorize(self, pixels, dtype):
        backend = getattr(self._local, "backend", None)
        with _SIMULATOR_TURNS:
            if backend is None:
                backend = self._local.backend = CudaBackend(self.plan, self.device_plan)
            return colorize_image(pixels, self.plan, backend, dtype)

    def run(self, images, dtype=np.float32):
        with ThreadPoolExecutor(max_workers=self.streams) as pool:
            in_flight = deque()
            for pixels in images:
                in_flight.append(pool.submit(self._colorize, pixels, dtype))
                if len(in_flight) > self.streams:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()


# numba's CUDA simulator runs one kernel at a time and swaps the cuda module of a kernel's module while
# it runs: there the pipeline's threads take turns, an image at a time.
_SIMULATOR_TURNS = threading.Lock() if config.ENABLE_CUDASIM else contextlib.nullcontext()


@functools.lru_cache(maxsize=None)
def _has_cucim():
    try:
        import cucim.skimage.registration  # noqa: F401
    except ImportError:
        return False
    return True
