"""CNN colorizers to measure SOMColorizer against (needs PyTorch: ``pip install "somcolor[cnn]"``).

- :class:`CNNColorizer`: a small convolutional encoder-decoder trained on the
  same images, either Zhang et al.'s way (a distribution over quantized ab
  chroma bins, class rebalancing, annealed-mean decoding) or as a regression
  of ab with an L1 or L2 loss (the generator objective of pix2pix-style
  colorizers). Sized to train on 2 CPU cores in about 10 minutes at 128 x 128.
- :func:`load_eccv16`: the architecture of Zhang et al.'s ECCV 2016 model, loading
  the official pretrained weights file from a path the user supplies (nothing
  is downloaded).

Both work in CIELab, as the CNN papers do, at a fixed working size; the
predicted ab is resized back to each image's size and joined with its own L.
"""

import numbers
import warnings

import numpy as np
import torch
from skimage.color import lab2rgb, rgb2lab
from skimage.transform import resize
from sklearn.base import BaseEstimator
from sklearn.utils import check_scalar
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from ..io.images import as_image, check_image_list, image_name, read_rgb
from ..network.training import rebalancing_weights

LOSSES = ("classification", "l1", "l2")
AB_BIN = 10.0  # Zhang et al.'s grid of ab classes
AB_SCALE = 110.0  # ab / 110 lies in about [-1, 1]


def _lab_at(image, size):
    """CIELab of an RGB or gray image resized to size x size."""
    rgb = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)
    return rgb2lab(resize(rgb, (size, size), anti_aliasing=True))


def _colorize(image, ab_of_l, size):
    """Join an image's own L with the ab that ab_of_l predicts from L at size x size."""
    rgb = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)
    lab = rgb2lab(rgb)
    L_small = _lab_at(image, size)[..., 0]
    ab_small = ab_of_l(L_small)
    ab = resize(ab_small, lab.shape[:2] + (2,), order=1)
    with warnings.catch_warnings():
        # Predicted ab outside the sRGB gamut is clipped, as for every method.
        warnings.simplefilter("ignore", UserWarning)
        return np.clip(lab2rgb(np.concatenate([lab[..., :1], ab], axis=2)), 0.0, 1.0)


def _colorize_all(X, ab_of_l, size):
    return [
        _colorize(as_image(image, image_name(image, i)), ab_of_l, size)
        for i, image in enumerate(check_image_list(X))
    ]


def _block(c_in, c_out, n, dilation=1, stride_last=1):
    layers = []
    for i in range(n):
        stride = stride_last if i == n - 1 else 1
        layers += [
            nn.Conv2d(c_in if i == 0 else c_out, c_out, 3, stride=stride, padding=dilation, dilation=dilation),
            nn.ReLU(True),
        ]
    return layers + [nn.BatchNorm2d(c_out)]


class ColorNet(nn.Module):
    """Encoder-decoder from L (N, 1, S, S) to per-pixel outputs (N, n_out, S, S).

    Three stride-2 stages to S / 8, two dilated convolutions for context, two
    upsampling stages back to S / 2 and a bilinear upsample to S: the shape of
    Zhang et al.'s network at a tenth of its width. Training compares
    outputs at S / 2 (:meth:`half`), as Zhang et al. do at S / 4, so that the
    loss over the chroma classes is not computed at four times the pixels.
    """

    def __init__(self, n_out, width=32):
        super().__init__()
        w = width
        self.encoder = nn.Sequential(
            *_block(1, w, 2, stride_last=2),
            *_block(w, 2 * w, 2, stride_last=2),
            *_block(2 * w, 4 * w, 2, stride_last=2),
            *_block(4 * w, 4 * w, 2, dilation=2),
        )
        self.decoder = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            *_block(4 * w, 2 * w, 1),
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            *_block(2 * w, w, 1),
            nn.Conv2d(w, n_out, 1),
        )

    def half(self, L):
        return self.decoder(self.encoder((L - 50.0) / 100.0))

    def forward(self, L):
        return F.interpolate(self.half(L), size=L.shape[-2:], mode="bilinear", align_corners=False)


class CNNColorizer(BaseEstimator):
    """A small CNN colorizer trained on the same images, for comparison.

    Parameters
    ----------
    loss : {"classification", "l1", "l2"}, default="classification"
        ``"classification"``: cross-entropy over the 10 x 10 ab bins that
        occur in training, rebalanced by rarity, decoded by the annealed mean
        (Zhang et al. 2016). ``"l1"`` / ``"l2"``: regression of ab.
    size : int, default=128
        Working size: images are resized to size x size for training and
        prediction.
    width : int, default=32
        Channels of the first stage (doubling twice).
    epochs : int, default=35
        About 10 minutes for 432 images at 128 x 128 on 2 CPU cores
        (classification; regression takes about half).
    batch_size : int, default=16
    learning_rate : float, default=1e-3
        Adam's step size.
    rebalance : float in [0, 1], default=0.5
        Zhang et al.'s lambda (classification only).
    temperature : float, default=0.38
        Annealed-mean temperature (classification only).
    random_state : int, default=0
        Seeds weights and batch order.
    verbose : int, default=0

    Attributes
    ----------
    net_ : ColorNet
    bin_centers_ : ndarray of shape (Q, 2)
        ab of each class (classification only).
    loss_curve_ : list of float
        Mean training loss of each epoch.
    """

    def __init__(
        self,
        loss="classification",
        size=128,
        width=32,
        epochs=35,
        batch_size=16,
        learning_rate=1e-3,
        rebalance=0.5,
        temperature=0.38,
        random_state=0,
        verbose=0,
    ):
        self.loss = loss
        self.size = size
        self.width = width
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.rebalance = rebalance
        self.temperature = temperature
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self):
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        for name in ("width", "epochs", "batch_size"):
            check_scalar(getattr(self, name), name, numbers.Integral, min_val=1)
        check_scalar(self.size, "size", numbers.Integral, min_val=16)
        if self.size % 8:
            raise ValueError(f"size must be a multiple of 8, got {self.size}")
        check_scalar(self.learning_rate, "learning_rate", numbers.Real, min_val=0, include_boundaries="neither")
        check_scalar(self.rebalance, "rebalance", numbers.Real, min_val=0, max_val=1)
        check_scalar(self.temperature, "temperature", numbers.Real, min_val=0, max_val=1, include_boundaries="right")
        check_scalar(self.random_state, "random_state", numbers.Integral)

    def fit(self, X, y=None):
        """Train on color images (paths or arrays of any sizes)."""
        self._check_params()
        torch.manual_seed(self.random_state)
        images = check_image_list(X)
        lab = np.stack([_lab_at(read_rgb(image, i), self.size) for i, image in enumerate(images)])
        lab = torch.from_numpy(lab.astype(np.float32)).permute(0, 3, 1, 2)
        L, ab = lab[:, :1], F.avg_pool2d(lab[:, 1:], 2)  # targets at the output's S / 2
        if self.loss == "classification":
            bins = torch.floor(ab / AB_BIN).long()
            keys = (bins[:, 0] + 64) * 128 + (bins[:, 1] + 64)
            present, targets = torch.unique(keys, return_inverse=True)
            self.bin_centers_ = np.stack(
                [(present // 128 - 64).numpy(), (present % 128 - 64).numpy()], axis=1
            ).astype(np.float64) * AB_BIN + AB_BIN / 2
            counts = torch.bincount(targets.ravel(), minlength=len(present)).double()
            weights = rebalancing_weights((counts / counts.sum()).numpy(), self.rebalance)
            class_weights = torch.from_numpy(weights).float()
            n_out = len(present)
        else:
            targets = ab / AB_SCALE
            n_out = 2
        self.net_ = ColorNet(n_out, self.width)
        optimizer = torch.optim.Adam(self.net_.parameters(), lr=self.learning_rate)
        generator = torch.Generator().manual_seed(self.random_state)
        self.loss_curve_ = []
        epochs = tqdm(range(self.epochs), desc="training CNN", unit="epoch", disable=not self.verbose, leave=False)
        self.net_.train()
        for _ in epochs:
            order = torch.randperm(len(L), generator=generator)
            total = 0.0
            for start in range(0, len(L), self.batch_size):
                batch = order[start : start + self.batch_size]
                x, t = L[batch], targets[batch]
                if torch.rand(1, generator=generator).item() < 0.5:  # mirror half the batches
                    x, t = x.flip(-1), t.flip(-1)
                out = self.net_.half(x)
                if self.loss == "classification":
                    per_pixel = F.cross_entropy(out, t, reduction="none")
                    loss = (per_pixel * class_weights[t]).mean()
                elif self.loss == "l1":
                    loss = F.l1_loss(out, t)
                else:
                    loss = F.mse_loss(out, t)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
            self.loss_curve_.append(total / len(L))
            epochs.set_postfix(loss=f"{self.loss_curve_[-1]:.4f}")
        self.net_.eval()
        return self

    def _ab(self, L_small):
        with torch.no_grad():
            out = self.net_(torch.from_numpy(L_small.astype(np.float32))[None, None])[0]
        if self.loss != "classification":
            return out.permute(1, 2, 0).numpy().astype(np.float64) * AB_SCALE
        tempered = torch.softmax(out / self.temperature, dim=0).permute(1, 2, 0).numpy()
        return tempered.astype(np.float64) @ self.bin_centers_

    def predict(self, X):
        """Colorize gray or color images; returns RGB floats in [0, 1], each its input's size."""
        check_is_fitted(self)
        return _colorize_all(X, self._ab, self.size)


class ECCV16(nn.Module):
    """The network of Zhang, Isola & Efros (ECCV 2016), with the layer names of
    their released PyTorch weights, so that ``load_state_dict`` accepts them."""

    def __init__(self):
        super().__init__()

        def stage(*args, **kwargs):
            # Conv + ReLU pairs then batch norm: the indices of the released keys.
            return nn.Sequential(*_block(*args, **kwargs))

        self.model1 = stage(1, 64, 2, stride_last=2)
        self.model2 = stage(64, 128, 2, stride_last=2)
        self.model3 = stage(128, 256, 3, stride_last=2)
        self.model4 = stage(256, 512, 3)
        self.model5 = stage(512, 512, 3, dilation=2)
        self.model6 = stage(512, 512, 3, dilation=2)
        self.model7 = stage(512, 512, 3)
        self.model8 = nn.Sequential(
            nn.ConvTranspose2d(512, 256, 4, stride=2, padding=1),
            nn.ReLU(True),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(True),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(True),
            nn.Conv2d(256, 313, 1),
        )
        # Softmax over the 313 ab classes, then a fixed 1 x 1 convolution
        # holding the classes' ab values: the mean decoding of the release.
        self.model_out = nn.Conv2d(313, 2, 1, bias=False)

    def forward(self, L):
        x = (L - 50.0) / 100.0
        for stage in (self.model1, self.model2, self.model3, self.model4,
                      self.model5, self.model6, self.model7, self.model8):
            x = stage(x)
        ab = self.model_out(torch.softmax(x, dim=1)) * 110.0
        return F.interpolate(ab, scale_factor=4, mode="bilinear", align_corners=False)


class PretrainedECCV16(BaseEstimator):
    """Zhang et al.'s released ECCV16 colorizer; ``fit`` does nothing. Use :func:`load_eccv16`."""

    def __init__(self, weights_path=None, size=256):
        self.weights_path = weights_path
        self.size = size

    def fit(self, X=None, y=None):
        net = ECCV16()
        net.load_state_dict(_read_state_dict(self.weights_path, net), strict=False)
        self.net_ = net.eval()
        return self

    def _ab(self, L_small):
        with torch.no_grad():
            return self.net_(torch.from_numpy(L_small.astype(np.float32))[None, None])[0].permute(1, 2, 0).numpy()

    def predict(self, X):
        """Colorize gray or color images; returns RGB floats in [0, 1], each its input's size."""
        check_is_fitted(self)
        return _colorize_all(X, self._ab, self.size)


def _read_state_dict(path, net):
    from pathlib import Path

    path = Path(path) if path is not None else None
    if path is None or not path.is_file():
        raise FileNotFoundError(f"{path}: no such weights file (ECCV16 weights are never downloaded)")
    try:
        # weights_only: tensors and containers only, never code from the file.
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ValueError(f"{path}: not a PyTorch weights file ({exc})") from None
    expected = net.state_dict()
    # Batch-norm step counters are absent from files saved by older PyTorch.
    missing = sorted(k for k in set(expected) - set(state) if not k.endswith("num_batches_tracked"))
    wrong = sorted(k for k in expected if k in state and state[k].shape != expected[k].shape)
    if missing or wrong:
        raise ValueError(
            f"{path}: not ECCV16 weights (missing {missing[:3]}, wrong shapes {wrong[:3]})"
        )
    return state


def load_eccv16(path):
    """Zhang et al.'s pretrained ECCV16 colorizer from a weights file the user supplies.

    Parameters
    ----------
    path : str or path-like
        The released ``colorization_release_v2-9b330a0b.pth`` (or any state
        dict of the same shapes).

    Returns
    -------
    model : PretrainedECCV16
        Ready to ``predict``.
    """
    return PretrainedECCV16(weights_path=path).fit()
