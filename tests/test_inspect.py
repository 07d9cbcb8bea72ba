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
