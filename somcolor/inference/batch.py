"""Colorizing many files: streamed, atomic, resumable, locally or on a Dask cluster."""

import errno
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from ..cluster import on_cluster
from ..io.images import IMAGE_EXTENSIONS, ImageError, as_pixels, to_float
from ..io.writing import (OutputError, check_folder, check_output_file, refuse_inputs, to_uint8, write_png_rows,
                          written_by_somcolor)
from .backend import backend_of
from .working import colorize_bands


def output_paths(inputs, output):
    """The output of each input path: ``<stem>.png`` in the folder `output`, or the file `output` itself
    when it names a PNG and there is one input (a name ending in a slash is a folder, whatever its suffix).

    Two inputs may not share an output, and no output may be an input: with
    or without ``overwrite``, ``-o`` the inputs' own folder refuses PNG
    inputs, except the PNGs somcolor itself wrote there on an earlier run
    (:func:`~somcolor.io.writing.written_by_somcolor`), which are that run's
    outputs, not inputs. Outputs taken by a folder or a special file are
    refused too, all before any work.
    """
    # Path drops a trailing slash, which is how a user says "a folder" of a name like photos.jpg/.
    folder = str(output).endswith(("/", os.sep))
    output = Path(output)
    if output.suffix.lower() in IMAGE_EXTENSIONS and not folder and not output.is_dir():
        if output.suffix.lower() != ".png":
            raise OutputError(f"{output}: somcolor writes PNG files; name a .png file or a folder")
        if len(inputs) != 1:
            raise OutputError(f"{output} names one file, but {len(inputs)} photos were given; give a folder")
        refuse_inputs([output], inputs)
        check_output_file(output)
        return {inputs[0]: output}
    check_folder(output)
    targets = {Path(p): output / f"{Path(p).stem}.png" for p in inputs}
    # Paths compared as the file system resolves them: -o spelled another way (absolute, through a link)
    # is the same folder.
    real = {path: os.path.realpath(path) for path in targets}
    others_outputs = {os.path.realpath(out) for src, out in targets.items() if os.path.realpath(out) != real[src]}
    earlier = {p for p in targets if real[p] in others_outputs and written_by_somcolor(p)}
    outputs, taken = {}, {}
    for path in inputs:
        if Path(path) in earlier:
            continue
        out = targets[Path(path)]
        resolved = os.path.realpath(out)
        if resolved in taken:
            raise ImageError(f"{taken[resolved]} and {path} would both be written to {out}")
        check_output_file(out)
        outputs[path], taken[resolved] = out, path
    refuse_inputs(outputs.values(), outputs)
    return outputs


def _read(path, max_pixels):
    """The pixels and alpha channel (or None) of a file, or the message that says why it is bad."""
    try:
        return as_pixels(path, str(path), max_pixels, alpha=True)
    except ImageError as exc:
        return str(exc)
    except MemoryError:
        return f"{path}: not enough memory to read it"


def colorize_file(plan, path, out, max_pixels, hinting=None):
    """Colorize one file into `out` by a :class:`~somcolor.inference.ColorizePlan` on its device; return
    None, or the error message if the file is bad. Each band of rows is written as it is colorized, so
    memory holds the file's pixels and one band. `hinting`: (model, hint image path, log prior) for a photo
    with hints."""
    return _write(_read(path, max_pixels), path, out, plan, backend_of(plan), hinting)


# Write errors that belong to one output (its size, its name), not to the disk: that photo's error, and the
# batch goes on. A full or read-only disk stops the batch.
_ONE_FILES_ERRNOS = {errno.EFBIG, errno.ENAMETOOLONG}


def _write(read, path, out, plan, backend, hinting=None):
    """Colorize what `_read` gave into `out`, a band at a time, keeping the input's alpha channel; or pass on
    the message that says why the input is bad, or why this one photo could not be done. `hinting`: (model,
    hint image path, log prior) for a photo with hints, colorized whole by a
    :class:`~somcolor.hints.HintSession`."""
    if isinstance(read, str):
        return read
    pixels, alpha = read
    height, width = pixels.shape[:2]
    try:
        if hinting is not None:
            bands = _hinted_bands(pixels, alpha, path, *hinting)
        else:
            bands = colorize_bands(pixels, plan, backend, dtype=np.uint8)
        if alpha is not None:
            opacity = to_uint8(to_float(alpha) if alpha.dtype != np.uint8 else alpha)
            bands = (np.dstack([rgb, opacity[r0 : r0 + len(rgb)]]) for r0, rgb in bands)
        else:
            bands = (rgb for _, rgb in bands)
        write_png_rows(out, (height, width, 3 if alpha is None else 4), bands)
    except ImageError as exc:  # its hints are bad: this photo's error
        return str(exc)
    except MemoryError:
        return f"{path}: not enough memory to colorize it ({width} x {height} pixels)"
    except OutputError as exc:
        if exc.errno in _ONE_FILES_ERRNOS:
            return str(exc)
        raise
    return None


def _hinted_bands(pixels, alpha, path, model, hints, prior):
    """One band of the whole photo colorized with its hints (a hint session holds the photo anyway)."""
    from ..hints.session import HintSession

    session = HintSession(model, pixels, prior=prior, name=str(path))
    session.set_hints(hints)
    yield 0, to_uint8(session.colors())


def _read_ahead(todo, max_pixels):
    """The pixels (or error message) of each input of `todo`, in order, the next one read in a thread
    while this one is colorized."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        window = deque()
        for path, _ in todo:
            window.append(pool.submit(_read, path, max_pixels))
            if len(window) > 1:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def colorize_files(model, outputs, overwrite=False, scheduler=None, progress=True, hints=None, reference=None):
    """Colorize every input of `outputs` (input -> output path) that is not done yet.

    Two images' pixels are in memory at a time (per worker): the one being
    colorized, a band of rows at a time, and the next, read ahead. Outputs appear only once
    complete, so an existing output is finished work: it is skipped unless
    `overwrite`, and a rerun after an interruption picks up where it stopped.
    Bad files are reported, not fatal.

    Parameters
    ----------
    model : fitted SOMColorizer
    outputs : dict of input path -> output path
    overwrite : bool
    scheduler : str, dask.distributed.Client or None
        Run on a Dask cluster (see :func:`somcolor.cluster.on_cluster`).
    progress : bool
    hints : dict of input path -> hint image path, optional
        The photos that have hints (:mod:`somcolor.hints.images`).
    reference : path, optional
        A color photo whose palette every photo follows (:mod:`somcolor.hints.reference`).

    Returns
    -------
    done : list of input paths colorized
    skipped : list of input paths whose output already existed
    failures : list of str
        One message per bad file, naming it.
    """
    plan = model.colorize_plan()
    prior = None
    if reference is not None:
        from ..hints.reference import reference_prior, with_prior

        prior = reference_prior(model, reference)
        plan = with_prior(plan, prior)
    hints = hints or {}
    skipped = [] if overwrite else [p for p, out in outputs.items() if Path(out).exists()]
    todo = [(p, out) for p, out in outputs.items() if p not in set(skipped)]

    def hinting(path):
        return (model, hints[path], prior) if path in hints else None

    def counted(results):
        return list(tqdm(results, total=len(todo), desc="colorizing", unit="img", disable=not progress))

    if scheduler is None:
        backend = backend_of(plan)
        read = _read_ahead(todo, model.max_image_pixels)
        errors = counted(_write(pixels, path, out, plan, backend, hinting(path))
                         for (path, out), pixels in zip(todo, read))
    else:
        with on_cluster(scheduler):
            errors = counted(
                Parallel(n_jobs=-1, return_as="generator")(
                    delayed(colorize_file)(plan, path, out, model.max_image_pixels, hinting(path))
                    for path, out in todo
                )
            )
    failures = [e for e in errors if e is not None]
    done = [p for (p, _), e in zip(todo, errors) if e is None]
    return done, skipped, failures
