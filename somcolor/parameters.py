"""SOMColorizer's parameter rules, in one table, and what they describe once checked.

scikit-learn's ``_parameter_constraints`` style: every parameter's type and
range, with upper bounds on those whose size drives time or memory, so that a
typo fails in milliseconds instead of running for hours. Tuple parameters'
elements are checked by :func:`int_tuple` against the same limits.
"""

import numbers

from sklearn.utils._param_validation import HasMethods, Interval, InvalidParameterError, StrOptions

from ._arrays import DEVICES
from .features.context import Context
from .features.patches import check_odd_patch_size
from .features.sampling import Sampling
from .network.decode import DECODERS

#: Upper bounds of the parameters whose size drives time or memory, so that a
#: typo fails in milliseconds instead of running for hours. Tuple parameters:
#: (smallest element, largest element, most elements).
PARAMETER_LIMITS = {
    "patch_size": 31,  # odd sizes only
    "n_colors": 1024,
    "pixels_per_image": 100_000,
    "batch_size": 1 << 20,
    "max_iter": 10_000,
    "som_iterations": 10_000_000,
    "smooth_radius": 256,
    "scales": (2, 64, 4),
    "local_radii": (1, 256, 4),
    "texture_scales": (1, 32, 4),
    "hidden_layer_sizes": (1, 1024, 4),
    "augment_scales": (0.125, 4.0, 4),
}


#: The rules of every parameter (tuple parameters' elements: PARAMETER_LIMITS).
PARAMETER_CONSTRAINTS = {
    "patch_size": [Interval(numbers.Integral, 1, PARAMETER_LIMITS["patch_size"], closed="both")],
    "n_colors": [Interval(numbers.Integral, 2, PARAMETER_LIMITS["n_colors"], closed="both")],
    "scales": ["array-like", numbers.Integral],
    "position": ["boolean"],
    "local_radii": ["array-like", numbers.Integral],
    "global_features": ["boolean"],
    "texture_scales": ["array-like", numbers.Integral],
    "hidden_layer_sizes": ["array-like", numbers.Integral],
    "pixels_per_image": [
        Interval(numbers.Integral, 1, PARAMETER_LIMITS["pixels_per_image"], closed="both")
    ],
    "augment_scales": ["array-like", numbers.Real],
    "augment_mirror": ["boolean"],
    "decode": [StrOptions(set(DECODERS))],
    # Bounds that keep the arithmetic finite: a temperature of 1e-37, a SOM step of 5 or a spread of
    # 1e-300 turned every colour into NaN.
    "temperature": [Interval(numbers.Real, 0.01, 1, closed="both"), StrOptions({"auto"})],
    "smooth_radius": [Interval(numbers.Integral, 0, PARAMETER_LIMITS["smooth_radius"], closed="both")],
    "smooth_eps": [Interval(numbers.Real, 1e-8, 1e3, closed="both")],
    "rebalance": [Interval(numbers.Real, 0, 1, closed="both"), None],
    "alpha": [Interval(numbers.Real, 0, 1e3, closed="both")],
    "batch_size": [Interval(numbers.Integral, 1, PARAMETER_LIMITS["batch_size"], closed="both")],
    "learning_rate_init": [Interval(numbers.Real, 0, 10, closed="right")],
    "max_iter": [Interval(numbers.Integral, 1, PARAMETER_LIMITS["max_iter"], closed="both")],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
    "som_sigma": [Interval(numbers.Real, 1e-3, 1e3, closed="both")],
    "som_learning_rate": [Interval(numbers.Real, 0, 1, closed="right")],
    "som_iterations": [
        Interval(numbers.Integral, 1, PARAMETER_LIMITS["som_iterations"], closed="both")
    ],
    "device": [StrOptions(set(DEVICES))],
    "memory": [None, str, HasMethods(["cache"])],
    "random_state": ["random_state"],
    "working_side": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left"), None],
    "max_image_pixels": [Interval(numbers.Integral, 1, None, closed="left")],
    "contrast_stretch": ["boolean"],
    "warm_start": ["boolean"],
    "verbose": ["verbose"],
}


def int_tuple(value, name):
    """`value` (an int or a sequence of ints) as a tuple within PARAMETER_LIMITS[name]."""
    low, high, longest = PARAMETER_LIMITS[name]
    values = (value,) if isinstance(value, numbers.Integral) else value
    try:
        values = tuple(values)
    except TypeError:
        values = (None,)
    if len(values) > longest or not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and low <= v <= high for v in values
    ):
        raise InvalidParameterError(
            f"The {name!r} parameter of SOMColorizer must be an int in [{low}, {high}] or a tuple of at "
            f"most {longest} of them. Got {value!r} instead."
        )
    return tuple(int(v) for v in values)


def scale_tuple(value, name):
    """`value` (a number or a sequence of numbers) as a tuple of floats within PARAMETER_LIMITS[name]."""
    low, high, longest = PARAMETER_LIMITS[name]
    values = tuple(value) if not isinstance(value, numbers.Real) else (value,)
    if not 0 < len(values) <= longest or not all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) and low <= v <= high for v in values
    ):
        raise InvalidParameterError(
            f"The {name!r} parameter of SOMColorizer must be a float in [{low}, {high}] or a tuple "
            f"of 1 to {longest} of them. Got {value!r} instead."
        )
    return tuple(float(v) for v in values)


def settings(estimator):
    """The features and the sampling that an estimator's parameters (already validated against
    PARAMETER_CONSTRAINTS) describe: a :class:`~somcolor.features.Context` and a
    :class:`~somcolor.features.sampling.Sampling`."""
    check_odd_patch_size(estimator)
    if not int_tuple(estimator.hidden_layer_sizes, "hidden_layer_sizes"):
        raise InvalidParameterError("The 'hidden_layer_sizes' parameter of SOMColorizer must not be empty.")
    context = Context(
        patch_size=int(estimator.patch_size),
        scales=int_tuple(estimator.scales, "scales"),
        position=bool(estimator.position),
        local_radii=int_tuple(estimator.local_radii, "local_radii"),
        global_features=bool(estimator.global_features),
        texture_scales=int_tuple(estimator.texture_scales, "texture_scales"),
    )
    # A model colorizes photos much larger than its working side at about that side, so it learns from them
    # there too; "auto" (the training photos' own median side) and None see training photos as they are.
    side = estimator.working_side
    sampling = Sampling(
        int(estimator.pixels_per_image), scale_tuple(estimator.augment_scales, "augment_scales"),
        bool(estimator.augment_mirror), working_side=None if side in ("auto", None) else int(side),
    )
    return context, sampling
