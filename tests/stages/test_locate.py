"""The locate stage: ruled tables, form type, column meaning and labelled fields."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.layout import GridTable, LocatedForm
from pipeline.model import BBox
from pipeline.options import Limits
from pipeline.pages import NormalisedPage, TextWord
from pipeline.stages.grid import find_tables
from pipeline.stages.load import load_pages
from pipeline.stages.locate import frame_tables, locate_form
from pipeline.stages.normalise import normalise_page
from pipeline.templates import Template, bundled_templates
from tests.stages import kenya_form34 as kenya

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def kenya_page() -> NormalisedPage:
    if not kenya.SCAN.exists():
        pytest.skip("real-data folder not present")
    return normalise_page(load_pages(kenya.SCAN, limits=Limits())[0])


@pytest.fixture(scope="module")
def kenya_located(kenya_page: NormalisedPage) -> LocatedForm:
    return locate_form(kenya_page, bundled_templates())


def _ruled(rows: list[int], cols: list[int], shape: tuple[int, int] = (600, 800)) -> np.ndarray:
    binary = np.zeros(shape, np.uint8)
    for y in rows:
        binary[y : y + 3, cols[0] : cols[-1] + 3] = 255
    for x in cols:
        binary[rows[0] : rows[-1] + 3, x : x + 3] = 255
    return binary


def test_find_tables_recovers_rows_columns_and_cells() -> None:
    ruled = find_tables(_ruled([100, 160, 220, 280], [100, 300, 500, 700]))
    assert len(ruled.tables) == 1
    table = ruled.tables[0]
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert all(abs(a - b) <= 2 for a, b in zip(table.row_edges, (101, 161, 221, 281), strict=True))
    assert ruled.text.max() == 0  # nothing but ruling on this page


def test_find_tables_tolerates_a_broken_rule() -> None:
    binary = _ruled([100, 160, 220], [100, 400, 700])
    binary[160:163, 250:258] = 0  # an 8-pixel gap in the middle rule
    assert find_tables(binary).tables[0].n_rows == 2


def test_a_last_row_filling_only_the_first_cells_is_a_row() -> None:
    """Eight agents' boxes, six to a row: the second row's two boxes have a bottom rule
    too short to count as a row of the whole grid; it ends on a column rule."""
    cols = [100, 200, 300, 400, 500, 600, 700]
    binary = _ruled([100, 160], cols)
    binary[220:223, 100:303] = 255
    for x in (100, 200, 300):
        binary[160:223, x : x + 3] = 255
    table = find_tables(binary).tables[0]
    assert table.n_rows == 2 and abs(table.row_edges[-1] - 221) <= 2
    # a stroke joined to the grid that does not start at its left edge makes no row
    stroke = _ruled([100, 160], cols)
    stroke[220:223, 150:303] = 255
    stroke[160:223, 300:303] = 255
    assert find_tables(stroke).tables[0].n_rows == 1


def test_blank_page_has_no_tables() -> None:
    assert find_tables(np.zeros((500, 400), np.uint8)).tables == ()


def test_frame_tables_are_the_ones_enclosing_others() -> None:
    def table(x0: int, y0: int, x1: int, y1: int) -> GridTable:
        box = BBox(x0=x0, y0=y0, x1=x1, y1=y1)
        return GridTable(bbox=box, row_edges=(y0, y1), col_edges=(x0, x1), cells=((box,),))

    tables = [table(0, 0, 1000, 1000), table(100, 100, 400, 300), table(100, 500, 900, 900)]
    assert frame_tables(tables) == {0}


def test_kenya_form34_is_detected_by_its_template(kenya_located: LocatedForm) -> None:
    assert kenya_located.template_name == "ke-form34"
    assert kenya_located.form_type == "ke-form34"
    assert kenya_located.type_confidence >= 0.9
    assert not kenya_located.continuation


def test_kenya_candidates_table_found_with_merged_votes_header(
    kenya_located: LocatedForm,
) -> None:
    assert kenya_located.candidates_table is not None
    table = kenya_located.tables[kenya_located.candidates_table]
    expected = kenya.CANDIDATES_TABLE
    got = (table.bbox.x0, table.bbox.y0, table.bbox.x1, table.bbox.y1)
    assert all(abs(a - b) <= 25 for a, b in zip(got, expected, strict=True)), got
    assert len(kenya_located.candidate_rows) == 21  # 8 candidates + 13 crossed-out rows
    first = kenya_located.candidate_rows[0]
    # the votes heading spans the digit-box columns: the votes box covers them all
    assert first.cells["votes"].x1 - first.cells["votes"].x0 > 250
    assert first.cells["name"].x1 <= first.cells["votes"].x0


def test_kenya_labelled_fields_point_at_their_value_boxes(kenya_located: LocatedForm) -> None:
    located = {f.key: f for f in (*kenya_located.header, *kenya_located.totals)}
    assert set(located) == set(kenya.FIGURES)
    for field in located.values():
        assert abs(field.value_box.x0 - kenya.VALUE_COLUMN_X[0]) <= 25, field
        assert abs(field.value_box.x1 - kenya.VALUE_COLUMN_X[1]) <= 25, field
    boxes = [located[k].value_box.y0 for k in kenya.FIGURES]
    assert boxes == sorted(boxes)  # printed rows 1..7 in order


def test_generic_mode_still_reports_every_table(kenya_page: NormalisedPage) -> None:
    pk_only = [t for t in bundled_templates() if t.country == "PK"]
    located = locate_form(kenya_page, pk_only)
    assert located.form_type == "unknown" and located.template_name is None
    assert located.type_confidence == 0.0
    assert any(t.n_rows == 22 for t in located.tables)  # header + 21 rows


def test_a_printing_with_the_name_before_the_number_gives_each_its_own_value() -> None:
    """The word "Constituency" (a label of the code) is a prefix of "Constituency Name": the longer
    label takes that cell, and the code goes to "Constituency No" wherever it is printed."""
    from pipeline.pages import TextWord
    from pipeline.stages.locate import _key_values
    from pipeline.templates import resolve_template

    xs, y0, y1 = (0, 300, 500, 800, 1000), 0, 90
    cells = tuple(BBox(x0=a, y0=y0, x1=b, y1=y1) for a, b in itertools.pairwise(xs))
    table = GridTable(bbox=BBox(x0=0, y0=0, x1=1000, y1=90), row_edges=(y0, y1),
                      col_edges=xs, cells=(cells,))  # fmt: skip
    texts = (("Constituency", "Name", "pb"), ("Mardan-II",), ("Constituency", "No"), ("NA-104",))
    words = [
        TextWord(text=t, bbox=BBox(x0=c.x0 + 10 + 60 * i, y0=30, x1=c.x0 + 60 + 60 * i, y1=60))
        for c, cell_words in zip(cells, texts, strict=True)
        for i, t in enumerate(cell_words)
    ]
    found = _key_values([table], set(), words, resolve_template("pk-form45").header)
    boxes = {f.key: f.value_box for f in found}
    assert boxes["constituency"] == cells[3] and boxes["constituency_name"] == cells[1]


def test_labels_the_page_wide_read_lost_are_read_again_at_full_size() -> None:
    """Small or blurred print: the reduced page-wide read can miss the labels that give the
    candidates table and the header fields their meaning (here it is left with the title
    only); locate reads those rows again at full size."""
    from dataclasses import replace

    from pipeline.templates import resolve_template

    page = normalise_page(load_pages(SAMPLES / "NA-17_ps005.pdf", limits=Limits())[0])
    assert page.printed_words is not None and page.words is None
    first = min(t.bbox.y0 for t in find_tables(page.binary).tables)
    title = tuple(w for w in page.printed_words if w.bbox.y1 < first)
    located = locate_form(replace(page, printed_words=title), bundled_templates())
    assert located.template_name == "pk-form45"
    assert located.candidates_table is not None and len(located.candidate_rows) >= 5
    keys = {f.key for f in located.header}
    assert {s.key for s in resolve_template("pk-form45").header if s.required} <= keys


def test_a_blurred_phone_capture_has_its_labels_read_again_from_the_grey_page() -> None:
    """A 150-dpi phone photo, blurred: the binary page's threshold thickens the small
    print of the candidates table's header into blobs ("Vahd Votan"); read again from the
    grey page, with the ruling painted over, the labels and so the table are found."""
    from dataclasses import replace

    from pipeline.synth.capture import apply_capture
    from pipeline.truth import Capture

    scan = load_pages(SAMPLES / "NA-17_ps005.pdf", limits=Limits())[0]  # a 200-dpi page
    rng = np.random.default_rng(1)
    capture = Capture(
        kind="phone",
        dpi=225,  # of 300: 150 dpi of this page
        skew_deg=float(rng.uniform(-4, 4)),
        perspective=True,
        blur=1.0,
        noise=2.0,
        shadow=True,
    )
    photo = apply_capture(scan.image[:, :, ::-1].copy(), capture, rng).image[:, :, ::-1]
    page = normalise_page(replace(scan, image=np.ascontiguousarray(photo)))
    located = locate_form(page, bundled_templates())
    assert located.candidates_table is not None and len(located.candidate_rows) == 16


def test_an_agents_box_cut_to_a_sliver_by_a_stroke_is_not_judged() -> None:
    """A signature stroke taken for a ruling cuts an agent's box: the sliver left under
    the candidate's name is not a box to call empty."""
    from pipeline.layout import GridTable
    from pipeline.pages import TextWord
    from pipeline.stages.locate import _signature_boxes
    from pipeline.templates import resolve_template

    def cell(x: int, y0: int, y1: int) -> BBox:
        return BBox(x0=x, y0=y0, x1=x + 400, y1=y1)

    # two rows of agents' boxes; the second row's first box was cut at y=330
    rows = (
        (cell(0, 200, 290), cell(400, 200, 290)),
        (cell(0, 300, 330), cell(400, 300, 390)),
    )
    table = GridTable(
        bbox=BBox(x0=0, y0=200, x1=800, y1=390),
        row_edges=(200, 295, 395),
        col_edges=(0, 400, 800),
        cells=rows,
    )
    words = [TextWord(text="Agents", bbox=BBox(x0=10, y0=150, x1=90, y1=180))] + [
        TextWord(
            text=f"{i}. Candidate", bbox=BBox(x0=c.x0 + 5, y0=c.y0 + 2, x1=c.x0 + 120, y1=c.y0 + 18)
        )
        for i, c in enumerate((rows[0][0], rows[0][1], rows[1][0], rows[1][1]), 1)
    ]
    boxes = _signature_boxes([table], words, resolve_template("pk-form45"), set())
    agents = [b for b in boxes if b.role.value == "polling_agent"]
    assert [b.label for b in agents] == ["1. Candidate", "2. Candidate", "4. Candidate"]
    # a stroke taken for a column rule: the first box's first 60 pixels cut off
    narrow = (BBox(x0=0, y0=200, x1=60, y1=290), BBox(x0=60, y0=200, x1=400, y1=290))
    cut = GridTable(
        bbox=BBox(x0=0, y0=200, x1=800, y1=290),
        row_edges=(200, 290),
        col_edges=(0, 60, 400, 800),
        cells=((*narrow, rows[0][1]),),
    )
    named = [
        words[0],
        TextWord(text="1.", bbox=BBox(x0=5, y0=202, x1=40, y1=218)),
        TextWord(text="Candidate", bbox=BBox(x0=65, y0=202, x1=180, y1=218)),
        words[2],
    ]
    boxes = _signature_boxes([cut], named, resolve_template("pk-form45"), set())
    agents = [b for b in boxes if b.role.value == "polling_agent"]
    assert [b.label for b in agents] == ["Candidate", "2. Candidate"]
    # the unused end of the last row, a speck read as "-" at its head: no agent's box
    speck = TextWord(
        text="-", bbox=BBox(x0=rows[1][1].x0 + 5, y0=302, x1=rows[1][1].x0 + 20, y1=318)
    )
    boxes = _signature_boxes([table], [*words[:3], speck], resolve_template("pk-form45"), set())
    agents = [b for b in boxes if b.role.value == "polling_agent"]
    assert [b.label for b in agents] == ["1. Candidate", "2. Candidate"]


def test_a_signature_read_as_a_word_beside_an_agents_name_is_no_part_of_the_label() -> None:
    """Seed 9048's NA-13_ps183: "ht", the signature's top read as a word after the printed
    "1. Sana Sheikh", put the box's top into the signature; cut short there, the signature
    was judged a refusal note. The box starts under the printed line, as its neighbour's."""
    from pipeline.stages.locate import _signature_boxes
    from pipeline.templates import resolve_template

    cells = (BBox(x0=0, y0=0, x1=360, y1=122), BBox(x0=370, y0=0, x1=730, y1=122))
    table = GridTable(bbox=BBox(x0=0, y0=0, x1=730, y1=122), row_edges=(0, 122),
                      col_edges=(0, 365, 730), cells=(cells,))  # fmt: skip
    words = [TextWord(text="Agents", bbox=BBox(x0=10, y0=-60, x1=90, y1=-30))] + [
        TextWord(text=t, bbox=BBox(x0=c.x0 + x, y0=6, x1=c.x0 + x + 50, y1=24))
        for c, name in zip(cells, ("1. Sana Sheikh", "2. Imran Mirza"), strict=True)
        for x, t in zip((5, 60, 120), name.split(), strict=True)
    ]
    signature = TextWord(text="ht", bbox=BBox(x0=196, y0=32, x1=298, y1=98))
    boxes = _signature_boxes([table], [*words, signature], resolve_template("pk-form45"), set())
    agents = [b for b in boxes if b.role.value == "polling_agent"]
    assert [b.label for b in agents] == ["1. Sana Sheikh", "2. Imran Mirza"]
    assert [b.bbox.y0 for b in agents] == [28, 28]


def _header_row(texts: tuple[str, ...]) -> tuple[GridTable, tuple[BBox, ...]]:
    xs = tuple(range(0, 300 * len(texts) + 1, 300))
    cells = tuple(BBox(x0=a, y0=0, x1=b, y1=90) for a, b in itertools.pairwise(xs))
    table = GridTable(bbox=BBox(x0=0, y0=0, x1=xs[-1], y1=90), row_edges=(0, 90),
                      col_edges=xs, cells=(cells,))  # fmt: skip
    return table, cells


def _read(cells: tuple[BBox, ...], texts: tuple[str, ...]) -> list[TextWord]:
    return [
        TextWord(text=t, bbox=BBox(x0=c.x0 + 5 + 45 * i, y0=30, x1=c.x0 + 45 * (i + 1), y1=60))
        for c, text in zip(cells, texts, strict=True)
        for i, t in enumerate(text.split())
    ]


def test_a_header_read_that_lost_a_word_does_not_give_a_column_the_wrong_meaning() -> None:
    """The page-wide read lost "Total" of "Total Valid Votes" and "Candidate": alone, it
    gives the total column the meaning "votes". Read again, the row is read in full; the
    read that gave meaning to more columns decides and the first fills what it left."""
    from pipeline.stages.locate import _combined, _map_columns
    from pipeline.templates import resolve_template

    template = resolve_template("pk-form45")
    full = ("S.No", "Name of Candidate", "Party", "Valid Votes", "Tendered Votes",
            "Challenged Votes", "Total Valid Votes")  # fmt: skip
    table, cells = _header_row(full)
    page_wide = ("S.No", "Name of", "Party", "Valid Votes 99", "Tondered Votes",
                 "Challenged Votes", "Valid Votes 199")  # fmt: skip
    again = ("S.No", "Name of Candidate", "", "Valid Votes", "Tendered Votes",
             "Challenged Votes", "Total Valid Votes")  # fmt: skip
    first = _map_columns(table, _read(cells, page_wide), template)
    assert first["votes"] == (6, 6)  # what the page-wide read alone would make of it
    second = _map_columns(table, _read(cells, again), template)
    columns = _combined(first, second)
    assert columns == {spec.key: (j, j) for j, spec in enumerate(template.candidates.columns)}


def test_the_one_column_every_read_half_lost_takes_the_one_key_left() -> None:
    """A blurred 150-dpi photo: "Challenged Votes" reads "Votes" in every read. The one
    column left shares a word with the one key left's labels: it takes that key; a column
    whose header shares no word with any key left stays without meaning."""
    from pipeline.stages.locate import _by_elimination, _map_columns
    from pipeline.templates import resolve_template

    template = resolve_template("pk-form45")
    read = ("wNe", "Name of Candidate", "Party", "Valid Votes", "Tendered Votes", "Votes 99",
            "Total Valid Votes")  # fmt: skip
    table, cells = _header_row(read)
    words = _read(cells, read)
    columns = _map_columns(table, words, template)
    assert "challenged_votes" not in columns and "serial" not in columns
    joined = _by_elimination(table, columns, [words], template)
    assert joined == {**columns, "challenged_votes": (5, 5)}
    two_left = ("wNe", "Name of Candidate", "Party", "Valid Votes", "Votes", "Votes 99",
                "Total Valid Votes")  # fmt: skip
    words = _read(cells, two_left)
    columns = _map_columns(table, words, template)
    assert _by_elimination(table, columns, [words], template) == columns  # which is which?


def _pk45_header_read(
    texts: tuple[str, ...],
) -> tuple[Template, GridTable, list[TextWord], dict[str, tuple[int, int]]]:
    """A pk-form45 candidates header row reading `texts`, and the columns it gives."""
    from pipeline.stages.locate import _map_columns
    from pipeline.templates import resolve_template

    template = resolve_template("pk-form45")
    table, cells = _header_row(texts)
    words = _read(cells, texts)
    return template, table, words, _map_columns(table, words, template)


def test_two_columns_every_read_half_lost_take_the_templates_order_between_read_ones() -> None:
    """Seed 9002's PS-88_ps146, a blurred 150-dpi phone photo: "Tendered Votes" and
    "Challenged Votes" both read "Votes", so no word tells which is which; between the
    columns read ("Valid Votes", "Total Valid Votes") lie two columns and the template's
    two keys, which they take in order. Columns read out of the template's order: nothing."""
    from pipeline.stages.locate import _lost_columns

    two_left = ("wNe", "Name of Candidate", "Party", "Valid Votes", "Votes", "Votes 99",
                "Total Valid Votes")  # fmt: skip
    template, table, words, columns = _pk45_header_read(two_left)
    joined, by_order = _lost_columns(table, columns, [words], template)
    assert by_order
    assert joined["tendered_votes"] == (4, 4) and joined["challenged_votes"] == (5, 5)
    assert joined["total_valid_votes"] == (6, 6) and joined["votes"] == (3, 3)
    out_of_order = ("wNe", "Name of Candidate", "Party", "Total Valid Votes", "Votes",
                    "Votes 99", "Valid Votes")  # fmt: skip
    template, table, words, columns = _pk45_header_read(out_of_order)
    assert _lost_columns(table, columns, [words], template) == (columns, False)


def test_columns_no_read_gave_meaning_are_filled_in_the_templates_order_between_read_ones() -> None:
    """Seed 9002's PS-67_ps152 page 2, a blurred 150-dpi phone photo: "Valid" of "Valid
    Votes" and "Challenged" are lost, so no column means "votes". Between "Party" and
    "Tendered Votes" lies one column and one key of the template, and so on: each gap
    takes its keys in order. A gap with more columns than keys, or columns read out of the
    template's order, gives nothing."""
    from pipeline.stages.locate import _candidates_table, _in_template_order, _map_columns
    from pipeline.templates import resolve_template

    template = resolve_template("pk-form45")
    read = ("She gad pow", "hare Candcste S", "Paty lee", "Votes wy", "Tendered votes 99",
            "Votes dad", "Total Votes ye J")  # fmt: skip
    table, cells = _header_row(read)
    words = _read(cells, read)
    assert _candidates_table([table], set(), words, template) == (None, {})
    columns = _map_columns(table, words, template)
    assert "votes" not in columns and len(columns) >= 3
    everything = {spec.key: (j, j) for j, spec in enumerate(template.candidates.columns)}
    assert _in_template_order(table.n_cols, columns, template) == everything
    assert _candidates_table([table], set(), words, template, by_order=True) == (0, everything)
    assert _in_template_order(table.n_cols + 1, columns, template) == {
        **columns,
        **{k: v for k, v in everything.items() if v[0] in (0, 1, 3, 5)},
    }  # one column more after the total: that gap alone stays empty
    swapped = {"party": (4, 4), "tendered_votes": (2, 2), "total_valid_votes": (6, 6)}
    assert _in_template_order(table.n_cols, swapped, template) == swapped


def _officers_table(
    xs: tuple[int, ...], labels: tuple[str, str]
) -> tuple[GridTable, list[TextWord]]:
    """Two rows 200 pixels high with cells between the column edges `xs`, each row's
    first cell bearing its label's words."""
    rows = tuple(
        tuple(BBox(x0=a + 4, y0=y + 4, x1=b - 4, y1=y + 196) for a, b in itertools.pairwise(xs))
        for y in (0, 200)
    )
    table = GridTable(bbox=BBox(x0=0, y0=0, x1=xs[-1], y1=400), row_edges=(0, 200, 400),
                      col_edges=xs, cells=rows)  # fmt: skip
    words = [
        TextWord(text=t, bbox=BBox(x0=10 + 110 * i, y0=y + 20, x1=100 + 110 * i, y1=y + 50))
        for y, label in zip((0, 200), labels, strict=True)
        for i, t in enumerate(label.split())
    ]
    return table, words


BOTH_OFFICERS = [
    ("presiding_officer", "signature"),
    ("presiding_officer", "thumb_impression"),
    ("assistant_presiding_officer", "signature"),
    ("assistant_presiding_officer", "thumb_impression"),
]


def _officers_roles(labels: tuple[str, str]) -> list[tuple[str, str]]:
    """The boxes (role, kind) Form 45's officers' table yields with its rows so labelled."""
    from pipeline.stages.locate import _signature_boxes
    from pipeline.templates import resolve_template

    table, words = _officers_table((0, 500, 1060, 1300), labels)
    boxes = _signature_boxes([table], words, resolve_template("pk-form45"), set())
    return [(b.role.value, b.kind) for b in boxes]


def test_an_officers_box_cut_in_two_by_a_stroke_is_still_one_box() -> None:
    """The presiding officer's signature has a near-vertical stroke taken for a ruling:
    the row reads label | sliver | rest of the box | thumb. The signature's box is both
    parts; the thumb impression's is still the last cell."""
    from pipeline.stages.locate import _signature_boxes
    from pipeline.templates import resolve_template

    table, words = _officers_table(
        (0, 500, 660, 1060, 1300), ("Presiding Officer", "Assistant Presiding Officer")
    )
    rows = table.cells
    boxes = _signature_boxes([table], words, resolve_template("pk-form45"), set())
    officer = {(b.role.value, b.kind): b.bbox for b in boxes}
    assert officer[("presiding_officer", "signature")] == BBox(x0=504, y0=4, x1=1056, y1=196)
    assert officer[("presiding_officer", "thumb_impression")] == rows[0][3]
    assert officer[("assistant_presiding_officer", "signature")].x1 == 1056


def test_agents_labels_the_page_wide_read_lost_are_read_again() -> None:
    """The reduced page-wide read can lose an agent's printed name ("5. Bilawal Khan" on
    a seed-9002 page): a box with print at its head and no word is read again."""
    from dataclasses import replace

    page = normalise_page(load_pages(SAMPLES / "NA-17_ps005.pdf", limits=Limits())[1])
    assert page.printed_words is not None

    def agents(located: LocatedForm) -> list[str]:
        return [b.label for b in located.signature_boxes if b.role.value == "polling_agent"]

    read = agents(locate_form(page, bundled_templates()))
    assert len(read) == 19
    heads = [
        b.label_box
        for b in locate_form(page, bundled_templates()).signature_boxes
        if b.role.value == "polling_agent" and b.label_box is not None
    ]
    lost = tuple(w for w in page.printed_words if not any(h.iou(w.bbox) > 0 for h in heads))
    again = agents(locate_form(replace(page, printed_words=lost), bundled_templates()))
    # the same boxes, each named by its serial number (read "1." again, "1," at first)
    assert [re.findall(r"\d+", x)[:1] for x in again] == [[str(i)] for i in range(1, 20)]


def test_officers_labels_the_page_wide_read_lost_are_read_again() -> None:
    """The officers' rows ("Presiding Officer (signature / thumb)" | sign | thumb): a row
    label the reduced read lost (a seed-9002 page lost both) is read again at full size."""
    from dataclasses import replace

    page = normalise_page(load_pages(SAMPLES / "NA-17_ps005.pdf", limits=Limits())[1])
    assert page.printed_words is not None

    def officers(located: LocatedForm) -> list[tuple[str, str]]:
        return [
            (b.role.value, b.kind)
            for b in located.signature_boxes
            if b.role.value != "polling_agent"
        ]

    located = locate_form(page, bundled_templates())
    assert len(officers(located)) == 4  # presiding and assistant: signature and thumb
    labels = [
        b.label_box
        for b in located.signature_boxes
        if b.role.value != "polling_agent" and b.label_box is not None
    ]
    lost = tuple(w for w in page.printed_words if not any(h.iou(w.bbox) > 0 for h in labels))
    assert officers(locate_form(replace(page, printed_words=lost), bundled_templates())) == (
        officers(located)
    )
    # the presiding officer's label misread as a stray word (Urdu read as Latin: "gail"),
    # the assistant's read: the officers' table has its other rows read again
    first = labels[0]
    stray = TextWord(
        text="gail", bbox=BBox(x0=first.x0 + 5, y0=first.y0 + 5, x1=first.x0 + 60, y1=first.y0 + 30)
    )
    misread = (*(w for w in page.printed_words if first.iou(w.bbox) == 0), stray)
    assert officers(locate_form(replace(page, printed_words=misread), bundled_templates())) == (
        officers(located)
    )


def test_officers_labels_all_misread_are_read_again_in_a_table_of_their_shape() -> None:
    """Both officers' labels misread (a phone photo at 150 dpi, seed 9012's NA-168_ps088:
    "Preeding (ssynature / thumb)", "Ullmer 7 thumb)"): no row names an officer, so the
    table shaped as theirs (a row each: label | sign | thumb) has its labels read again."""
    from dataclasses import replace

    page = normalise_page(load_pages(SAMPLES / "NA-17_ps005.pdf", limits=Limits())[1])
    assert page.printed_words is not None
    located = locate_form(page, bundled_templates())
    labels = [
        b.label_box
        for b in located.signature_boxes
        if b.role.value != "polling_agent" and b.kind == "signature" and b.label_box is not None
    ]
    assert len(labels) == 2
    junk = tuple(
        TextWord(text=text, bbox=BBox(x0=box.x0 + 5, y0=box.y0 + 5, x1=box.x0 + 90, y1=box.y0 + 30))
        for text, box in zip(("Preeding", "Ullmer"), labels, strict=True)
    )
    misread = (*(w for w in page.printed_words if all(b.iou(w.bbox) == 0 for b in labels)), *junk)
    again = locate_form(replace(page, printed_words=misread), bundled_templates())
    roles = [
        (b.role.value, b.kind) for b in again.signature_boxes if b.role.value != "polling_agent"
    ]
    assert roles == [
        (b.role.value, b.kind) for b in located.signature_boxes if b.role.value != "polling_agent"
    ]


def test_an_officers_label_that_lost_its_first_word_takes_the_templates_order() -> None:
    """ "Presiding Officer (signature / thumb)" read on both rows of the officers' table
    (the assistant's "Assistant" lost, seed 9012's NA-168_ps088): the rows are the
    officers in the template's order, not the presiding officer twice."""
    from pipeline.stages.locate import _signature_boxes
    from pipeline.templates import resolve_template

    table, words = _officers_table((0, 500, 1060, 1300), ("Presiding Officer",) * 2)
    rows = table.cells
    template = resolve_template("pk-form45")
    assert _officers_roles(("Presiding Officer",) * 2) == BOTH_OFFICERS
    # a table of another shape (two cells a row) keeps what its labels say
    narrow = GridTable(bbox=table.bbox, row_edges=table.row_edges, col_edges=(0, 500, 1300),
                       cells=tuple(row[:2] for row in rows))  # fmt: skip
    roles = [b.role.value for b in _signature_boxes([narrow], words, template, set())]
    assert roles == ["presiding_officer", "presiding_officer"]


def test_the_returning_officers_box_cut_by_a_stroke_is_still_one_box() -> None:
    """Form 47 prints the returning officer's row as label | signature | thumb too: a
    stroke taken for a ruling left the signature's box a sliver, and the signature was
    judged absent on two seed-9002 Form 47s."""
    from pipeline.stages.locate import _signature_boxes
    from pipeline.templates import resolve_template

    xs = (0, 500, 540, 1060, 1300)
    row = tuple(BBox(x0=a + 4, y0=4, x1=b - 4, y1=196) for a, b in itertools.pairwise(xs))
    table = GridTable(bbox=BBox(x0=0, y0=0, x1=1300, y1=200), row_edges=(0, 200),
                      col_edges=xs, cells=(row,))  # fmt: skip
    words = [
        TextWord(text=t, bbox=BBox(x0=10 + 110 * i, y0=20, x1=100 + 110 * i, y1=50))
        for i, t in enumerate(["Returning", "Officer", "(signature", "/", "thumb)"])
    ]
    boxes = _signature_boxes([table], words, resolve_template("pk-form47"), set())
    found = {b.kind: b.bbox for b in boxes if b.role.value == "returning_officer"}
    assert found["signature"] == BBox(x0=504, y0=4, x1=1056, y1=196)
    assert found["thumb_impression"] == row[3]


def test_kenya_form34_has_no_correction_fluid(
    kenya_page: NormalisedPage, kenya_located: LocatedForm
) -> None:
    # its crossed-out rows of digit boxes on hatched grey paper: the boxes' printed edges
    # made a 10-level "shadow" on two sides of one cell (tamper.SHADOW_DEPTH: 12)
    from pipeline.stages.tamper import tamper_findings

    assert tamper_findings(kenya_page, kenya_located, evidence_dir=None) == ()


def test_an_officers_row_unread_beside_one_that_lost_its_first_word_takes_the_templates_order() -> (
    None
):
    """The presiding officer's row unread (a shadow over it) and the assistant's read
    "Prewding Officer", which names the presiding officer (seed 9062's PS-230_ps138): the
    rows are the officers in the template's order, so the presiding officer's unsigned
    box is looked at. A row read as the assistant's in the first place is no such
    order, and the table keeps what its labels say."""
    assert _officers_roles(("xx", "Presiding Officer")) == BOTH_OFFICERS
    assert _officers_roles(("Assistant Presiding Officer", "xx")) == BOTH_OFFICERS[2:]
