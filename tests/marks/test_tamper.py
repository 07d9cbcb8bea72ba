"""Correction fluid: a figure cell whiter and flatter than its neighbours."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from pipeline.codes import FindingCode
from pipeline.layout import LocatedCandidateRow
from pipeline.model import BBox
from pipeline.stages.tamper import tamper_findings
from tests.marks.conftest import located, make_page


def _table(fluid_row: int | None) -> tuple[np.ndarray, tuple[LocatedCandidateRow, ...]]:
    rng = np.random.default_rng(3)
    image = np.clip(rng.normal(228, 4, (900, 600)), 0, 255).astype(np.uint8)
    rows = []
    for r in range(6):
        box = BBox(x0=300, y0=100 + r * 120, x1=500, y1=200 + r * 120)
        if r == fluid_row:
            image[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : box.x1 - 5] = 252
        cv2.putText(image, str(17 * (r + 1)), (box.x0 + 40, box.y0 + 65), 0, 1.5, 30, 3)
        rows.append(LocatedCandidateRow(row_index=r, cells={"votes": box}, bbox=box))
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), tuple(rows)


def test_fluid_patch_under_a_figure_is_found() -> None:
    image, rows = _table(fluid_row=2)
    form = dataclasses.replace(located(), candidate_rows=rows)
    findings = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.code for f in findings] == [FindingCode.CORRECTION_FLUID]
    assert findings[0].evidence.values["field"] == "candidates[2].votes"
    assert findings[0].evidence.bbox == rows[2].cells["votes"]
    # the step at the patch's edge, for a person to check: 252 against paper at 228
    assert float(findings[0].evidence.values["edge_step"]) > 20  # type: ignore[arg-type]


def test_clean_table_has_no_fluid() -> None:
    image, rows = _table(fluid_row=None)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def _lit_table(fluid: tuple[int, int] | None) -> tuple[np.ndarray, tuple[LocatedCandidateRow, ...]]:
    """Three figure columns under a phone's light: 25% darker from left to right."""
    rng = np.random.default_rng(4)
    h, w = 1000, 900
    light = np.linspace(1.0, 0.75, w)[None, :] * np.linspace(1.0, 0.9, h)[:, None]
    image = np.clip(rng.normal(240, 2, (h, w)) * light, 0, 255)
    rows = []
    for r in range(7):
        cells = {}
        for c, key in enumerate(("votes", "tendered_votes", "total_valid_votes")):
            box = BBox(x0=100 + c * 260, y0=60 + r * 130, x1=340 + c * 260, y1=170 + r * 130)
            if fluid == (r, c):
                patch = image[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : box.x1 - 5]
                image[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : box.x1 - 5] = patch / 240 * 252
            cells[key] = box
        rows.append(LocatedCandidateRow(row_index=r, cells=cells, bbox=cells["votes"]))
    page = image.astype(np.uint8)
    for row in rows:
        for box in row.cells.values():
            cv2.putText(page, "38", (box.x0 + 60, box.y0 + 70), 0, 1.5, 30, 3)
    return cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), tuple(rows)


def test_uneven_light_alone_is_not_fluid() -> None:
    image, rows = _lit_table(fluid=None)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def test_fluid_on_the_dark_edge_of_a_lit_table_is_found() -> None:
    image, rows = _lit_table(fluid=(6, 2))
    form = dataclasses.replace(located(), candidate_rows=rows)
    findings = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in findings] == ["candidates[6].total_valid_votes"]


def test_light_brightening_part_of_a_cell_is_not_fluid() -> None:
    """A phone's light falling on part of a cell lifts that part only: here three fifths
    of it, by a little more than a patch must be brighter (half its paper then is)."""
    image, rows = _table(fluid_row=None)
    box = rows[2].cells["votes"]
    lit = box.x0 + (box.x1 - box.x0) * 3 // 5
    region = image[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : lit]
    paper = region > 150
    region[paper] = np.minimum(region[paper].astype(int) + 8, 255).astype(np.uint8)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def test_the_lit_cells_where_a_shadow_ends_are_not_fluid() -> None:
    """A phone's shadow over the lower rows: the plane fitted through the neighbours'
    paper cannot bend at the shadow's edge, so lit cells next to it stand above it; but
    each is no brighter than the lit cell beside it. A patch there still stands out."""

    def shadowed(fluid_row: int | None) -> tuple[np.ndarray, tuple[LocatedCandidateRow, ...]]:
        image, rows = _table(fluid_row=None)
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
        gray[100 : 100 + 120 * 3] += 14  # rows 0-2 lit, rows 3-5 in the shadow
        if fluid_row is not None:
            box = rows[fluid_row].cells["votes"]
            gray[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : box.x1 - 5] = 254
        page = np.clip(gray, 0, 255).astype(np.uint8)
        if fluid_row is not None:
            cv2.putText(page, "51", (box.x0 + 40, box.y0 + 65), 0, 1.5, 30, 3)
        return cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), rows

    image, rows = shadowed(None)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()
    image, rows = shadowed(1)
    findings = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in findings] == ["candidates[1].votes"]


def test_a_patch_leaving_part_of_the_cell_bare_is_found() -> None:
    """Fluid brushed over the figure but not to the cell's edges (seed 9002: three
    quarters of the cell): the cell's paper is patch and bare paper, uneven as a whole,
    while the patch itself is flat."""
    image, rows = _table(fluid_row=None)
    box = rows[3].cells["votes"]
    image[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : box.x0 + 150] = 252
    cv2.putText(image, "68", (box.x0 + 40, box.y0 + 65), 0, 1.5, (30, 30, 30), 3)
    levels = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)[box.y0 : box.y1, box.x0 : box.x1]
    assert float(levels[levels > 150].std()) > 6.0  # the old whole-cell flatness failed it
    form = dataclasses.replace(located(), candidate_rows=rows)
    findings = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in findings] == ["candidates[3].votes"]


def _white_table(
    patch: tuple[int, int], columns: int, paper_level: float = 247.0, patch_level: int = 252
) -> tuple[np.ndarray, tuple[LocatedCandidateRow, ...]]:
    """White paper at 247 and a patch at 252, nearly half of it at 253 (as much whiter
    as fluid can show on such paper): every step to a neighbour is 5 levels."""
    rng = np.random.default_rng(5)
    paper = np.full((900, 300 + 260 * columns), paper_level)
    keys = ("votes", "tendered_votes", "total_valid_votes")[:columns]
    rows = []
    for r in range(6):
        cells = {}
        for c, key in enumerate(keys):
            box = BBox(x0=100 + c * 260, y0=100 + r * 120, x1=340 + c * 260, y1=200 + r * 120)
            if (r, c) == patch:
                shape = (box.height - 10, box.width - 10)
                paper[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : box.x1 - 5] = patch_level + (
                    rng.random(shape) < 0.48
                )
            cells[key] = box
        rows.append(LocatedCandidateRow(row_index=r, cells=cells, bbox=cells["votes"]))
    image = np.clip(paper, 0, 255).astype(np.uint8)
    for row in rows:
        for box in row.cells.values():
            cv2.putText(image, "38", (box.x0 + 60, box.y0 + 65), 0, 1.5, 30, 3)
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), tuple(rows)


def test_a_patch_five_levels_whiter_than_three_neighbours_is_found() -> None:
    # seed 9002's PS-231_ps046: 252 on paper of 247 above, below and beside it
    image, rows = _white_table((3, 1), columns=3)
    form = dataclasses.replace(located(), candidate_rows=rows)
    findings = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in findings] == ["candidates[3].tendered_votes"]


def test_five_levels_above_a_lone_neighbour_is_not_enough() -> None:
    # the top cell of a one-column table has one neighbour: a phone's lit top row
    image, rows = _white_table((0, 0), columns=1)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def test_on_paper_near_white_a_patch_four_levels_whiter_is_found() -> None:
    # seed 9005's NA-176_ps128: 253 on paper of 249, each of three neighbours 4 lower;
    # 255 leaves such paper six levels: half of them is enough (`brighter_by`)
    image, rows = _white_table((3, 1), columns=3, paper_level=249.0, patch_level=253)
    form = dataclasses.replace(located(), candidate_rows=rows)
    found = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in found] == ["candidates[3].tendered_votes"]


def test_on_grey_paper_four_levels_whiter_is_no_patch() -> None:
    image, rows = _white_table((3, 1), columns=3, paper_level=200.0, patch_level=204)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def test_a_patch_edged_by_a_step_is_found_beside_a_lighter_neighbour() -> None:
    # seed 9022's PK-149_ps175 under a phone's light: 5 levels over two neighbours, 4.9
    # over the third, and a step of 7 where the patch ends at the cell's edge
    image, rows = _white_table((3, 1), columns=3, paper_level=200.0, patch_level=207)
    above = rows[2].cells["tendered_votes"]
    lit = image[above.y0 + 3 : above.y1 - 3, above.x0 + 3 : above.x1 - 3]
    lit[lit > 150] += 3  # the paper only, not the figure's ink
    form = dataclasses.replace(located(), candidate_rows=rows)
    found = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in found] == ["candidates[3].tendered_votes"]
    assert float(found[0].evidence.values["edge_step"]) >= 6  # type: ignore[arg-type]


def test_a_first_rows_patch_edged_by_a_step_is_found_beside_a_lighter_neighbour() -> None:
    # seed 9028's NA-23_ps079, a phone photo: the first row's cell has two neighbours, 4.98
    # and 8.87 under it, and a step of 6 where the patch ends; blurred away, no patch
    def first_row(blur: bool) -> tuple[np.ndarray, tuple[LocatedCandidateRow, ...]]:
        image, rows = _white_table((0, 0), columns=2, paper_level=200.0, patch_level=207)
        if blur:
            image = cv2.GaussianBlur(image, (0, 0), 12)
        beside = rows[0].cells["tendered_votes"]
        lit = image[beside.y0 + 3 : beside.y1 - 3, beside.x0 + 3 : beside.x1 - 3]
        lit[lit > 150] += 3
        return image, rows

    image, rows = first_row(blur=False)
    form = dataclasses.replace(located(), candidate_rows=rows)
    found = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in found] == ["candidates[0].votes"]
    image, rows = first_row(blur=True)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def test_a_cell_lit_beside_a_lighter_neighbour_without_a_step_is_no_patch() -> None:
    # the same levels with the patch's edge blurred away, as light falls: no step
    image, rows = _white_table((3, 1), columns=3, paper_level=200.0, patch_level=207)
    image = cv2.GaussianBlur(image, (0, 0), 12)
    above = rows[2].cells["tendered_votes"]
    lit = image[above.y0 + 3 : above.y1 - 3, above.x0 + 3 : above.x1 - 3]
    lit[lit > 150] += 3
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def _ruled_white_table(
    patch: tuple[int, int] | None, shadows: str = "bottom right"
) -> tuple[np.ndarray, tuple[LocatedCandidateRow, ...]]:
    """A ruled table on paper at 253 with handwritten-like figures; in one cell the
    generator's correction fluid (`white_out`: 253-255, its raised edge's 2-pixel grey
    shadow inside the cell along the named sides), as white as the paper can show."""
    from pipeline.synth.ink import white_out

    rng = np.random.default_rng(3)
    image = np.full((900, 900, 3), 253, np.uint8)
    rows = []
    for r in range(6):
        cells = {}
        for c, key in enumerate(("votes", "tendered_votes", "total_valid_votes")):
            box = BBox(x0=100 + c * 260, y0=100 + r * 120, x1=340 + c * 260, y1=200 + r * 120)
            cv2.rectangle(
                image, (box.x0 - 3, box.y0 - 3), (box.x1 + 2, box.y1 + 2), (20, 20, 20), 3
            )
            if (r, c) == patch:
                x0, y0, x1, y1 = box.x0 + 6, box.y0 + 6, box.x1 - 6, box.y1 - 6
                white_out(image, x0, y0, x1, y1, rng)
                light = image[y0 + 10, x0 + 10].copy()
                if "bottom" not in shadows:
                    image[y1 - 2 : y1, x0:x1] = light
                if "right" not in shadows:
                    image[y0:y1, x1 - 2 : x1] = light
            cells[key] = box
        rows.append(LocatedCandidateRow(row_index=r, cells=cells, bbox=cells["votes"]))
    for row in rows:
        for box in row.cells.values():
            cv2.putText(image, "38", (box.x0 + 60, box.y0 + 65), 0, 1.5, (90, 40, 20), 3)
    return cv2.GaussianBlur(image, (3, 3), 0.8), tuple(rows)


def test_a_patch_as_white_as_the_paper_is_found_by_its_edge_shadow() -> None:
    # seed 9005's PS-192_ps217 and 9006's PP-115_ps190: paper at 253-255, the patch no
    # whiter than it can show; the shadow of its edge lies 16-20 levels under the paper
    image, rows = _ruled_white_table((3, 1))
    form = dataclasses.replace(located(), candidate_rows=rows)
    found = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in found] == ["candidates[3].tendered_votes"]
    assert float(found[0].evidence.values["edge_shadow"]) >= 10  # type: ignore[arg-type]


def test_ruling_and_a_lone_line_along_one_side_are_no_patch() -> None:
    image, rows = _ruled_white_table(None)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()
    image, rows = _ruled_white_table((3, 1), shadows="bottom")
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def test_paper_medians_are_numpys_medians_of_the_uninked_pixels() -> None:
    import warnings

    from pipeline.stages.tamper import paper_medians

    rng = np.random.default_rng(11)
    for _ in range(200):
        levels = rng.integers(0, 256, (int(rng.integers(1, 30)), int(rng.integers(1, 60))))
        inked = rng.random(levels.shape) < rng.random()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a row all ink: NaN
            expected = np.nanmedian(np.where(inked, np.nan, levels.astype(np.float32)), axis=1)
        got = paper_medians(levels.astype(np.uint8), inked)
        assert np.allclose(got, expected, equal_nan=True)


def test_a_pool_of_light_over_a_cell_is_not_fluid() -> None:
    """A lamp's pool of light centred on one cell: its paper stands well above each
    neighbour's and is nearly flat, yet it brightens smoothly, with no step where a
    patch would end. The same cell under fluid is found."""

    def lit(fluid: bool) -> tuple[np.ndarray, tuple[LocatedCandidateRow, ...]]:
        image, rows = _table(fluid_row=None)
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
        box = rows[2].cells["votes"]
        yy, xx = np.mgrid[0 : gray.shape[0], 0 : gray.shape[1]].astype(np.float32)
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        pool = 30.0 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * 120.0**2))
        paper = gray > 150
        gray[paper] += pool[paper]
        if fluid:
            gray[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : box.x1 - 5] = 254
        page = np.clip(gray, 0, 255).astype(np.uint8)
        if fluid:
            cv2.putText(page, "51", (box.x0 + 40, box.y0 + 65), 0, 1.5, 30, 3)
        return cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), rows

    image, rows = lit(fluid=False)
    form = dataclasses.replace(located(), candidate_rows=rows)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()
    image, rows = lit(fluid=True)
    findings = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in findings] == ["candidates[2].votes"]


def test_three_neighbours_a_tenth_of_a_level_short_of_five_still_agree() -> None:
    """Steps are whole grey levels less the light's slope, fitted from the cells around:
    seed 9035's NA-246_ps099, a phone photo's patch 4.91, 5.09 and 5.38 above its three
    neighbours, is five levels whiter (LEVEL_ROUNDING); further short it is not."""
    from pipeline.stages.tamper import _stands_out

    assert _stands_out([4.91, 5.09, 5.38])
    assert not _stands_out([4.85, 5.09, 5.38])
    assert not _stands_out([4.95, 5.2])  # two neighbours must each be over five


def test_a_patch_a_palette_gathered_under_five_levels_is_found_by_its_step() -> None:
    """Seed 9041's PP-112_ps015, a GIF: the palette gathered a first row's patch into one
    level 4 above its two neighbours (none 5 above), with a step of 8 where it ends. Over
    three fifths of the cell only, as a light would lift it, it is no patch."""

    def first_row(share: float) -> tuple[np.ndarray, tuple[LocatedCandidateRow, ...]]:
        image, rows = _white_table((0, 0), columns=2, paper_level=225.0, patch_level=233)
        for row in rows:  # the cells' paper 4 above the margins' (the palette's levels)
            for box in row.cells.values():
                cell = image[box.y0 + 3 : box.y1 - 3, box.x0 + 3 : box.x1 - 3]
                cell[cell > 150] = 229
        box = rows[0].cells["votes"]
        end = box.x0 + 5 + int((box.width - 10) * share)
        lifted = image[box.y0 + 5 : box.y1 - 5, box.x0 + 5 : end]
        lifted[lifted > 150] = 233
        return image, rows

    image, rows = first_row(1.0)
    form = dataclasses.replace(located(), candidate_rows=rows)
    found = tamper_findings(make_page(image), form, evidence_dir=None)
    assert [f.evidence.values["field"] for f in found] == ["candidates[0].votes"]
    assert float(found[0].evidence.values["cover"]) < 0.5  # type: ignore[arg-type]
    image, rows = first_row(0.6)
    assert tamper_findings(make_page(image), form, evidence_dir=None) == ()


def test_a_cell_lit_above_a_lone_darker_neighbour_is_no_patch() -> None:
    # seed 9049's PP-177_ps064, a shadowed phone photo: the female votes polled, whose one
    # neighbour lies in the shadow, 5.7 above it but 4.3 above the cells around, half of
    # its paper bright; its median must stand `brighter_by` above the cells around
    def one_column(lit: int) -> list[str]:
        image, rows = _white_table((0, 0), columns=1, paper_level=200.0, patch_level=lit)
        below = rows[1].cells["votes"]
        shade = image[below.y0 : below.y1, below.x0 : below.x1]
        shade[shade > 150] -= 2  # the paper only, not the figure's ink
        top = rows[0].cells["votes"]
        half = image[top.y0 + 5 : top.y1 - 5, top.x0 + 5 : top.x1 - 5]
        bright = np.random.default_rng(2).random(half.shape[:2]) < 0.48
        half[bright & (half[..., 0] > 150)] = lit + 4
        form = dataclasses.replace(located(), candidate_rows=rows)
        found = tamper_findings(make_page(image), form, evidence_dir=None)
        return [f.evidence.values["field"] for f in found]  # type: ignore[misc]

    assert one_column(lit=203) == []  # 6 above its neighbour, 4 above the cells around
    assert one_column(lit=206) == ["candidates[0].votes"]  # 7 above the cells around


def test_a_cell_lit_to_one_side_of_a_shadows_edge_is_no_patch() -> None:
    # seed 9049's PS-171_ps046: a shadow's edge across a cell's left side lifts it over
    # its three neighbours (one lit a little too), the rest of its rim level with the
    # paper beyond; a patch ends in a step on its sides all round (RIM_SIDES)
    def lit_cell(shadow: bool) -> list[str]:
        image, rows = _white_table((-1, -1), columns=3, paper_level=200.0)
        cell = rows[3].cells["tendered_votes"]
        if shadow:  # lit beyond the cell's top, bottom and right; its edge inside the left
            region = image[cell.y0 - 14 : cell.y1 + 14, cell.x0 + 5 : cell.x1 + 14]
        else:  # a patch inside the cell
            region = image[cell.y0 + 5 : cell.y1 - 5, cell.x0 + 5 : cell.x1 - 5]
        region[region > 150] += 7
        above = rows[2].cells["tendered_votes"]
        lit = image[above.y0 + 3 : above.y1 - 3, above.x0 + 3 : above.x1 - 3]
        lit[lit > 150] += 3
        form = dataclasses.replace(located(), candidate_rows=rows)
        found = tamper_findings(make_page(image), form, evidence_dir=None)
        return [f.evidence.values["field"] for f in found]  # type: ignore[misc]

    assert lit_cell(shadow=True) == []
    assert lit_cell(shadow=False) == ["candidates[3].tendered_votes"]
