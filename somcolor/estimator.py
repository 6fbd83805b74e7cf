"""The SOMColorizer estimator: patches of L in, SOM color classes out."""

import numbers
import os

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils.validation import check_is_fitted, check_memory
from tqdm.auto import tqdm

from .color import lightness, rgb_to_luv
from .context import Context, context_at, image_context
from .images import ImageError, as_image, image_name
from .inference import colorize_fused, colorize_xp, cupy_module, decode_logits_xp, network_of, pack
from .patches import Reservoir, check_patch_size, extract_patches, iter_patch_blocks, sample_pixels
from .quantizer import UVQuantizer

DECODERS = ("argmax", "annealed_mean")
DEVICES = ("cpu", "cuda")

# Weights below this are subnormal-adjacent after long training and slow
# every later matrix product by up to 10x; zeroing them changes no output.
_SUBNORMAL_FLUSH = 1e-30


def rebalancing_weights(frequencies, lam):
    """Per-class weights that boost rare colors (Zhang et al. 2016, eq. 4).

    ``w ~ ((1 - lam) * p + lam / Q) ** -1``, normalised so that the expected
    weight under the class frequencies `p` is 1: the empirical distribution
    is mixed with a uniform one, and each class weighted by the inverse.

    Parameters
    ----------
    frequencies : ndarray of shape (Q,)
        Class frequencies, summing to 1.
    lam : float in [0, 1]
        0 weights each class by its inverse frequency, 1 weights all classes
        equally; Zhang et al. use 0.5. Classes that never occur get weight 0
        when ``lam`` is 0.

    Returns
    -------
    weights : ndarray of shape (Q,)

    Examples
    --------
    >>> rebalancing_weights(np.array([0.75, 0.25]), 0.0)
    array([0.66666667, 2.        ])
    >>> rebalancing_weights(np.array([0.75, 0.25]), 1.0)
    array([1., 1.])
    """
    frequencies = np.asarray(frequencies, dtype=np.float64)
    mix = (1.0 - lam) * frequencies + lam / frequencies.shape[0]
    weights = np.divide(1.0, mix, out=np.zeros_like(mix), where=mix > 0)
    return weights / np.dot(frequencies, weights)


def decode_chroma(proba, codebook, decode="annealed_mean", temperature=0.38):
    """Turn class probabilities into (U, V) chroma.

    Parameters
    ----------
    proba : ndarray of shape (n_pixels, Q)
    codebook : ndarray of shape (Q, 2)
    decode : {"argmax", "annealed_mean"}
        ``"argmax"`` takes the most probable class's codeword (Richart et
        al.); ``"annealed_mean"`` averages the codewords under the
        distribution sharpened by `temperature` (Zhang et al. 2016), so colors
        are not limited to the Q codewords.
    temperature : float
        In (0, 1] for the annealed mean: 1 is the plain mean, towards 0 the
        argmax.

    Returns
    -------
    uv : ndarray of shape (n_pixels, 2)
    """
    # p ** (1 / T), renormalised, is softmax(log(p) / T).
    logits = np.log(np.maximum(proba, 1e-12, dtype=np.float64))
    return decode_logits_xp(logits, codebook, decode, temperature, np)


def _read_checked(image, index, min_size):
    name = image_name(image, index)
    array = as_image(image, name)
    if array.shape[0] < min_size or array.shape[1] < min_size:
        raise ImageError(
            f"{name}: image of {array.shape[0]} x {array.shape[1]} pixels is "
            f"smaller than the {min_size} x {min_size} patch"
        )
    return name, array


def read_rgb(image, index, min_size=1):
    """RGB of the `index`-th input, a color image at least `min_size` pixels on each side."""
    name, array = _read_checked(image, index, min_size)
    if array.ndim != 3:
        raise ImageError(f"{name}: grayscale image, but color images are needed here")
    return array


def read_luv(image, index, min_size=1):
    """CIELUV of the `index`-th input, a color image at least `min_size` pixels on each side."""
    return rgb_to_luv(read_rgb(image, index, min_size))


def read_lightness(image, index, min_size=1):
    """Lightness L of the `index`-th input (gray or color), at least `min_size` pixels on each side."""
    return lightness(_read_checked(image, index, min_size)[1])


def pixel_features(L, context, rows, cols):
    """Features of the pixels (rows, cols) of lightness L: the patch, then the context.

    Parameters
    ----------
    L : ndarray of shape (H, W)
        Lightness in [0, 100].
    context : somcolor.context.Context
        Patch size and context features.
    rows, cols : ndarray of int

    Returns
    -------
    features : ndarray of shape (n_pixels, p * p + context.n_features), dtype float32
    """
    patches = extract_patches(L, context.patch_size, rows, cols)
    if not context:
        return patches
    return np.concatenate([patches, context_at(image_context(L, context), rows, cols)], axis=1)


def sample_training_pixels(images, context, pixels_per_image, random_state, first_index=0):
    """Features and true (U, V) of pixels sampled from color images.

    Parameters
    ----------
    images : iterable of images
        Color images (arrays or paths); read one at a time, so memory holds
        only the samples.
    context : somcolor.context.Context
        Patch size and context features (see :func:`pixel_features`).
    pixels_per_image : int
    random_state : numpy.random.RandomState
    first_index : int
        Position of the first image in the caller's list, for error messages.

    Returns
    -------
    features : ndarray of shape (n_samples, n_features), dtype float32
    chroma : ndarray of shape (n_samples, 2)
    """
    features, chroma = [], []
    for index, image in enumerate(images, start=first_index):
        luv = read_luv(image, index, context.patch_size)
        rows, cols = sample_pixels(luv.shape[:2], pixels_per_image, random_state)
        features.append(pixel_features(luv[..., 0], context, rows, cols))
        chroma.append(luv[rows, cols, 1:])
    return np.concatenate(features), np.concatenate(chroma)


def _sample_and_draw_seed(images, context, pixels_per_image, random_state, verbose):
    # One cacheable step: the samples, and the MLP's seed drawn after them,
    # so that fit draws the same random numbers with and without a cache.
    progress = tqdm(images, desc="sampling pixels", unit="img", disable=not verbose, leave=False)
    features, chroma = sample_training_pixels(progress, context, pixels_per_image, random_state)
    return features, chroma, random_state.randint(np.iinfo(np.int32).max)


def _fit_quantizer(quantizer, chroma):
    return quantizer.fit(chroma)


def _int_tuple(value, name, min_val):
    """`value` (an int or a sequence of ints) as a tuple of ints >= min_val, or a ValueError naming `name`."""
    values = (value,) if isinstance(value, numbers.Integral) else value
    try:
        values = tuple(values)
    except TypeError:
        values = (None,)
    if not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= min_val for v in values
    ):
        raise ValueError(
            f"{name} must be an integer >= {min_val} or a tuple of them, got {value!r}"
        )
    return tuple(int(v) for v in values)


def check_image_list(X):
    """X as a list of images (arrays or paths), refusing what is not a sequence."""
    if isinstance(X, (str, bytes, os.PathLike)):
        raise ValueError(
            f"X must be a sequence of images, got a single path {str(X)!r}; "
            "wrap it in a list"
        )
    if isinstance(X, np.ndarray):
        if X.ndim == 3 and X.shape[2] in (3, 4):
            raise ValueError(
                f"X must be a sequence of images, got one array of shape {X.shape}; "
                "pass [image] for a single image"
            )
        if X.ndim not in (3, 4):
            raise ValueError(
                f"X must be a sequence of images; an array X must have shape "
                f"(n, H, W) or (n, H, W, 3), got {X.shape}"
            )
    try:
        images = list(X)
    except TypeError:
        raise ValueError(
            f"X must be a sequence of images, got {type(X).__name__}"
        ) from None
    if not images:
        raise ValueError("X is empty: expected at least one image")
    return images


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
        patch see 40 x 40 pixels. See :mod:`somcolor.context`. Off by
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
    hidden_layer_sizes : tuple of int, default=(50, 50)
        Sizes of the MLP's hidden layers.
    pixels_per_image : int, default=2500
        Pixels sampled from each training image (all if the image is smaller).
    decode : {"annealed_mean", "argmax"}, default="annealed_mean"
        How class probabilities become chroma; see :func:`decode_chroma`.
    temperature : float, default=0.38
        Temperature of the annealed mean, in (0, 1].
    smooth_radius : int, default=8
        Radius of the edge-aware smoothing of the predicted chroma, guided by
        L (:func:`somcolor.smoothing.guided_filter`); 0 turns it off.
    smooth_eps : float, default=1e-3
        The guided filter's regularisation: L variations (L / 100, variance
        in the window) well above it are kept as edges.
    rebalance : float in [0, 1] or None, default=0.5
        Class rebalancing by color rarity: Zhang et al.'s lambda in
        :func:`rebalancing_weights` (0 weights each pixel by the inverse
        frequency of its class, 1 uniformly); None trains without sample
        weights. With 0.5 the held-out landscapes come out nearly as colorful
        as the originals (85%) instead of washed out (67% with None), at
        0.2 dB less PSNR.
    alpha : float, default=1e-4
        L2 penalty of the MLP.
    batch_size : int, default=1024
        Minibatch size of the MLP's Adam optimizer. scikit-learn spends most
        of an epoch on per-batch overhead: on the landscapes, 1024 (with a
        step of 3e-3) trains 1.7x faster than 256 (with 1e-3) at the same
        held-out PSNR and colorfulness.
    learning_rate_init : float, default=3e-3
        Adam's step size.
    max_iter : int, default=20
        Maximum number of epochs over the sampled pixels.
    tol : float, default=1e-3
        Training stops when the loss has not improved by `tol` for
        `n_iter_no_change` consecutive epochs.
    n_iter_no_change : int, default=2
        See `tol`.
    som_sigma : float, default=0.5
        Initial neighbourhood spread of the SOM.
    som_learning_rate : float, default=0.5
        Initial learning rate of the SOM.
    som_iterations : int, default=20000
        Number of SOM updates.
    device : {"cpu", "cuda"}, default="cpu"
        Where :meth:`predict` runs: ``"cpu"`` in one fused numba pass per
        image, ``"cuda"`` with CuPy on the GPU (``pip install
        "somcolor[gpu]"``). Training always runs on the CPU.
    memory : str, joblib.Memory or None, default=None
        Caches the pixel sampling and the SOM, as ``memory`` does for a
        scikit-learn Pipeline. In a grid search with an int `random_state`,
        the samples are then drawn once per fold and patch size and the SOM
        fitted once per fold and number of colors, not once per candidate.
    random_state : int, RandomState instance or None, default=None
        Seeds pixel sampling, the SOM and the MLP; an int makes `fit`
        reproducible.
    verbose : int, default=0
        If positive, show progress bars.

    Attributes
    ----------
    quantizer_ : UVQuantizer
        The fitted SOM quantizer; ``quantizer_.codebook_`` holds the (U, V)
        color of each class.
    mlp_ : sklearn.neural_network.MLPClassifier
        The fitted classifier from patches to color classes.
    class_frequencies_ : ndarray of shape (n_colors,)
        Frequency of each color class among the sampled training pixels.
    class_weights_ : ndarray of shape (n_colors,)
        Training weight of each class (all ones without rebalancing).
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
    """

    def __init__(
        self,
        patch_size=5,
        n_colors=9,
        scales=(),
        position=True,
        local_radii=(8, 32),
        global_features=False,
        hidden_layer_sizes=(50, 50),
        pixels_per_image=2500,
        decode="annealed_mean",
        temperature=0.38,
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
        verbose=0,
    ):
        self.patch_size = patch_size
        self.n_colors = n_colors
        self.scales = scales
        self.position = position
        self.local_radii = local_radii
        self.global_features = global_features
        self.hidden_layer_sizes = hidden_layer_sizes
        self.pixels_per_image = pixels_per_image
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
        self.verbose = verbose

    # -- validation ---------------------------------------------------------

    def _check_predict_params(self):
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {DEVICES}, got {self.device!r}")
        if self.device == "cuda":
            cupy_module()
        if self.decode not in DECODERS:
            raise ValueError(f"decode must be one of {DECODERS}, got {self.decode!r}")
        check_scalar(
            self.temperature, "temperature", numbers.Real, min_val=0, max_val=1,
            include_boundaries="right",
        )
        check_scalar(self.smooth_radius, "smooth_radius", numbers.Integral, min_val=0)
        check_scalar(self.smooth_eps, "smooth_eps", numbers.Real, min_val=0, include_boundaries="neither")

    def _context(self):
        """The validated :class:`~somcolor.context.Context` of the parameters."""
        check_patch_size(self.patch_size)
        for name in ("position", "global_features"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        return Context(
            patch_size=int(self.patch_size),
            scales=_int_tuple(self.scales, "scales", 2),
            position=bool(self.position),
            local_radii=_int_tuple(self.local_radii, "local_radii", 1),
            global_features=bool(self.global_features),
        )

    def _check_params(self):
        self._context()
        for name in ("pixels_per_image", "batch_size", "max_iter", "n_iter_no_change"):
            check_scalar(getattr(self, name), name, numbers.Integral, min_val=1)
        check_scalar(
            self.learning_rate_init, "learning_rate_init", numbers.Real, min_val=0,
            include_boundaries="neither",
        )
        for name in ("alpha", "tol"):
            check_scalar(getattr(self, name), name, numbers.Real, min_val=0)
        if self.rebalance is not None:
            check_scalar(self.rebalance, "rebalance", numbers.Real, min_val=0, max_val=1)
        sizes = _int_tuple(self.hidden_layer_sizes, "hidden_layer_sizes", 1)
        if not sizes:
            raise ValueError("hidden_layer_sizes must not be empty")
        self._check_predict_params()
        return sizes

    def _load(self, image, index, color):
        return (read_luv if color else read_lightness)(image, index, self.patch_size)

    def _progress(self, iterable, desc, **kwargs):
        return tqdm(iterable, desc=desc, disable=not self.verbose, leave=False, **kwargs)

    # -- fitting ------------------------------------------------------------

    def fit(self, X, y=None):
        """Learn the color classes and the patch classifier from color images.

        Parameters
        ----------
        X : sequence of images
            Color images: file paths, or arrays of shape (H, W, 3) (uint8 or
            floats in [0, 1]); sizes may differ.
        y : ignored
            Present for scikit-learn compatibility.

        Returns
        -------
        self : SOMColorizer
        """
        hidden = self._check_params()
        images = check_image_list(X)
        rng = check_random_state(self.random_state)
        quantizer = self._new_quantizer(rng)
        memory = check_memory(self.memory)
        features, chroma, mlp_seed = memory.cache(_sample_and_draw_seed, ignore=["verbose"])(
            images, self._context(), self.pixels_per_image, rng, self.verbose
        )
        self.quantizer_ = memory.cache(_fit_quantizer)(quantizer, chroma)
        labels = self.quantizer_.transform(chroma)
        self._set_class_weights(labels)
        self._new_mlp(hidden, mlp_seed)
        self._train_mlp(lambda: [(features, labels)])
        return self

    def fit_stream(self, X, y=None, chunk_images=64, reservoir_size=200_000):
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

        Returns
        -------
        self : SOMColorizer
        """
        hidden = self._check_params()
        check_scalar(chunk_images, "chunk_images", numbers.Integral, min_val=1)
        check_scalar(reservoir_size, "reservoir_size", numbers.Integral, min_val=self.n_colors)
        images = check_image_list(X)
        rng = check_random_state(self.random_state)
        quantizer = self._new_quantizer(rng)
        sample_seed, mlp_seed = rng.randint(np.iinfo(np.int32).max, size=2)

        def chunks():
            for start in range(0, len(images), chunk_images):
                parts = [
                    sample_training_pixels(
                        [image], self._context(), self.pixels_per_image,
                        np.random.RandomState((sample_seed + i) % np.iinfo(np.int32).max), first_index=i,
                    )
                    for i, image in enumerate(images[start : start + chunk_images], start=start)
                ]
                yield np.concatenate([f for f, _ in parts]), np.concatenate([c for _, c in parts])

        reservoir = Reservoir(reservoir_size, rng)
        for _, chroma in self._progress(chunks(), "sampling chroma", unit="chunk"):
            reservoir.add(chroma)
        self.quantizer_ = quantizer.fit(reservoir.sample)
        self._set_class_weights(self.quantizer_.transform(reservoir.sample))
        self._new_mlp(hidden, mlp_seed)
        self._train_mlp(
            lambda: ((features, self.quantizer_.transform(chroma)) for features, chroma in chunks())
        )
        return self

    def _new_quantizer(self, rng):
        quantizer = UVQuantizer(
            n_colors=self.n_colors,
            sigma=self.som_sigma,
            learning_rate=self.som_learning_rate,
            n_iterations=self.som_iterations,
            random_state=rng.randint(np.iinfo(np.int32).max),
        )
        quantizer._check_params()  # before the slow part, not after it
        return quantizer

    def _set_class_weights(self, labels):
        counts = np.bincount(labels, minlength=self.n_colors)
        self.class_frequencies_ = counts / counts.sum()
        if self.rebalance is None:
            self.class_weights_ = np.ones(self.n_colors)
        else:
            self.class_weights_ = rebalancing_weights(self.class_frequencies_, self.rebalance)

    def _new_mlp(self, hidden, seed):
        self.mlp_ = MLPClassifier(
            hidden_layer_sizes=hidden,
            alpha=self.alpha,
            batch_size=self.batch_size,
            learning_rate_init=self.learning_rate_init,
            random_state=seed,
        )

    def _train_mlp(self, epoch):
        """Train ``mlp_`` for up to max_iter epochs; ``epoch()`` yields (features, labels) chunks."""
        # An epoch loop over partial_fit (rather than MLPClassifier.fit) shows
        # progress per epoch, serves in-memory and streamed data alike, and
        # declares all n_colors classes, so that predict_proba has a column
        # for every codeword even if a class never occurs among the samples.
        classes = np.arange(self.n_colors)
        best = np.inf
        stale = 0
        self.loss_curve_ = []
        epochs = self._progress(range(self.max_iter), "training MLP", unit="epoch")
        for _ in epochs:
            total = count = 0.0
            for features, labels in epoch():
                weights = None if self.rebalance is None else self.class_weights_[labels]
                # A chunk (or a small training set) may hold fewer samples than a batch.
                self.mlp_.set_params(batch_size=min(self.batch_size, len(labels)))
                self.mlp_.partial_fit(features, labels, sample_weight=weights, classes=classes)
                total += float(self.mlp_.loss_) * len(labels)
                count += len(labels)
            loss = total / count
            self.loss_curve_.append(loss)
            epochs.set_postfix(loss=f"{loss:.4f}")
            stale = stale + 1 if loss > best - self.tol else 0
            best = min(best, loss)
            if stale >= self.n_iter_no_change:
                break
        self.n_iter_ = len(self.loss_curve_)
        for array in self.mlp_.coefs_ + self.mlp_.intercepts_:
            array[np.abs(array) < _SUBNORMAL_FLUSH] = 0.0

    # -- prediction ---------------------------------------------------------

    def _lightness_of_each(self, X, desc):
        """Check the model and the inputs, then yield each input's L."""
        check_is_fitted(self)
        images = check_image_list(X)
        for index, image in enumerate(self._progress(images, desc, unit="img")):
            yield self._load(image, index, color=False)

    def _proba_from_lightness(self, L):
        context = self._context()
        image = image_context(L, context) if context else None
        proba = np.empty((L.size, self.n_colors), dtype=np.float32)
        for start, stop, features in iter_patch_blocks(L, self.patch_size):
            if image is not None:
                pixels = np.arange(start, stop)
                rows, cols = np.divmod(pixels, L.shape[1])
                features = np.concatenate([features, context_at(image, rows, cols)], axis=1)
            proba[start:stop] = self.mlp_.predict_proba(features)
        return proba

    def predict_proba(self, X):
        """Per-pixel probabilities of the color classes.

        Parameters
        ----------
        X : sequence of images
            Grayscale images (2-D arrays), RGB images (their lightness is
            used) or file paths.

        Returns
        -------
        proba : list of ndarray of shape (H, W, n_colors), dtype float32
        """
        return [
            self._proba_from_lightness(L).reshape(*L.shape, -1)
            for L in self._lightness_of_each(X, "predicting")
        ]

    def predict(self, X):
        """Colorize grayscale images.

        Parameters
        ----------
        X : sequence of images
            Grayscale images (2-D arrays), RGB images (their lightness is
            used) or file paths.

        Returns
        -------
        rgb : list of ndarray of shape (H, W, 3), dtype float32
            Colorized images, floats in [0, 1], each the size of its input.
            They match :meth:`predict_proba` decoded by
            :func:`decode_chroma` and joined with L by
            :func:`~somcolor.color.merge_luv` (the exact float64 path) to
            within 1e-4.
        """
        self._check_predict_params()
        colorize = self._colorizer()
        return [colorize(L) for L in self._lightness_of_each(X, "colorizing")]

    def _colorizer(self):
        """A function from L (H, W) to RGB (H, W, 3) for this model and device."""
        check_is_fitted(self)
        network = network_of(self.mlp_)
        settings = (self._context(), self.quantizer_.codebook_, self.decode, self.temperature)
        smoothing = {"smooth_radius": self.smooth_radius, "smooth_eps": self.smooth_eps}
        if self.device == "cpu":
            packed = pack(network, settings[0])
            return lambda L: colorize_fused(L, packed, *settings, **smoothing)
        cupy = cupy_module()
        return lambda L: cupy.asnumpy(colorize_xp(L, network, *settings, xp=cupy, **smoothing))

    def score(self, X, y=None):
        """Mean per-pixel accuracy of the color class (the paper's measure).

        Each pixel's true class is the SOM class of its (U, V); all pixels of
        all images count equally.

        Parameters
        ----------
        X : sequence of images
            Color images, as for :meth:`fit`.
        y : ignored

        Returns
        -------
        accuracy : float
        """
        check_is_fitted(self)
        images = check_image_list(X)
        correct = total = 0
        for index, image in enumerate(self._progress(images, "scoring", unit="img")):
            luv = self._load(image, index, color=True)
            truth = self.quantizer_.transform(luv[..., 1:].reshape(-1, 2))
            predicted = np.argmax(self._proba_from_lightness(luv[..., 0]), axis=1)
            correct += int(np.count_nonzero(predicted == truth))
            total += truth.size
        return correct / total
