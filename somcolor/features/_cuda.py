"""CUDA twin (numba.cuda) of the per-pixel context planes of :func:`somcolor.features.context.image_context`:
position, local statistics and texture, computed on the GPU from L already there.

A context feature that is a full-resolution plane is added here and in
:mod:`somcolor.features.context` (its reference); the colorizing kernels read
every plane alike.
"""

from numba import cuda

from ..filters import _cuda as filters_cuda
from ..filters._cuda import launch
from .context import N_ORIENTATIONS, texture_window


def context_planes(L, context, band, work, stream):
    """The per-pixel context planes (n_planes, H, W) of L (H, W) on the GPU, in the order of
    :func:`~somcolor.features.context.image_context`; `band` places L in its image
    (:class:`~somcolor.features.context.Band`), `work` keeps the device arrays
    (:class:`~somcolor.inference.gpu.Workspace`)."""
    height, width = L.shape
    planes = work.get("planes", (context.n_planes, height, width), stream=stream)
    offset = 0
    if context.position:
        launch(position_planes, height, width, stream, band.top, band.image_height, band.left,
               band.image_width or width, planes[0:2])
        offset = 2
    if context.local_radii:
        moments = work.get("moments", (2, height, width), stream=stream)
        means = work.get("moment_means", (2, height, width), stream=stream)
        launch(filters_cuda.moments, height, width, stream, L, moments)
        for radius in context.local_radii:
            filters_cuda.box_means(moments, radius, means, work, stream)
            launch(filters_cuda.spread, height, width, stream, means, planes[offset : offset + 2])
            offset += 2
    if context.texture_scales:
        squares = work.get("squares", (N_ORIENTATIONS, height, width), stream=stream)
        for scale in context.texture_scales:
            energies = planes[offset : offset + N_ORIENTATIONS]
            launch(oriented_differences, height, width, stream, L, scale, squares)
            filters_cuda.box_means(squares, texture_window(scale), energies, work, stream)
            launch(root, height, width, stream, energies)
            offset += N_ORIENTATIONS
    return planes


@cuda.jit
def oriented_differences(L, scale, out):
    """out (4, H, W) = the squared differences of L / 100 `scale` pixels before and after each pixel along
    rows, columns and both diagonals, indices clamped to the image (its edge values repeated)."""
    j, i = cuda.grid(2)
    height, width = L.shape
    if i < height and j < width:
        up, down = max(i - scale, 0), min(i + scale, height - 1)
        left, right = max(j - scale, 0), min(j + scale, width - 1)
        d = (L[i, right] - L[i, left]) / 100.0
        out[0, i, j] = d * d
        d = (L[down, j] - L[up, j]) / 100.0
        out[1, i, j] = d * d
        d = (L[down, right] - L[up, left]) / 100.0
        out[2, i, j] = d * d
        d = (L[down, left] - L[up, right]) / 100.0
        out[3, i, j] = d * d


@cuda.jit
def root(planes):
    """planes = their square roots (negative rounding errors taken as 0), in place."""
    j, i = cuda.grid(2)
    if i < planes.shape[1] and j < planes.shape[2]:
        for k in range(planes.shape[0]):
            planes[k, i, j] = max(planes[k, i, j], 0.0) ** 0.5


@cuda.jit
def position_planes(top, image_height, left, image_width, planes):
    """planes[0] = (row + 0.5) / image height, planes[1] = (column + 0.5) / image width, for rows from `top`
    and columns from `left`."""
    j, i = cuda.grid(2)
    if i < planes.shape[1] and j < planes.shape[2]:
        planes[0, i, j] = (top + i + 0.5) / image_height
        planes[1, i, j] = (left + j + 0.5) / image_width
