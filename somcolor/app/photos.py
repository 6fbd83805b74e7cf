"""The app's photos: the folder it serves, and the photos open in the page, each a hint session.

Every photo a page opens is a :class:`PhotoState`: its
:class:`~somcolor.hints.HintSession` and the hints the page gave, by the page's
own ids. States live in a :class:`PhotoStore`, keyed by the tab that opened
them (so two tabs never see each other's hints) and bounded in number: the
least recently used is dropped first, and a page that asks for a dropped photo
opens it again and gives its hints again.
"""

import os
import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..hints import HintSession
from ..hints.images import hint_color
from ..io.images import IMAGE_EXTENSIONS, ImageError, as_pixels
from ..io.writing import to_uint8

#: A hint id the page may choose: short, plain.
HINT_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
#: The most points a stroke may have, and hints a photo may have.
MAX_STROKE_POINTS = 5000
MAX_HINTS = 2000


class AppError(ValueError):
    """A request the app refuses, with the HTTP status to answer and one line that says why."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def folder_photos(folder):
    """The photos the app serves: name -> path, the image files directly in `folder` whose real path stays
    inside it (a link that leads out of the folder is not served)."""
    if folder is None:
        return {}
    root = Path(os.path.realpath(folder))
    photos = {}
    for entry in sorted(Path(folder).iterdir()):
        real = Path(os.path.realpath(entry))
        if entry.suffix.lower() in IMAGE_EXTENSIONS and real.is_file() and real.parent == root:
            photos[entry.name] = entry
    return photos


def check_hint(spec, shape):
    """A hint as the page sends it, checked: ``{"id", "kind": "point" | "stroke", "points": [[row, col], ...],
    "color": [r, g, b], "radius"}``, with every point inside the photo."""
    if not isinstance(spec, dict):
        raise AppError("a hint is an object with id, kind, points, color and radius")
    hint_id, kind, points = spec.get("id"), spec.get("kind"), spec.get("points")
    if not isinstance(hint_id, str) or not HINT_ID.fullmatch(hint_id):
        raise AppError(f"a hint id is 1-40 letters, digits, '-' or '_', got {hint_id!r}")
    if kind not in ("point", "stroke"):
        raise AppError(f"hint {hint_id}: kind is 'point' or 'stroke', got {kind!r}")
    if not isinstance(points, list) or not 1 <= len(points) <= (1 if kind == "point" else MAX_STROKE_POINTS):
        raise AppError(f"hint {hint_id}: a {kind} has {'one point' if kind == 'point' else f'1-{MAX_STROKE_POINTS} points'}")
    height, width = shape
    checked = []
    for point in points:
        if (not isinstance(point, list) or len(point) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)):
            raise AppError(f"hint {hint_id}: a point is [row, col], got {point!r}")
        row, col = (int(round(v)) for v in point)
        if not (0 <= row < height and 0 <= col < width):
            raise AppError(f"hint {hint_id}: point [{row}, {col}] is outside the photo's {width} x {height} pixels")
        checked.append([row, col])
    radius = spec.get("radius", 2)
    if isinstance(radius, bool) or not isinstance(radius, int) or not 0 <= radius <= 50:
        raise AppError(f"hint {hint_id}: radius is a whole number of pixels in [0, 50], got {radius!r}")
    try:
        color = hint_color(spec.get("color"), f"hint {hint_id}")
    except ValueError as exc:
        raise AppError(str(exc)) from None
    return {"id": hint_id, "kind": kind, "points": checked, "color": list(color), "radius": radius}


class PhotoState:
    """A photo open in a page: its hint session, the model (at the page's temperature) and the hints given,
    by the page's ids. One request at a time works on it."""

    def __init__(self, model, pixels, name, source):
        self.name, self.source = name, source
        self.pixels = pixels
        self.model = model
        self.reference = None
        self.hints = {}  # page id -> checked spec
        self._session_ids = {}  # page id -> the session's hint id
        self.lock = threading.Lock()
        self.session = HintSession(model, pixels, name=name)

    @property
    def shape(self):
        return self.session.shape

    def apply(self, op):
        """One change the page made: add, remove, move, recolor, clear, or set (every hint at once)."""
        if not isinstance(op, dict) or "op" not in op:
            raise AppError("a change is an object with 'op': add, remove, move, recolor, clear or set")
        kind = op["op"]
        if kind == "add":
            self._add(check_hint(op.get("hint"), self.shape))
        elif kind in ("remove", "move", "recolor"):
            hint_id = op.get("id")
            if hint_id not in self.hints:
                raise AppError(f"no hint {hint_id!r} on this photo", status=404)
            spec = dict(self.hints[hint_id])
            if kind == "move":
                spec["points"] = op.get("points")
            elif kind == "recolor":
                spec["color"] = op.get("color")
            spec = check_hint(spec, self.shape)  # before the old one is taken away: a bad change changes nothing
            self._remove(hint_id)
            if kind != "remove":
                self._add(spec)
        elif kind == "clear":
            self._clear()
        elif kind == "set":
            specs = op.get("hints")
            if not isinstance(specs, list) or len(specs) > MAX_HINTS:
                raise AppError(f"'set' gives a list of at most {MAX_HINTS} hints")
            checked = [check_hint(spec, self.shape) for spec in specs]
            self._clear()
            for spec in checked:
                self._add(spec)
        else:
            raise AppError(f"unknown change {kind!r}: add, remove, move, recolor, clear or set")

    def _add(self, spec):
        if spec["id"] in self.hints:
            raise AppError(f"hint {spec['id']!r} is already on this photo; give another id", status=409)
        if len(self.hints) >= MAX_HINTS:
            raise AppError(f"at most {MAX_HINTS} hints on a photo")
        points = np.asarray(spec["points"])
        if spec["kind"] == "point":
            session_id = self.session.add_point(*points[0], spec["color"], radius=spec["radius"])
        else:
            session_id = self.session.add_stroke(points, spec["color"], radius=spec["radius"])
        self.hints[spec["id"]] = spec
        self._session_ids[spec["id"]] = session_id

    def _clear(self):
        self.hints.clear()
        self._session_ids.clear()
        self.session.clear()

    def _remove(self, hint_id):
        self.session.remove_hint(self._session_ids.pop(hint_id))
        del self.hints[hint_id]

    def rebuild(self, model=None, reference=None, keep_reference=True):
        """A new session (another temperature or reference), the hints given again."""
        self.model = model or self.model
        if not keep_reference:
            self.reference = reference
        session = HintSession(self.model, self.pixels, reference=self.reference, name=self.name)
        self.session, specs = session, list(self.hints.values())
        self.hints.clear()
        self._session_ids.clear()
        for spec in specs:
            self._add(spec)

    def colors_uint8(self):
        return to_uint8(self.session.colors()[..., :3])


class PhotoStore:
    """The photos open in pages, by (tab, photo id), at most `max_photos` of them: the least recently used
    is dropped first."""

    def __init__(self, max_photos=6):
        self.max_photos = max_photos
        self._states = OrderedDict()
        self._lock = threading.Lock()

    def add(self, client, state):
        photo_id = secrets.token_urlsafe(9)
        with self._lock:
            self._states[(client, photo_id)] = state
            while len(self._states) > self.max_photos:
                self._states.popitem(last=False)
        return photo_id

    def get(self, client, photo_id):
        with self._lock:
            state = self._states.get((client, photo_id))
            if state is None:
                raise AppError("this photo is no longer open (the app keeps the last few photos): open it again",
                               status=410)
            self._states.move_to_end((client, photo_id))
            return state

    def of_client(self, client):
        with self._lock:
            return [(photo_id, state) for (owner, photo_id), state in self._states.items() if owner == client]

    def __len__(self):
        return len(self._states)


def read_photo(path, name, max_pixels):
    """A photo's pixels for the app, refused by name (as the command line refuses it)."""
    try:
        pixels, alpha = as_pixels(path, str(path), max_pixels, alpha=True)
    except ImageError as exc:
        raise AppError(str(exc).replace(str(path), name, 1)) from None
    return pixels
