"""The splice benchmark: its cases from the generator, and how it scores them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.jpeg_splice import Case, decode_rgb, encode_jpeg, make_cases, score
from pipeline.model import BBox

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "NA-17_ps045.tif"


def test_each_form_gives_a_spliced_page_and_its_two_unedited_controls() -> None:
    cases = make_cases(1, 1)
    assert [c.kind for c in cases] == ["spliced", "resaved", "once"]
    spliced, resaved, once = cases
    assert spliced.pasted is not None and spliced.pasted.area > 0
    assert spliced.first == resaved.first and spliced.second == resaved.second == once.second
    assert 50 <= (spliced.first or 0) <= 95 and once.first is None
    assert spliced.data != resaved.data
    assert [c.data for c in make_cases(1, 1)] == [c.data for c in cases]  # from the seed


def test_a_paste_found_where_it_was_is_counted_and_a_finding_on_a_control_is_false() -> None:
    host = np.asarray(Image.open(SAMPLE).convert("RGB"))[:1400].copy()
    at = BBox(x0=905, y0=1013, x1=1405, y1=1213)
    edited = decode_rgb(encode_jpeg(host, 60))
    edited[at.y0 : at.y1, at.x0 : at.x1] = host[1114:1314, 308:808]
    resaved = decode_rgb(encode_jpeg(host, 60))
    # a "control" that is in truth the spliced page: its finding must count as false
    cases = [
        Case("a_spliced", "spliced", encode_jpeg(edited, 90), at, 60, 90, "figures"),
        Case("a_resaved", "resaved", encode_jpeg(resaved, 90), None, 60, 90, ""),
        Case("b_resaved", "resaved", encode_jpeg(edited, 90), None, 60, 90, ""),
    ]
    result = score(cases, None)
    assert result["found"] == 1 and result["found_by_quality"] == {
        "second higher": "1/1",
        "equal": "0/0",
        "second lower": "0/0",
    }
    assert result["found_second_higher_by"] == {
        "1-4": "0/0",
        "5-9": "0/0",
        "10-19": "0/0",
        "20+": "1/1",
    }
    assert result["files_with_a_false_finding"] == 1 and result["false"] == ["b_resaved"]
