"""``somcolor app``: a local page to colorize photos click by click (the ``app`` extra)."""

import ipaddress
import signal
import socket
import sys
from pathlib import Path

from .common import COUNT, DEFAULT_MODEL, Interrupted, at_least, model_argument, say_if_compiling

HELP = "colorize in the browser: a local page to click hints on photos"
USAGE = "somcolor app [PHOTO|FOLDER] [--model M] [--host 127.0.0.1] [--port N] [--open] [-o OUT]"
APP_EXTRA = 'pip install -e ".[app]"'


def run(args):
    import webbrowser

    try:
        import uvicorn
    except ImportError:
        raise ImportError(f"somcolor app needs Starlette and uvicorn, which are not installed: {APP_EXTRA}") from None
    from ..app import create_app
    from ..io.images import ImageError, check_regular_file
    from ..io.writing import check_folder
    from ..persistence import load_model

    folder, first = None, None
    if args.photos is not None:
        given = Path(args.photos)
        if given.is_dir():
            folder = given
        else:
            check_regular_file(given)
            folder, first = given.parent, given.name
    if args.output is not None:
        check_folder(args.output)
    model = load_model(model_argument(args.model))
    say_if_compiling()
    model.predict([[[0.5] * 8] * 8])  # the kernels compile now, not on the first click
    loopback = _is_loopback(args.host)
    try:
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
    except OSError as exc:
        raise ImageError(f"{args.host}:{args.port}: cannot listen there ({exc.strerror or exc})") from None
    port = sock.getsockname()[1]
    app = create_app(model, folder, args.output, hosts=(args.host,), port=port, max_photos=args.max_photos)
    name = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{name}:{port}/" + (f"?photo={first}" if first else "")
    if not loopback:
        print(f"somcolor app: warning: listening on {args.host}: anyone who can reach port {port} there can use "
              "this page, its photos and its output folder", file=sys.stderr)
    print(f"somcolor app: {url} serving {folder if folder is not None else 'photos you upload'}"
          + (f", saving into {args.output}" if args.output else "") + " (Ctrl-C stops it)", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    try:
        if args.open:
            webbrowser.open(url)
        server.run(sockets=[sock])  # until Ctrl-C (or SIGTERM), which uvicorn catches to stop cleanly
    except (KeyboardInterrupt, Interrupted):
        pass  # Ctrl-C before uvicorn took the signal over, or passed on by it: stopped all the same
    print("somcolor app: stopped", file=sys.stderr)
    return 128 + signal.SIGINT


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def add_options(app):
    app.add_argument("photos", nargs="?", metavar="PHOTO|FOLDER",
                     help="a photo to open, or a folder whose photos the page offers (photos can be uploaded too)")
    app.add_argument("--model", default=DEFAULT_MODEL, help="the model: a bundled model's name or a model file")
    app.add_argument("--host", default="127.0.0.1",
                     help="address to listen on: loopback only by default; another host is said to be open to all")
    app.add_argument("--port", type=at_least(0), default=8765, help="port to listen on; 0: a free one")
    app.add_argument("--open", action="store_true", help="open the page in the browser")
    app.add_argument("-o", "--output", help="folder the page saves colorized photos and hints into")
    app.add_argument("--max-photos", type=COUNT, default=6, help="photos kept open at once (least recently used dropped)")
