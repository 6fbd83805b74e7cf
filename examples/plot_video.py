"""
Video: colors stable in time
============================

Colorizing frames one by one flickers: a pixel's most likely color class jumps between frames.
``colorize_video`` averages each pixel's class probabilities over time, moved along the optical flow,
and resets the average at a scene cut. A test clip made from two bundled photos (a slow pan and zoom over
each, one hard cut) is colorized frame by frame and with temporal smoothing; flicker is measured against
the original color clip's.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from somcolor import bundled_images, colorize_video, load_model
from somcolor.color import grayscale
from somcolor.video import flicker_ratio, make_test_clip, open_frames, write_frames

out = Path(tempfile.mkdtemp(prefix="somcolor-video-"))
test = bundled_images("test")
clip = make_test_clip([test[0], test[7]], n_frames=24, size=(120, 160))
write_frames((grayscale(frame) for frame in clip), out / "gray.mp4", fps=12)

model = load_model("landscapes")
results = {}
for name, strength in [("frame by frame", 0.0), ("smoothed 0.7", 0.7)]:
    folder = out / name.split()[0]  # a folder of PNG frames
    summary = colorize_video(model, out / "gray.mp4", folder, temporal_smoothing=strength, verbose=False)
    frames, _ = open_frames(folder)
    results[name] = list(frames)
    print(f"{name}: {summary['frames']} frames, scene cuts at {summary['cuts']}, "
          f"flicker {flicker_ratio(results[name], clip):.2f}x the original's")

# %%
# Four consecutive frames of each: the smoothed ones hold their colors.
fig, axes = plt.subplots(3, 4, figsize=(9, 5.4))
for row, (name, frames) in zip(axes, [("original", clip), *results.items()]):
    for ax, k in zip(row, range(4, 8)):
        ax.imshow(frames[k])
        ax.set_title(f"{name}, frame {k}", fontsize=8)
        ax.axis("off")
fig.tight_layout()
