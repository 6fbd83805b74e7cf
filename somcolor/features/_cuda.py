"""CUDA twin (numba.cuda) of the per-pixel context planes of :func:`somcolor.features.context.image_context`:
position and local statistics, computed on the GPU from L already there.

A context feature that is a full-resolution plane is added here and in
:mod:`somcolor.features.context` (its reference); the colorizing kernels read
every plane alike.
"""

from numba import cuda

from ..filters import _cuda as filters_cuda
from ..filters._cuda import launch


def context_planes(L, context, band, work, stream):
    """The per-pixel context planes (n_planes, H, W) of L (H, W) on the GPU, in the order of
    :func:`~somcolor.features.context.image_context`; `band` places L in its image
    (:class:`~somcolor.features.context.Band`), `work` keeps the device arrays
    (:class:`~somcolor.inference.gpu.Workspace`)."""
    height, width = L.shape
    planes = work.get("planes", (context.n_planes, height, width), stream=stream)
    offset = 0
    if context.position:
        launch(position_planes, height, width, stream, band.top, band.image_height, planes[0:2])
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


@cuda.jit
def position_planes(top, image_height, planes):
    """planes[0] = (row + 0.5) / image height, planes[1] = (column + 0.5) / width, for rows from `top`."""
    j, i = cuda.grid(2)
    if i < planes.shape[1] and j < planes.shape[2]:
        planes[0, i, j] = (top + i + 0.5) / image_height
        planes[1, i, j] = (j + 0.5) / planes.shape[2]
