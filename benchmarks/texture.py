"""The texture context feature (texture_scales) on every split of the yardstick, BSDS500 included.

The default SOMColorizer, and the default with oriented texture energies at
scale 1 and at scales 1 and 3, each trained on the landscapes, the 8-scene
images and both, tested in-source, on the other source and on the BSDS500
natural photos at their own size (seed 0), beside the gray photo. Writes
benchmarks/results/generalization/texture/{yardstick.json,md} and a figure
per split (the committed run keeps the figures' tables only, and a third-size
copy of landscapes -> BSDS).

    python benchmarks/texture.py
"""

import json

from _common import RESULTS, SHARED_DATA
from somcolor import SOMColorizer
from somcolor.evaluation.compare import default_methods, yardstick
from somcolor.io.images import find_images

VARIANTS = {"default": {}, "texture 1": {"texture_scales": (1,)}, "texture 1, 3": {"texture_scales": (1, 3)}}


def main():
    methods = {"gray (no chroma)": default_methods()["gray (no chroma)"]}
    for name, params in VARIANTS.items():
        methods[name] = lambda params=params: SOMColorizer(random_state=0, **params)
    sources = {"landscapes": find_images([SHARED_DATA / "landscapes"]),
               "8-scene": find_images([SHARED_DATA / "8scene_64px"])}
    test_only = {"BSDS": find_images([SHARED_DATA / "bsds500_natural"])}
    out = RESULTS / "generalization" / "texture"
    results = yardstick(sources, methods, out_dir=out, verbose=True, test_only=test_only)
    for split in results:
        print(split["split"])
        for row in split["rows"]:
            if "psnr" in row:
                print(f"  {row['method']:<20} {row['psnr']:6.2f} dB  rAuC {row['rebalanced_auc']:5.1f}  "
                      f"colorf {row['colorfulness_pct']:4.0f}%  SSIM {row['ssim']:.3f} fit {row['fit_s']:5.1f}s")
    print(json.dumps({"wrote": str(out)}))


if __name__ == "__main__":
    main()
