"""Colorizing with hints: the simulated-click protocol of Zhang et al. 2017, against Levin et al. 2004.

    python benchmarks/hints.py [--sources NAME ...] [--photos N] [--spread NAME=N ...] [--seeds 0 1 2] [--mix A] [--clicks-only]

For each photo the bundled model never trained on (BSDS500 whole, at its real size, and the held-out
photos of each of its training sources), N point centres are drawn uniformly at random (a fixed seed per
photo and draw; nested: the 10-point hints are the first 10 of the 20), each hint the mean true (U, V)
of the 5 x 5 patch around its centre, applied to that patch, for N = 0, 1, 2, 5, 10, 20, 50, 100 and
three draws. Methods, from the same hints: the gray photo; Levin, Lischinski & Weiss 2004, implemented
here (3 x 3 affinities from the lightness, hinted pixels fixed, a sparse direct solve with scipy);
somcolor with hints; somcolor without. A hint is given to somcolor as an RGB hint image, as a person
gives it, and to Levin as the (U, V) that hint image means at each hinted pixel (its chromaticity at the
pixel's own lightness: the mean (U, V) where the pixel has the patch's mean lightness), so that both
get the same information. Then the reference protocol: each photo's right half colorized with its
left half as the reference photo, against the automatic colors of the right half. Last, interactive
speed: one more hint at 1 megapixel (a real photo tiled), median of 20 clicks, beside the automatic
``predict`` of the same photo, in the same run.

Levin's solutions are cached under ``benchmarks/.cache/levin`` (they do not depend on somcolor), so
that screening somcolor's settings reruns only somcolor. Writes ``results/hints.json`` and
``results/hints.png`` (PSNR against N, one line per method and source).
"""

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix, csc_matrix
from scipy.sparse.linalg import splu

from _common import RESULTS, SHARED_DATA, print_table, spread, write_json
from somcolor import load_model, metrics
from somcolor.color import grayscale, merge_luv, rgb_to_luv
from somcolor.hints import HintSession, Propagation
from somcolor.hints.images import hint_chromaticity
from somcolor.hints.propagation import window_scales
from somcolor.io.images import read_rgb
from pretrained import held_out_photos

COUNTS = (0, 1, 2, 5, 10, 20, 50, 100)
PATCH = 2  # half the side of the 5 x 5 patch a hint covers
CACHE = Path(__file__).resolve().parent / ".cache" / "levin"
MIXED = "somcolor with hints, {} of Levin mixed in"


def levin_matrix(Y, hinted):
    """The sparse system of Levin, Lischinski & Weiss (2004): every free pixel's value is the weighted mean
    of its 3 x 3 neighbours' (weights exp(-(Y_r - Y_s)^2 / 2 sigma_r^2), sigma_r from the window's variance,
    as in the authors' colorize.m); hinted pixels are fixed. Y in [0, 1]."""
    height, width = Y.shape
    n = height * width
    index = np.arange(n).reshape(height, width)
    padded = np.pad(Y, 1, constant_values=np.nan)
    padded_index = np.pad(index, 1, constant_values=-1)
    offsets = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
    window = np.stack([padded[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width] for dr, dc in offsets], axis=-1)
    neighbour = np.stack([padded_index[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width] for dr, dc in offsets],
                         axis=-1)
    values, neighbour = np.delete(window, 4, axis=-1), np.delete(neighbour, 4, axis=-1)
    squared = (values - Y[..., None]) ** 2
    weights = np.where(np.isnan(values), 0.0, np.exp(-squared / window_scales(Y)[..., None]))
    weights /= weights.sum(axis=-1, keepdims=True)
    free = ~hinted.ravel()
    rows = np.repeat(index.ravel()[:, None], 8, axis=1)[free]
    cols, data = neighbour.reshape(n, 8)[free], -weights.reshape(n, 8)[free]
    keep = cols >= 0
    return csc_matrix(coo_matrix(
        (np.concatenate([np.ones(n), data[keep]]),
         (np.concatenate([np.arange(n), rows[keep]]), np.concatenate([np.arange(n), cols[keep]]))),
        shape=(n, n)))


def levin(L, hinted, uv):
    """Levin's colorization of lightness L (H, W) from the (U, V) `uv` (n, 2) of the `hinted` pixels (flat
    indices): RGB (H, W, 3)."""
    mask = np.zeros(L.size, bool)
    mask[hinted] = True
    solver = splu(levin_matrix(L / 100.0, mask.reshape(L.shape)))
    chroma = np.zeros((L.size, 2))
    for channel in range(2):
        b = np.zeros(L.size)
        b[hinted] = uv[:, channel]
        chroma[:, channel] = solver.solve(b)
    return merge_luv(L, chroma.reshape(*L.shape, 2)).astype(np.float32)


def draw_hints(original, seed):
    """The 100 nested hints of a photo for one draw: a list of (flat pixel indices, RGB uint8 color) and the
    (U, V) each hinted pixel gets from it (its chromaticity at that pixel's lightness)."""
    luv = rgb_to_luv(original)
    height, width = luv.shape[:2]
    rng = np.random.default_rng([seed, height, width, int(1000 * original.mean())])
    centres = np.stack([rng.integers(0, height, COUNTS[-1]), rng.integers(0, width, COUNTS[-1])], axis=1)
    hints = []
    for row, col in centres:
        rows = np.arange(max(0, row - PATCH), min(height, row + PATCH + 1))
        cols = np.arange(max(0, col - PATCH), min(width, col + PATCH + 1))
        pixels = (rows[:, None] * width + cols[None, :]).ravel()
        patch = luv.reshape(-1, 3)[pixels]
        mean = patch.mean(axis=0)
        rgb = np.round(merge_luv(mean[None, None, 0], mean[None, None, 1:])[0, 0] * 255)
        hints.append((pixels, tuple(int(v) for v in rgb)))
    return hints, luv[..., 0]


def hint_image_of(shape, hints):
    image = np.zeros((*shape, 4), np.uint8)
    for pixels, rgb in hints:
        image.reshape(-1, 4)[pixels] = (*rgb, 255)
    return image


def levin_cached(name, seed, count, L, hints):
    """Levin's RGB for a photo's first `count` hints of draw `seed`, from the cache or solved and cached."""
    key = hashlib.sha256(f"{name}|{seed}|{count}|{L.shape}".encode()).hexdigest()[:24]
    path = CACHE / f"{key}.npy"
    if path.exists():
        return np.load(path)
    image = hint_image_of(L.shape, hints[:count])
    flat = image.reshape(-1, 4)
    hinted = np.flatnonzero(flat[:, 3])
    # The (U, V) the hint image means at each hinted pixel: its chromaticity times 13 L there.
    chromaticity = {rgb: hint_chromaticity(rgb) for _, rgb in hints[:count]}
    uv = np.stack([chromaticity[tuple(int(v) for v in flat[p, :3])] * 13.0 * L.reshape(-1)[p] for p in hinted])
    rgb = levin(L, hinted, uv)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, rgb)
    return rgb


def scores(results, originals):
    return {"psnr": metrics.psnr(results, originals), "rebalanced_auc": 100 * metrics.rebalanced_auc(results, originals)}


def run_protocol(model, sources, seeds, propagation, counts=COUNTS, mix=None):
    rows = []
    for source, paths in sources.items():
        originals = [read_rgb(p, i) for i, p in enumerate(paths)]
        grays = [grayscale(o) for o in originals]
        automatic = model.predict(grays)
        gray_rgb = [np.repeat(g[..., None], 3, axis=2) for g in grays]
        by_method = {}
        for seed in seeds:
            drawn = [draw_hints(o, seed) for o in originals]
            for count in counts:
                ours, theirs = [], []
                for path, gray, (hints, L) in zip(paths, grays, drawn):
                    session = HintSession(model, gray, propagation=propagation)
                    session.set_hints(hint_image_of(L.shape, hints[:count]) if count else None)
                    ours.append(session.colors())
                    theirs.append(gray_rgb[len(ours) - 1] if count == 0 else
                                  levin_cached(Path(path).name, seed, count, L, hints))
                methods = [("somcolor with hints", ours), ("Levin et al. 2004", theirs)]
                if mix is not None and count:  # what moving every pixel toward Levin's colors would score
                    methods.append((MIXED.format(mix), [(1 - mix) * a + mix * b for a, b in zip(ours, theirs)]))
                for method, results in methods:
                    by_method.setdefault((method, count), []).append(scores(results, originals))
                print(f"{source:24} seed {seed} N = {count:3d}: somcolor {by_method[('somcolor with hints', count)][-1]['psnr']:.2f}"
                      f"  Levin {by_method[('Levin et al. 2004', count)][-1]['psnr']:.2f} dB", flush=True)
        fixed = {"gray photo": scores(gray_rgb, originals), "somcolor without hints": scores(automatic, originals)}
        for count in counts:
            for method, score in fixed.items():
                rows.append({"source": source, "photos": len(paths), "N": count, "method": method, **score})
            for method, draws in ((m, d) for (m, n), d in by_method.items() if n == count):
                rows.append({"source": source, "photos": len(paths), "N": count, "method": method,
                             "psnr": float(np.mean([d["psnr"] for d in draws])),
                             "rebalanced_auc": float(np.mean([d["rebalanced_auc"] for d in draws])),
                             "psnr_per_draw": [d["psnr"] for d in draws]})
    return rows


def reference_protocol(model, sources):
    """Each photo's right half colorized with its left half as the reference, against its automatic colors."""
    rows = []
    for source, paths in sources.items():
        originals = [read_rgb(p, i) for i, p in enumerate(paths)]
        rights = [o[:, o.shape[1] // 2 :] for o in originals]
        lefts = [o[:, : o.shape[1] // 2] for o in originals]
        grays = [grayscale(r) for r in rights]
        gray_rgb = [np.repeat(g[..., None], 3, axis=2) for g in grays]
        automatic = model.predict(grays)
        referenced = model.predict(grays, reference=lefts)
        for method, results in (("gray photo", gray_rgb), ("somcolor, automatic", automatic),
                                ("somcolor, left half as reference", referenced)):
            rows.append({"source": source, "method": method, **scores(results, rights),
                         "colorfulness_pct": 100 * metrics.colorfulness(results) / metrics.colorfulness(rights)})
    return rows


def click_speed(model, clicks=20):
    """Milliseconds from a new hint to the new RGB image at 1 MP, median of `clicks`, beside predict."""
    photo = (read_rgb(held_out_photos()["landscapes"][0], 0) * 255).astype(np.uint8)
    big = np.tile(photo, (1024 // photo.shape[0] + 1, 1024 // photo.shape[1] + 1, 1))[:1024, :1024]
    gray = grayscale(big)
    model.predict([gray])
    start = time.perf_counter()
    model.predict([gray])
    predict_ms = 1000 * (time.perf_counter() - start)
    start = time.perf_counter()
    session = HintSession(model, gray)
    session_ms = 1000 * (time.perf_counter() - start)
    rng = np.random.default_rng(0)
    times = []
    for _ in range(clicks):
        row, col = rng.integers(0, 1024, 2)
        color = tuple(int(v) for v in np.round(big[row, col]))
        start = time.perf_counter()
        session.add_point(row, col, color)
        session.colors()
        times.append(1000 * (time.perf_counter() - start))
    return {"megapixels": big.shape[0] * big.shape[1] / 1e6, "predict_ms": predict_ms, "session_ms": session_ms,
            "click_ms_median": float(np.median(times)), "click_ms_max": float(np.max(times)), "clicks": clicks}


def figure(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sources = list(dict.fromkeys(row["source"] for row in rows))
    fig, axes = plt.subplots(1, len(sources), figsize=(4.2 * len(sources), 3.6), squeeze=False)
    styles = {"somcolor with hints": "-o", "Levin et al. 2004": "--s", "somcolor without hints": ":",
              "gray photo": ":"}
    for ax, source in zip(axes[0], sources):
        for method, style in styles.items():
            mine = [r for r in rows if r["source"] == source and r["method"] == method]
            ax.plot([max(r["N"], 0.5) for r in mine], [r["psnr"] for r in mine], style, label=method, markersize=4)
        ax.set_xscale("log")
        ax.set_xticks([0.5, 1, 2, 5, 10, 20, 50, 100], ["0", "1", "2", "5", "10", "20", "50", "100"])
        ax.set_title(f"{source} ({mine[0]['photos']} photos)", fontsize=10)
        ax.set_xlabel("hints (5 x 5 points)")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("PSNR dB")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", nargs="*", help="some of the sources (default: all)")
    parser.add_argument("--photos", type=int, default=None, help="the first N photos of each source (screening)")
    parser.add_argument("--spread", nargs="*", default=[], metavar="NAME=N",
                        help="N photos of that source, evenly spread over them (Levin takes minutes a photo at 640 px)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--counts", type=int, nargs="+", default=list(COUNTS),
                        help="numbers of hints (screening; default: all); nested draws of at most %d" % COUNTS[-1])
    parser.add_argument("--propagation", type=json.loads, default={},
                        help='settings of somcolor.hints.Propagation to try, e.g. \'{"reach": 0.2}\'')
    parser.add_argument("--mix", type=float, default=None,
                        help="also score somcolor's RGB with this fraction of Levin's mixed in, after the fact "
                             "(what spreading hints over the whole photo would be worth)")
    parser.add_argument("--clicks-only", action="store_true",
                        help="only the interactive speed (written into the earlier results, if any)")
    parser.add_argument("--out", default="hints", help="name of the results JSON (and PNG)")
    args = parser.parse_args()
    model = load_model("landscapes")
    propagation = Propagation(**args.propagation)
    clicks = click_speed(model)
    print(f"1 MP: predict {clicks['predict_ms']:.0f} ms, session {clicks['session_ms']:.0f} ms, one more hint "
          f"{clicks['click_ms_median']:.1f} ms (median of {clicks['clicks']}; max {clicks['click_ms_max']:.1f})")
    if args.clicks_only:  # measured again on a quiet machine: the earlier run's other results are kept
        earlier = RESULTS / f"{args.out}.json"
        if earlier.exists():
            write_json(args.out, {**json.loads(earlier.read_text()), "clicks": clicks})
        return
    sources = {"BSDS500 (481 x 321)": sorted((SHARED_DATA / "bsds500_natural").glob("*.jpg"))}
    sources.update({f"{name} held out": paths for name, paths in held_out_photos().items()})
    if args.sources:
        sources = {name: paths for name, paths in sources.items() if any(s in name for s in args.sources)}
    if args.photos:
        sources = {name: paths[: args.photos] for name, paths in sources.items()}
    for name, count in (item.split("=") for item in args.spread):
        sources = {source: spread(paths, int(count)) if name in source else paths for source, paths in sources.items()}
    rows = run_protocol(model, sources, args.seeds, propagation, args.counts, args.mix)
    reference = reference_protocol(model, sources)
    print_table(rows, [("source", "source", "s"), ("N", "N", "d"), ("method", "method", "s"),
                       ("psnr", "PSNR dB", ".2f"), ("rebalanced_auc", "rebal. AuC %", ".1f")])
    print()
    print_table(reference, [("source", "source", "s"), ("method", "method", "s"), ("psnr", "PSNR dB", ".2f"),
                            ("rebalanced_auc", "rebal. AuC %", ".1f"), ("colorfulness_pct", "colorf. %", ".0f")])
    write_json(args.out, {"propagation": propagation._asdict(), "seeds": args.seeds, "clicks": clicks,
                          "rows": rows, "reference": reference})
    figure(rows, RESULTS / f"{args.out}.png")


if __name__ == "__main__":
    main()
