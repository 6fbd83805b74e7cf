"""Video colorization: speed and flicker with and without temporal stabilization.

Colorizes with the bundled pretrained model ("landscapes"; --model fit trains
the default on ../shared/data/landscapes with every 5th image held out
instead), makes a 640 x 360 test clip from two photos the model has not seen
(the demo's held-out photos, or the held-out fifth; 60 frames: a slow pan and
zoom across each, one hard cut; somcolor.video.make_test_clip) and colorizes
its gray frames at several temporal_smoothing strengths. Reports
frames per second of the colorizing (frames in memory) and of the whole
`colorize_video` run from MP4 to MP4, the flicker ratio (motion-compensated
chroma change between frames, over the original clip's) and the mean PSNR per
frame, next to the gray frames' PSNR. The photos are 150 x 150, so the clip's
frames are 4-5x enlargements, smoother than anything the model was trained on;
the model colorizes them at its working resolution. Writes
benchmarks/results/video.json (video_fit.json with --model fit).

    python benchmarks/video.py [--model landscapes|fit] [--data DIR] [--frames 60]
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import SHARED_DATA, print_table, write_json
from somcolor import SOMColorizer, bundled_images, colorize_video, holdout_split, load_model, metrics
from somcolor.color import grayscale, lightness
from somcolor.io.images import find_images
from somcolor.video import Stabilizer, flicker, flicker_ratio, histogram_distance, make_test_clip, write_frames
from somcolor.video.stabilizer import CUT_THRESHOLD

STRENGTHS = [0.0, 0.5, 0.7, 0.9]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=SHARED_DATA / "landscapes")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--model", default="landscapes", help='a model name or file, or "fit"')
    args = parser.parse_args()
    train, test = holdout_split(find_images([args.data]))
    if args.model == "fit":
        model, unseen, described = SOMColorizer(random_state=0).fit(train), test, f"default model fit on {len(train)} landscapes"
    else:
        model, unseen, described = load_model(args.model), bundled_images("test"), f"model {args.model!r}"
    # Two unseen photos of different scene types (names sort by type).
    clip = make_test_clip([unseen[0], unseen[len(unseen) // 2]], n_frames=args.frames, size=(360, 640))
    lightnesses = [lightness(frame) for frame in clip]
    Stabilizer(model).colorize(lightnesses[0])  # compile the kernels before timing

    rows = []
    for strength in STRENGTHS:
        stabilizer = Stabilizer(model, temporal_smoothing=strength)
        start = time.perf_counter()
        results = [stabilizer.colorize(L) for L in lightnesses]
        seconds = time.perf_counter() - start
        rows.append({
            "temporal_smoothing": strength,
            "fps": len(clip) / seconds,
            "flicker_ratio": flicker_ratio(results, clip),
            "psnr": metrics.psnr(results, clip),
            "colorfulness": metrics.colorfulness(results),
            "cuts": stabilizer.cuts,
        })
    cuts = cut_detection(test)
    original_flicker = flicker(clip)
    gray_psnr = metrics.psnr([np.repeat(grayscale(frame)[..., None], 3, axis=2) for frame in clip], clip)

    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "clip.mp4", Path(tmp) / "out.mp4"
        write_frames(clip, source, fps=25)
        for row in rows:
            start = time.perf_counter()
            colorize_video(model, source, out, temporal_smoothing=row["temporal_smoothing"],
                           overwrite=True, verbose=False)
            row["fps_mp4_to_mp4"] = len(clip) / (time.perf_counter() - start)

    print(f"{len(clip)} frames of 640 x 360 (cut at frame {len(clip) // 2}); {described}; "
          f"original clip's flicker {original_flicker:.3f}; the gray frames' PSNR {gray_psnr:.2f} dB")
    print_table(rows, [("temporal_smoothing", "smoothing", ".1f"), ("fps", "fps", ".1f"),
                       ("fps_mp4_to_mp4", "fps MP4->MP4", ".1f"), ("flicker_ratio", "flicker ratio", ".2f"),
                       ("psnr", "PSNR/frame", ".2f"), ("colorfulness", "colorf.", ".1f")])
    print(f"scene cuts (threshold {CUT_THRESHOLD}) on {cuts['pairs']} fast clips of two held-out photos: "
          f"{cuts['found']:.0%} found, {cuts['false']:.1%} of other frame pairs taken for cuts; cut distances "
          f"{cuts['cut_min']:.3f} to {cuts['cut_max']:.3f}, within a scene at most {cuts['same_max']:.3f}")
    write_json("video" if args.model != "fit" else "video_fit", {
                         "model": described, "frames": len(clip), "height": 360, "width": 640,
                         "original_flicker": original_flicker, "gray_psnr": gray_psnr, "rows": rows,
                         "cut_detection": cuts})


def cut_detection(photos, pairs=40, seed=0):
    """How the default cut threshold does on fast clips (5 frames a scene) of random pairs of photos."""
    rng = np.random.default_rng(seed)
    cut, same = [], []
    for _ in range(pairs):
        i, j = rng.choice(len(photos), 2, replace=False)
        L = [lightness(frame) for frame in make_test_clip([photos[i], photos[j]], n_frames=10, size=(180, 320))]
        distances = [histogram_distance(a, b) for a, b in zip(L, L[1:])]
        cut.append(distances[4])
        same.extend(distances[:4] + distances[5:])
    cut, same = np.array(cut), np.array(same)
    return {"pairs": pairs, "found": float((cut > CUT_THRESHOLD).mean()), "false": float((same > CUT_THRESHOLD).mean()),
            "cut_min": float(cut.min()), "cut_max": float(cut.max()), "same_max": float(same.max())}


if __name__ == "__main__":
    main()
