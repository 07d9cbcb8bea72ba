"""The locate stage: find the form's structure and what each part means.

Ruled tables come from the page's ink (`grid.find_tables`); their meaning comes from the
printed labels read by OCR and matched against the template's labels (English or Urdu),
never from pixel positions. Output: a `LocatedForm` in normalised page pixels.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

from pipeline.layout import (
    GridTable,
    LocatedCandidateRow,
    LocatedField,
    LocatedForm,
    SignatureBox,
)
from pipeline.model import BBox
from pipeline.pages import NormalisedPage, TextWord
from pipeline.stages.grid import (
    find_tables,
    shaded_text,
    without_pen_strokes,
    without_signature_columns,
)
from pipeline.stages.labels import (
    MATCH_THRESHOLD,
    best_label_score,
    heading_score,
    keyword_hits,
    label_match,
    normalise_text,
)
from pipeline.stages.printed import page_words, read_printed, read_region
from pipeline.templates import FieldSpec, Labels, SignatureSpec, Template


def words_in(words: Sequence[TextWord], box: BBox) -> list[TextWord]:
    """Words whose centre lies in the box, in reading order."""
    x0, x1, y0, y1 = 2 * box.x0, 2 * box.x1, 2 * box.y0, 2 * box.y1
    inside = [w for w in words if x0 <= w.centre2[0] < x1 and y0 <= w.centre2[1] < y1]
    return reading_order(inside)


def reading_order(words: Sequence[TextWord]) -> list[TextWord]:
    """Group words into lines (overlapping vertical centres), lines top-down, then along."""
    lines: list[list[TextWord]] = []
    for word in sorted(words, key=lambda w: (w.bbox.y0 + w.bbox.y1) / 2):
        centre = (word.bbox.y0 + word.bbox.y1) / 2
        if lines:
            last = lines[-1]
            mean = sum((w.bbox.y0 + w.bbox.y1) / 2 for w in last) / len(last)
            height = max(w.bbox.height for w in last)
            if abs(centre - mean) < 0.5 * max(height, word.bbox.height):
                last.append(word)
                continue
        lines.append([word])
    return [w for line in lines for w in _along_line(line)]


def _right_to_left(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff")
    return bool(letters) and arabic * 2 > len(letters)


def _along_line(line: Sequence[TextWord]) -> list[TextWord]:
    """A line's words in reading order: right to left for Urdu (Arabic script)."""
    if _right_to_left("".join(w.text for w in line)):
        return sorted(line, key=lambda w: -w.bbox.x1)
    return sorted(line, key=lambda w: w.bbox.x0)


def cell_text(words: Sequence[TextWord], box: BBox) -> str:
    return " ".join(w.text for w in words_in(words, box))


def _ranked(
    text: str, templates: Sequence[Template], *, fuzzy: bool
) -> list[tuple[int, str, Template]]:
    scored = ((keyword_hits(text, t.title_keywords, fuzzy=fuzzy), t.name, t) for t in templates)
    return sorted(scored, key=lambda s: (s[0], s[1]), reverse=True)


def identify(
    words: Sequence[TextWord], templates: Sequence[Template]
) -> tuple[Template | None, float]:
    """The template whose title keywords the page carries, and a confidence.

    Exact keywords first; when none is found, keywords with an OCR letter slip.
    """
    text = " ".join(w.text for w in words)
    scored = _ranked(text, templates, fuzzy=False)
    if scored and scored[0][0] == 0:
        scored = _ranked(text, templates, fuzzy=True)
    if not scored or scored[0][0] == 0:
        return None, 0.0
    runner_up = scored[1][0] if len(scored) > 1 else 0
    confidence = min(1.0, 0.4 + 0.2 * scored[0][0]) * (0.6 if scored[0][0] == runner_up else 1.0)
    return scored[0][2], confidence


MAX_HEADER_SPAN = 4  # a merged header cell may cover up to this many ruled columns


def _map_columns(
    table: GridTable, words: Sequence[TextWord], template: Template
) -> dict[str, tuple[int, int]]:
    """Column key -> (first, last) column index, from the header row's printed labels.

    A label may be printed across a merged header cell that covers several ruled columns
    (e.g. one "Votes" heading over a row of digit boxes): adjacent header cells are joined
    and the key takes the whole span.
    """
    assert template.candidates is not None
    header = [cell_text(words, cell) for cell in table.cells[0]]
    spans = [
        (j, k, " ".join(header[j : k + 1]).strip())
        for j in range(len(header))
        for k in range(j, min(len(header), j + MAX_HEADER_SPAN))
        if header[j] and header[k]
    ]
    pairs = sorted(
        (
            (round(_heading(text, spec.labels, j == k), 3), -(k - j), spec.key, j, k)
            for spec in template.candidates.columns
            for j, k, text in spans
        ),
        reverse=True,
    )
    mapping: dict[str, tuple[int, int]] = {}
    used: set[int] = set()
    for score, _, key, j, k in pairs:
        span = set(range(j, k + 1))
        if score >= MATCH_THRESHOLD and key not in mapping and not span & used:
            mapping[key] = (j, k)
            used |= span
    return mapping


def _heading(text: str, labels: Labels, one_cell: bool) -> float:
    """A label found anywhere among one cell's words counts; across joined cells only at
    their start (a label inside two neighbours' joined text belongs to one of them)."""
    return heading_score(text, labels) if one_cell else best_label_score(text, labels)


def _span_box(row: Sequence[BBox], first: int, last: int) -> BBox:
    return BBox(
        x0=row[first].x0,
        y0=min(c.y0 for c in row[first : last + 1]),
        x1=row[last].x1,
        y1=max(c.y1 for c in row[first : last + 1]),
    )


def _key_values(
    tables: Sequence[GridTable],
    skip: set[int],
    words: Sequence[TextWord],
    specs: Sequence[FieldSpec],
) -> list[LocatedField]:
    """Label cell -> value cell (to its right), for every spec, best match first."""
    candidates = []
    for t, table in enumerate(tables):
        if t in skip:
            continue
        for row in table.cells:
            for j in range(len(row) - 1):
                text = cell_text(words, row[j])
                if not text:
                    continue
                for spec in specs:
                    score, size = label_match(text, spec.labels)
                    if score >= MATCH_THRESHOLD:
                        candidates.append((score, size, spec.key, row[j], row[j + 1], text))
    found: dict[str, LocatedField] = {}
    used: set[tuple[int, int]] = set()
    ranked = sorted(candidates, key=lambda c: (-round(c[0], 6), -c[1]))
    for _score, _size, key, label_box, value_box, text in ranked:
        if key in found or (value_box.x0, value_box.y0) in used:
            continue
        found[key] = LocatedField(
            key=key, value_box=value_box, label_box=label_box, label_text=text
        )
        used.add((value_box.x0, value_box.y0))
    return [found[s.key] for s in specs if s.key in found]


AGENT_BOX_SHARE = 0.5  # of the agents' grid's usual cell height or width: a cut cell
LABEL_INK = 60  # ink pixels where a box's label is printed: print the read may have lost
# a word at an agent's box's head over this many times as tall as the page's words' median,
# below the line of its print, is a signature read as a word, no part of the label: seed
# 9048's NA-13_ps183, "ht" (66 pixels) after "1. Sana Sheikh" (18) put the box's top 24
# pixels into the signature, cut short there and judged a refusal note, so never compared
# with the box it was cloned from
LABEL_TALL = 2.0


def _signature_boxes(
    tables: Sequence[GridTable], words: Sequence[TextWord], template: Template, skip: set[int]
) -> list[SignatureBox]:
    boxes: list[SignatureBox] = []
    printed = _printed_height(words)
    officers = [s for s in template.signatures if not s.per_candidate]
    for t, table in enumerate(tables):
        if t in skip:
            continue
        texts = [cell_text(words, row[0]) for row in table.cells]
        best = [
            max(
                ((best_label_score(text, s.labels), i) for i, s in enumerate(officers)),
                default=None,
            )
            for text in texts
        ]
        roles = [b[1] for b in best if b is not None and b[0] >= MATCH_THRESHOLD]
        # every row of the officers' table names one, but one officer twice: a label's
        # first word lost ("Presiding Officer" read for "Assistant Presiding Officer"):
        # the rows are the officers in the template's order; so too where some rows are
        # unread and the others name none against that order (`_in_order_but_unread`)
        twice = len(roles) == len(table.cells) > len(set(roles))
        unread = bool(roles) and _in_order_but_unread(best, officers)
        if (twice or unread) and _officers_shape(table, officers):
            best = [(1.0, i) for i in range(len(officers))]
        for row, text, scored in zip(table.cells, texts, best, strict=True):
            if scored is None or scored[0] < MATCH_THRESHOLD or len(row) < 2:
                continue
            spec = officers[scored[1]]
            # label | signature | thumb: a signature's stroke taken for a ruling cuts
            # the signature box in two; every cell between the label and the thumb
            # impression's box (the row's last) is the signature's
            thumb = row[-1] if spec.thumb_impression and len(row) > 2 else None
            last = len(row) - 2 if thumb is not None else 1
            boxes.append(
                SignatureBox(
                    role=spec.role, bbox=_span_box(row, 1, last), label=text, label_box=row[0]
                )
            )
            if thumb is not None:
                boxes.append(
                    SignatureBox(
                        role=spec.role,
                        bbox=thumb,
                        label=text,
                        label_box=row[0],
                        kind="thumb_impression",
                    )
                )
    for spec in (s for s in template.signatures if s.per_candidate):
        for cell in _agent_cells(tables, words, spec, skip):
            # the printed label (the candidate) heads the box; a grid cell without
            # one is the unused end of the last row, not an agent's box
            label_words = _label_words(words, cell, printed)
            if not label_words:
                continue
            top = min(max(w.bbox.y1 for w in label_words), cell.y0 + int(cell.height * 0.4))
            area = BBox(x0=cell.x0, y0=min(top + 4, cell.y1 - 10), x1=cell.x1, y1=cell.y1)
            boxes.append(
                SignatureBox(
                    role=spec.role,
                    bbox=area,
                    label=" ".join(w.text for w in label_words),
                    label_box=BBox(x0=cell.x0, y0=cell.y0, x1=cell.x1, y1=area.y0),
                )
            )
    return boxes


def _replaced(tables: tuple[GridTable, ...], index: int, table: GridTable) -> tuple[GridTable, ...]:
    return (*tables[:index], table, *tables[index + 1 :])


def _officers_tables(
    tables: Sequence[GridTable], words: Sequence[TextWord], template: Template, skip: set[int]
) -> list[int]:
    """The indices of the tables with a row labelled for an officer's signature."""
    officers = [s for s in template.signatures if not s.per_candidate]
    return [
        t
        for t, table in enumerate(tables)
        if t not in skip
        and any(
            best_label_score(cell_text(words, row[0]), s.labels) >= MATCH_THRESHOLD
            for row in table.cells
            for s in officers
        )
    ]


def _agents_table(
    tables: Sequence[GridTable], words: Sequence[TextWord], spec: SignatureSpec, skip: set[int]
) -> int | None:
    """The index of the agents' grid: the first table under the heading that names them."""
    headings = [
        w
        for w in words
        if best_label_score(w.text, spec.labels) > 0 and w.text.casefold().startswith("agent")
    ]
    heading_y = min((w.bbox.y1 for w in headings), default=None)
    below = [
        t
        for t, table in enumerate(tables)
        if t not in skip and heading_y is not None and 0 <= table.bbox.y0 - heading_y < 200
    ]
    return below[0] if below else None


def _agent_cells(
    tables: Sequence[GridTable], words: Sequence[TextWord], spec: SignatureSpec, skip: set[int]
) -> list[BBox]:
    """The cells of the agents' grid (`_agents_table`), but slivers under half its usual
    height or width (a box cut by a stroke taken for a ruling: too little of it is left
    to judge a signature by)."""
    index = _agents_table(tables, words, spec, skip)
    if index is None:
        return []
    cells = [cell for row in tables[index].cells for cell in row]
    heights, widths = sorted(c.height for c in cells), sorted(c.width for c in cells)
    usual_height = heights[len(heights) // 2] if heights else 0
    usual_width = widths[len(widths) // 2] if widths else 0
    return [
        c
        for c in cells
        if c.height >= AGENT_BOX_SHARE * usual_height and c.width >= AGENT_BOX_SHARE * usual_width
    ]


def _label_words(words: Sequence[TextWord], cell: BBox, printed: float) -> list[TextWord]:
    """The words printed at the head of an agent's box (its candidate's name): words with
    a letter or a figure, not a speck or a fold's shadow read as "-" (seed 9023's
    PB-197_ps117: the last row of the grid holds one box, two more were cut under the
    columns above and taken for agents' boxes by a "-" and a "- -"), nor the signature
    read as a word: over LABEL_TALL times the `printed` height, and not on the line of
    the print (a printed name read with a stroke of the signature it touches is)."""
    head = [
        w
        for w in words_in(words, cell)
        if w.bbox.y0 < cell.y0 + cell.height * 0.3 and any(c.isalnum() for c in w.text)
    ]
    print_ = [w for w in head if w.bbox.height <= LABEL_TALL * printed]
    if not print_:
        return []
    line = min(w.bbox.y0 for w in print_) + printed / 2
    return [w for w in head if w in print_ or w.bbox.y0 <= line]


def _printed_height(words: Sequence[TextWord]) -> float:
    """The height of the page's print: its words' median."""
    return float(np.median([w.bbox.height for w in words])) if words else 0.0


def _mark_labels_again(
    tables: Sequence[GridTable],
    words: Sequence[TextWord],
    template: Template,
    skip: set[int],
    text_ink: np.ndarray,
    shaded: Callable[[], np.ndarray],
) -> tuple[TextWord, ...]:
    """The page's words, with the signature boxes' printed labels that the page-wide read
    lost or misread read again at full size (replacing what it made of them) where the
    label's place carries print: the head of each agent's box without a word (an empty
    box is the grid's unused end), the first cell without a word of each row of the other
    tables (an officer's row: "Presiding Officer (signature / thumb)" | sign | thumb),
    and in the officers' table (a row of it names one) a row whose label names none."""
    agents = [
        cell
        for spec in template.signatures
        if spec.per_candidate
        for cell in _agent_cells(tables, words, spec, skip)
    ]
    printed = _printed_height(words)
    heads = [
        BBox(x0=c.x0, y0=c.y0, x1=c.x1, y1=c.y0 + max(1, int(c.height * 0.3)))
        for c in agents
        if not _label_words(words, c, printed)
    ]
    officers = [s for s in template.signatures if not s.per_candidate]
    if officers:

        def officer(cell: BBox) -> bool:
            text = cell_text(words, cell)
            return any(best_label_score(text, s.labels) >= MATCH_THRESHOLD for s in officers)

        labelled = {
            t: [row[0] for row in table.cells if len(row) >= 2 and row[0] not in agents]
            for t, table in enumerate(tables)
            if t not in skip
        }
        anywhere = any(officer(cell) for labels in labelled.values() for cell in labels)
        for t, labels in labelled.items():
            # in the officers' table (a row of it names one), a row read as none: its
            # label was misread ("gail" for the presiding officer's, Urdu taken for Latin)
            named = any(officer(cell) for cell in labels)
            # no row of the page names one: the officers' table by its shape, every label
            # misread (a phone photo at 150 dpi: "Preeding (ssynature / thumb)")
            named = named or (not anywhere and _officers_shape(tables[t], officers))
            heads += [c for c in labels if not words_in(words, c) or (named and not officer(c))]
    kept = list(words)
    for head in heads:
        if np.count_nonzero(text_ink[head.y0 : head.y1, head.x0 : head.x1]) < LABEL_INK:
            continue
        again = read_region(shaded(), head, template.languages[0])
        if again:  # the full-size read replaces what the reduced one made of the label
            inside = set(map(id, words_in(kept, head)))
            kept = [w for w in kept if id(w) not in inside] + list(again)
    return tuple(kept)


def _in_order_but_unread(
    best: Sequence[tuple[float, int] | None], officers: Sequence[SignatureSpec]
) -> bool:
    """Whether an officers' table's rows, some of whose labels name no officer (unread:
    a shadow over them), name none against the template's order: each row read names
    its place's officer, or one whose label the place's holds whole (the assistant's
    "Presiding Officer" with "Assistant" lost). Seed 9062's PS-230_ps138, a phone photo
    with a shadow: the presiding officer's row unread, the assistant's read "Prewding
    Officer / pad! Bey = 3", taken for the presiding officer's, and his unsigned box
    never looked at."""
    if len(best) != len(officers):
        return False
    named = [
        (place, b[1]) for place, b in enumerate(best) if b is not None and b[0] >= MATCH_THRESHOLD
    ]
    return len(named) < len(best) and all(
        role == place or _label_within(officers[role], officers[place]) for place, role in named
    )


def _label_within(short: SignatureSpec, long: SignatureSpec) -> bool:
    """Whether one of an officer's labels is part of another's ("Presiding Officer" of
    "Assistant Presiding Officer")."""
    return any(a.casefold() in b.casefold() for a in short.labels.all() for b in long.labels.all())


def _officers_shape(table: GridTable, officers: Sequence[SignatureSpec]) -> bool:
    """A table shaped as the officers' of the template: a row for each, each row a label,
    a signature box (or two pieces of it: a stroke taken for a ruling cuts it) and, where
    the template asks for one, a thumb impression's box."""
    cells = 3 if all(s.thumb_impression for s in officers) else 2
    return len(table.cells) == len(officers) and all(
        cells <= len(row) <= cells + 1 for row in table.cells
    )


def _stamp_area(boxes: Sequence[SignatureBox], template: Template, width: int) -> BBox | None:
    if template.stamp is None:
        return None
    near = [b for b in boxes if b.role == template.stamp.near and b.kind == "signature"]
    if not near:
        return None
    box = near[0].bbox
    reach = 2 * box.height
    return BBox(x0=box.x0, y0=max(0, box.y0 - reach), x1=width, y1=box.y1 + reach)


def _contains(outer: BBox, inner: BBox, slack: int = 8) -> bool:
    return (
        outer.x0 - slack <= inner.x0
        and outer.y0 - slack <= inner.y0
        and inner.x1 <= outer.x1 + slack
        and inner.y1 <= outer.y1 + slack
    )


def frame_tables(tables: Sequence[GridTable]) -> set[int]:
    """Tables that enclose another table: page frames and borders, not content tables.

    Their "cells" span whole printed lines, so label matching inside them would pair a
    label with the sliver between two frame rules instead of its value box.
    """
    return {
        t
        for t, outer in enumerate(tables)
        if any(u != t and _contains(outer.bbox, inner.bbox) for u, inner in enumerate(tables))
    }


def _candidates_table(
    tables: Sequence[GridTable],
    frames: set[int],
    words: Sequence[TextWord],
    template: Template,
    *,
    by_order: bool = False,
) -> tuple[int | None, dict[str, tuple[int, int]]]:
    """The table whose header row carries the template's candidate columns, and its map
    (with `by_order`, the columns between those read filled by the template's order)."""
    assert template.candidates is not None
    needed = min(3, len(template.candidates.columns))
    best: tuple[int | None, dict[str, tuple[int, int]]] = (None, {})
    for t, table in enumerate(tables):
        if t in frames or table.n_cols < needed:
            continue
        mapping = _map_columns(table, words, template)
        if by_order and len(mapping) >= needed:
            mapping = _in_template_order(table.n_cols, mapping, template)
        if len(mapping) >= needed and "votes" in mapping and len(mapping) > len(best[1]):
            best = (t, mapping)
    return best


def _in_template_order(
    n_cols: int, columns: dict[str, tuple[int, int]], template: Template
) -> dict[str, tuple[int, int]]:
    """The columns between two columns read by their labels (or before the first, after
    the last), given the template's keys that lie between those two keys, in order, when
    there are exactly as many columns as keys; nothing when the columns read are not in
    the template's order. A blurred header that lost "Valid" of "Valid Votes" and
    "Challenged Votes" alike still has "Party", "Tendered Votes" and "Total Valid Votes"
    read around them."""
    assert template.candidates is not None
    order = [spec.key for spec in template.candidates.columns]
    read = sorted((first, last, key) for key, (first, last) in columns.items())
    if [order.index(key) for _, _, key in read] != sorted(order.index(k) for k in columns):
        return columns
    joined = dict(columns)
    bounds = [(-1, -1, -1), *((f, last, order.index(k)) for f, last, k in read)]
    bounds.append((n_cols, n_cols, len(order)))
    for (_, before, key_before), (after, _, key_after) in itertools.pairwise(bounds):
        free = range(before + 1, after)
        keys = order[key_before + 1 : key_after]
        if free and len(free) == len(keys):
            joined.update({key: (j, j) for key, j in zip(keys, free, strict=True)})
    return joined


def _header_rows_in(
    tables: Sequence[GridTable], frames: set[int], text_ink: np.ndarray, lang: str
) -> tuple[TextWord, ...]:
    """The header rows of the tables that could hold candidates, read in `lang`."""
    words: list[TextWord] = []
    for t, table in enumerate(tables):
        if t in frames or table.n_cols < 3:
            continue
        first, last = table.cells[0][0], table.cells[0][-1]
        strip = BBox(x0=first.x0, y0=first.y0, x1=last.x1, y1=max(c.y1 for c in table.cells[0]))
        words.extend(read_region(text_ink, strip, lang))
    return tuple(words)


def _join_columns(
    columns: dict[str, tuple[int, int]], more: dict[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    """Columns of a second read of the header row that the first did not give meaning to."""
    joined = dict(columns)
    used = {i for first, last in columns.values() for i in range(first, last + 1)}
    for key, (first, last) in more.items():
        span = set(range(first, last + 1))
        if key not in joined and not span & used:
            joined[key] = (first, last)
            used |= span
    return joined


def _combined(*readings: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """One column map from several reads of a header row: the read that gave meaning to
    most columns decides, the others fill what it left. A read that lost a word ("Valid
    Votes" for "Total Valid Votes") can give a column a wrong key that another read,
    seeing more of the row, contradicts."""
    ranked = sorted(readings, key=len, reverse=True)
    columns: dict[str, tuple[int, int]] = {}
    for reading in ranked:
        columns = _join_columns(columns, reading)
    return columns


def _by_elimination(
    table: GridTable,
    columns: dict[str, tuple[int, int]],
    reads: Sequence[Sequence[TextWord]],
    template: Template,
) -> dict[str, tuple[int, int]]:
    """Columns no read gave meaning to, each given the template's one key left whose label
    shares a word with the column's header, when no other column left and no other key
    left could pair so. On a blurred photo "Challenged Votes" reads as "Votes" in every
    read, while its neighbours are read in full."""
    assert template.candidates is not None
    used = {i for first, last in columns.values() for i in range(first, last + 1)}
    free = {
        j: {w for read in reads for w in normalise_text(cell_text(read, cell)).split()}
        for j, cell in enumerate(table.cells[0])
        if j not in used
    }
    keys = {
        spec.key: {w for label in spec.labels.all() for w in normalise_text(label).split()}
        for spec in template.candidates.columns
        if spec.key not in columns
    }
    pairs = [(key, j) for key, words in keys.items() for j, seen in free.items() if words & seen]
    joined = dict(columns)
    for key, j in pairs:
        if sum(k == key for k, _ in pairs) == 1 and sum(i == j for _, i in pairs) == 1:
            joined[key] = (j, j)
    return joined


def _lost_columns(
    table: GridTable,
    columns: dict[str, tuple[int, int]],
    reads: Sequence[Sequence[TextWord]],
    template: Template,
) -> tuple[dict[str, tuple[int, int]], bool]:
    """The found table's columns whose labels every read lost: by the one key left that
    shares a word with the column's header, then, between two columns read, by the
    template's order where as many columns as keys lie between them. A blurred photo can
    read "Tendered Votes" and "Challenged Votes" alike as "Votes". Also says whether the
    order gave any."""
    joined = _by_elimination(table, columns, reads, template)
    ordered = _in_template_order(table.n_cols, joined, template)
    return ordered, len(ordered) > len(joined)


def _values_again(
    header: Sequence[LocatedField],
    words: Sequence[TextWord],
    shaded: Callable[[], np.ndarray],
    lang: str,
) -> tuple[TextWord, ...]:
    """Words of the header values the page-wide read left empty, read again at full size
    (a constituency code written small, lost at the page-wide read's reduced size)."""
    empty = [f.value_box for f in header if not words_in(words, f.value_box)]
    return tuple(w for box in empty for w in read_region(shaded(), box, lang))


def _missing(template: Template, header: Sequence[LocatedField]) -> list[str]:
    found = {f.key for f in header}
    return [s.key for s in template.header if s.required and s.key not in found]


def _totals_again(
    tables: Sequence[GridTable],
    skip: set[int],
    header: Sequence[LocatedField],
    totals: Sequence[LocatedField],
    words: Sequence[TextWord],
    template: Template,
    shaded: Callable[[], np.ndarray],
) -> list[LocatedField]:
    """Totals whose labels the reduced page-wide read lost ("Total Votes" of "Total Valid
    Votes" in a phone photo at 140 dpi): the label column of the tables that hold neither
    the candidates nor a header field, read again at full size. A page without such a
    table (a first page whose table runs on) costs nothing."""
    held = [f.value_box for f in header]
    labels = [
        table.cells[r][0]
        for t, table in enumerate(tables)
        if t not in skip and table.n_cols >= 2 and not any(table.bbox.contains(b) for b in held)
        for r in range(table.n_rows)
    ]
    if not labels:
        return list(totals)
    again = [w for box in labels for w in read_region(shaded(), box, template.languages[0])]
    lost = {id(w) for box in labels for w in words_in(words, box)}
    words = (*(w for w in words if id(w) not in lost), *again)
    more = _key_values(tables, skip, words, template.totals)
    return _add_fields(totals, more, template.totals, words, words)[0]


def _add_fields(
    header: Sequence[LocatedField],
    more: Sequence[LocatedField],
    specs: Sequence[FieldSpec],
    words: Sequence[TextWord],
    again: Sequence[TextWord],
) -> tuple[list[LocatedField], tuple[TextWord, ...]]:
    """Fields found only in a second read join those found first; their values are read
    from the second read's words too (what the first read missed of the label it most
    often missed of the value)."""
    found = {f.key for f in header}
    taken = {(f.value_box.x0, f.value_box.y0) for f in header}
    added = [
        f for f in more if f.key not in found and (f.value_box.x0, f.value_box.y0) not in taken
    ]
    boxes = [f.value_box for f in added]
    old = {id(w) for box in boxes for w in words_in(words, box)}
    new = [w for box in boxes for w in words_in(again, box)]
    order = {s.key: i for i, s in enumerate(specs)}
    fields = sorted([*header, *added], key=lambda f: order[f.key])
    return fields, (*(w for w in words if id(w) not in old), *new)


def locate_form(
    page: NormalisedPage, templates: Sequence[Template], *, forced: Template | None = None
) -> LocatedForm:
    """Find the tables, fields, candidate rows, signature boxes and stamp area."""
    ruled = find_tables(page.binary, page.rules)
    words = page.words if page.words is not None else page.printed_words
    if words is None:
        words = page_words(read_printed(ruled.text))
    template, confidence = (forced, 1.0) if forced else identify(words, templates)
    notes: list[str] = []
    tables = ruled.tables
    if template is None:
        return LocatedForm(
            template_name=None,
            form_type="unknown",
            type_confidence=0.0,
            tables=tables,
            header=(),
            candidate_rows=(),
            totals=(),
            signature_boxes=(),
            stamp_area=None,
            notes=("no template matched the printed title",),
            words=words,
        )
    frames = frame_tables(tables)

    @cache
    def shaded() -> np.ndarray:  # what is read again: the grey page, not its threshold
        return shaded_text(page.gray, ruled)

    candidates_index: int | None = None
    columns: dict[str, tuple[int, int]] = {}
    if template.candidates is not None:
        candidates_index, columns = _candidates_table(tables, frames, words, template)
        read_again: set[str] = set()  # languages the header rows were read in at full size
        header_reads: list[Sequence[TextWord]] = [words]
        for lang in template.languages:
            if candidates_index is not None:
                break
            # the page-wide read is at reduced size: small or blurred print (150 dpi) or an
            # Urdu-only printing is read again, header rows only, at full size
            again = _header_rows_in(tables, frames, shaded(), lang)
            read_again.add(lang)
            header_reads.append(again)
            candidates_index, columns = _candidates_table(tables, frames, again, template)
            if candidates_index is not None:  # what the page-wide read made of its header
                columns = _combined(
                    columns, _map_columns(tables[candidates_index], words, template)
                )
        if candidates_index is None:  # no read gave "votes": the template's order, last
            found = [
                _candidates_table(tables, frames, read, template, by_order=True)
                for read in header_reads
            ]
            candidates_index, columns = max(found, key=lambda f: len(f[1]))
            if candidates_index is not None:
                notes.append("candidate columns partly given by the template's order")
        if candidates_index is None:
            notes.append("candidates table not found")
        else:  # a column whose label a read lost: its header cells again
            table = tables[candidates_index]
            for lang in template.languages:
                if len(columns) == len(template.candidates.columns):
                    break
                if lang in read_again:  # the table was found in this read: nothing more
                    continue
                again = _header_rows_in([table], set(), shaded(), lang)
                header_reads.append(again)
                columns = _combined(columns, _map_columns(table, again, template))
            columns, by_order = _lost_columns(table, columns, header_reads, template)
            if by_order:
                notes.append("candidate columns partly given by the template's order")
    rows: list[LocatedCandidateRow] = []
    if candidates_index is not None:
        table = tables[candidates_index]
        for i, row in enumerate(table.cells[1:], start=1):
            cells = {key: _span_box(row, j, k) for key, (j, k) in columns.items()}
            line = BBox(x0=row[0].x0, y0=row[0].y0, x1=row[-1].x1, y1=row[0].y1)
            rows.append(LocatedCandidateRow(row_index=i, cells=cells, bbox=line))
    skip = frames | ({candidates_index} if candidates_index is not None else set())
    header = _key_values(tables, skip, words, template.header)
    text = " ".join(w.text.casefold() for w in words[:40])
    if page.words is None and "continued" not in text and _missing(template, header):
        # labels lost in the reduced page-wide read: the header's tables read again
        below = tables[candidates_index].bbox.y0 if candidates_index is not None else None
        regions = [
            table.bbox
            for t, table in enumerate(tables)
            if t not in skip and (below is None or table.bbox.y1 <= below)
        ]
        again = [w for r in regions for w in read_region(shaded(), r, template.languages[0])]
        more = _key_values(tables, skip, again, template.header)
        header, words = _add_fields(header, more, template.header, words, again)
    if page.words is None:
        words = (*words, *_values_again(header, words, shaded, template.languages[0]))
    totals = _key_values(tables, skip, words, template.totals)
    if page.words is None and len(totals) < len(template.totals):
        totals = _totals_again(tables, skip, header, totals, words, template, shaded)
    masks = (ruled.horizontal, ruled.vertical)
    for spec in (s for s in template.signatures if s.per_candidate):
        # long flat signatures side by side can add up to a rule across the agents' grid,
        # and a signature's tall stroke to a column rule
        index = _agents_table(tables, words, spec, skip)
        if index is not None:
            table = without_signature_columns(without_pen_strokes(tables[index], masks), masks)
            tables = _replaced(tables, index, table)
    if page.words is None:
        words = _mark_labels_again(tables, words, template, skip, ruled.text, shaded)
    for index in _officers_tables(tables, words, template, skip):
        # ... and one long flat signature in a pen's colour can cut an officer's row
        tables = _replaced(tables, index, without_pen_strokes(tables[index], masks, page.image))
    signatures = _signature_boxes(tables, words, template, skip)
    continuation = "continued" in text or (not header and candidates_index is not None)
    if not continuation:
        missing = _missing(template, header)
        if missing:
            notes.append(f"header fields not found: {', '.join(missing)}")
    return LocatedForm(
        template_name=template.name,
        form_type=template.type,
        type_confidence=confidence,
        tables=tables,
        header=tuple(header),
        candidate_rows=tuple(rows),
        totals=tuple(totals),
        signature_boxes=tuple(signatures),
        stamp_area=_stamp_area(signatures, template, page.gray.shape[1]),
        continuation=continuation,
        notes=tuple(notes),
        words=words,
        candidates_table=candidates_index,
    )
