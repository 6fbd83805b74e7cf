"""Model files: skops archives that load without running code from the file.

A pickle runs whatever code it names when loaded. A skops file only names
types; :func:`load_model` refuses any type outside the fixed list below, so a
tampered or foreign file fails with an error instead of executing.
"""

import zipfile
from importlib import resources
from pathlib import Path

import skops.io as sio

from .estimator import SOMColorizer
from .io.writing import atomic_path

# Everything a fitted SOMColorizer holds. Numpy arrays, scalars and builtins
# are trusted by skops itself.
TRUSTED_TYPES = (
    "somcolor.estimator.SOMColorizer",
    "somcolor.features.context.Context",
    "somcolor.quantizer.UVQuantizer",
    "sklearn.neural_network._multilayer_perceptron.MLPClassifier",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.preprocessing._label.LabelBinarizer",
    "numpy.random.mtrand.RandomState",
    "numpy.random._mt19937.MT19937",
    "numpy.random._pickle.__randomstate_ctor",
    "numpy.random._pickle.__bit_generator_ctor",
)


#: Models shipped with somcolor, loaded by name: ``load_model("landscapes")``.
BUNDLED_MODELS = {
    "landscapes": "the default model trained on 1,999 landscape photos of two sources: the Intel landscapes "
    "and the Oliva & Torralba 8-scene natural scenes (all but the bundled demo's 12 held-out photos); "
    "see somcolor/data/models/landscapes.json and benchmarks/pretrained.py",
}


class ModelFileError(ValueError):
    """A model file is missing, corrupt or holds something unexpected."""


def save_model(model, path):
    """Write a fitted SOMColorizer to `path` (a ``.skops`` file), atomically.

    Parameters
    ----------
    model : SOMColorizer
        A fitted model.
    path : str or path-like

    Examples
    --------
    >>> from somcolor import SOMColorizer, bundled_images, save_model, load_model
    >>> import tempfile, os
    >>> model = SOMColorizer(max_iter=1, random_state=0).fit(bundled_images("train")[:4])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skops")
    >>> save_model(model, path)
    >>> load_model(path).get_params() == model.get_params()
    True
    """
    if not isinstance(model, SOMColorizer) or not hasattr(model, "mlp_"):
        raise ValueError("save_model needs a fitted SOMColorizer")
    with atomic_path(path) as tmp:
        sio.dump(model, tmp)


def bundled_model_path(name):
    """The file of a model shipped with somcolor, by name (see :data:`BUNDLED_MODELS`)."""
    if name not in BUNDLED_MODELS:
        raise ModelFileError(f"{name}: no such model file, nor a bundled model ({', '.join(BUNDLED_MODELS)})")
    return Path(str(resources.files("somcolor") / "data" / "models" / f"{name}.skops"))


def load_model(path):
    """Read a model written by :func:`save_model`, or a bundled one by name.

    Parameters
    ----------
    path : str or path-like
        A model file, or the name of a model shipped with somcolor:
        ``"landscapes"`` (see :data:`BUNDLED_MODELS`).

    Raises
    ------
    ModelFileError
        If the file is missing, is not a model file, or names any type
        outside somcolor's trusted list.

    Examples
    --------
    >>> model = load_model("landscapes")
    >>> model.predict([[[0.5] * 48] * 32])[0].shape
    (32, 48, 3)
    """
    path = Path(path)
    if not path.is_file() and not path.suffix and len(path.parts) == 1:
        path = bundled_model_path(path.name)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    try:
        found = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelFileError(f"{path}: not a somcolor model file ({exc})") from None
    unexpected = sorted(set(found) - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelFileError(
            f"{path}: refusing to load types outside somcolor's model: {', '.join(unexpected)}"
        )
    try:
        model = sio.load(path, trusted=found)
    except Exception as exc:  # skops raises many types for corrupt archives
        raise ModelFileError(f"{path}: cannot load model ({exc})") from None
    if not isinstance(model, SOMColorizer):
        raise ModelFileError(f"{path}: holds a {type(model).__name__}, not a SOMColorizer")
    # Files of older versions lack newer parameters (their defaults) and the
    # fitted context (what their parameters say).
    for name, default in SOMColorizer().get_params().items():
        if name not in vars(model):
            setattr(model, name, default)
    if not hasattr(model, "context_"):
        model.context_, _ = model._check_params()
    return model
