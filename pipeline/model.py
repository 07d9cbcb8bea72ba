"""Typed, immutable result objects: what tallyscope reports about a result form.

Every model here is frozen and forbids unknown keys. `FormResult` is the JSON a user gets
from `inspect` and one line of `forms.jsonl` from `batch`; `tallyscope schema` prints its
JSON Schema. Boxes are always in the ORIGINAL scan's pixel coordinates of that page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.codes import FINDING_DOCS, FindingCode, Severity

SCHEMA_VERSION = "1.0"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BBox(Frozen):
    """Axis-aligned box in pixels: x0, y0 inclusive; x1, y1 exclusive (x right, y down)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)

    def iou(self, other: BBox) -> float:
        ix = max(0, min(self.x1, other.x1) - max(self.x0, other.x0))
        iy = max(0, min(self.y1, other.y1) - max(self.y0, other.y0))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def contains(self, other: BBox, *, slack: int = 0) -> bool:
        return (
            other.x0 >= self.x0 - slack
            and other.y0 >= self.y0 - slack
            and other.x1 <= self.x1 + slack
            and other.y1 <= self.y1 + slack
        )


class FieldReading(Frozen):
    """One value read from the form: the parsed value, the raw text, how sure, and where."""

    value: int | str | None = None
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    text: str = ""
    bbox: BBox | None = None
    source: Literal["handwritten", "printed", "text_layer", "derived", "unknown"] = "unknown"
    alternatives: tuple[tuple[int | str, float], ...] = Field(
        (),
        description="other figures the handwriting could be, likeliest first: (figure, "
        "probability), each one digit read as its runner-up",
    )
    confirmed_by: tuple[str, ...] = Field(
        (),
        description="equations of the form (check names) that hold with this figure; a "
        "figure withheld by the reader and accepted because one held has its confidence "
        "raised to 0.99",
    )


class Source(Frozen):
    path: str
    sha256: str
    page: int = Field(0, ge=0, description="0-based page index within the file")
    page_count: int = Field(1, ge=1)
    width: int
    height: int
    media_type: str = ""


class FormIdentity(Frozen):
    template: str | None = None
    type: str = "unknown"  # "form45" | "form47" | another template's type | "unknown"
    confidence: float = Field(0.0, ge=0.0, le=1.0)


class TransformStep(Frozen):
    """One recorded geometric or photometric step of normalisation."""

    name: str  # "orientation", "perspective", "deskew", "rescale", "illumination", ...
    params: dict[str, float | int | str | bool | list[float]] = Field(default_factory=dict)


class Transform(Frozen):
    """How the normalised page relates to the original scan.

    `matrix` is the 3x3 homography (row-major) mapping ORIGINAL pixel coordinates to
    NORMALISED ones; boxes found on the normalised page are mapped back with its inverse.
    """

    matrix: tuple[tuple[float, float, float], ...] = (
        (1.0, 0.0, 0.0),
        (0.0, 1.0, 0.0),
        (0.0, 0.0, 1.0),
    )
    normalised_width: int = 0
    normalised_height: int = 0
    steps: tuple[TransformStep, ...] = ()


# a candidate row's figure columns (a printing has some of them), in the template's order
VOTE_COLUMNS = ("votes", "tendered_votes", "challenged_votes", "total_valid_votes")


class CandidateRow(Frozen):
    serial: FieldReading
    name: FieldReading
    party: FieldReading = FieldReading()
    votes: FieldReading
    tendered_votes: FieldReading | None = None
    challenged_votes: FieldReading | None = None
    total_valid_votes: FieldReading | None = None
    row_bbox: BBox | None = None


class StampShape(StrEnum):
    ROUND = "round"
    OVAL = "oval"
    RECTANGULAR = "rectangular"
    UNKNOWN = "unknown"


class StampReading(Frozen):
    """A stamp's text read once more from another image of its ink (`Stamp.darkness_reading`)."""

    ring_text: str | None = None
    centre_text: str | None = None


class Stamp(Frozen):
    bbox: BBox
    confidence: float = Field(ge=0.0, le=1.0)
    color: str = "unknown"  # "blue" | "violet" | "black" | "red" | "orange" | "gray" | ...
    shape: StampShape = StampShape.UNKNOWN
    fingerprint: str = ""  # perceptual hash (hex) of the normalised impression
    descriptor: str = ""  # compact base64 descriptor for cross-form copy detection
    ring_text: str | None = None  # read around the ring (unwrapped twice round)
    centre_text: str | None = None  # read in the centre (e.g. the station's number)
    # a coloured stamp's text read again from its ink's darkness, not its colour (ring and
    # centre above): where one image of the ink is illegible, the other may not be
    darkness_reading: StampReading | None = None
    in_expected_area: bool | None = None


class SignatureRole(StrEnum):
    PRESIDING_OFFICER = "presiding_officer"
    ASSISTANT_PRESIDING_OFFICER = "assistant_presiding_officer"
    POLLING_AGENT = "polling_agent"
    RETURNING_OFFICER = "returning_officer"
    OBSERVER = "observer"
    OTHER = "other"


class SignatureStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    REFUSED = "refused"  # box empty, but a written note says the agent refused to sign
    UNKNOWN = "unknown"


class Signature(Frozen):
    role: SignatureRole
    label: str = ""  # e.g. the agent's candidate serial or party as printed by the box
    status: SignatureStatus
    bbox: BBox
    confidence: float = Field(ge=0.0, le=1.0)
    ink_ratio: float = 0.0
    fingerprint: str = ""
    descriptor: str = ""
    kind: Literal["signature", "thumb_impression"] = "signature"


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"  # an input was unreadable: never a silent pass


class Check(Frozen):
    name: str  # e.g. "candidate_sum", "valid_plus_rejected", "gender_sum", "turnout"
    status: CheckStatus
    description: str
    expected: int | None = None
    actual: int | None = None
    fields: tuple[str, ...] = ()  # JSON paths of the fields involved
    reason: str = ""


class Evidence(Frozen):
    bbox: BBox | None = None
    boxes: tuple[BBox, ...] = ()
    values: dict[str, int | float | str | None] = Field(default_factory=dict)
    crop: str | None = None  # path to a PNG crop or heat map, when one was written
    related: tuple[str, ...] = ()  # other forms/pages (source path#page) for cross-form findings
    page: int | None = None  # the page (0-based) of `bbox` and of the crop
    # the page of each of `boxes`, when a form-level check names boxes on several pages
    # (a candidates' sum over a table that runs over two); empty: all on `page`
    box_pages: tuple[int, ...] = ()


class Finding(Frozen):
    code: FindingCode
    severity: Severity
    message: str
    evidence: Evidence = Evidence()


def finding(code: FindingCode, message: str, evidence: Evidence | None = None) -> Finding:
    """A finding of `code` at the severity the code carries (`codes.FINDING_DOCS`)."""
    return Finding(
        code=code, severity=FINDING_DOCS[code][0], message=message, evidence=evidence or Evidence()
    )


def figure_fields(
    header: Mapping[str, FieldReading],
    totals: Mapping[str, FieldReading],
    candidates: Sequence[CandidateRow],
) -> list[FieldReading | None]:
    """Every field of a page's header, totals and candidates' rows (serial and figures)."""
    fields: list[FieldReading | None] = [*header.values(), *totals.values()]
    for row in candidates:
        fields += [row.serial, row.votes, row.tendered_votes, row.challenged_votes]
        fields.append(row.total_valid_votes)
    return fields


class FormResult(Frozen):
    schema_version: str = SCHEMA_VERSION
    source: Source
    form: FormIdentity
    transform: Transform = Transform()
    header: dict[str, FieldReading] = Field(default_factory=dict)
    candidates: tuple[CandidateRow, ...] = ()
    totals: dict[str, FieldReading] = Field(default_factory=dict)
    tables: tuple[TableCells, ...] = ()  # generic cells of every table found (all modes)
    stamps: tuple[Stamp, ...] = ()
    signatures: tuple[Signature, ...] = ()
    checks: tuple[Check, ...] = ()
    findings: tuple[Finding, ...] = ()
    needs_review: bool = False
    review_reasons: tuple[str, ...] = ()
    timings_ms: dict[str, float] = Field(default_factory=dict)


class Cell(Frozen):
    row: int
    col: int
    bbox: BBox
    text: str = ""
    confidence: float = 0.0


class TableCells(Frozen):
    bbox: BBox
    n_rows: int
    n_cols: int
    cells: tuple[Cell, ...] = ()


FormResult.model_rebuild()
