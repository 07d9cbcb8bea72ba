"""Form templates: data files that describe what a result form MEANS, not where things are.

A template (`models/templates/<name>.yaml`) names the form's header fields and their
printed labels in each language, the candidates table's columns, the totals rows, the
boxes that must be signed and by whom, where the stamp is expected relative to the found
structure, and which arithmetic invariants apply. Pixel positions never appear: the
locate stage finds the ruled structure on the page and matches printed labels (read by
OCR) against these labels. Another country's form is another YAML file, not new code.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import TemplateInvalid
from pipeline.model import SignatureRole

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "models" / "templates"


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValueKind(StrEnum):
    INTEGER = "integer"  # a count: read with read_number (printed or handwritten)
    TEXT = "text"  # printed text: read with Tesseract
    CONSTITUENCY_CODE = "constituency_code"  # e.g. NA-130, PP-12, GBA-2
    NUMBERED_NAME = "numbered_name"  # a place numbered in Roman figures, e.g. Lahore-VIII
    DATE = "date"
    TIME = "time"


class Labels(_Spec):
    """Printed labels by Tesseract language code ("eng", "urd", "ind", "swa", ...)."""

    eng: tuple[str, ...] = ()
    urd: tuple[str, ...] = ()
    other: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def all(self) -> tuple[str, ...]:
        extra = tuple(label for labels in self.other.values() for label in labels)
        return self.eng + self.urd + extra


class FieldSpec(_Spec):
    key: str
    kind: ValueKind = ValueKind.TEXT
    labels: Labels
    required: bool = False


class ColumnSpec(_Spec):
    key: (
        str  # serial | name | party | votes | tendered_votes | challenged_votes | total_valid_votes
    )
    kind: ValueKind
    labels: Labels
    required: bool = True


class CandidatesTableSpec(_Spec):
    columns: tuple[ColumnSpec, ...]
    may_continue: bool = True  # the table may run over several pages
    min_rows: int = 1
    max_rows: int = 60


class SignatureSpec(_Spec):
    role: SignatureRole
    labels: Labels
    required: bool = True
    per_candidate: bool = False  # one box per contesting candidate's agent
    thumb_impression: bool = False  # a thumb impression box sits beside the signature


class StampSpec(_Spec):
    required: bool = True
    near: SignatureRole | None = SignatureRole.PRESIDING_OFFICER  # expected beside this box
    area: Literal["near_signature", "footer", "anywhere"] = "near_signature"
    ring_text_fields: tuple[str, ...] = ("polling_station_name", "constituency")


CheckName = Literal[
    "candidate_sum",
    "candidate_columns",
    "valid_plus_rejected",
    "gender_sum",
    "registered_sum",
    "turnout",
    "required_fields",
]


class Template(_Spec):
    name: str
    type: str  # "form45", "form47", or the foreign form's own name
    country: str
    description: str = ""
    languages: tuple[str, ...] = ("eng",)  # Tesseract languages for the printed text
    title_keywords: tuple[str, ...]  # OCR'd words that identify the form (detection)
    header: tuple[FieldSpec, ...] = ()
    candidates: CandidatesTableSpec | None = None
    totals: tuple[FieldSpec, ...] = ()
    signatures: tuple[SignatureSpec, ...] = ()
    stamp: StampSpec | None = None
    checks: tuple[CheckName, ...] = ()
    handwritten_figures: bool = True


def load_template_file(path: Path) -> Template:
    """Parse and validate one template file; raise `TemplateInvalid` with the reason."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateInvalid(f"cannot read template {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise TemplateInvalid(f"template {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise TemplateInvalid(f"template {path} must be a mapping at the top level")
    try:
        return Template.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise TemplateInvalid(f"template {path}: {where}: {first['msg']}") from exc


@cache
def bundled_templates() -> tuple[Template, ...]:
    """All templates shipped in models/templates, sorted by name."""
    return tuple(load_template_file(path) for path in sorted(TEMPLATES_DIR.glob("*.yaml")))


def resolve_template(name_or_path: str) -> Template:
    """A bundled template by name (`pk-form45`) or a template file by path."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise TemplateInvalid(f"template file not found: {name_or_path}")
        return load_template_file(path)
    for template in bundled_templates():
        if template.name == name_or_path:
            return template
    names = ", ".join(t.name for t in bundled_templates())
    raise TemplateInvalid(f"no template named {name_or_path!r} (bundled: {names})")
