"""The SOMColorizer estimator: patches of L in, SOM color classes out."""

import copy
import numbers
import os

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils.validation import check_is_fitted, check_memory
from tqdm.auto import tqdm

from .features.contrast import seen_lightness, stretch_target
from .features.sampling import Reservoir, sample_training_pixels
from .hints.reference import reference_prior
from .hints.session import HintSession
from .inference.exact import probabilities_exact
from .inference.backend import check_device
from .inference.plan import checked_arrays, colorize_many, plan_of
from .inference.working import resolved_side
from .io.images import (DEFAULT_MAX_PIXELS, ImageError, as_pixels, check_image_list, image_name, read_lightness,
                        read_luv, to_float)
from .network.decode import DEFAULT_TEMPERATURE, calibrated_temperature
from .network.training import class_weights, rebalancing_weights, train_epochs
from .parameters import PARAMETER_CONSTRAINTS, int_tuple, settings
from .quantizer import UVQuantizer

def _sample_and_draw_seed(images, context, sampling, random_state, max_pixels, verbose, skip_colorless=False):
    # One cacheable step: the samples, and the MLP's seed drawn after them,
    # so that fit draws the same random numbers with and without a cache.
    progress = tqdm(images, desc="sampling pixels", unit="img", disable=not verbose, leave=False)
    features, chroma, photos = sample_training_pixels(
        progress, context, sampling, random_state, max_pixels=max_pixels, skip_colorless=skip_colorless
    )
    _check_some_color(chroma, len(images))
    return features, chroma, photos, random_state.randint(np.iinfo(np.int32).max)


def _check_some_color(chroma, n_images):
    """Refuse to train when every photo was skipped for having no color."""
    if not len(chroma):
        raise ImageError(f"none of the {n_images} photos has color: nothing to learn colors from")


# Part of the SOM's cache key, raised when UVQuantizer.fit learns differently, so that a `memory` cache
# written by an earlier version is not reused (1: the map learned from the first n_iterations samples only;
# 2: from a draw of all of them).
_SOM_TRAINING = 2


def _fit_quantizer(quantizer, chroma, training):
    # `training` is unused here: it is the cache key's _SOM_TRAINING.
    return quantizer.fit(chroma)


# Fine-tuning weighs each color class by its rarity in the starting model's training pixels and in the
# new photos, half and half: a few photos alone would make a color they happen to lack "rare", and
# their own colors common.
_FINE_TUNE_MIX = 0.5

# Training pixels kept in the model (features as float16, and their classes) and replayed beside the new
# photos' pixels when it is fine-tuned, so that the network keeps seeing the scenes it was trained on:
# 6,000 pixels add about 0.4 MB to a model file (the bundled one: 165 KB -> 551 KB).
_REPLAY_PIXELS = 6000


def _training_photos(photos):
    """(training_side_, lightness_spread_) of the training photos' :class:`PhotoStats`: the median short
    side, and the mean spread of L."""
    return int(np.median([p.short_side for p in photos])), float(np.mean([p.spread for p in photos]))


def _replay_repeats(n_new, n_replay):
    """How many times the replay sample is trained on: about as many replayed pixels as new ones. Replayed
    once, 6,000 pixels were a fifth of 10 photos' and the network forgot more than the new photos taught
    it on the thumbnail sources (``benchmarks/finetune.py``)."""
    return max(1, round(n_new / n_replay))


# temperature="auto" is chosen on this many of the training pixels (evenly spaced in sampling order).
_CALIBRATION_PIXELS = 20_000

#: The fine-tuning settings chosen by ``benchmarks/finetune.py``; ``somcolor fit --from`` uses them. Few
#: epochs at a small step keep what the starting model knew of photos it has not seen. The fine-tuned
#: network is surer than its start, so at the default temperature its colors come out bolder and less
#: often right: 0.35 is the highest temperature that keeps every source's colorfulness at 70% of the
#: originals' or more (k >= 10; 70.1% on BSDS500 at k = 20), by the rule the default temperature was
#: chosen by. From the bundled model, which decodes at 0.45, that is a lower one: 0.4 leaves BSDS500 at
#: k = 20 at 67.8%.
FINE_TUNING = {"max_iter": 5, "learning_rate_init": 3e-4, "temperature": 0.35}


class SOMColorizer(BaseEstimator):
    """Colorize grayscale photos from p x p patches of lightness.

    The method of Richart, Visca & Baliosian (2017): a self-organizing map
    quantizes the training images' CIELUV chroma (U, V) into `n_colors`
    classes; a multilayer perceptron learns the class of each pixel from the
    `patch_size` x `patch_size` patch of lightness L around it. Class
    rebalancing and annealed-mean decoding follow Zhang, Isola & Efros
    (2016). By default the patch comes with context (the pixel's position and
    the mean and contrast of L over 17 x 17 and 65 x 65 windows) and the
    decoded chroma is smoothed by a guided filter steered by L; the
    defaults are chosen by ``benchmarks/ablation.py`` (see the README).

    Parameters
    ----------
    patch_size : int, default=5
        Odd side length of the square patch of L around each pixel.
    n_colors : int, default=9
        Number of color classes (SOM nodes), e.g. 9, 25, 100 or 400.
    scales : tuple of int, default=()
        Context: for each factor s, the patch of L downscaled by s (means of
        s x s blocks), interpolated at the pixel; e.g. (2, 4, 8) lets a 5 x 5
        patch see 40 x 40 pixels. See :mod:`somcolor.features.context`. Off by
        default: on the landscapes it adds 0.1 dB and 0.4 points of
        rebalanced AuC to the default but doubles the time to colorize.
    position : bool, default=True
        Context: the pixel's normalized row and column.
    local_radii : tuple of int, default=(8, 32)
        Context: for each radius r, the mean and standard deviation of L
        over the (2r + 1) x (2r + 1) window.
    global_features : bool, default=False
        Context: a 16-bin histogram of the photo's L, its mean and standard
        deviation, given to every pixel. Off by default: a few hundred
        training photos give as few distinct values, and the MLP learns
        them by heart (1.9 dB less PSNR on held-out landscapes).
    texture_scales : tuple of int, default=()
        Context: for each scale s, the root mean square of the differences
        of L between pixels s apart along rows, columns and both diagonals,
        over the (8s + 1) x (8s + 1) window: four oriented-energy planes,
        how much and in which direction L varies. Off by default: on
        most cross-source splits it buys rebalanced AuC and bolder colors
        with 0.1-0.4 dB of PSNR (docs/quality.md); try it on photos like
        the training photos.
    hidden_layer_sizes : tuple of int, default=(50, 50)
        Sizes of the MLP's hidden layers.
    pixels_per_image : int, default=2500
        Pixels sampled from each training image (all if the image is smaller).
    augment_scales : tuple of float, default=(1.0,)
        Each training photo is sampled at these scales (rescaled, anti-aliased
        when shrinking), its pixels shared out among them, so that the model
        sees textures and context at more than the training photos' own
        resolution.
    augment_mirror : bool, default=True
        Also sample each training photo mirrored left to right (half its
        pixels from each): with the working resolution, +0.41 dB on the
        cross-source yardstick's 8-scene -> landscapes split and -0.11 dB the
        other way (``benchmarks/generalization.py``).
    decode : {"annealed_mean", "argmax"}, default="annealed_mean"
        How class probabilities become chroma; see
        :func:`somcolor.network.decode_chroma`.
    temperature : float or "auto", default=0.15
        Temperature of the annealed mean, in [0.01, 1]: lower is more colorful,
        higher closer to the mean chroma (more PSNR). 0.15 is the highest that
        keeps colorfulness above 70% of the originals' on every cross-source
        split of the yardstick (70.0% from the landscapes to the 8-scene
        images; 0.17 gives 69.4%). The bundled model decodes at 0.45, the
        same rule on the photos it was not trained on (BSDS500's).
        "auto": `fit` chooses it on its training pixels
        (:func:`~somcolor.network.decode.calibrated_temperature`): the highest,
        up to 0.15, that gives them 80% of their true mean chroma, so that an
        unsure network's colors come out bolder, never paler than the
        default's. Not the default: fits on 48 to 539 landscapes already give
        their training pixels 102-113% of their true mean chroma at 0.15, so
        it would change nothing there (see the README), and a fine-tuned
        network needs a higher temperature than the default's, not a lower
        one (:data:`FINE_TUNING`).
    smooth_radius : int, default=8
        Radius of the edge-aware smoothing of the predicted chroma, guided by
        L (:func:`somcolor.filters.guided_filter`); 0 turns it off.
    smooth_eps : float, default=1e-3
        The guided filter's regularisation, in [1e-8, 1000]: L variations
        (L / 100, variance in the window) well above it are kept as edges.
    rebalance : float in [0, 1] or None, default=0.5
        Class rebalancing by color rarity: Zhang et al.'s lambda in
        :func:`somcolor.network.rebalancing_weights` (0 weights each pixel by the inverse
        frequency of its class, 1 uniformly); None trains without sample
        weights. With 0.5 the held-out landscapes come out nearly as colorful
        as the originals (85%) instead of washed out (67% with None), at
        0.2 dB less PSNR.
    alpha : float, default=1e-4
        L2 penalty of the MLP, in [0, 1000].
    batch_size : int, default=1024
        Minibatch size of the MLP's Adam optimizer. scikit-learn spends most
        of an epoch on per-batch overhead: on the landscapes, 1024 (with a
        step of 3e-3) trains 1.7x faster than 256 (with 1e-3) at the same
        held-out PSNR and colorfulness.
    learning_rate_init : float, default=3e-3
        Adam's step size, in (0, 10].
    max_iter : int, default=20
        Maximum number of epochs over the sampled pixels.
    tol : float, default=1e-3
        Training stops when the loss has not improved by `tol` for
        `n_iter_no_change` consecutive epochs.
    n_iter_no_change : int, default=2
        See `tol`.
    som_sigma : float, default=0.5
        Initial neighbourhood spread of the SOM, in [0.001, 1000].
    som_learning_rate : float, default=0.5
        Initial learning rate of the SOM, in (0, 1] (larger steps diverge).
    som_iterations : int, default=20000
        Number of SOM updates.
    device : {"cpu", "cuda"}, default="cpu"
        Where :meth:`predict` runs: ``"cpu"`` in one fused numba pass per
        band of an image, ``"cuda"`` in one fused numba.cuda kernel per image
        on an NVIDIA GPU, images streaming through CUDA streams (``pip
        install "somcolor[gpu]"``). Training always runs on the CPU.
    memory : str, joblib.Memory or None, default=None
        Caches the pixel sampling and the SOM, as ``memory`` does for a
        scikit-learn Pipeline. In a grid search with an int `random_state`,
        the samples are then drawn once per fold and patch size and the SOM
        fitted once per fold and number of colors, not once per candidate.
    random_state : int, RandomState instance or None, default=None
        Seeds pixel sampling, the SOM and the MLP; an int makes `fit`
        reproducible on one machine. The matrix products of training run on
        the BLAS kernels chosen for the CPU (OpenBLAS: Haswell for AVX2,
        SkylakeX for AVX-512), which round differently: the same seed and
        photos give a slightly different model on another kind of CPU, unless
        ``OPENBLAS_CORETYPE`` names the same kernels before Python starts.
    working_side : "auto", int or None, default="auto"
        Photos whose short side is one and a half times this or more are colorized at about
        this short side (means of k x k blocks of L), and their chroma brought
        back to full size guided by the full-resolution L
        (:mod:`somcolor.inference.working`): a model sees textures and context
        at the scale it learned them. "auto" is the median short side of the
        training photos; None colorizes every photo at its own size. An int
        also brings training photos that large near this side before their
        pixels are sampled, so that a model trained on photos of many sizes
        learns at the one scale it colorizes at.
    contrast_stretch : bool, default=True
        A photo whose lightness spreads less than the training photos' (the
        standard deviation of L, ``lightness_spread_``) is seen by the
        features with its L stretched about its mean up to that spread (at
        most 4x), its colors still joined with its own L
        (:mod:`somcolor.features.contrast`): a model reads flat photos (film
        scans, haze) as mist and water and paints them blue-gray otherwise.
        +0.06 to +1.50 dB on the cross-source yardstick's five splits
        (BSDS500's film scans most), +0.05 and +0.10 dB in-source, the
        colors 1-3 points of colorfulness paler.
    warm_start : bool, default=False
        If True and the model is fitted, :meth:`fit` fine-tunes it on the
        new photos instead of starting over: the color classes (the SOM
        codebook), the context settings and the network's weights are kept,
        and the network trains on pixels of the new photos, seen at the
        model's working resolution, for `max_iter` epochs with a fresh Adam
        step of `learning_rate_init`; the class weights mix the color
        frequencies of the old and the new pixels. Feature, color and layer
        parameters must then be those of the fitted model. What keeps the
        model from forgetting photos unlike the new ones: a sample of its
        original training pixels (``replay_features_``, kept by `fit`) is
        trained on beside the new pixels, repeated until it is about as
        many as they are, and few epochs at a small step:
        ``max_iter=5, learning_rate_init=3e-4`` was the best of those
        ``benchmarks/finetune.py`` screened; the fine-tuned network is surer
        than its start and is decoded at ``temperature=0.35`` to keep its
        colors as right (:data:`FINE_TUNING`, what ``somcolor fit --from``
        uses). See the example below.
    max_image_pixels : int, default=200_000_000
        The largest image accepted, in pixels, in `fit` and `predict`;
        larger files (decompression bombs too) are refused from their header,
        before they are decoded. Images of any size up to it are colorized in
        bands of rows, in bounded memory.
    verbose : int, default=0
        If positive, show progress bars.

    Parameters whose size drives time or memory have upper bounds (see
    :data:`somcolor.parameters.PARAMETER_LIMITS` and the README), checked
    before any work.

    Attributes
    ----------
    context_ : somcolor.features.Context
        The features the MLP was trained on: patch size and context.
    training_side_ : int
        Median short side of the training photos, in pixels.
    lightness_spread_ : float
        Mean standard deviation of L over each training photo (at the
        working resolution); for a fine-tuned model, over the new photos.
        See `contrast_stretch`.
    quantizer_ : UVQuantizer
        The fitted SOM quantizer; ``quantizer_.codebook_`` holds the (U, V)
        color of each class.
    mlp_ : sklearn.neural_network.MLPClassifier
        The fitted classifier from patches to color classes.
    class_frequencies_ : ndarray of shape (n_colors,)
        Frequency of each color class among the sampled training pixels.
    class_weights_ : ndarray of shape (n_colors,)
        Training weight of each class (all ones without rebalancing).
    temperature_ : float
        The annealed mean's temperature `fit` chose (``temperature="auto"``)
        or was given.
    replay_features_ : ndarray of shape (n_replay, n_features), dtype float16
        Up to 6,000 of the training pixels' features, replayed when the model
        is fine-tuned (``warm_start=True``); a fine-tuned model keeps those
        of the model it started from.
    replay_classes_ : ndarray of shape (n_replay,), dtype uint16
        Their color classes.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : list of float
        Training loss after each epoch.

    Examples
    --------
    >>> from somcolor import SOMColorizer, bundled_images
    >>> train, test = bundled_images("train")[:8], bundled_images("test")[:2]
    >>> model = SOMColorizer(max_iter=2, random_state=0).fit(train)
    >>> rgb = model.predict(test)
    >>> rgb[0].shape
    (150, 150, 3)

    Fine-tuning the bundled model on a few photos of your own kind of scene:

    >>> from somcolor import load_model
    >>> from somcolor.estimator import FINE_TUNING
    >>> mine = load_model("landscapes").set_params(warm_start=True, **FINE_TUNING)
    >>> mine = mine.fit(train)  # the bundled model's colors and weights, trained further on 8 photos
    >>> mine.predict(test)[0].shape
    (150, 150, 3)
    """

    def __init__(
        self,
        patch_size=5,
        n_colors=9,
        scales=(),
        position=True,
        local_radii=(8, 32),
        global_features=False,
        texture_scales=(),
        hidden_layer_sizes=(50, 50),
        pixels_per_image=2500,
        augment_scales=(1.0,),
        augment_mirror=True,
        decode="annealed_mean",
        temperature=DEFAULT_TEMPERATURE,
        smooth_radius=8,
        smooth_eps=1e-3,
        rebalance=0.5,
        alpha=1e-4,
        batch_size=1024,
        learning_rate_init=3e-3,
        max_iter=20,
        tol=1e-3,
        n_iter_no_change=2,
        som_sigma=0.5,
        som_learning_rate=0.5,
        som_iterations=20000,
        device="cpu",
        memory=None,
        random_state=None,
        working_side="auto",
        contrast_stretch=True,
        warm_start=False,
        max_image_pixels=DEFAULT_MAX_PIXELS,
        verbose=0,
    ):
        self.patch_size = patch_size
        self.n_colors = n_colors
        self.scales = scales
        self.position = position
        self.local_radii = local_radii
        self.global_features = global_features
        self.texture_scales = texture_scales
        self.hidden_layer_sizes = hidden_layer_sizes
        self.pixels_per_image = pixels_per_image
        self.augment_scales = augment_scales
        self.augment_mirror = augment_mirror
        self.decode = decode
        self.temperature = temperature
        self.smooth_radius = smooth_radius
        self.smooth_eps = smooth_eps
        self.rebalance = rebalance
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.som_sigma = som_sigma
        self.som_learning_rate = som_learning_rate
        self.som_iterations = som_iterations
        self.device = device
        self.memory = memory
        self.random_state = random_state
        self.working_side = working_side
        self.contrast_stretch = contrast_stretch
        self.warm_start = warm_start
        self.max_image_pixels = max_image_pixels
        self.verbose = verbose

    _parameter_constraints = PARAMETER_CONSTRAINTS

    def _check_params(self):
        """Check every parameter against the rules of :mod:`somcolor.parameters`; return the
        :class:`~somcolor.features.Context` and :class:`~somcolor.features.sampling.Sampling` they describe."""
        self._validate_params()
        context, sampling = settings(self)
        check_device(self.device)
        return context, sampling

    def _progress(self, iterable, desc, **kwargs):
        return tqdm(iterable, desc=desc, disable=not self.verbose, leave=False, **kwargs)

    # -- fitting ------------------------------------------------------------

    def fit(self, X, y=None, skip_colorless=False):
        """Learn the color classes and the patch classifier from color images.

        Parameters
        ----------
        X : sequence of images
            Color images: file paths, Pillow images, or arrays of shape
            (H, W, 3) or (H, W, 4) (uint8 or floats in [0, 1]); sizes may
            differ. Transparent pixels (alpha 0) are not trained on.
        y : ignored
            Present for scikit-learn compatibility.
        skip_colorless : bool or container, default=False
            A photo without color (a black-and-white photo saved as RGB) is
            refused by name, since a colorizer trained on it learns gray;
            True skips every such photo with an
            :class:`~somcolor.io.ImageWarning` naming it, and a container
            skips those of its photos (``somcolor fit`` passes the photos it
            found in folders).

        Returns
        -------
        self : SOMColorizer
        """
        context, sampling = self._check_params()
        images = check_image_list(X)
        if self.warm_start and hasattr(self, "mlp_"):
            return self._fine_tune(images, context, sampling, skip_colorless)
        rng = check_random_state(self.random_state)
        quantizer = self._new_quantizer(rng)
        memory = check_memory(self.memory)
        features, chroma, photos, mlp_seed = memory.cache(_sample_and_draw_seed, ignore=["verbose"])(
            images, context, sampling, rng, self.max_image_pixels, self.verbose, skip_colorless
        )
        quantizer = memory.cache(_fit_quantizer)(quantizer, chroma, _SOM_TRAINING)
        labels = quantizer.transform(chroma)
        fitted = self._train(labels, mlp_seed, lambda: [(features, labels)])
        return self._set_fitted(context=context, photos=_training_photos(photos), quantizer=quantizer,
                                replay=_replay_sample(features, labels, mlp_seed), calibration=(features, chroma),
                                **fitted)

    def fit_stream(self, X, y=None, chunk_images=64, reservoir_size=200_000, skip_colorless=False):
        """Fit on more images than fit in memory, reading them a chunk at a time.

        The same model as :meth:`fit`, trained out of core: a first pass
        keeps a uniform reservoir sample of the sampled chroma values and
        trains the SOM on it; then every epoch reads the images again, a
        chunk at a time, and feeds each chunk's patches to the MLP with
        ``partial_fit``. Each image's pixels are drawn by its own seed, so an
        epoch sees the same pixels as the last. Memory holds one chunk of
        samples and the reservoir, not the whole training set.

        Parameters
        ----------
        X : sequence of images
            Color images, typically file paths.
        y : ignored
        chunk_images : int, default=64
            Images read and fed to the MLP at a time.
        reservoir_size : int, default=200000
            Chroma values kept to train the SOM (and to count class frequencies).
        skip_colorless : bool or container, default=False
            As for :meth:`fit`.

        Returns
        -------
        self : SOMColorizer
        """
        context, sampling = self._check_params()
        if self.warm_start and hasattr(self, "mlp_"):
            raise ValueError("fit_stream trains from scratch: fine-tune (warm_start=True) with fit")
        check_scalar(chunk_images, "chunk_images", numbers.Integral, min_val=1)
        check_scalar(reservoir_size, "reservoir_size", numbers.Integral, min_val=self.n_colors)
        images = check_image_list(X)
        rng = check_random_state(self.random_state)
        quantizer = self._new_quantizer(rng)
        sample_seed, mlp_seed = rng.randint(np.iinfo(np.int32).max, size=2)
        photos = []  # extended by every pass of chunks(); read after the first

        def chunks():
            for start in range(0, len(images), chunk_images):
                parts = [
                    sample_training_pixels(
                        [image], context, sampling,
                        np.random.RandomState((sample_seed + i) % np.iinfo(np.int32).max), first_index=i,
                        max_pixels=self.max_image_pixels, skip_colorless=skip_colorless,
                    )
                    for i, image in enumerate(images[start : start + chunk_images], start=start)
                ]
                photos.extend(stats for _, _, part in parts for stats in part)
                yield np.concatenate([f for f, _, _ in parts]), np.concatenate([c for _, c, _ in parts])

        # One reservoir of (features, chroma) rows: the SOM learns from its chroma, replay keeps its features.
        reservoir = Reservoir(reservoir_size, rng)
        for features, chroma in self._progress(chunks(), "sampling chroma", unit="chunk"):
            reservoir.add(np.hstack([features, chroma]))
        _check_some_color(reservoir.sample if reservoir.seen else [], len(images))
        kept_features, kept_chroma = reservoir.sample[:, :-2].astype(np.float32), reservoir.sample[:, -2:]
        quantizer.fit(kept_chroma)
        kept_labels = quantizer.transform(kept_chroma)
        fitted = self._train(
            kept_labels, mlp_seed,
            lambda: ((features, quantizer.transform(chroma)) for features, chroma in chunks()),
        )
        return self._set_fitted(context=context, photos=_training_photos(photos), quantizer=quantizer,
                                replay=_replay_sample(kept_features, kept_labels, mlp_seed),
                                calibration=(kept_features, kept_chroma), **fitted)

    def _fine_tune(self, images, context, sampling, skip_colorless=False):
        """Train the fitted network further on `images`, keeping its color classes and features."""
        n_colors = len(self.quantizer_.codebook_)
        kept = (self.context_, n_colors, tuple(self.mlp_.hidden_layer_sizes))
        asked = (context, self.n_colors, int_tuple(self.hidden_layer_sizes, "hidden_layer_sizes"))
        if kept != asked:
            raise ValueError(
                "warm_start keeps the fitted model's features, colors and layers "
                f"({kept[0]}, {kept[1]} colors, hidden {kept[2]}), but the parameters ask for "
                f"({asked[0]}, {asked[1]} colors, hidden {asked[2]}); set them back or warm_start=False"
            )
        rng = check_random_state(self.random_state)
        # The new photos are seen at the scale the model colorizes them at.
        sampling = sampling._replace(working_side=resolved_side(self))
        progress = self._progress(images, "sampling pixels", unit="img")
        features, chroma, photos = sample_training_pixels(progress, context, sampling, rng,
                                                          max_pixels=self.max_image_pixels,
                                                          skip_colorless=skip_colorless)
        _check_some_color(chroma, len(images))
        labels = self.quantizer_.transform(chroma)
        calibration = (features, chroma)
        new = np.bincount(labels, minlength=n_colors) / len(labels)
        replay = getattr(self, "replay_features_", None)
        if replay is not None and len(replay):
            repeats = _replay_repeats(len(labels), len(replay))
            # One concatenation of the same arrays: np.tile would first build the repeated block on its own.
            replayed, classes = replay.astype(np.float32), self.replay_classes_.astype(labels.dtype)
            features = np.concatenate([features, *[replayed] * repeats])
            labels = np.concatenate([labels, *[classes] * repeats])
        frequencies = (1 - _FINE_TUNE_MIX) * np.asarray(self.class_frequencies_) + _FINE_TUNE_MIX * new
        # The new photos are the user's kind of scene now: photos as flat as they are are seen as they are
        # (on benchmarks/finetune.py's BSDS500 cases, the spreads mixed as the color frequencies are cost
        # 0.16 dB at k = 20). A model saved before there was a spread stays without one.
        spread = _training_photos(photos)[1] if hasattr(self, "lightness_spread_") else None
        weights = np.ones(n_colors) if self.rebalance is None else rebalancing_weights(frequencies, self.rebalance)
        mlp = copy.deepcopy(self.mlp_)
        mlp.set_params(alpha=self.alpha, learning_rate_init=self.learning_rate_init,
                       random_state=rng.randint(np.iinfo(np.int32).max))
        if hasattr(mlp, "_optimizer"):
            del mlp._optimizer  # a fresh Adam, at this fit's step size
        loss_curve = train_epochs(
            mlp, lambda: [(features, labels)], n_colors,
            weights=None if self.rebalance is None else weights,
            max_iter=self.max_iter, tol=self.tol, n_iter_no_change=self.n_iter_no_change,
            batch_size=self.batch_size,
            epochs=self._progress(range(self.max_iter), "fine-tuning MLP", unit="epoch"),
        )
        kept = (self.replay_features_, self.replay_classes_) if replay is not None else None
        return self._set_fitted(context=self.context_, photos=(self.training_side_, spread), quantizer=self.quantizer_,
                                mlp=mlp, class_frequencies=frequencies, class_weights=weights, loss_curve=loss_curve,
                                replay=kept, calibration=calibration)

    def _new_quantizer(self, rng):
        return UVQuantizer(
            n_colors=self.n_colors,
            sigma=self.som_sigma,
            learning_rate=self.som_learning_rate,
            n_iterations=self.som_iterations,
            random_state=rng.randint(np.iinfo(np.int32).max),
        )

    def _train(self, labels, seed, epoch):
        """The class weights from `labels` and a new MLP trained on the chunks ``epoch()`` yields, as the
        keyword arguments of :meth:`_set_fitted`."""
        frequencies, weights = class_weights(labels, self.n_colors, self.rebalance)
        mlp = MLPClassifier(
            hidden_layer_sizes=int_tuple(self.hidden_layer_sizes, "hidden_layer_sizes"),
            alpha=self.alpha,
            batch_size=self.batch_size,
            learning_rate_init=self.learning_rate_init,
            random_state=seed,
        )
        loss_curve = train_epochs(
            mlp, epoch, self.n_colors,
            weights=None if self.rebalance is None else weights,
            max_iter=self.max_iter, tol=self.tol, n_iter_no_change=self.n_iter_no_change,
            batch_size=self.batch_size,
            epochs=self._progress(range(self.max_iter), "training MLP", unit="epoch"),
        )
        return {"mlp": mlp, "class_frequencies": frequencies, "class_weights": weights, "loss_curve": loss_curve}

    def _set_fitted(self, context, photos, quantizer, mlp, class_frequencies, class_weights, loss_curve,
                    replay=None, calibration=None):
        """Set every fitted attribute at once, after checking that the arrays the kernels will read are
        finite and fit together: a fit that raises, here or before, leaves the estimator as it was."""
        try:
            checked_arrays(mlp, quantizer.codebook_, context)
        except ValueError as exc:
            raise ValueError(
                f"training diverged ({exc}); lower learning_rate_init ({self.learning_rate_init}) or "
                f"som_learning_rate ({self.som_learning_rate})"
            ) from None
        temperature = self.temperature
        if temperature == "auto":
            features, chroma = calibration
            rows = np.linspace(0, len(chroma) - 1, min(len(chroma), _CALIBRATION_PIXELS)).astype(np.int64)
            temperature = calibrated_temperature(mlp.predict_proba(features[rows]), chroma[rows], quantizer.codebook_)
        self.context_ = context
        self.training_side_, self.lightness_spread_ = photos
        self.temperature_ = float(temperature)
        self.quantizer_ = quantizer
        self.mlp_ = mlp
        self.class_frequencies_ = class_frequencies
        self.class_weights_ = class_weights
        self.loss_curve_ = loss_curve
        self.n_iter_ = len(loss_curve)
        if replay is not None:
            self.replay_features_, self.replay_classes_ = replay
        return self

    # -- prediction ---------------------------------------------------------

    def _each(self, X, desc):
        """Check the model and the inputs, then yield each input's position and the input."""
        check_is_fitted(self)
        images = check_image_list(X)
        return enumerate(self._progress(images, desc, unit="img"))

    def colorize_plan(self):
        """The :class:`~somcolor.inference.ColorizePlan` of this fitted model: what every colorizing path
        (predict, files, video) runs, built once; the parameters are checked first."""
        check_is_fitted(self)
        self._check_params()
        return plan_of(self)

    def predict_proba(self, X, reference=None):
        """Per-pixel probabilities of the color classes (the exact float64 path).

        Parameters
        ----------
        X : sequence of images
            Grayscale images (2-D arrays), RGB images (their lightness is
            used) or file paths.
        reference : image or sequence of images, optional
            A color photo whose palette the probabilities follow (one for
            every photo, or one per photo, None where a photo has none): see
            :mod:`somcolor.hints.reference`.

        Returns
        -------
        proba : list of ndarray of shape (H, W, n_colors), dtype float32
        """
        target = stretch_target(self)
        images = list(self._each(X, "predicting"))
        priors = self._reference_priors(reference, len(images))
        probabilities = []
        for (i, image), prior in zip(images, priors):
            L = read_lightness(image, i, self.max_image_pixels)
            proba = probabilities_exact(seen_lightness(L, target), self.context_, self.mlp_).reshape(*L.shape, -1)
            if prior is not None:  # the prior's logits added: each class's probability times its ratio
                proba *= np.exp(prior - prior.max()).astype(np.float32)
                proba /= proba.sum(axis=-1, keepdims=True)
            probabilities.append(proba)
        return probabilities

    def predict(self, X, hints=None, reference=None):
        """Colorize grayscale images, with a person's hints and reference photos where given.

        Parameters
        ----------
        X : sequence of images
            Grayscale images (2-D arrays), RGB images (their lightness is
            used), Pillow images or file paths.
        hints : sequence of hint images, optional
            One per photo (None where a photo has none): an RGBA uint8 array
            of the photo's size or a PNG path, alpha > 0 where a pixel is
            hinted, its RGB the wanted color (:mod:`somcolor.hints.images`
            builds them from points and strokes). A hint carries its color's
            chromaticity; the photo keeps its lightness. Hints spread along
            the photo's edges and to what the model sees as the same kind of
            thing (:mod:`somcolor.hints.propagation`).
        reference : image or sequence of images, optional
            A color photo whose palette the colors follow: one for every
            photo, or one per photo (None where a photo has none).

        Returns
        -------
        rgb : list of ndarray of shape (H, W, 3) or (H, W, 4), dtype float32
            Colorized images, floats in [0, 1], each the size of its input;
            an input with an alpha channel (an RGBA array or file, a gray
            image with alpha) keeps it as a fourth channel. Without hints and
            references they match :meth:`predict_proba` decoded by
            :func:`~somcolor.network.decode_chroma` and joined with L by
            :func:`~somcolor.color.merge_luv` (the exact float64 path) to
            within 1e-4; with neither, the result is the same, bit for bit,
            as with ``hints=None``.

        Examples
        --------
        >>> from somcolor import load_model, bundled_images
        >>> from somcolor.hints import hint_image
        >>> model, photo = load_model("landscapes"), bundled_images("test")[0]
        >>> hints = hint_image((150, 150), points=[(120, 40, (60, 140, 50))])  # green grass here
        >>> model.predict([photo], hints=[hints])[0].shape
        (150, 150, 3)
        """
        if hints is None and reference is None:
            return self._predict(X)
        images = list(self._each(X, "colorizing"))
        per_photo = _one_per_photo(hints, len(images), "hints")
        priors = self._reference_priors(reference, len(images))  # one reference for every photo: read once
        colorized = []
        for (i, image), photo_hints, prior in zip(images, per_photo, priors):
            session = HintSession(self, image, prior=prior, name=image_name(image, i))
            if photo_hints is not None:
                session.set_hints(photo_hints)
            colorized.append(session.colors())
        return colorized

    def _predict(self, X):
        plan = self.colorize_plan()
        alphas = []

        def pixels():
            for i, image in self._each(X, "colorizing"):
                pixels, alpha = as_pixels(image, image_name(image, i), self.max_image_pixels, alpha=True)
                alphas.append(alpha)
                yield pixels

        colorized = []
        for k, rgb in enumerate(colorize_many(pixels(), plan)):
            alpha, alphas[k] = alphas[k], None
            colorized.append(rgb if alpha is None else np.dstack([rgb, to_float(alpha).astype(np.float32)]))
        return colorized

    def hint_session(self, photo, reference=None):
        """A :class:`~somcolor.hints.HintSession` of one photo: its automatic colors and probabilities
        computed once, hints then added, moved and taken back at interactive speed."""
        return HintSession(self, photo, reference=reference)

    def suggest_colors(self, photo, row, col, k=5):
        """The `k` likeliest colors at pixel (row, col) of a photo, the likeliest first, from the model's
        class probabilities there: a list of :class:`~somcolor.hints.Suggestion` (rgb, probability). For many
        pixels of one photo, ask a :meth:`hint_session` instead: it computes the photo once."""
        return self.hint_session(photo).suggest_colors(row, col, k)

    def _reference_priors(self, reference, n_images):
        """Per photo, the reference's log prior (:func:`~somcolor.hints.reference.reference_prior`) or None;
        one reference for every photo is read once."""
        references = _references(reference, n_images)
        priors = {}
        for index, ref in enumerate(references):
            if ref is not None and id(ref) not in priors:
                priors[id(ref)] = reference_prior(self, ref, index=index)
        return [None if ref is None else priors[id(ref)] for ref in references]

    def score(self, X, y=None):
        """Mean per-pixel accuracy of the color class (the paper's measure).

        Each pixel's true class is the SOM class of its (U, V); all pixels of
        all images count equally. The classes predicted are those of
        :meth:`predict_proba`: from the photo's L stretched where it is
        flatter than the training photos (``contrast_stretch``), as
        :meth:`predict` sees it.

        Parameters
        ----------
        X : sequence of images
            Color images, as for :meth:`fit`.
        y : ignored

        Returns
        -------
        accuracy : float
        """
        correct = total = 0
        target = stretch_target(self)
        for index, image in self._each(X, "scoring"):
            luv = read_luv(image, index, self.max_image_pixels)
            truth = self.quantizer_.transform(luv[..., 1:].reshape(-1, 2))
            # The photo as predict sees it: stretched where it is flatter than the training photos.
            seen = seen_lightness(luv[..., 0], target)
            predicted = np.argmax(probabilities_exact(seen, self.context_, self.mlp_), axis=1)
            correct += int(np.count_nonzero(predicted == truth))
            total += truth.size
        return correct / total


def _one_per_photo(values, n_images, what):
    """`values` as a list of one entry per photo (None where there is none)."""
    if values is None:
        return [None] * n_images
    if isinstance(values, (str, os.PathLike, np.ndarray)) or hasattr(values, "getpixel"):
        raise ValueError(f"{what} must be a sequence of one entry per photo (None where a photo has none), got a "
                         f"single {type(values).__name__}: wrap it in a list")
    values = list(values)
    if len(values) != n_images:
        raise ValueError(f"{what}: {len(values)} given for {n_images} photos; give one per photo (None for none)")
    return values


def _references(reference, n_images):
    """The reference photo of each photo: one image for every photo, or one per photo."""
    if reference is None:
        return [None] * n_images
    single = isinstance(reference, (str, os.PathLike)) or hasattr(reference, "getpixel") or (
        isinstance(reference, np.ndarray) and reference.ndim == 3 and reference.shape[2] in (3, 4))
    return [reference] * n_images if single else _one_per_photo(reference, n_images, "reference")


def _replay_sample(features, labels, seed):
    """At most :data:`_REPLAY_PIXELS` of the training pixels, drawn by their own seed (so that keeping them
    changes no other random draw of `fit`), as (features in float16, classes in uint16)."""
    rows = np.random.RandomState(seed).permutation(len(labels))[:_REPLAY_PIXELS]
    rows.sort()
    return features[rows].astype(np.float16), labels[rows].astype(np.uint16)
