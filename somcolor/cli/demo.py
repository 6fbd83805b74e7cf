"""``somcolor demo``: the bundled model and that model fine-tuned, on held-out bundled landscapes."""

import sys
import time
from pathlib import Path

from .common import DEFAULT_MODEL, COUNT, fine_tuning, say_if_compiling, seed_number

HELP = "colorize held-out bundled landscapes, with the bundled model and that model fine-tuned here"


def run(args):
    import numpy as np

    from ..color import grayscale
    from ..evaluation import metrics
    from ..evaluation.figures import image_grid
    from ..io.datasets import bundled_images
    from ..io.images import as_image
    from ..io.writing import check_report_outputs, check_writable, write_png
    from ..persistence import load_model, save_model

    out = Path(args.output)
    train, test = bundled_images("train"), bundled_images("test")
    colorized = [out / "colorized" / f"{p.stem}.png" for p in test]
    # Every output, before the fine-tuning: a run that cannot write its last file would leave the rest behind.
    check_report_outputs(out, [out / "demo.png", out / "model.skops", *colorized], subfolders=[out / "colorized"])
    for path in (out / "demo.png", out / "model.skops", colorized[0]):
        check_writable(path)
    bundled = load_model(DEFAULT_MODEL)
    model = load_model(DEFAULT_MODEL).set_params(**fine_tuning(args.max_iter), random_state=args.seed, verbose=1)
    print(f"fine-tuning the bundled model on the {len(train)} bundled landscapes ...", file=sys.stderr)
    start = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - start
    save_model(model.set_params(verbose=0), out / "model.skops")

    originals = [as_image(p, str(p)) for p in test]
    grays = [grayscale(o) for o in originals]
    say_if_compiling()
    model.predict(grays[:1])  # the first call compiles the kernels (cached on disk afterwards)
    start = time.perf_counter()
    tuned = model.predict(grays)
    predict_ms = (time.perf_counter() - start) * 1000 / len(test)
    as_shipped = bundled.predict(grays)
    for path, rgb in zip(test, as_shipped):
        write_png(out / "colorized" / f"{path.stem}.png", rgb)
    # The gray baseline keeps each original's L and sets U = V = 0.
    gray = [np.repeat(g[..., None], 3, axis=2) for g in grays]
    rows = [list(row) for row in zip(grays, as_shipped, tuned, originals)]
    write_png(out / "demo.png", image_grid(rows, ["gray input", "bundled", "fine-tuned on 48", "original"]))

    scores = {"gray input": gray, "bundled model": as_shipped, "fine-tuned on 48": tuned}
    psnr = {name: metrics.psnr(results, originals) for name, results in scores.items()}
    lines = [f"{'':18}{'PSNR dB':>9}{'colorfulness':>14}"]
    for name, results in scores.items():
        lines.append(f"{name:18}{psnr[name]:9.2f}{metrics.colorfulness(results):14.1f}")
    lines.append(f"{'original':18}{'':>9}{metrics.colorfulness(originals):14.1f}")
    print(
        f"\nthe bundled model ({DEFAULT_MODEL}: trained on 1,932 photos of three sources) and the same model "
        f"fine-tuned here on the {len(train)} bundled training photos in {seconds:.1f} s ({model.n_iter_} epochs) "
        f"colorized {len(test)} held-out photos ({predict_ms:.0f} ms each):\n" + "\n".join(lines)
    )
    # Each column is held to the ones before it: a score below one of them is said, with the reason.
    why = {
        "bundled model": ("gray input", "these photos are unlike what it was trained on"),
        "fine-tuned on 48": ("bundled model", "the bundled model knows landscapes like these from 527 of them "
                             "(these 48 among them), so fine-tuning on them teaches it little and carries "
                             "its training on toward rarer colors (bolder and less often right); fine-tune it on "
                             "photos of a kind it does not know ('somcolor fit PHOTOS -o OUT --from landscapes')"),
    }
    for name, (bar, reason) in why.items():
        below = [other for other in ("gray input", bar) if psnr[name] < psnr[other]]
        if below:
            print(f"note: the {name} scores below the {below[0]} ({psnr[name]:.2f} against "
                  f"{psnr[below[0]]:.2f} dB): {reason}.")
    print(
        f"wrote {out / 'demo.png'} (gray | bundled | fine-tuned on 48 | original), {out / 'colorized'}/ "
        f"(the bundled model's) and {out / 'model.skops'} (the fine-tuned model)"
    )
    return 0


def add_options(demo):
    from ..estimator import FINE_TUNING

    demo.add_argument("-o", "--output", default="somcolor-demo", help="output folder")
    demo.add_argument("--max-iter", type=COUNT, default=FINE_TUNING["max_iter"],
                      help="epochs of fine-tuning the bundled model on the bundled photos (at least 1)")
    demo.add_argument("--seed", type=seed_number, default=0, help="random seed of the fine-tuning")
