"""Large connected pieces of ink on a whole page, found without labelling every pixel.

`cv2.connectedComponentsWithStats` on a 300-dpi page costs 45-80 ms, most of it gathering
statistics for thousands of specks; the stages that look for page-sized things (tables,
stamps) want a handful of large pieces. Their outlines (`cv2.findContours`, ~5 ms) give
every 8-connected piece's box exactly; only the pieces big enough are labelled, each in
its own box. Same pieces, same boxes, same pixels as labelling the whole page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Piece:
    """One 8-connected piece of a mask: its box (page pixels), pixel count and pixels
    (a boolean mask of its box, True where the piece itself is)."""

    x: int
    y: int
    width: int
    height: int
    area: int
    pixels: np.ndarray


def piece_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The box (x, y, width, height) of every 8-connected piece of `mask` (non-zero = ink),
    in the order `cv2.connectedComponents` numbers them. The top-level outlines of a
    two-level hierarchy are exactly one per piece (a piece inside another's hole is
    top-level too). OpenCV's labelling (Spaghetti, for 8-connectivity) scans 2x2 blocks
    in raster order, so a piece's number follows the first block it reaches: in the pair
    of rows holding its top row, the block of its leftmost pixel there, which is always on
    its outer outline (everything left of it on its row is open background)."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    if hierarchy is None:
        return []
    keyed = []
    for contour, links in zip(contours, hierarchy[0], strict=True):
        if links[3] != -1:
            continue  # the outline of a hole
        x, y, w, h = cv2.boundingRect(contour)
        points = contour.reshape(-1, 2)
        pair = y // 2
        first_x = int(points[points[:, 1] // 2 == pair, 0].min())
        keyed.append(((pair, first_x // 2), (x, y, w, h)))
    keyed.sort(key=lambda item: item[0])
    return [box for _, box in keyed]


def large_pieces(
    mask: np.ndarray,
    *,
    min_width: int,
    min_height: int,
    max_width: int | None = None,
    max_height: int | None = None,
) -> list[Piece]:
    """Every 8-connected piece of `mask` at least (and at most) this wide and tall, with
    its pixels, in the order `cv2.connectedComponents` numbers them."""
    return [
        _piece(mask, x, y, w, h)
        for x, y, w, h in piece_boxes(mask)
        if min_width <= w <= (max_width or w) and min_height <= h <= (max_height or h)
    ]


def _piece(mask: np.ndarray, x: int, y: int, w: int, h: int) -> Piece:
    """The piece whose box is (x, y, w, h): of the pieces inside that box, the largest
    that spans all of it (smaller ones may sit in its holes)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        np.ascontiguousarray(mask[y : y + h, x : x + w]), connectivity=8
    )
    spanning = [i for i in range(1, count) if tuple(int(v) for v in stats[i, :4]) == (0, 0, w, h)]
    label = max(spanning, key=lambda i: int(stats[i, cv2.CC_STAT_AREA]))
    return Piece(
        x=x,
        y=y,
        width=w,
        height=h,
        area=int(stats[label, cv2.CC_STAT_AREA]),
        pixels=labels == label,
    )
