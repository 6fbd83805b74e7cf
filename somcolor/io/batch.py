"""Colorizing many files: streamed, atomic, resumable, locally or on a Dask cluster."""

from pathlib import Path

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from .cluster import on_cluster
from .images import ImageError, write_png


def output_paths(inputs, folder):
    """One ``<stem>.png`` in `folder` per input path; two inputs may not share one."""
    outputs = {}
    for path in inputs:
        out = Path(folder) / f"{Path(path).stem}.png"
        if out in outputs.values():
            first = next(p for p, o in outputs.items() if o == out)
            raise ImageError(f"{first} and {path} would both be written to {out}")
        outputs[path] = out
    return outputs


def colorize_file(model, path, out):
    """Colorize one file into `out`; return None, or the error message if the file is bad."""
    try:
        (rgb,) = model.predict([path])
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
    skipped = [] if overwrite else [p for p, out in outputs.items() if Path(out).exists()]
    todo = [(p, out) for p, out in outputs.items() if p not in set(skipped)]
    def counted(results):
        return list(tqdm(results, total=len(todo), desc="colorizing", unit="img", disable=not progress))

    if scheduler is None:
        errors = counted(colorize_file(model, path, out) for path, out in todo)
    else:
        with on_cluster(scheduler):
            errors = counted(
                Parallel(n_jobs=-1, return_as="generator")(
                    delayed(colorize_file)(model, path, out) for path, out in todo
                )
            )
    failures = [e for e in errors if e is not None]
    done = [p for (p, _), e in zip(todo, errors) if e is None]
    return done, skipped, failures
