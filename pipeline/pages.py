"""Images travelling between stages: a loaded page and a normalised page.

Plain frozen dataclasses holding numpy arrays. Stages never modify an array they are
given (copy first); the dataclass is frozen so fields are never reassigned.
Arrays are (row, col) = (y, x); colour images are BGR uint8 (OpenCV's order).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pipeline.model import BBox, Transform

Image = NDArray[np.uint8]


@dataclass(frozen=True)
class TextWord:
    """A word from a PDF's text layer (born-digital pages), in page pixel coordinates."""

    text: str
    bbox: BBox


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

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


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
        """Map a box on this normalised page to the original scan (axis-aligned hull)."""
        corners = np.array(
            [
                [box.x0, box.y0, 1.0],
                [box.x1, box.y0, 1.0],
                [box.x1, box.y1, 1.0],
                [box.x0, box.y1, 1.0],
            ]
        ).T
        mapped = self._inverse @ corners
        xs, ys = mapped[0] / mapped[2], mapped[1] / mapped[2]
        w, h = self.source.width, self.source.height
        return BBox(
            x0=int(np.clip(np.floor(xs.min()), 0, w)),
            y0=int(np.clip(np.floor(ys.min()), 0, h)),
            x1=int(np.clip(np.ceil(xs.max()), 0, w)),
            y1=int(np.clip(np.ceil(ys.max()), 0, h)),
        )
