"""Which device colorizes: the one place that chooses between the CPU and the GPU steps.

A plan's `device` picks the backend (:class:`~somcolor.inference.fused.CpuBackend`
or :class:`~somcolor.inference.gpu.CudaBackend`); everything else takes the
backend it is given and calls its steps (see :mod:`somcolor.inference.working`).
"""

from .fused import CpuBackend


def backend_of(plan):
    """The colorizing steps of a :class:`~somcolor.inference.ColorizePlan` on its device.

    >>> from somcolor import load_model
    >>> type(backend_of(load_model("landscapes").colorize_plan())).__name__
    'CpuBackend'
    """
    if plan.device == "cuda":
        from .gpu import CudaBackend

        return CudaBackend(plan)
    return CpuBackend(plan)


def check_device(device):
    """Raise ImportError, saying what to install, where `device` names a GPU that is missing."""
    if device == "cuda":
        from .gpu import require_gpu

        require_gpu()
