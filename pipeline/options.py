"""Options for processing forms: one validated model, passed down to every stage."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """Refuse inputs beyond these (decompression bombs, absurd files)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_file_bytes: int = 512 * 1024 * 1024
    max_pixels: int = 180_000_000  # per page (A0 at 600 dpi is ~140 MP)
    max_pages: int = 500


class Options(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    template: str | None = None  # bundled template name or a path; None = detect
    evidence_dir: Path | None = None  # where evidence crops and overlays are written
    debug_dir: Path | None = None  # every stage's intermediate images (PNG)
    limits: Limits = Field(default_factory=Limits)
    per_form_timeout_s: float = 300.0
