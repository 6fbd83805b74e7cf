"""The bundled landscape photos and the project's fixed image-level split."""

from importlib import resources
from pathlib import Path

from .images import IMAGE_EXTENSIONS

SPLITS = ("all", "train", "test")


def holdout_split(paths, every=5):
    """Split images by position: every `every`-th one (1-based) is held out.

    Image-level, so no pixel of a test image is ever trained on, and fixed,
    so figures stay comparable between runs. Sort `paths` first for a split
    that does not depend on listing order.

    >>> holdout_split(list("abcdefghij"))
    (['a', 'b', 'c', 'd', 'f', 'g', 'h', 'i'], ['e', 'j'])
    """
    train = [p for i, p in enumerate(paths) if i % every != every - 1]
    test = [p for i, p in enumerate(paths) if i % every == every - 1]
    return train, test


def bundled_images(split="all"):
    """Paths of the 60 landscape photos shipped with somcolor.

    Parameters
    ----------
    split : {"all", "train", "test"}
        ``"test"`` is every fifth image in name order (12 images),
        ``"train"`` the other 48.

    Returns
    -------
    paths : list of pathlib.Path
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    folder = Path(str(resources.files("somcolor") / "data" / "landscapes"))
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)
    if split == "all":
        return paths
    train, test = holdout_split(paths)
    return train if split == "train" else test
