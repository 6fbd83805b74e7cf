"""The ``somcolor`` command: one module per subcommand (each with ``HELP``, ``add_options`` and ``run``),
what they share in :mod:`somcolor.cli.common`, and here the parser and the one-line manners of ``main``.

Everything heavy (scikit-learn, numba, scikit-image) is imported inside the commands, so that
``somcolor --help`` and ``--version`` answer at once.
"""

import argparse
import signal
from importlib import resources
import sys
import threading
import warnings

from .._version import __version__
from . import app, colorize, compare, demo, fit, grid, video
from .common import Interrupted, cli_words, raise_interrupted

#: The commands, in the order ``--help`` lists them: name -> module.
COMMANDS = {"fit": fit, "colorize": colorize, "app": app, "video": video, "demo": demo, "compare": compare,
            "grid": grid}


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help with its default, except where there is none to show (required, off, unset)."""

    def _get_help_string(self, action):
        if action.required or action.default in (None, False) or "default:" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def build_parser(command=None):
    """The argument parser; with `command`, only that command's options are added (the others' would
    import what that command does not need: `somcolor --help` stays instant)."""
    parser = argparse.ArgumentParser(
        prog="somcolor",
        description="Colorize grayscale photos with a self-organizing map and a small MLP.",
        formatter_class=argparse.RawTextHelpFormatter,  # --version's two lines stay two lines
    )
    credits = resources.files("somcolor").joinpath("data", "models", "landscapes-CREDITS.md")
    parser.add_argument("--version", action="version",
                        version=f"somcolor {__version__}\nthe bundled model's training photos and their licenses: {credits}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP[0].upper() + module.HELP[1:] + ".",
                                  usage=getattr(module, "USAGE", None), formatter_class=_Formatter)
        if command is None or command == name:
            module.add_options(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv=None):
    # Everything inside the try, the parsing and its imports too: Ctrl-C from the first moment ends with one
    # line and status 130, never a traceback or death by the signal; every warning is one line.
    # Ctrl-C too raises Interrupted, not KeyboardInterrupt: a KeyboardInterrupt that passes through code run
    # by exec() (dataclasses, numba) while importing marks CPython to kill itself by SIGINT at exit, even
    # once caught here.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, raise_interrupted)
                for signum in (signal.SIGINT, signal.SIGTERM)} if in_main_thread else {}
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), "")
    prog = f"somcolor {command}" if command in COMMANDS else "somcolor"

    def one_line(message, category, filename, lineno, file=None, line=None):
        print(f"{prog}: warning: {cli_words(str(message))}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default", UserWarning)
            warnings.showwarning = one_line
            return _run(build_parser(command).parse_args(argv), prog)
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        print(
            f"{prog}: interrupted by {signal.Signals(signum).name}: outputs already complete are kept, none is "
            "half-written; run the same command again to finish", file=sys.stderr,
        )
        return 128 + signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(args, prog):
    """Run the parsed command; every error it raises for the user's input is one line and status 2."""
    from ..io.images import ImageError
    from ..persistence import ModelFileError

    try:
        return args.run(args)
    except (ImageError, ModelFileError, ValueError, TypeError, OSError, ImportError) as exc:
        print(f"{prog}: error: {cli_words(str(exc))}", file=sys.stderr)
    except MemoryError:
        print(f"{prog}: error: not enough memory for this command; give smaller or fewer photos", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
