"""Column meaning from Urdu header labels, on a printing with no English in its table."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.stages.locate import locate_form
from pipeline.stages.normalise import normalise_page
from pipeline.templates import resolve_template
from tests.stages.test_normalise import page_of

LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
NASKH = "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"


def urdu_only_form45() -> np.ndarray:
    """A Form 45 page: English title, candidates table headed in Urdu only (BGR)."""
    template = resolve_template("pk-form45")
    assert template.candidates is not None
    columns = template.candidates.columns
    width, height = 2480, 3508
    page = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(page)
    latin = ImageFont.truetype(LATIN, 56)
    naskh = ImageFont.truetype(NASKH, 40, layout_engine=ImageFont.Layout.RAQM)
    draw.text((width // 2, 120), "FORM-45", font=latin, fill=10, anchor="ma")
    draw.text((width // 2, 220), "RESULT OF THE COUNT", font=latin, fill=10, anchor="ma")
    header = ("Constituency NA-1", "Polling Station Number 5", "Registered Voters")
    for i, line in enumerate(header):
        draw.text((120, 360 + 90 * i), line, font=latin, fill=10)
    left, right, top = 100, width - 100, 700
    edges = [round(left + i * (right - left) / len(columns)) for i in range(len(columns) + 1)]
    rows = [top, top + 140, *(top + 140 + 90 * i for i in range(1, 6))]
    for y in rows:
        draw.line([(left, y), (right, y)], fill=10, width=4)
    for x in edges:
        draw.line([(x, rows[0]), (x, rows[-1])], fill=10, width=4)
    for spec, x1 in zip(columns, edges[1:], strict=True):
        draw.text(
            (x1 - 12, top + 40), spec.labels.urd[0], font=naskh, fill=10, anchor="ra",
            direction="rtl",
        )  # fmt: skip
    for i, y in enumerate(rows[1:-1], start=1):
        draw.text((edges[0] + 20, y + 20), str(i), font=latin, fill=10)
    gray = np.array(page)
    return np.dstack([gray, gray, gray])


def test_urdu_header_labels_give_the_columns_their_meaning() -> None:
    page = page_of(urdu_only_form45())
    located = locate_form(normalise_page(page), [resolve_template("pk-form45")])
    assert located.template_name == "pk-form45"
    assert located.candidates_table is not None
    assert len(located.candidate_rows) == 5
    keys = set(located.candidate_rows[0].cells)
    assert {"serial", "name", "votes", "total_valid_votes"} <= keys
    first = located.candidate_rows[0].cells
    assert first["serial"].x1 < first["name"].x0 < first["votes"].x0
