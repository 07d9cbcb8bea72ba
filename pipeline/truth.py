"""Ground truth of a synthetic page, in the vocabulary of the result schema.

`tallyscope synth` writes one `<page>.truth.json` next to every page image it renders;
`tallyscope eval` compares results with it. Field keys are those of `FormResult`
(`header`, `candidates[*].votes`, `totals`), anomaly codes are `FindingCode`s, and every
box is in the pixels of the image file as written (after capture effects).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.codes import FindingCode
from pipeline.model import BBox, Frozen, SignatureRole, SignatureStatus, StampShape

TRUTH_VERSION = "1.0"


class TruthValue(Frozen):
    value: int | str | None
    bbox: BBox | None = None
    handwritten: bool = False


class TruthCandidate(Frozen):
    serial: TruthValue
    name: TruthValue
    party: TruthValue
    votes: TruthValue
    tendered_votes: TruthValue | None = None
    challenged_votes: TruthValue | None = None
    total_valid_votes: TruthValue | None = None


class TruthStamp(Frozen):
    bbox: BBox
    color: str
    shape: StampShape
    physical_stamp_id: str  # one physical stamp may make many (different) impressions
    impression_id: str  # equal ids = the same image (a digital paste), must be flagged
    ring_text: str = ""


class TruthSignature(Frozen):
    role: SignatureRole
    label: str = ""
    status: SignatureStatus
    bbox: BBox  # the box on the form where the signature belongs
    signer_id: str | None = None  # the hand; one hand signs many forms (genuine)
    image_id: str | None = None  # equal ids = the same pasted image, must be flagged
    kind: Literal["signature", "thumb_impression"] = "signature"


class TruthAnomaly(Frozen):
    code: FindingCode
    detail: str = ""
    bbox: BBox | None = None
    values: dict[str, int | float | str | None] = Field(default_factory=dict)
    related: tuple[str, ...] = ()  # other pages (file names) involved, for cross-form codes


class Capture(Frozen):
    kind: Literal["flatbed", "phone", "digital"]
    dpi: int = 300
    rotation: Literal[0, 90, 180, 270] = 0
    skew_deg: float = 0.0
    perspective: bool = False
    blur: float = 0.0
    noise: float = 0.0
    jpeg_quality: int | None = None
    fold: bool = False
    shadow: bool = False
    container: Literal["png", "jpeg", "tiff", "pdf", "gif"] = "png"


class PageTruth(Frozen):
    truth_version: str = TRUTH_VERSION
    file: str  # image file name, relative to the truth file's folder
    page: int = 0  # page index inside that file (multi-page PDF/TIFF)
    width: int
    height: int
    form_id: str  # one form may span pages: same form_id, page_of_form 0..n-1
    page_of_form: int = 0
    pages_in_form: int = 1
    type: Literal["form45", "form47"]
    template: str
    constituency: str  # e.g. "NA-130"
    polling_station_number: int | None = None  # Form 45 only
    copy_label: str = "original"  # "original", "agent_copy", ... for diverging copies
    handwritten: bool = True
    capture: Capture
    header: dict[str, TruthValue] = Field(default_factory=dict)
    candidates: tuple[TruthCandidate, ...] = ()
    totals: dict[str, TruthValue] = Field(default_factory=dict)
    stamps: tuple[TruthStamp, ...] = ()
    signatures: tuple[TruthSignature, ...] = ()
    anomalies: tuple[TruthAnomaly, ...] = ()
    table_bbox: BBox | None = None


class FileTruth(Frozen):
    """Everything true about one generated file: `<name>.truth.json` beside `<name>.<ext>`."""

    truth_version: str = TRUTH_VERSION
    file: str
    pages: tuple[PageTruth, ...]
