"""Colorizing many files: streamed, atomic, resumable, locally or on a Dask cluster."""

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from ..cluster import on_cluster
from ..io.images import IMAGE_EXTENSIONS, ImageError, as_pixels
from ..io.writing import (
    OutputError, check_folder, check_output_file, refuse_inputs, write_png, write_png_rows, written_by_somcolor,
)
from .plan import colorize, colorize_bands, colorize_many


def output_paths(inputs, output):
    """The output of each input path: ``<stem>.png`` in the folder `output`, or the file `output` itself
    when it names a PNG and there is one input.

    Two inputs may not share an output, and no output may be an input: with
    or without ``overwrite``, ``-o`` the inputs' own folder refuses PNG
    inputs, except the PNGs somcolor itself wrote there on an earlier run
    (:func:`~somcolor.io.writing.written_by_somcolor`), which are that run's
    outputs, not inputs. Outputs taken by a folder or a special file are
    refused too, all before any work.
    """
    output = Path(output)
    if output.suffix.lower() in IMAGE_EXTENSIONS and not output.is_dir():
        if output.suffix.lower() != ".png":
            raise OutputError(f"{output}: somcolor writes PNG files; name a .png file or a folder")
        if len(inputs) != 1:
            raise OutputError(f"{output} names one file, but {len(inputs)} photos were given; give a folder")
        refuse_inputs([output], inputs)
        check_output_file(output)
        return {inputs[0]: output}
    check_folder(output)
    targets = {Path(p): output / f"{Path(p).stem}.png" for p in inputs}
    others_outputs = {out for src, out in targets.items() if out != src}
    earlier = {p for p in targets if p in others_outputs and written_by_somcolor(p)}
    outputs = {}
    for path in inputs:
        if Path(path) in earlier:
            continue
        out = targets[Path(path)]
        if out in outputs.values():
            first = next(p for p, o in outputs.items() if o == out)
            raise ImageError(f"{first} and {path} would both be written to {out}")
        check_output_file(out)
        outputs[path] = out
    refuse_inputs(outputs.values(), outputs)
    return outputs


def _read(path, max_pixels):
    """The pixels of a file, or the message that says why it is bad."""
    try:
        return as_pixels(path, str(path), max_pixels)
    except ImageError as exc:
        return str(exc)


def colorize_file(plan, path, out, max_pixels):
    """Colorize one file into `out` by a :class:`~somcolor.inference.ColorizePlan`; return None, or the
    error message if the file is bad. On the CPU each band of rows is written as it is colorized, so
    memory holds the file's pixels and one band."""
    pixels = _read(path, max_pixels)
    if isinstance(pixels, str):
        return pixels
    if plan.device == "cuda":
        write_png(out, colorize(pixels, plan, dtype=np.uint8))
    else:
        write_png_rows(out, (*pixels.shape[:2], 3), (rgb for _, rgb in colorize_bands(pixels, plan)))
    return None


def _prefetched(function, items, ahead=4):
    """function(item) for each item, in order, computed up to `ahead` items early in a thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        window = deque()
        for item in items:
            window.append(pool.submit(function, item))
            if len(window) > ahead:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def colorize_files_streamed(plan, todo, max_pixels):
    """Colorize (input, output) pairs on the GPU: files read ahead in one thread, written in another,
    the GPU's streams in between (:func:`somcolor.inference.colorize_many`). Yields None or the error
    message of each pair, in order."""
    results = []  # per pair: its error message, its output (waiting for the GPU), or its write (a Future)
    waiting = deque()  # the positions in results that wait for the GPU

    def readable():
        for (_, out), pixels in zip(todo, _prefetched(lambda pair: _read(pair[0], max_pixels), todo)):
            if isinstance(pixels, str):
                results.append(pixels)
                continue
            waiting.append(len(results))
            results.append(out)
            yield pixels

    def outcome(entry):
        return entry if isinstance(entry, str) else entry.result()  # write_png returns None

    with ThreadPoolExecutor(max_workers=1) as writer:
        k = 0
        for rgb in colorize_many(readable(), plan, dtype=np.uint8):
            position = waiting.popleft()
            results[position] = writer.submit(write_png, results[position], rgb)
            # In order: an error message, or a write that has finished; a path still waiting for its
            # colors (the colorizer reads ahead) or a write in progress stops the loop.
            while k < len(results) and (isinstance(results[k], str) or (
                    isinstance(results[k], Future) and results[k].done())):
                yield outcome(results[k])
                k += 1
        for entry in results[k:]:
            yield outcome(entry)


def colorize_files(model, outputs, overwrite=False, scheduler=None, progress=True):
    """Colorize every input of `outputs` (input -> output path) that is not done yet.

    One image is in memory at a time (per worker). Outputs appear only once
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

    Returns
    -------
    done : list of input paths colorized
    skipped : list of input paths whose output already existed
    failures : list of str
        One message per bad file, naming it.
    """
    plan = model.colorize_plan()
    skipped = [] if overwrite else [p for p, out in outputs.items() if Path(out).exists()]
    todo = [(p, out) for p, out in outputs.items() if p not in set(skipped)]
    def counted(results):
        return list(tqdm(results, total=len(todo), desc="colorizing", unit="img", disable=not progress))

    if scheduler is None and plan.device == "cuda":
        errors = counted(colorize_files_streamed(plan, todo, model.max_image_pixels))
    elif scheduler is None:
        errors = counted(colorize_file(plan, path, out, model.max_image_pixels) for path, out in todo)
    else:
        with on_cluster(scheduler):
            errors = counted(
                Parallel(n_jobs=-1, return_as="generator")(
                    delayed(colorize_file)(plan, path, out, model.max_image_pixels) for path, out in todo
                )
            )
    failures = [e for e in errors if e is not None]
    done = [p for (p, _), e in zip(todo, errors) if e is None]
    return done, skipped, failures
