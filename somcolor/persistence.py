"""Model files: skops archives that load without running code from the file.

A pickle runs whatever code it names when loaded. A skops file only names
types; :func:`load_model` refuses any type outside the fixed list below
(skops' own default list, which admits some 200 scikit-learn types, is not
used), any archive that would inflate past :data:`MAX_MODEL_BYTES`, and any
model whose arrays are not finite or do not fit together, so a tampered or
foreign file fails with one line naming it instead of executing or crashing.
"""

import json
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import skops.io as sio
from sklearn.neural_network import MLPClassifier

from .estimator import SOMColorizer
from .features.context import Context
from .inference.plan import plan_of
from .io.images import path_kind
from .io.writing import atomic_path
from .quantizer import UVQuantizer

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
_BUILTINS = {"dict", "list", "tuple", "str", "int", "float", "bool", "NoneType"}

#: The largest uncompressed content of a model file: the largest model the
#: parameter limits allow (4 hidden layers of 1024 units on 31 x 31 patches
#: with every context feature, with its optimizer state) takes about 220 MB.
MAX_MODEL_BYTES = 256 * 1024 * 1024

# What each fitted attribute a colorizing path reads must be.
_FITTED_TYPES = {"mlp_": MLPClassifier, "quantizer_": UVQuantizer, "context_": Context}


#: Models shipped with somcolor, loaded by name: ``load_model("landscapes")``.
BUNDLED_MODELS = {
    "landscapes": "the default model trained on 1,932 photos of three sources: 527 Intel landscapes, 1,178 "
    "natural scenes of the Oliva & Torralba 8-scene set and 227 open-licensed outdoor photos at a real size "
    "(every fifth of the last two, and the bundled demo's 12, held out); see "
    "somcolor/data/models/landscapes.json, landscapes-CREDITS.md and benchmarks/pretrained.py",
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
        ``"landscapes"`` (see :data:`BUNDLED_MODELS`). A bare name of a
        bundled model always means the bundled model, even where a file of
        that name exists in the working folder (give ``./landscapes`` for
        the file).

    Raises
    ------
    ModelFileError
        If the file is missing, is not a model file, inflates past
        :data:`MAX_MODEL_BYTES`, names any type outside somcolor's own
        list, or holds arrays that are not finite or do not fit together.

    Examples
    --------
    >>> model = load_model("landscapes")
    >>> model.predict([[[0.5] * 48] * 32])[0].shape
    (32, 48, 3)
    """
    path = bundled_model_path(path) if isinstance(path, str) and path in BUNDLED_MODELS else Path(path)
    try:
        kind = path_kind(path)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror})") from None
    if kind is None:
        bare = not path.suffix and len(path.parts) == 1
        raise ModelFileError(
            f"{path}: no such model file" + (f", nor a bundled model ({', '.join(BUNDLED_MODELS)})" if bare else "")
        )
    if kind != "file":  # a FIFO would hang the reader
        raise ModelFileError(f"{path}: is {'a folder' if kind == 'folder' else kind}, not a model file")
    try:
        _check_archive(path)
        found = sio.get_untrusted_types(file=path)
    except ModelFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile, json and skops raise many types for corrupt archives
        raise ModelFileError(f"{path}: not a somcolor model file ({type(exc).__name__}: {exc})") from None
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
    try:
        if not hasattr(model, "context_"):
            model.context_, _ = model._check_params()
        check_fitted(model)
    except ValueError as exc:
        raise ModelFileError(f"{path}: not a usable model ({exc})") from None
    return model


def _check_archive(path):
    """Refuse an archive that inflates past MAX_MODEL_BYTES or names a type outside somcolor's list."""
    with zipfile.ZipFile(path) as archive:
        size = sum(entry.file_size for entry in archive.infolist())
        if size > MAX_MODEL_BYTES:
            raise ModelFileError(
                f"{path}: inflates to {size / 2**20:.0f} MB, more than any somcolor model "
                f"({MAX_MODEL_BYTES / 2**20:.0f} MB); refusing to load it"
            )
        schema = json.loads(archive.read("schema.json"))
    unexpected = sorted(name for name in _types_named(schema, set()) if not _expected(name))
    if unexpected:
        raise ModelFileError(f"{path}: refusing to load types outside somcolor's model: {', '.join(unexpected)}")


def _types_named(node, names):
    """Every 'module.class' a skops schema names, at any depth."""
    if isinstance(node, dict):
        if "__class__" in node:
            names.add(f"{node.get('__module__')}.{node['__class__']}")
        for value in node.values():
            _types_named(value, names)
    elif isinstance(node, list):
        for value in node:
            _types_named(value, names)
    return names


def _expected(name):
    module, _, kind = name.rpartition(".")
    if module == "builtins":
        return kind in _BUILTINS
    if module == "numpy":
        return kind in ("ndarray", "dtype") or isinstance(getattr(np, kind, None), type) and issubclass(
            getattr(np, kind), np.generic)
    return name in TRUSTED_TYPES


def check_fitted(model):
    """Refuse a fitted SOMColorizer whose fitted attributes are of the wrong types, or whose arrays are not
    finite or do not fit together (what would otherwise reach the numba and CUDA kernels)."""
    for name, kind in _FITTED_TYPES.items():
        if not isinstance(getattr(model, name, None), kind):
            raise ValueError(f"{name} is a {type(getattr(model, name, None)).__name__}, not a {kind.__name__}")
    plan_of(model)
