"""The comparison mode: every method trained on one split, measured on another, one table.

Methods are the baselines, SOMColorizer's two decodings and, when PyTorch is
installed, the CNN references. A method whose extra is missing is listed as
skipped with the command that installs it. :func:`yardstick` runs the
comparison on every split of several sources: each source with every fifth
photo held out (in-source), and each trained on one source and measured on
another (cross-source), which is what a user's own photos are.
"""

import json
import time
from pathlib import Path

import numpy as np

from ..color import grayscale
from ..estimator import SOMColorizer
from ..io.datasets import holdout_split
from ..io.images import as_image, image_name
from ..io.writing import REPORT_MARK, check_report_outputs, write_png, write_text
from . import metrics
from .baselines import GrayColorizer, LightnessLookup, PatchRegressor
from .figures import image_grid

CNN_EXTRA = 'pip install "somcolor[cnn]"'
COLUMNS = [
    ("method", "method", "s"),
    ("psnr", "PSNR dB", ".2f"),
    ("ssim", "SSIM", ".3f"),
    ("auc", "AuC %", ".1f"),
    ("rebalanced_auc", "rebal. AuC %", ".1f"),
    ("colorfulness", "colorfulness", ".1f"),
    ("colorfulness_pct", "% of originals'", ".0f"),
    ("fit_s", "fit s", ".1f"),
    ("predict_ms", "predict ms/img", ".1f"),
    ("predict_ms_256", "ms/256x256", ".1f"),
]
# Timing of one 256 x 256 image, the size the speed budget is set for: best of this many runs.
_TIMING_RUNS = 5


def _cnn(loss, seed, epochs, verbose):
    from .cnn import CNNColorizer  # needs torch

    params = {"loss": loss, "random_state": seed, "verbose": verbose}
    if epochs is not None:
        params["epochs"] = epochs
    return CNNColorizer(**params)


def cnn_epochs_for(n_train, epochs=35, reference=432):
    """Epochs that give the CNN references the same number of image passes on `n_train` images as
    `epochs` on `reference` images (35 on the 432 landscapes: about 10 minutes on 2 cores).

    >>> cnn_epochs_for(432), cnn_epochs_for(1472)
    (35, 10)
    """
    return max(1, round(epochs * reference / n_train))


def default_methods(seed=0, cnn_epochs=None, verbose=0):
    """Method name -> a function returning the unfitted estimator (ImportError if its extra is missing).

    `verbose` turns on the progress bars of the methods that have them.
    """
    return {
        "gray (no chroma)": lambda: GrayColorizer(),
        "per-L mean chroma": lambda: LightnessLookup(),
        "MSE patch regressor": lambda: PatchRegressor(random_state=seed),
        "somcolor, argmax, no rebalancing (paper's decoding)": lambda: SOMColorizer(
            decode="argmax", rebalance=None, random_state=seed, verbose=verbose
        ),
        "somcolor, annealed + rebalanced (default)": lambda: SOMColorizer(random_state=seed, verbose=verbose),
        "CNN, classification (Zhang-style)": lambda: _cnn("classification", seed, cnn_epochs, verbose),
        "CNN, L1 regression": lambda: _cnn("l1", seed, cnn_epochs, verbose),
    }


def compare(train, test, methods=None, out_dir=None, figure_rows=6, verbose=False):
    """Train each method on `train`, colorize `test` from its gray version, measure.

    Parameters
    ----------
    train, test : sequences of color images (paths or arrays)
    methods : dict of name -> callable returning an unfitted estimator, optional
        Defaults to :func:`default_methods`.
    out_dir : path, optional
        Where to write ``comparison.json``, ``comparison.md`` and
        ``comparison.png`` (rows: images; columns: gray input, each method,
        original).
    figure_rows : int
        Test images shown in the figure, evenly spaced over `test`.

    Returns
    -------
    rows : list of dict
        One per method: the metrics of :data:`COLUMNS` (AuC in percent), or
        ``skipped`` with the install command.
    """
    methods = default_methods() if methods is None else methods
    if out_dir is not None:
        check_report_outputs(out_dir, _report_files(out_dir, "comparison"))
    originals = [as_image(image, image_name(image, i)) for i, image in enumerate(test)]
    grays = [grayscale(o) for o in originals]
    square = np.tile(grays[0], (2 + 256 // min(grays[0].shape),) * 2)[:256, :256]
    # Figure rows spread evenly over the test set, which sorted names group by scene type.
    shown_index = np.unique(np.linspace(0, len(test) - 1, min(figure_rows, len(test))).round().astype(int))
    # The originals' ab and its rebalancing weights, once for every method.
    _, true_ab = metrics.ab_errors(originals, originals)
    rarity = metrics.inverse_bin_frequency(true_ab)
    rows, shown = [], []
    for name, make in methods.items():
        try:
            model = make()
        except ImportError:
            rows.append({"method": name, "skipped": f"needs PyTorch: {CNN_EXTRA}"})
            continue
        if verbose:
            print(f"{name}: training on {len(train)} images ...", flush=True)
        start = time.perf_counter()
        model.fit(train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        results = model.predict(grays)
        predict_ms = (time.perf_counter() - start) * 1000 / len(grays)
        predict_ms_256 = _best_ms(lambda: model.predict([square]))
        errors, _ = metrics.ab_errors(results, originals, true_ab)
        rows.append(
            {
                "method": name,
                "psnr": metrics.psnr(results, originals),
                "ssim": metrics.ssim(results, originals),
                "auc": 100 * metrics.auc_of_errors(errors),
                "rebalanced_auc": 100 * metrics.auc_of_errors(errors, rarity),
                "colorfulness": metrics.colorfulness(results),
                "fit_s": fit_s,
                "predict_ms": predict_ms,
                "predict_ms_256": predict_ms_256,
            }
        )
        shown.append((name, [results[i] for i in shown_index]))
    original_colorfulness = metrics.colorfulness(originals)
    for row in rows:
        if "colorfulness" in row:
            row["colorfulness_pct"] = 100 * row["colorfulness"] / original_colorfulness
    rows.append({"method": "original photos", "colorfulness": original_colorfulness, "colorfulness_pct": 100.0})
    if out_dir is not None:
        write_report(rows, shown, [grays[i] for i in shown_index], [originals[i] for i in shown_index],
                     Path(out_dir), n_train=len(train), n_test=len(test))
    return rows


def yardstick_splits(sources, every=5, test_only=None):
    """The splits of :func:`yardstick`: (name, train, test) for each source with every `every`-th image held
    out, then for each ordered pair of sources (trained on all of one, tested on all of the other), then for
    each test-only source, trained on each source and on all of them together.

    >>> [name for name, _, _ in yardstick_splits({"a": list("abcde"), "b": list("fghij")}, test_only={"c": "k"})]
    ['a (in-source)', 'b (in-source)', 'a -> b', 'b -> a', 'a -> c', 'b -> c', 'a + b -> c']
    """
    splits = []
    for name, images in sources.items():
        train, test = holdout_split(list(images), every)
        splits.append((f"{name} (in-source)", train, test))
    for a, train in sources.items():
        for b, test in sources.items():
            if a != b:
                splits.append((f"{a} -> {b}", list(train), list(test)))
    for name, test in (test_only or {}).items():
        for a, train in sources.items():
            splits.append((f"{a} -> {name}", list(train), list(test)))
        if len(sources) > 1:
            together = [image for images in sources.values() for image in images]
            splits.append((f"{' + '.join(sources)} -> {name}", together, list(test)))
    return splits


def yardstick(sources, methods=None, out_dir=None, every=5, only=None, verbose=False, test_only=None):
    """Every method on every split of `sources`: in-source and cross-source.

    Parameters
    ----------
    sources : dict of name -> sequence of color images
        Two or more collections from different sources (cameras, sizes, eras).
    test_only : dict of name -> sequence of color images, optional
        Collections that are only tested on: by models trained on each
        source and on all of them together.
    methods : dict of name -> callable returning an unfitted estimator, or a function of the number of
        training images returning such a dict (to give every split the same training budget), optional
    out_dir : path, optional
        Receives ``yardstick.json``, ``yardstick.md`` and, per split, a folder
        with that split's ``comparison.*`` (see :func:`compare`).
    every : int
        In-source splits hold out every `every`-th image (sorted names).
    only : sequence of str, optional
        Run only the splits of these names.

    Returns
    -------
    splits : list of dict
        ``split``, ``n_train``, ``n_test`` and the comparison's ``rows``.
    """
    splits = [split for split in yardstick_splits(sources, every, test_only) if only is None or split[0] in only]
    if out_dir is not None:
        check_report_outputs(
            out_dir,
            _report_files(out_dir, "yardstick", ("json", "md"))
            + [path for name, _, _ in splits for path in _report_files(Path(out_dir) / _slug(name), "comparison")],
            subfolders=[Path(out_dir) / _slug(name) for name, _, _ in splits],
        )
    results = []
    for name, train, test in splits:
        if verbose:
            print(f"== {name}: {len(train)} training, {len(test)} test images", flush=True)
        folder = None if out_dir is None else Path(out_dir) / _slug(name)
        chosen = methods(len(train)) if callable(methods) else methods
        rows = compare(train, test, chosen, out_dir=folder, verbose=verbose)
        results.append({"split": name, "n_train": len(train), "n_test": len(test), "rows": rows})
    if out_dir is not None:
        write_text(Path(out_dir) / "yardstick.json", json.dumps(results, indent=2))
        write_text(Path(out_dir) / "yardstick.md", f"{REPORT_MARK}\n{format_yardstick(results)}")
    return results


def format_yardstick(results):
    """The yardstick's splits as Markdown tables, one per split."""
    return "\n".join(
        f"### {split['split']} ({split['n_train']} training, {split['n_test']} test images)\n\n"
        + format_table(split["rows"], markdown=True) + "\n"
        for split in results
    )


def _report_files(folder, stem, kinds=("json", "md", "png")):
    """The files of a report: its JSON, Markdown and figure."""
    return [Path(folder) / f"{stem}.{kind}" for kind in kinds]


def _slug(name):
    return name.replace(" (in-source)", "-in-source").replace(" -> ", "-to-").replace(" ", "-")


def _best_ms(function):
    times = []
    for _ in range(_TIMING_RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def format_table(rows, markdown=False):
    """The comparison as aligned text, or as a Markdown table."""
    header = [h for _, h, _ in COLUMNS]
    lines = []
    for row in rows:
        if "skipped" in row:
            lines.append([row["method"], f"skipped: {row['skipped']}"] + [""] * (len(COLUMNS) - 2))
        else:
            lines.append([row["method"]] + [
                format(row[key], fmt) if key in row else "" for key, _, fmt in COLUMNS[1:]
            ])
    if markdown:
        return "\n".join(
            ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(line) + " |" for line in lines]
        )
    widths = [max(len(x[i]) for x in [header] + lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths)))
        for line in [header] + lines
    )


def write_report(rows, shown, grays, originals, out_dir, n_train, n_test):
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text(
        out_dir / "comparison.json",
        json.dumps({"n_train": n_train, "n_test": n_test, "rows": rows}, indent=2)
    )
    write_text(
        out_dir / "comparison.md",
        f"{REPORT_MARK}\nTrained on {n_train} images, measured on {n_test} held-out images. "
        "AuC: area under the cumulative per-pixel ab error curve, thresholds 0-150 "
        "(Zhang et al. 2016), raw and rebalanced by ab-bin rarity.\n\n" + format_table(rows, markdown=True) + "\n"
    )
    figure_rows = [
        [gray] + [results[i] for _, results in shown] + [original]
        for i, (gray, original) in enumerate(zip(grays, originals))
    ]
    titles = ["gray input"] + [_short(name) for name, _ in shown] + ["original"]
    write_png(out_dir / "comparison.png", image_grid(figure_rows, titles))


def _short(name):
    """Column titles must fit over a 150-pixel image."""
    for long, short in [("somcolor, ", ""), (" (default)", ""), (" (paper's decoding)", ""), ("CNN, ", "CNN ")]:
        name = name.replace(long, short)
    return name[:24]
