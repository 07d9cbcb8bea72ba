"""Images travelling between stages: a loaded page and a normalised page.

Plain frozen dataclasses holding numpy arrays. Stages never modify an array they are
given (copy first); the dataclass is frozen so fields are never reassigned.
Arrays are (row, col) = (y, x); colour images are BGR uint8 (OpenCV's order).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pipeline.model import BBox, Transform

Image = NDArray[np.uint8]


@dataclass(frozen=True)
class TextWord:
    """A printed word, from a PDF's text layer or Tesseract, in page pixel coordinates."""

    text: str
    bbox: BBox
    confidence: float = 1.0  # Tesseract's (0..1); a text layer's words are sure
    # the box's centre, twice over (integers): which cell holds a word is asked thousands
    # of times a page
    centre2: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        box = self.bbox
        object.__setattr__(self, "centre2", (box.x0 + box.x1, box.y0 + box.y1))


# the JPEG standard's luminance table (ITU T.81 Annex K), row by row: quality 50
IJG_LUMINANCE = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip


@dataclass(frozen=True)
class JpegLayer:
    """What a JPEG file keeps of its own compression, for the splice stage."""

    luminance: Image  # the Y plane as decoded, on the file's 8x8 grid (before EXIF turns)
    quantization: tuple[int, ...]  # the luminance table of the last save, 64 steps by row
    orientation: int = 1  # EXIF orientation the page was turned by (1: none)
    # where the JPEG lies on the page, for a scan inside a PDF; None: the page is the JPEG
    placement: BBox | None = None

    @property
    def quality(self) -> float:
        """The quality (1-100) the last save's luminance table was scaled for, by the IJG
        rule that libjpeg, Pillow and OpenCV share: the mean of its steps over the
        standard table's (Annex K), 5000 / quality below 50, 200 - 2 * quality above.
        Within a point of the quality those libraries saved at from 20 to 95 (steps are
        rounded and clipped to 1-255 beyond); for other encoders' tables, the quality
        that coarse."""
        scale = 100 * sum(q / s for q, s in zip(self.quantization, IJG_LUMINANCE, strict=True))
        scale /= len(IJG_LUMINANCE)
        return 5000 / scale if scale > 100 else (200 - scale) / 2


PALETTE_MEDIA = frozenset({"image/gif"})  # files whose pixels are a palette's entries


@dataclass(frozen=True)
class Page:
    """One page of an input file as decoded, before any correction.

    `image` is BGR uint8 (H, W, 3) in the ORIGINAL scan's pixels: every box reported to
    the user is in this frame. `words` is set for born-digital PDF pages only.
    """

    path: str
    sha256: str
    index: int
    page_count: int
    media_type: str
    image: Image
    dpi: float | None = None
    words: tuple[TextWord, ...] | None = None
    jpeg: JpegLayer | None = None  # JPEG files, and PDF pages whose scan is one JPEG

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def palette(self) -> bool:
        """Whether the file keeps its pixels as a palette's few entries (a GIF): a stamp's
        thin ink and a figure's crossing strokes take its strokes' own levels."""
        return self.media_type in PALETTE_MEDIA


@dataclass(frozen=True)
class NormalisedPage:
    """A page made upright, flat, deskewed and evenly lit.

    `image` (BGR) and `gray` are the corrected page; `binary` is ink = 255 on 0.
    `transform.matrix` maps original pixel coordinates to these; `to_original` maps back.
    """

    source: Page
    image: Image
    gray: Image
    binary: Image
    transform: Transform
    words: tuple[TextWord, ...] | None = None  # text layer words mapped to this frame
    printed_words: tuple[TextWord, ...] | None = None  # words OCR read while normalising
    rules: tuple[Image, Image] | None = None  # `grid.rule_masks(binary)` when already made
    _inverse: NDArray[np.float64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        matrix = np.asarray(self.transform.matrix, dtype=np.float64)
        object.__setattr__(self, "_inverse", np.linalg.inv(matrix))

    def to_original(self, box: BBox) -> BBox:
        """Map a box on this normalised page to the original scan (axis-aligned hull).

        Plain arithmetic on four corners: a page maps thousands of boxes, and numpy's
        per-call cost was most of it."""
        (a, b, c), (d, e, f), (g, h, i) = self._inverse.tolist()
        xs, ys = [], []
        for x, y in ((box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)):
            z = g * x + h * y + i
            xs.append((a * x + b * y + c) / z)
            ys.append((d * x + e * y + f) / z)
        w, ht = self.source.width, self.source.height
        return BBox(
            x0=min(max(math.floor(min(xs)), 0), w),
            y0=min(max(math.floor(min(ys)), 0), ht),
            x1=min(max(math.ceil(max(xs)), 0), w),
            y1=min(max(math.ceil(max(ys)), 0), ht),
        )
