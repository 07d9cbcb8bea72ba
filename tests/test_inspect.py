"""The orchestrator: pages of one file are read in order, each knowing the page before."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pipeline.inspect import INHERITED_TYPE_CONFIDENCE, locate_page
from pipeline.pages import Page
from pipeline.stages.normalise import normalise_page
from pipeline.templates import bundled_templates, resolve_template
from tests.stages.test_locate_urdu import urdu_only_form45
from tests.stages.test_normalise import page_of


def untitled_page() -> Page:
    """Page 2 of a Form 45 whose printed title is gone (torn off, or unreadable)."""
    image = urdu_only_form45()
    image[:330] = 250
    return replace(page_of(image), index=1, page_count=2)


def test_an_untitled_page_continues_the_form_of_the_page_before() -> None:
    page = normalise_page(untitled_page())
    alone, template = locate_page(page, bundled_templates(), None, None)
    assert alone.template_name is None and template is None
    form45 = resolve_template("pk-form45")
    located, template = locate_page(page, bundled_templates(), None, form45)
    assert template == form45 and located.template_name == "pk-form45"
    assert located.continuation and located.candidates_table is not None
    assert located.type_confidence == INHERITED_TYPE_CONFIDENCE
    assert any("continuation" in note for note in located.notes)


def test_an_untitled_page_without_the_forms_table_stays_unknown() -> None:
    blank = replace(untitled_page(), image=np.full_like(untitled_page().image, 250))
    located, template = locate_page(
        normalise_page(blank), bundled_templates(), None, resolve_template("pk-form45")
    )
    assert located.template_name is None and template is None


def test_a_form_level_finding_names_the_pages_its_boxes_lie_on() -> None:
    """A check over a table that runs over two pages is reported on the last page; its
    boxes on the first page are marked so, for the crop and the overlay."""
    from pipeline.codes import FindingCode, Severity
    from pipeline.inspect import on_their_pages
    from pipeline.model import BBox, Evidence, Finding

    first, second = BBox(x0=10, y0=10, x1=50, y1=40), BBox(x0=10, y0=60, x1=50, y1=90)
    total = BBox(x0=100, y0=500, x1=160, y1=540)
    where = {first: 0, second: 0, total: 1}
    row = Finding(
        code=FindingCode.CANDIDATE_COLUMNS_MISMATCH,
        severity=Severity.ERROR,
        message="candidate 1: columns add up to 20, total valid says 14",
        evidence=Evidence(bbox=BBox(x0=0, y0=0, x1=200, y1=95), boxes=(first, second)),
    )
    whole = Finding(
        code=FindingCode.CANDIDATE_SUM_MISMATCH,
        severity=Severity.ERROR,
        message="candidates add up to 30, the form says 31",
        evidence=Evidence(bbox=total, boxes=(total, first, second)),
    )
    here = Finding(
        code=FindingCode.POLLED_SUM_MISMATCH,
        severity=Severity.ERROR,
        message="valid 1 + rejected 1 = 2, but total polled is 3",
        evidence=Evidence(bbox=total, boxes=(total,)),
    )
    moved_row, moved_whole, same = on_their_pages((row, whole, here), where, here=1)
    assert (moved_row.evidence.page, moved_row.evidence.box_pages) == (0, ())
    assert (moved_whole.evidence.page, moved_whole.evidence.box_pages) == (1, (1, 0, 0))
    assert same == here
    # the first page, which holds the row's figures, needs review for the row's finding;
    # not for the sum, whose total lies on the last page (which carries every finding)
    from pipeline.inspect import pointed_at

    found = (moved_row, moved_whole, same)
    assert pointed_at(found, 0) == ("finding CANDIDATE_COLUMNS_MISMATCH of the form, on this page",)
    note = moved_row.model_copy(update={"severity": Severity.INFO})
    assert pointed_at((note,), 0) == ()


def test_an_unread_fields_finding_names_what_else_it_may_be() -> None:
    """A station number withheld because two readers disagree (`read._typed_otherwise`)
    carries both readings to the person who checks it."""
    from pipeline.codes import FindingCode
    from pipeline.inspect import _unreadable_findings
    from pipeline.model import BBox, FieldReading
    from pipeline.stages.read import FormReadings

    box = BBox(x0=0, y0=0, x1=10, y1=10)
    withheld = FieldReading(
        value=None, confidence=0.957, text="8", bbox=box, alternatives=((29, 0.955), (0, 0.02))
    )
    sure = FieldReading(value=337, confidence=0.99, text="337", bbox=box)
    readings = FormReadings(
        header={"polling_station_number": withheld, "registered_voters_female": sure},
        candidates=(),
        totals={},
        tables=(),
        findings=(),
    )
    (found,) = _unreadable_findings(readings)
    assert found.code is FindingCode.FIELD_UNREADABLE
    assert found.evidence.values["field"] == "header.polling_station_number"
    assert found.evidence.values["alternatives"] == "29 0"
