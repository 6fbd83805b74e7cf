"""Nearest-codeword assignment of 1M chroma values to 400 colors: ours vs minisom.

minisom's ``quantization`` builds the whole (points x nodes) distance matrix;
somcolor's numba kernel keeps one running minimum per point. Peak memory is
measured with tracemalloc (numpy reports its allocations to it).

    python benchmarks/codewords.py [--points 1000000] [--colors 400]
"""

import argparse
import tracemalloc

import numpy as np
from minisom import MiniSom

from _common import best_time, print_table, write_json
from somcolor import UVQuantizer, bundled_images
from somcolor.color import rgb_to_luv
from somcolor.io.images import read_image
from somcolor.quantizer import map_shape_for, nearest_codeword, nearest_codeword_reference


def peak_bytes(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--colors", type=int, default=400)
    args = parser.parse_args()

    # Real chroma: every pixel of the bundled photos, repeated up to --points.
    uv = np.concatenate([rgb_to_luv(read_image(p))[..., 1:].reshape(-1, 2) for p in bundled_images()])
    uv = np.resize(uv, (args.points, 2))
    quantizer = UVQuantizer(n_colors=args.colors, random_state=0).fit(uv[::50])
    codebook = quantizer.codebook_
    som = MiniSom(*map_shape_for(args.colors), 2)
    som._weights = codebook.reshape(*map_shape_for(args.colors), 2).copy()

    labels, _ = nearest_codeword(uv, codebook)
    agree = np.array_equal(labels, nearest_codeword_reference(uv, codebook)[0])
    methods = [
        ("minisom quantization", lambda: som.quantization(uv), 1),
        ("numpy, 65k-point chunks", lambda: nearest_codeword_reference(uv, codebook), 3),
        ("somcolor numba kernel", lambda: nearest_codeword(uv, codebook), 5),
    ]
    rows = []
    for name, function, repeat in methods:
        rows.append(
            {
                "method": name,
                "seconds": best_time(function, repeat=repeat, warmup=1 if repeat > 1 else 0),
                "peak_mb": peak_bytes(function) / 1e6,
            }
        )
    reference = rows[0]["seconds"]
    for row in rows:
        row["speedup_vs_minisom"] = reference / row["seconds"]
    print(f"{args.points:,} (U, V) points, {args.colors} codewords; labels equal to numpy's: {agree}")
    print_table(rows, [("method", "method", "s"), ("seconds", "seconds", ".3f"), ("peak_mb", "peak MB", ".0f"), ("speedup_vs_minisom", "x minisom", ".1f")])
    write_json(
        "codewords",
        {"points": args.points, "colors": args.colors, "labels_equal_numpy": agree, "rows": rows,
         "target": "1M points to 400 colors in <= 0.5 s with <= 200 MB extra"},
    )


if __name__ == "__main__":
    main()
