"""``somcolor app``: colorize in the browser, click by click.

A local server (Starlette on uvicorn: ``pip install -e ".[app]"``) and a page
of plain HTML, CSS and JavaScript shipped in the package: open a photo, click
a hint, pick a suggested color, and see the colors move. The server keeps each
photo's :class:`~somcolor.hints.HintSession` (:mod:`somcolor.app.photos`), so a
click costs one hint's propagation and a preview at screen size; the full-size
PNG is made on save (:mod:`somcolor.app.server`).
"""

from .server import create_app

__all__ = ["create_app"]
