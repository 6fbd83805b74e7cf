"""The inference stage: colorizing with a fitted model, by the same steps on the CPU (fused numba pass), on a
GPU (CUDA kernels) or by the exact scikit-learn reference, wrapped once in the working resolution and bands."""

from .plan import ColorizePlan, colorize, plan_of

__all__ = ["ColorizePlan", "colorize", "plan_of"]
