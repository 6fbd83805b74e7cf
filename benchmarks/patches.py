"""Patch extraction of 1 megapixel (5 x 5): numpy reference, numba, CuPy, against a memcpy.

Every variant writes the same (H*W, 25) float32 matrix into a preallocated
array, so the memcpy of those bytes is the floor.

    python benchmarks/patches.py [--size 1024] [--patch-size 5]
"""

import argparse

import numpy as np

from _common import best_time, print_table, write_json
from somcolor.features import _kernels
from somcolor.features.patches import extract_patches_reference, pad_lightness


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--patch-size", type=int, default=5)
    args = parser.parse_args()
    p, n = args.patch_size, args.size
    L = np.random.default_rng(0).random((n, n)) * 100
    padded = pad_lightness(L, p)
    out = np.empty((n * n, p * p), np.float32)
    source = np.ones_like(out)

    rows = [{"method": "memcpy of the output bytes", "seconds": best_time(lambda: np.copyto(out, source))}]
    rows.append(
        {
            "method": "numpy reference",
            "seconds": best_time(lambda: np.copyto(out, extract_patches_reference(L, p)), repeat=3),
        }
    )
    kernel = _kernels.dense_patches(p)
    rows.append({"method": "numba kernel", "seconds": best_time(lambda: kernel(padded, out))})
    try:
        import cupy

        from somcolor.features.patches import patches_array

        gpu_padded = cupy.asarray(padded)
        gpu_out = cupy.empty(out.shape, cupy.float32)

        def on_gpu():
            gpu_out[...] = patches_array(gpu_padded, p)
            cupy.cuda.Device().synchronize()

        rows.append({"method": "cupy (GPU, on-device)", "seconds": best_time(on_gpu)})
    except ImportError:
        rows.append({"method": "cupy (GPU)", "note": "not installed: pip install 'somcolor[gpu]'"})
    floor = rows[0]["seconds"]
    for row in rows:
        if "seconds" in row:
            row["ms"] = row["seconds"] * 1000
            row["x_memcpy"] = row["seconds"] / floor
            row["gb_per_s"] = out.nbytes / row["seconds"] / 1e9
    print(f"{n} x {n} image, {p} x {p} patches, output {out.nbytes / 1e6:.0f} MB")
    print_table(rows, [("method", "method", "s"), ("ms", "ms", ".1f"), ("x_memcpy", "x memcpy", ".2f"), ("gb_per_s", "GB/s written", ".1f"), ("note", "note", "s")])
    write_json("patches", {"size": n, "patch_size": p, "output_bytes": out.nbytes, "rows": rows, "target": "numba within 1.5x of memcpy"})


if __name__ == "__main__":
    main()
