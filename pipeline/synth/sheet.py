"""What is written on one form: the plan the renderer draws and the truth describes."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.codes import FindingCode
from pipeline.model import SignatureRole, SignatureStatus, StampShape


@dataclass(frozen=True)
class Figure:
    """A figure in a cell: the value finally visible, and how it got there."""

    value: int | None
    overwritten_from: int | None = None  # written first, then a digit written over it
    correction_fluid: bool = False  # whited out, then written again


@dataclass(frozen=True)
class CandidateLine:
    serial: int
    name: str
    name_urdu: str | None
    party: str
    votes: Figure
    tendered: Figure | None = None
    challenged: Figure | None = None
    total: Figure | None = None


@dataclass(frozen=True)
class SignaturePlan:
    role: SignatureRole
    label: str
    status: SignatureStatus
    signer_id: str
    paste_id: str | None = None  # same paste_id on several forms = one pasted image
    kind: str = "signature"


@dataclass(frozen=True)
class StampPlan:
    physical_stamp_id: str
    impression_id: str  # equal on several forms = a digital paste of one impression
    colour: str
    shape: StampShape
    ring_text: str
    centre_lines: tuple[str, ...]


@dataclass(frozen=True)
class AnomalyPlan:
    code: FindingCode
    detail: str
    target: str = ""  # "candidates[3].votes", "totals.total_valid_votes", "stamp", ...
    values: dict[str, int | float | str | None] = field(default_factory=dict)
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class TamperPlan:
    """A digital edit of the scanned file: one region's pixels copied onto another, as an
    image editor's clone tool does (the file is then saved again)."""

    source: str  # box key of the region copied, e.g. "signatures[4]"
    target: str  # box key of the region it is pasted over


@dataclass(frozen=True)
class FormSheet:
    form_id: str
    template_name: str
    form_type: str
    constituency: str
    polling_station_number: int | None
    copy_label: str
    header: dict[str, str | int]
    header_handwritten: frozenset[str]
    candidates: tuple[CandidateLine, ...]
    totals: dict[str, Figure]
    handwritten: bool
    signatures: tuple[SignaturePlan, ...]
    stamp: StampPlan | None
    anomalies: tuple[AnomalyPlan, ...]
    printing_seed: int  # same printing (layout variation) for copies of one station's form
    tamper: TamperPlan | None = None  # edited after scanning (the original file only)
    stamp_astray: bool = False  # pressed at the foot of the page, not beside the officers
