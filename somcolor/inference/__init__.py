"""The inference stage: colorizing with a fitted model, by the fused CPU pass or array code (numpy/CuPy)."""

from .plan import ColorizePlan, colorize, plan_of

__all__ = ["ColorizePlan", "colorize", "plan_of"]
