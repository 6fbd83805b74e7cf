"""Colorize a grayscale video stably in time, and measure how much it flickers.

Makes a test clip from two bundled photos (a slow pan and zoom over each, one
hard cut), writes its gray version as an MP4, trains on the bundled
landscapes, and colorizes the gray MP4 once frame by frame and once with
temporal smoothing. Flicker is measured on lossless PNG frames: H.264's
half-resolution chroma (4:2:0) adds chroma flicker of its own at moving
edges, in any video.

    python examples/video.py
"""

from pathlib import Path

from somcolor import SOMColorizer, bundled_images, colorize_video
from somcolor.color import grayscale
from somcolor.video import flicker_ratio, make_test_clip, open_frames, write_frames

out = Path("video-output")
test = bundled_images("test")
clip = make_test_clip([test[0], test[7]], n_frames=60, size=(240, 320))
write_frames((grayscale(frame) for frame in clip), out / "gray.mp4", fps=25, overwrite=True)

model = SOMColorizer(random_state=0, verbose=1).fit(bundled_images("train"))
for name, strength in [("per-frame", 0.0), ("smoothed", 0.7)]:
    frames_dir = out / name
    summary = colorize_video(model, out / "gray.mp4", frames_dir, temporal_smoothing=strength, overwrite=True)
    frames, _ = open_frames(frames_dir)
    print(
        f"temporal_smoothing={strength}: {summary['frames']} frames, scene cuts at {summary['cuts']}, "
        f"flicker {flicker_ratio(frames, clip):.2f}x the original's"
    )
colorize_video(model, out / "gray.mp4", out / "colorized.mp4", overwrite=True)
print(f"wrote {out / 'colorized.mp4'} (temporal_smoothing=0.7) and the PNG frames in {out}/")
