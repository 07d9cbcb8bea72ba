"""The splice stage: a region pasted into a JPEG saved twice, seen in its coefficients."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.codes import FindingCode
from pipeline.evidence import write_evidence_crops
from pipeline.inspect import process_bytes
from pipeline.model import BBox
from pipeline.options import Limits, Options
from pipeline.pages import Page
from pipeline.stages.load import load_pages_from_bytes
from pipeline.stages.splice import (
    SPLICE_METHOD,
    block_evidence,
    heat_map,
    reachable,
    splice_findings,
)

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "NA-17_ps045.tif"  # lossless
PASTED = BBox(x0=905, y0=1013, x1=1405, y1=1213)  # figures, off the 8x8 grid on purpose
SOURCE = BBox(x0=308, y0=1114, x1=808, y1=1314)  # other figures of the same table


@cache
def _host() -> np.ndarray:
    """The top of the sample's first page (its table's last rows), never compressed."""
    return np.asarray(Image.open(SAMPLE).convert("RGB"))[:1400].copy()


def _jpeg(image: np.ndarray, quality: int, orientation: int = 1) -> bytes:
    buffer = io.BytesIO()
    pil = Image.fromarray(image)
    if orientation == 1:
        pil.save(buffer, "JPEG", quality=quality)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        pil.save(buffer, "JPEG", quality=quality, exif=exif)
    return buffer.getvalue()


def _decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).copy()


def _spliced(first: int = 60, second: int = 90, orientation: int = 1) -> bytes:
    """Saved at `first`, figures pasted over others (from the page before it was ever
    compressed: as from another file), saved again at `second`."""
    host = _host()
    edited = _decoded(_jpeg(host, first))
    at, source = PASTED, SOURCE
    edited[at.y0 : at.y1, at.x0 : at.x1] = host[source.y0 : source.y1, source.x0 : source.x1]
    return _jpeg(edited, second, orientation)


def _page(data: bytes) -> Page:
    return load_pages_from_bytes(data, "form.jpg", limits=Limits())[0]


def _touches(a: BBox, b: BBox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_a_jpeg_page_keeps_its_luminance_and_table_and_other_pages_do_not() -> None:
    host = _host()
    data = _jpeg(host, 75)
    page = _page(data)
    assert page.jpeg is not None
    assert page.jpeg.luminance.shape == host.shape[:2]
    assert page.jpeg.quantization == tuple(Image.open(io.BytesIO(data)).quantization[0])
    buffer = io.BytesIO()
    Image.fromarray(host).save(buffer, "PNG")
    assert _page(buffer.getvalue()).jpeg is None


def test_the_values_a_coarser_first_step_reaches() -> None:
    # steps of 5 in steps of 2: 0, 2.5 (half to 2, half to 3), 5, 7.5, 10
    values = np.arange(-1, 11)
    reached = [0, 1, 0, 0.5, 0.5, 0, 1, 0, 0.5, 0.5, 0, 1]
    assert reachable(values, 5, 2).tolist() == reached
    assert reachable(values, 2, 2).tolist() == [1] * 12  # one compression: every value once


def test_a_region_pasted_before_the_second_save_is_found_where_it_was_pasted() -> None:
    page = _page(_spliced())
    findings = splice_findings(page)
    assert [f.code for f in findings] == [FindingCode.TAMPER_SUSPECTED]
    evidence = findings[0].evidence
    assert evidence.bbox is not None and _touches(evidence.bbox, PASTED)
    assert evidence.values["method"] == SPLICE_METHOD
    assert float(evidence.values["log_likelihood"] or 0) >= float(evidence.values["threshold"] or 0)


def test_a_page_saved_twice_without_an_edit_shows_the_comb_and_no_finding() -> None:
    host = _host()
    page = _page(_jpeg(_decoded(_jpeg(host, 60)), 90))
    assert page.jpeg is not None and block_evidence(page.jpeg) is not None
    assert splice_findings(page) == ()


@pytest.mark.parametrize("qualities", [(90,), (75, 75)])
def test_a_page_saved_once_or_twice_at_one_quality_gets_no_verdict(
    qualities: tuple[int, ...],
) -> None:
    data = _jpeg(_host(), qualities[0])
    for quality in qualities[1:]:
        data = _jpeg(_decoded(data), quality)
    page = _page(data)
    assert page.jpeg is not None and block_evidence(page.jpeg) is None
    assert splice_findings(page) == ()


def test_the_box_is_reported_on_the_page_as_turned_by_its_exif_orientation() -> None:
    page = _page(_spliced(orientation=6))  # shown turned a quarter clockwise
    height = _host().shape[0]
    turned = BBox(x0=height - PASTED.y1, y0=PASTED.x0, x1=height - PASTED.y0, y1=PASTED.x1)
    findings = splice_findings(page)
    assert page.image.shape[:2] == _host().shape[1::-1]
    assert len(findings) == 1 and findings[0].evidence.bbox is not None
    assert _touches(findings[0].evidence.bbox, turned)


def test_the_evidence_is_the_region_over_its_heat_map(tmp_path: Path) -> None:
    page = _page(_spliced())
    heat = heat_map(page)
    assert heat is not None and heat.shape == page.image.shape
    inside = heat[PASTED.y0 : PASTED.y1, PASTED.x0 : PASTED.x1, 2].astype(int)
    outside = heat[100:400, 100:600, 2].astype(int)
    assert (inside - heat[PASTED.y0 : PASTED.y1, PASTED.x0 : PASTED.x1, 1]).max() > 100
    assert (outside - heat[100:400, 100:600, 1]).max() < 100
    (written,) = write_evidence_crops(page, splice_findings(page), tmp_path)
    assert written.evidence.crop is not None
    crop = np.asarray(Image.open(written.evidence.crop))
    assert crop.shape[0] > 2 * (PASTED.height)  # the scan's crop above the heat map's


def test_a_scan_inside_a_pdf_is_read_from_its_embedded_jpeg() -> None:
    """A JPEG opened, edited and put back in a PDF (saved again as its DCTDecode image)."""
    host = _host()
    edited = _decoded(_jpeg(host, 60))
    at, source = PASTED, SOURCE
    edited[at.y0 : at.y1, at.x0 : at.x1] = host[source.y0 : source.y1, source.x0 : source.x1]
    buffer = io.BytesIO()
    Image.fromarray(edited).save(buffer, "PDF", resolution=300.0, quality=90)
    page = load_pages_from_bytes(buffer.getvalue(), "form.pdf", limits=Limits())[0]
    assert page.jpeg is not None and page.jpeg.placement is not None
    assert abs(page.jpeg.placement.width - page.width) <= 1
    findings = splice_findings(page)
    assert len(findings) == 1 and findings[0].evidence.bbox is not None
    assert _touches(findings[0].evidence.bbox, PASTED)


def test_only_a_pdf_page_whose_scan_is_a_jpeg_has_the_layer() -> None:
    buffer = io.BytesIO()
    Image.fromarray(_host()).save(buffer, "PDF", resolution=300.0)  # PIL embeds JPEG ...
    assert load_pages_from_bytes(buffer.getvalue(), "a.pdf", limits=Limits())[0].jpeg is not None
    png = io.BytesIO()
    Image.fromarray(_host()).convert("1").save(png, "PDF", resolution=300.0)  # ... or not
    assert load_pages_from_bytes(png.getvalue(), "b.pdf", limits=Limits())[0].jpeg is None


@pytest.mark.parametrize("level", [255, 200])
def test_a_blank_page_saved_twice_gets_no_verdict(level: int) -> None:
    blank = np.full((400, 300, 3), level, np.uint8)  # clipped paper, flat grey paper
    page = _page(_jpeg(_decoded(_jpeg(blank, 60)), 90))
    assert page.jpeg is not None and block_evidence(page.jpeg) is None
    assert splice_findings(page) == () and heat_map(page) is None


def test_inspect_reports_the_paste_on_a_whole_form_with_its_heat_map(tmp_path: Path) -> None:
    """The whole pipeline on the sample's first page, saved, edited and saved again."""
    whole = np.asarray(Image.open(SAMPLE).convert("RGB"))
    edited = _decoded(_jpeg(whole, 60))
    at, source = PASTED, SOURCE
    edited[at.y0 : at.y1, at.x0 : at.x1] = whole[source.y0 : source.y1, source.x0 : source.x1]
    (result,) = process_bytes(_jpeg(edited, 90), "form.jpg", Options(evidence_dir=tmp_path))
    spliced = [f for f in result.findings if f.evidence.values.get("method") == SPLICE_METHOD]
    assert len(spliced) == 1 and spliced[0].code is FindingCode.TAMPER_SUSPECTED
    evidence = spliced[0].evidence
    assert evidence.bbox is not None and _touches(evidence.bbox, PASTED)
    assert evidence.crop is not None and Path(evidence.crop).exists()
