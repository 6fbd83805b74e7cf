from pathlib import Path

from setuptools import find_packages, setup

setup(
    name="somcolor",
    version="0.2.0",
    description="Colorize grayscale photos with a self-organizing map and a small MLP",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["somcolor", "somcolor.*"]),
    package_data={"somcolor": ["data/landscapes/*", "data/models/*"]},
    python_requires=">=3.10",
    install_requires=[
        "numpy>=1.24",
        "scikit-learn>=1.7",
        "minisom>=2.3.5",
        "scikit-image>=0.21",
        "joblib>=1.3",
        "numba>=0.59",
        "pillow>=9.4",
        "skops>=0.10",
        "tqdm>=4.60",
        "imageio>=2.28",
        # Its wheels ship an ffmpeg binary: video works without a system ffmpeg.
        "imageio-ffmpeg>=0.4.9",
    ],
    extras_require={
        "test": ["pytest>=7", "hypothesis>=6.100", "dask[distributed]>=2024.1"],
        "dask": ["dask[distributed]>=2024.1"],
        # numba's CUDA target with the CUDA 12 libraries it compiles with; CuPy for the
        # array-code path (somcolor.inference.array_path) on the GPU.
        "gpu": ["numba-cuda[cu12]>=0.10", "cupy-cuda12x>=13"],
        # cuCIM's optical flow keeps video's motion estimate on the GPU too.
        "gpu-video": ["numba-cuda[cu12]>=0.10", "cupy-cuda12x>=13", "cucim-cu12>=24.0"],
        # A CPU build: an unpinned torch pulls a CUDA build of several GB.
        "cnn": ["torch==2.13.0"],
    },
    entry_points={"console_scripts": ["somcolor = somcolor.cli:main"]},
)
