"""Fine-tuning a model on k photos of a source it has never seen, against the model alone and a fit from
scratch on the same k photos, tested on the rest of that source.

    python benchmarks/finetune.py             # k = 5, 10, 20, 50 on three draws each; JSON and a figure
    python benchmarks/finetune.py --screen    # the remedies against forgetting, on one draw of k = 10, 20
    python benchmarks/finetune.py --sources BSDS   # one source again, the others' rows kept from the last run

Sources (../shared/data): the Intel landscapes (150 px), the 8-scene natural scenes (64 px) and the 51
BSDS500 photos (481 x 321). The starting model has never seen the source: for BSDS the bundled model
(trained on the other two), for each thumbnail source a model of the bundled model's settings trained on
the other thumbnail source (the bundled model itself saw both). The rest of the source is the test set
(at most 150 photos, drawn once per draw); BSDS's k stops at 20 (50 would leave one photo to test). Seeds
fixed; metrics as in the yardstick, with the gray photo beside them.
"""

import argparse
import copy
import json
import time
from unittest import mock

import numpy as np

from _common import RESULTS, SHARED_DATA, print_table, quality_scores, write_json
from somcolor import SOMColorizer, estimator, load_model
from somcolor.color import grayscale
from somcolor.estimator import FINE_TUNING
from somcolor.io.images import find_images, read_rgb

SOURCES = {"landscapes": "landscapes", "8-scene": "8scene_64px", "BSDS": "bsds500_natural"}
KS = (5, 10, 20, 50)
DRAWS = (0, 1, 2)
MAX_TEST = 150
# Remedies against forgetting, screened with --screen: (label, fine-tuning parameters, replay). Replay: the
# starting model's sample of its training pixels is trained on beside the new photos', repeated to about
# as many as they are ("balanced", what fit does), or once (what somcolor 0.5.0 did), or not at all (as a
# model file of somcolor 0.4, which holds none, is fine-tuned). Each is decoded at the default's temperature
# but the one that shows what "auto", the previous default, gives.
STEP = {"max_iter": FINE_TUNING["max_iter"], "learning_rate_init": FINE_TUNING["learning_rate_init"]}
T = {"temperature": FINE_TUNING["temperature"]}


def steps(params):
    """A remedy's label from its parameters ("5 epochs, step 3e-4"), so that a label cannot outlive them."""
    return f"{params['max_iter']} epochs, step {params['learning_rate_init']:.0e}".replace("e-0", "e-")


DEFAULT_REMEDY = f"{steps(STEP)}, T {FINE_TUNING['temperature']}"
LONGER = [{**T, "max_iter": 10, "learning_rate_init": 1e-3}, {**T, "max_iter": 20, "learning_rate_init": 3e-3}]
REMEDIES = [
    (f"{DEFAULT_REMEDY}, no replay", FINE_TUNING, "none"),
    (f"{DEFAULT_REMEDY}, replayed once (0.5.0)", FINE_TUNING, "once"),
    (DEFAULT_REMEDY, FINE_TUNING, "balanced"),
    (f"{steps(STEP)}, temperature auto (previous default)", {**STEP, "temperature": "auto"}, "balanced"),
    *((f"{steps(params)}, T {params['temperature']}", params, "balanced") for params in LONGER),
]
# What the full run measures: the default and the remedies that it is weighed against.
MEASURED = tuple(label for label, _, _ in REMEDIES[:4])


def starting_models(sources):
    """The model each source is fine-tuned from: one that never saw it."""
    thumbnails = {name: find_images([SHARED_DATA / folder]) for name, folder in SOURCES.items() if name != "BSDS"}
    models = {"BSDS": load_model("landscapes")}
    for name, other in (("landscapes", "8-scene"), ("8-scene", "landscapes")):
        if name not in sources:
            continue
        start = time.perf_counter()
        models[name] = SOMColorizer(random_state=0).fit(thumbnails[other])
        print(f"starting model for {name}: trained on {len(thumbnails[other])} {other} photos in "
              f"{time.perf_counter() - start:.0f} s")
    return models


def draw(paths, k, seed):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(paths))
    train = [paths[i] for i in order[:k]]
    test = [paths[i] for i in order[k:][:MAX_TEST]]
    return train, test


def evaluate(model, test_originals, test_grays):
    return quality_scores(model.predict(test_grays), test_originals)


def fine_tune(start, train, params, replay, seed):
    model = copy.deepcopy(start).set_params(warm_start=True, random_state=seed, **params)
    if replay == "none":
        del model.replay_features_, model.replay_classes_
    repeats = (lambda n_new, n_replay: 1) if replay == "once" else estimator._replay_repeats
    began = time.perf_counter()
    with mock.patch.object(estimator, "_replay_repeats", repeats):
        model.fit(train)
    return model, time.perf_counter() - began


def run_case(source, start, paths, k, seed, remedies):
    train, test = draw(paths, k, seed)
    originals = [read_rgb(p, i) for i, p in enumerate(test)]
    grays = [grayscale(o) for o in originals]
    rows = [{"method": "gray photo", **quality_scores([np.repeat(g[..., None], 3, axis=2) for g in grays], originals)},
            {"method": "starting model alone", **evaluate(start, originals, grays)}]
    began = time.perf_counter()
    scratch = SOMColorizer(random_state=seed).fit(train)
    rows.append({"method": "fit from scratch on k", **evaluate(scratch, originals, grays),
                 "seconds": time.perf_counter() - began})
    for label, params, replay in remedies:
        model, seconds = fine_tune(start, train, params, replay, seed)
        rows.append({"method": f"fine-tuned ({label})", **evaluate(model, originals, grays), "seconds": seconds,
                     "temperature": model.temperature_})
    for row in rows:
        row.update(source=source, k=k, draw=seed, n_test=len(test))
    return rows


def summarize(rows):
    """Mean and spread (min, max) over the draws of each source, k and method."""
    groups = {}
    for row in rows:
        groups.setdefault((row["source"], row["k"], row["method"]), []).append(row)
    out = []
    for (source, k, method), group in groups.items():
        entry = {"source": source, "k": k, "method": method, "draws": len(group), "n_test": group[0]["n_test"]}
        for key in ("psnr", "ssim", "rebalanced_auc", "colorfulness_pct", "seconds", "temperature"):
            values = [r[key] for r in group if key in r]
            if values:
                entry[key] = float(np.mean(values))
                entry[f"{key}_min"], entry[f"{key}_max"] = float(np.min(values)), float(np.max(values))
        out.append(entry)
    return out


def figure(summary, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(SOURCES), figsize=(4.2 * len(SOURCES), 6.5))
    for col, source in enumerate(SOURCES):
        for row, (key, label) in enumerate((("psnr", "PSNR dB"), ("rebalanced_auc", "rebalanced AuC %"))):
            ax = axes[row, col]
            for method in dict.fromkeys(e["method"] for e in summary):
                entries = sorted((e for e in summary if e["source"] == source and e["method"] == method),
                                 key=lambda e: e["k"])
                if not entries:
                    continue
                ks = [e["k"] for e in entries]
                ax.plot(ks, [e[key] for e in entries], marker="o", label=method)
                ax.fill_between(ks, [e[f"{key}_min"] for e in entries], [e[f"{key}_max"] for e in entries], alpha=0.2)
            ax.set_xscale("log")
            ax.minorticks_off()
            ax.set_xticks(ks, [str(k) for k in ks])
            ax.set_title(f"{source}: {label}", fontsize=9)
            ax.set_xlabel("photos of the source (k)", fontsize=8)
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screen", action="store_true", help="screen the remedies on one draw of k = 10, 20")
    parser.add_argument("--sources", nargs="+", choices=list(SOURCES), default=list(SOURCES),
                        help="rerun these sources only (the bundled model starts BSDS's); the others' rows are kept")
    args = parser.parse_args()
    starts = starting_models(args.sources)
    name = "finetune_screen" if args.screen else "finetune"
    earlier = RESULTS / f"{name}.json"
    rows = [row for row in json.loads(earlier.read_text())["rows"] if row["source"] not in args.sources] \
        if set(args.sources) != set(SOURCES) and earlier.exists() else []
    for source, folder in SOURCES.items():
        if source not in args.sources:
            continue
        paths = find_images([SHARED_DATA / folder])
        if args.screen:
            plan = [(k, 0, REMEDIES) for k in (10, 20)]
        else:
            chosen = [r for r in REMEDIES if r[0] in MEASURED]
            plan = [(k, seed, chosen) for k in KS if k < len(paths) - 10 for seed in DRAWS]
        for k, seed, remedies in plan:
            rows.extend(run_case(source, starts[source], paths, k, seed, remedies))
            print(f"{source} k={k} draw {seed}: done", flush=True)
    summary = summarize(rows)
    print_table(summary, [("source", "source", "s"), ("k", "k", "d"), ("method", "method", "s"),
                          ("psnr", "PSNR dB", ".2f"), ("psnr_min", "min", ".2f"), ("psnr_max", "max", ".2f"),
                          ("rebalanced_auc", "rAuC %", ".1f"), ("colorfulness_pct", "colorf. %", ".0f"),
                          ("ssim", "SSIM", ".3f"), ("seconds", "fit s", ".1f"), ("temperature", "T", ".2f")])
    write_json(name, {"rows": rows, "summary": summary, "default_remedy": DEFAULT_REMEDY})
    if not args.screen:
        figure(summary, RESULTS / "finetune.png")
        print(f"wrote {RESULTS / 'finetune.png'}")


if __name__ == "__main__":
    main()
