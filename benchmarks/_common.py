"""Timing and reporting shared by the benchmark scripts."""

import json
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def spread(paths, count):
    """`count` of the sorted `paths`, evenly spread over them (all if fewer): a subset nobody picked by eye."""
    if count >= len(paths):
        return list(paths)
    step = len(paths) / count
    return [paths[int(i * step)] for i in range(count)]


def best_time(function, repeat=5, warmup=1):
    """Least wall time of `repeat` calls, in seconds, after `warmup` calls.

    The minimum is the figure least disturbed by other load on a shared machine.
    """
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def machine():
    return {
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "blas": blas(),
    }


def blas():
    """The BLAS libraries loaded and the CPU kernels each chose (OpenBLAS: Haswell for AVX2, SkylakeX for
    AVX-512, ...). Training's matrix products round differently with each, so a model trained with the
    same seed and photos, and every quality figure of it, depends on them (docs/quality.md)."""
    from threadpoolctl import threadpool_info

    return sorted({f"{i['internal_api']} {i['version']} {i.get('architecture')}"
                   for i in threadpool_info() if i["user_api"] == "blas"})


def print_table(rows, columns):
    """Print rows (dicts) as a table of (key, header, format) columns; text left, numbers right."""
    cells = [[h for _, h, _ in columns]]
    for row in rows:
        cells.append(["" if row.get(k) is None else format(row[k], f) for k, _, f in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for line in cells:
        print("  ".join(
            text.ljust(w) if fmt == "s" else text.rjust(w)
            for text, w, (_, _, fmt) in zip(line, widths, columns)
        ))


def write_json(name, payload):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2))
    print(f"wrote {path}")
    return path


def quality_scores(results, originals):
    """The yardstick's quality figures of colorized images against their originals: PSNR dB, SSIM,
    rebalanced AuC % and colorfulness as a percentage of the originals'."""
    from somcolor import metrics

    return {
        "psnr": metrics.psnr(results, originals),
        "ssim": metrics.ssim(results, originals),
        "rebalanced_auc": 100 * metrics.rebalanced_auc(results, originals),
        "colorfulness_pct": 100 * metrics.colorfulness(results) / metrics.colorfulness(originals),
    }
