"""Hints and reference photos: a person's colors, where the model guesses wrong.

Hint images and their helpers (:mod:`~somcolor.hints.images`), how hints spread
(:mod:`~somcolor.hints.propagation`), a reference photo's palette
(:mod:`~somcolor.hints.reference`), and one photo's state between hints
(:mod:`~somcolor.hints.session`), which :meth:`SOMColorizer.predict` uses for
``hints=`` and the interactive page builds on.
"""

from .images import hint_image, hints_in, read_hints, write_hints
from .propagation import Propagation
from .session import HintSession, Suggestion

__all__ = ["HintSession", "Propagation", "Suggestion", "hint_image", "hints_in", "read_hints", "write_hints"]
