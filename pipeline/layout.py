"""The structure the locate stage finds on a normalised page.

Everything is in NORMALISED page pixels (map to the original with
`NormalisedPage.to_original`). Keys come from the template (`pipeline.templates`), so the
read and marks stages never need to know how the structure was found.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.model import BBox, SignatureRole
from pipeline.pages import TextWord


@dataclass(frozen=True)
class GridTable:
    """A ruled table: its outline, row and column separators, and its cells."""

    bbox: BBox
    row_edges: tuple[int, ...]  # y of each horizontal rule, top to bottom
    col_edges: tuple[int, ...]  # x of each vertical rule, left to right
    cells: tuple[tuple[BBox, ...], ...]  # cells[row][col], inside the rules

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0


@dataclass(frozen=True)
class LocatedField:
    """A labelled value: where its label was printed and the box its value is written in."""

    key: str
    value_box: BBox
    label_box: BBox | None = None
    label_text: str = ""


@dataclass(frozen=True)
class LocatedCandidateRow:
    """One candidate's row: the cell box of each template column key present."""

    row_index: int  # index within its table
    cells: dict[str, BBox]  # column key -> cell box ("serial", "name", "votes", ...)
    bbox: BBox


@dataclass(frozen=True)
class SignatureBox:
    """A box that must carry a signature or thumb impression, and whose."""

    role: SignatureRole
    bbox: BBox  # the empty area where the mark belongs (printed label excluded)
    label: str = ""  # printed text naming the signer (e.g. the agent's candidate)
    label_box: BBox | None = None
    kind: str = "signature"  # "signature" | "thumb_impression"


@dataclass(frozen=True)
class LocatedForm:
    """What `locate` found on one page, and how sure it is of the form's identity."""

    template_name: str | None
    form_type: str
    type_confidence: float
    tables: tuple[GridTable, ...]
    header: tuple[LocatedField, ...]
    candidate_rows: tuple[LocatedCandidateRow, ...]
    totals: tuple[LocatedField, ...]
    signature_boxes: tuple[SignatureBox, ...]
    stamp_area: BBox | None  # where the template expects the stamp, if anywhere
    title_text: str = ""
    continuation: bool = False  # the page continues a table from the previous page
    notes: tuple[str, ...] = ()  # why something was not found (for review_reasons)
    words: tuple[TextWord, ...] = ()  # printed words read on the page (normalised pixels)
    candidates_table: int | None = None  # index in `tables` of the candidates table
