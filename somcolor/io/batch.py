"""Colorizing many files: streamed, atomic, resumable, locally or on a Dask cluster."""

from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from ..inference.plan import colorize
from .cluster import on_cluster
from .images import ImageError, as_pixels
from .writing import check_folder, refuse_inputs, write_png


def output_paths(inputs, folder):
    """One ``<stem>.png`` in `folder` per input path; two inputs may not share one, and none may be an input.

    An output that would be one of the inputs (``-o`` the inputs' own folder,
    with PNG inputs) is refused, with or without ``overwrite``.
    """
    check_folder(folder)
    outputs = {}
    for path in inputs:
        out = Path(folder) / f"{Path(path).stem}.png"
        if out in outputs.values():
            first = next(p for p, o in outputs.items() if o == out)
            raise ImageError(f"{first} and {path} would both be written to {out}")
        outputs[path] = out
    refuse_inputs(outputs.values(), inputs)
    return outputs


def colorize_file(plan, path, out, max_pixels):
    """Colorize one file into `out` by a :class:`~somcolor.inference.ColorizePlan`; return None, or the
    error message if the file is bad."""
    try:
        rgb = colorize(as_pixels(path, str(path), max_pixels), plan, dtype=np.uint8)
    except ImageError as exc:
        return str(exc)
    write_png(out, rgb)
    return None


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

    if scheduler is None:
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
