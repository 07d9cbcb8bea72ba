"""Fonts the generator draws with (Debian packages installed by the bootstrap)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

from pipeline.errors import MissingDependency

FONT_FILES = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "sans_bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "condensed": "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "noto": "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "noto_bold": "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "urdu": "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
    "urdu_bold": "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf",
    "hand": "/usr/share/fonts/truetype/kristi/Kristi.ttf",
    "hand2": "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf",
    "hand3": "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
}
LATIN_FACES = ("sans", "serif", "condensed", "noto")


@cache
def font(face: str, size: int) -> ImageFont.FreeTypeFont:
    """A font by face name and pixel size; Urdu faces use raqm for proper shaping."""
    path = Path(FONT_FILES[face])
    if not path.is_file():
        raise MissingDependency(
            f"font {path} not found: run `make test` (the bootstrap installs the fonts)"
        )
    layout = ImageFont.Layout.RAQM if face.startswith("urdu") else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), size=size, layout_engine=layout)
