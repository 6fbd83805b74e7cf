"""The app's HTTP side: a Starlette application serving the page and its JSON and image routes.

Safe by default: every request must name this server in its ``Host`` (a DNS
rebinding page names its own), and one that comes from a page (``Origin``,
``Sec-Fetch-Site``) must come from this server's page; uploads are bounded in
bytes and pixels and read as the command line reads files; photos are served
from the folder given at start, by name only; saves go into the output folder
given at start, atomically, and never over an input.
"""

import io
import json
import os
import tempfile
from importlib import resources
from pathlib import Path

from PIL import Image
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..hints.images import write_hints
from ..io.images import IMAGE_EXTENSIONS, to_float
from ..io.writing import OutputError, check_report_outputs, refuse_inputs, to_uint8, write_png
from .photos import AppError, PhotoState, PhotoStore, folder_photos, read_photo

#: The largest upload accepted, in bytes (a photo or a reference photo).
MAX_UPLOAD_BYTES = 64 * 2**20
#: The largest photo the page works on, in pixels (its state holds about 60 bytes a pixel).
MAX_APP_PIXELS = 24_000_000
# The widest preview the page may ask for, and the thumbnails' width.
MAX_PREVIEW = 4096
THUMBNAIL = 160
_STATIC = ("app.js", "app.css")
_CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# The page's own code only: no script, style or image from elsewhere, no framing.
_POLICY = ("default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def create_app(model, folder=None, output=None, hosts=("127.0.0.1",), port=None, max_photos=6,
               max_upload_bytes=MAX_UPLOAD_BYTES, max_pixels=MAX_APP_PIXELS):
    """The app: `model` colorizes; `folder` (optional) holds the photos it offers; `output` (optional) is
    where the page saves; `hosts` and `port` are the names this server answers to (requests naming another
    host are refused); at most `max_photos` photos stay open."""
    store = PhotoStore(max_photos)
    allowed = _Names(hosts, port)
    max_pixels = min(max_pixels, model.max_image_pixels)

    def client_of(request):
        # A download link cannot send a header: it names its tab in the query.
        client = request.headers.get("x-somcolor-client") or request.query_params.get("client", "")
        if not (8 <= len(client) <= 64 and client.replace("-", "").replace("_", "").isalnum()):
            raise AppError("every request of the page names its tab (X-Somcolor-Client)")
        return client

    def state_of(request):
        return store.get(client_of(request), request.path_params["photo"])

    async def page(request):
        html = resources.files("somcolor.app").joinpath("static", "index.html").read_text(encoding="utf-8")
        return Response(html, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": _POLICY})

    async def static(request):
        name = request.path_params["name"]
        if name not in _STATIC:
            raise AppError("no such file", status=404)
        text = resources.files("somcolor.app").joinpath("static", name).read_text(encoding="utf-8")
        return Response(text, media_type=_CONTENT_TYPES[Path(name).suffix])

    async def folder_list(request):
        photos = await run_in_threadpool(folder_photos, folder)
        return JSONResponse({"photos": list(photos), "folder": None if folder is None else str(folder),
                             "output": None if output is None else str(output), "temperature": model.temperature})

    async def thumbnail(request):
        path = _served(folder, request.query_params.get("name", ""))
        return await run_in_threadpool(_thumbnail, path, max_pixels)

    async def open_photo(request):
        body = await _json(request)
        name = body.get("name") if isinstance(body, dict) else None
        path = _served(folder, name)
        pixels = await run_in_threadpool(read_photo, path, name, max_pixels)
        return await _opened(request, pixels, name, {"kind": "folder", "name": name, "path": path})

    async def upload(request):
        name = _upload_name(request)
        data = await _body(request, max_upload_bytes)
        pixels = await run_in_threadpool(_read_upload, data, name, max_pixels)
        return await _opened(request, pixels, name, {"kind": "upload", "name": name})

    async def _opened(request, pixels, name, source):
        client = client_of(request)
        state = await run_in_threadpool(PhotoState, model, pixels, name, source)
        photo_id = store.add(client, state)
        height, width = state.shape
        return JSONResponse({"photo": photo_id, "name": name, "width": width, "height": height, "source": source["kind"]})

    async def open_list(request):
        client = client_of(request)
        return JSONResponse({"photos": [{"photo": photo_id, "name": state.name, "width": state.shape[1],
                                         "height": state.shape[0], "source": state.source["kind"],
                                         "hints": list(state.hints.values())}
                                        for photo_id, state in store.of_client(client)]})

    async def gray(request):
        state = state_of(request)
        levels = await run_in_threadpool(_gray_levels, state.session.lightness)
        return _jpeg(levels, _width(request, state))

    async def colors(request):
        state = state_of(request)
        return await run_in_threadpool(_colors_response, state, _width(request, state))

    async def hints(request):
        state = state_of(request)
        op = await _json(request)

        def work():
            with state.lock:
                state.apply(op)
                return _colors_response(state, _width(request, state))

        return await run_in_threadpool(work)

    async def suggest(request):
        state = state_of(request)
        try:
            row, col = int(request.query_params["row"]), int(request.query_params["col"])
            k = int(request.query_params.get("k", 5))
        except (KeyError, ValueError):
            raise AppError("suggest takes whole numbers row, col and k") from None
        if not 1 <= k <= 50:
            raise AppError("k is a whole number in [1, 50]")
        try:
            suggestions = state.session.suggest_colors(row, col, k)
        except ValueError as exc:
            raise AppError(str(exc)) from None
        return JSONResponse({"suggestions": [{"rgb": list(s.rgb), "probability": s.probability} for s in suggestions]})

    async def temperature(request):
        state = state_of(request)
        body = await _json(request)
        value = body.get("temperature") if isinstance(body, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.01 <= value <= 1:
            raise AppError(f"temperature is a number in [0.01, 1], got {value!r}")

        def work():
            with state.lock:
                state.rebuild(model=_with_temperature(state.model, float(value)))
                return _colors_response(state, _width(request, state))

        return await run_in_threadpool(work)

    async def reference(request):
        state = state_of(request)
        data = await _body(request, max_upload_bytes)

        def work():
            with state.lock:
                ref = None if not data else _read_upload(data, _upload_name(request), max_pixels, color=True)
                state.rebuild(reference=ref, keep_reference=False)
                return _colors_response(state, _width(request, state))

        return await run_in_threadpool(work)

    async def save(request):
        state = state_of(request)
        if output is None:
            raise AppError("this app was started without an output folder (-o): download instead", status=409)
        return JSONResponse(await run_in_threadpool(_save, state, Path(output), folder, model.temperature))

    async def download(request):
        state = state_of(request)
        what = request.path_params["what"]
        if what not in ("colorized", "hints"):
            raise AppError("download 'colorized' or 'hints'", status=404)
        data = await run_in_threadpool(_png_bytes, state, what)
        filename = f"{Path(state.name).stem}{'' if what == 'colorized' else '.hints'}.png"
        return Response(data, media_type="image/png",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    async def no_icon(request):
        return Response(status_code=204)

    routes = [
        Route("/", page), Route("/static/{name}", static), Route("/favicon.ico", no_icon),
        Route("/api/folder", folder_list), Route("/api/folder/thumbnail", thumbnail),
        Route("/api/open", open_photo, methods=["POST"]), Route("/api/upload", upload, methods=["POST"]),
        Route("/api/photos", open_list),
        Route("/api/photo/{photo}/gray", gray), Route("/api/photo/{photo}/colors", colors),
        Route("/api/photo/{photo}/hints", hints, methods=["POST"]), Route("/api/photo/{photo}/suggest", suggest),
        Route("/api/photo/{photo}/temperature", temperature, methods=["POST"]),
        Route("/api/photo/{photo}/reference", reference, methods=["POST"]),
        Route("/api/photo/{photo}/save", save, methods=["POST"]),
        Route("/api/photo/{photo}/download/{what}", download),
    ]
    app = Starlette(routes=routes, exception_handlers={AppError: _refusal})
    app.state.store = store
    return _Guard(app, allowed)


class _Guard:
    """Refuse a request that names another host (DNS rebinding) or comes from another site's page."""

    def __init__(self, app, allowed):
        self.app, self.allowed = app, allowed
        self.state = app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            host = headers.get("host", "")
            origin = headers.get("origin")
            why = None
            if host not in self.allowed:
                why = f"refused: this server answers to {self.allowed}, not {host!r}"
            elif origin is not None and origin != f"http://{host}":
                why = f"refused: a request from {origin!r}, not from this server's page"
            elif headers.get("sec-fetch-site") == "cross-site":
                why = "refused: a request from another site's page"
            if why:
                await JSONResponse({"error": why}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _Names:
    """The Host headers this server answers to: its own address and, on loopback, the loopback names; on
    every address (0.0.0.0, ::), any IP address, but never a DNS name (which a rebinding page would send);
    and its port. Without a port (the test client), the test client's name."""

    def __init__(self, hosts, port):
        self.hosts = {h.strip("[]") for h in hosts}
        self.port = port
        self.wildcard = bool(self.hosts & {"0.0.0.0", "::"})
        if self.hosts & {"127.0.0.1", "localhost", "::1"} or self.wildcard:
            self.hosts |= {"127.0.0.1", "localhost", "::1"}

    def __contains__(self, header):
        if self.port is None:
            return header == "testserver"
        host, _, port = header.rpartition(":")
        host = host.strip("[]")
        if port != str(self.port):
            return False
        return host in self.hosts or (self.wildcard and _is_address(host))

    def __str__(self):
        return ", ".join(f"{h}:{self.port}" for h in sorted(self.hosts)) + (" (or any IP address)" if self.wildcard else "")


def _is_address(text):
    import ipaddress

    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


async def _refusal(request, exc):
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


async def _json(request):
    data = await _body(request, 1 << 22)
    try:
        return json.loads(data or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise AppError("the request's body is not JSON") from None


async def _body(request, limit):
    """The request's body, refused past `limit` bytes before it is all read."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise AppError(f"upload of {declared} bytes: larger than the limit of {limit // 2**20} MB", status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise AppError(f"upload larger than the limit of {limit // 2**20} MB", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def _upload_name(request):
    """The uploaded file's own name, as the page sends it: a plain file name, for messages only."""
    name = os.path.basename(request.headers.get("x-filename", "upload").replace("\\", "/")) or "upload"
    return name[:120]


def _read_upload(data, name, max_pixels, color=False):
    """Pixels of uploaded bytes, read as the command line reads a file (and refused the same way, by the
    upload's name)."""
    if not data:
        raise AppError(f"{name}: empty upload")
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in IMAGE_EXTENSIONS else ""
    with tempfile.TemporaryDirectory(prefix="somcolor-app-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        pixels = read_photo(path, name, max_pixels)
    if color and pixels.ndim != 3:
        raise AppError(f"{name}: a reference photo must be in color")
    return pixels


def _served(folder, name):
    """The path of a photo of the served folder, by its name only: anything else is not found."""
    photos = folder_photos(folder)
    if not isinstance(name, str) or name not in photos:
        raise AppError(f"no photo {name!r} in the served folder", status=404)
    return photos[name]


def _width(request, state):
    try:
        width = int(request.query_params.get("width", state.shape[1]))
    except ValueError:
        raise AppError("width is a whole number of pixels") from None
    return max(1, min(width, state.shape[1], MAX_PREVIEW))


def _gray_levels(L):
    from ..color import gray_of_lightness

    return to_uint8(gray_of_lightness(L))


def _jpeg(levels, width):
    """A preview at `width` pixels (JPEG, full chroma): what the page draws."""
    image = Image.fromarray(levels)
    if width < image.width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.BILINEAR,
                             reducing_gap=2.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92, subsampling=0)
    return Response(buffer.getvalue(), media_type="image/jpeg", headers={"Cache-Control": "no-store"})


def _colors_response(state, width):
    return _jpeg(state.colors_uint8(), width)


def _thumbnail(path, max_pixels):
    return _jpeg(to_uint8(to_float(read_photo(path, path.name, max_pixels))), THUMBNAIL)


def _with_temperature(model, temperature):
    from sklearn.base import clone

    copy = clone(model)
    copy.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    return copy.set_params(temperature=temperature)


def _png_bytes(state, what):
    with state.lock:
        image = state.session.hint_image() if what == "hints" else state.colors_uint8()
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def _save(state, output, folder, served_temperature):
    """Write the colorized photo (full size) and its hints into the output folder, atomically: OUT/NAME.png
    and OUT/hints/NAME.png, which ``somcolor colorize PHOTO --hints OUT/hints/NAME.png`` reproduces."""
    stem = Path(state.name).stem
    colorized, hints = output / f"{stem}.png", output / "hints" / f"{stem}.png"
    inputs = list(folder_photos(folder).values()) if folder is not None else []
    try:
        check_report_outputs(output, [colorized, hints], subfolders=[output / "hints"])
        refuse_inputs([colorized, hints], inputs)
    except (OutputError, ValueError) as exc:
        raise AppError(str(exc), status=409) from None
    with state.lock:
        write_png(colorized, state.colors_uint8())
        write_hints(hints, state.session.hint_image())
        temperature, referenced = state.model.temperature, state.reference is not None
    command = f"somcolor colorize {state.source.get('path', state.name)} --hints {hints} -o {colorized}"
    if temperature != served_temperature:
        command += f" --temperature {temperature:g}"
    if referenced:
        command += " --reference REFERENCE (the reference photo you gave)"
    return {"colorized": str(colorized), "hints": str(hints), "command": command}
