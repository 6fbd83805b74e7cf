"""Throughput on the GPU against the fused CPU pass, host uint8 in, host uint8 out.

    python benchmarks/gpu.py [--batch 64] [--frames 60] [--cpu-only]

Single images of 256 x 256, 1 MP and 16 MP, a batch of 1-MP images through the
pipeline of CUDA streams (somcolor.inference.gpu.GpuPipeline), and video at
1920 x 1080 with temporal smoothing (the Stabilizer on the device, not counting
the file decoder), each timed on the GPU and on the CPU in the same run; the
default model fitted on the 48 bundled photos. Writes benchmarks/results/gpu.json.
Targets (an H100-class GPU): batch >= 1,000 MP/s, one 1-MP image <= 3 ms, one
16-MP image <= 20 ms, 1080p video >= 120 frames per second.
"""

import argparse
import copy
import time

import numpy as np

from _common import best_time, print_table, write_json
from somcolor import SOMColorizer, bundled_images
from somcolor.inference.backend import backend_of
from somcolor.io.images import read_pixels
from somcolor.video import Stabilizer

SIZES = {"256 x 256": (256, 256), "1 MP": (1024, 1024), "16 MP": (4096, 4096)}


def photo(height, width):
    """A real photo tiled to the size, uint8 RGB."""
    tile = read_pixels(bundled_images("test")[0])
    reps = (-(-height // tile.shape[0]), -(-width // tile.shape[1]), 1)
    return np.ascontiguousarray(np.tile(tile, reps)[:height, :width])


def megapixels_per_second(model, images, repeat):
    backend = backend_of(model.colorize_plan())  # the plan uploaded once, as a batch job would

    def run():
        for _ in backend.colorize_many(images, dtype=np.uint8):
            pass

    seconds = best_time(run, repeat=repeat)
    return seconds, sum(i.shape[0] * i.shape[1] for i in images) / 1e6 / seconds


def video_fps(model, frames):
    stabilizer = Stabilizer(model)
    stabilizer.colorize_frame(frames[0])  # compile, allocate
    start = time.perf_counter()
    for frame in frames:
        stabilizer.colorize_frame(frame)
    return len(frames) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--cpu-only", action="store_true")
    args = parser.parse_args()
    cpu = SOMColorizer(random_state=0).fit(bundled_images("train"))
    devices = {"cpu": cpu}
    if not args.cpu_only:
        from numba import cuda

        if cuda.is_available():
            devices["cuda"] = copy.deepcopy(cpu).set_params(device="cuda")
        else:
            print("no CUDA GPU here: GPU rows not measured")
    rows = []
    for name, model in devices.items():
        for label, shape in SIZES.items():
            image = photo(*shape)
            seconds, rate = megapixels_per_second(model, [image], repeat=3 if label == "16 MP" else 5)
            rows.append({"device": name, "case": label, "ms": seconds * 1000, "mp_per_s": rate})
        batch = [photo(1024, 1024) for _ in range(args.batch)]
        seconds, rate = megapixels_per_second(model, batch, repeat=2)
        rows.append({"device": name, "case": f"batch of {args.batch} x 1 MP", "ms": seconds * 1000, "mp_per_s": rate})
        clip = [photo(1080, 1920) for _ in range(args.frames)]
        fps = video_fps(model, clip)
        rows.append({"device": name, "case": "video 1920 x 1080 (frames/s)", "fps": fps})
    print_table(rows, [("device", "device", "s"), ("case", "case", "s"), ("ms", "ms", ".1f"),
                       ("mp_per_s", "MP/s", ".1f"), ("fps", "frames/s", ".1f")])
    write_json("gpu", {"rows": rows, "targets": {"batch_mp_per_s": 1000, "1 MP ms": 3, "16 MP ms": 20, "video fps": 120}})


if __name__ == "__main__":
    main()
