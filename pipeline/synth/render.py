"""Draw a form sheet as printed A4 pages at 300 DPI, and say where everything is.

The printed structure comes from the template's labels (English and Urdu). The
"printing" varies with `FormSheet.printing_seed`: margins, column widths, row heights,
fonts, rule thickness and header field order, so no reader can rely on fixed pixels.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from pipeline.model import BBox, SignatureRole, SignatureStatus
from pipeline.synth.fonts import LATIN_FACES, font
from pipeline.synth.handwriting import (
    Hand,
    handwritten_number,
    overwrite_digit,
    printed_number,
)
from pipeline.synth.ink import BLACK_BALLPOINT, BLUE_BALLPOINT, STAMP_INKS, composite, white_out
from pipeline.synth.marks import (
    press_stamp,
    sign,
    signer_strokes,
    stamp_design,
    thumb_impression,
    written_note,
)
from pipeline.synth.sheet import Figure, FormSheet
from pipeline.templates import Template, resolve_template

PAGE_W, PAGE_H = 2480, 3508  # A4 at 300 DPI
ASTRAY_CLEARANCE = 40  # px between a stamp pressed astray and the agents' grid or page edge
COLUMN_SHARES = {
    "serial": 0.07,
    "name": 0.29,
    "party": 0.12,
    "votes": 0.13,
    "tendered_votes": 0.12,
    "challenged_votes": 0.12,
    "total_valid_votes": 0.15,
}


@dataclass
class RenderedPage:
    image: np.ndarray  # (H, W, 3) RGB uint8
    boxes: dict[str, BBox] = field(default_factory=dict)  # truth path -> box in page pixels
    candidate_indices: list[int] = field(default_factory=list)
    continuation: bool = False
    stamp_astray: bool = False  # the stamp pressed under the agents' grid (STAMP_MISPLACED)


@dataclass(frozen=True)
class Printing:
    margin: int
    row_h: int
    rule: int
    face: str
    header_row_h: int
    agents_per_row: int

    @staticmethod
    def from_seed(seed: int) -> Printing:
        rng = np.random.default_rng(seed)
        return Printing(
            margin=int(rng.integers(120, 200)),
            row_h=int(rng.integers(80, 96)),
            rule=int(rng.integers(2, 5)),
            face=str(rng.choice(LATIN_FACES)),
            header_row_h=int(rng.integers(104, 124)),
            agents_per_row=int(rng.integers(5, 7)),
        )


class MarkBank:
    """Pasted images shared across forms: one impression or signature, many forms."""

    def __init__(self) -> None:
        self.stamp_designs: dict[str, np.ndarray] = {}
        self.impressions: dict[str, np.ndarray] = {}
        self.strokes: dict[str, tuple[np.ndarray, ...]] = {}
        self.pasted_signatures: dict[str, np.ndarray] = {}


def _box(x0: float, y0: float, x1: float, y1: float) -> BBox:
    return BBox(x0=int(x0), y0=int(y0), x1=int(x1), y1=int(y1))


class _Painter:
    def __init__(
        self, sheet: FormSheet, template: Template, rng: np.random.Generator, bank: MarkBank
    ) -> None:
        self.sheet, self.template, self.rng, self.bank = sheet, template, rng, bank
        self.printing = Printing.from_seed(sheet.printing_seed)
        self.hand = Hand.random(rng)
        self.pen = BLUE_BALLPOINT if rng.random() < 0.6 else BLACK_BALLPOINT
        self.pages: list[RenderedPage] = []
        self.fluid: list[tuple[int, int, np.ndarray]] = []  # this page's correction fluid
        self.left = self.printing.margin
        self.right = PAGE_W - self.printing.margin

    # ------------------------------------------------------------------ primitives
    def new_page(self, continuation: bool) -> tuple[RenderedPage, ImageDraw.ImageDraw, Image.Image]:
        self.fluid = []
        paper = np.full((PAGE_H, PAGE_W, 3), 255, np.uint8)
        tone = self.rng.uniform(-14, -5, size=3)  # printing paper is off-white
        paper = np.clip(paper + tone, 0, 255).astype(np.uint8)
        image = Image.fromarray(paper)
        page = RenderedPage(image=paper, continuation=continuation)
        self.pages.append(page)
        return page, ImageDraw.Draw(image), image

    def text(
        self,
        draw: ImageDraw.ImageDraw,
        xy: tuple[float, float],
        text: str,
        size: int,
        *,
        bold: bool = False,
        urdu: bool = False,
        anchor: str = "la",
    ) -> None:
        face = (
            ("urdu_bold" if bold else "urdu")
            if urdu
            else ("sans_bold" if bold else self.printing.face)
        )
        draw.text(
            xy,
            text,
            font=font(face, size),
            fill=(25, 25, 25),
            anchor=anchor,
            direction="rtl" if urdu else None,
        )

    def label(
        self, draw: ImageDraw.ImageDraw, box: BBox, eng: str, urd: str | None, size: int = 27
    ) -> None:
        """A bilingual printed label: English top-left, Urdu bottom-right."""
        width = box.width - 16
        f = font(self.printing.face, size)
        words, lines, line = eng.split(), [], ""
        for word in words:
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=f) > width and line:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        y = box.y0 + 8
        for text in lines[:2]:
            self.text(draw, (box.x0 + 8, y), text, size)
            y += size + 4
        if urd:
            self.text(draw, (box.x1 - 8, box.y1 - 6), urd, size + 4, urdu=True, anchor="rd")

    def grid(self, draw: ImageDraw.ImageDraw, xs: list[int], ys: list[int]) -> None:
        r = self.printing.rule
        for x in xs:
            draw.line([(x, ys[0]), (x, ys[-1])], fill=(20, 20, 20), width=r)
        for y in ys:
            draw.line([(xs[0], y), (xs[-1], y)], fill=(20, 20, 20), width=r)

    def write_figure(self, canvas: np.ndarray, cell: BBox, figure: Figure, printed: bool) -> None:
        if figure.value is None:
            return
        if figure.correction_fluid:
            pad = 6
            x0, y0 = cell.x0 + pad, cell.y0 + pad
            patch = white_out(canvas, x0, y0, cell.x1 - pad, cell.y1 - pad, self.rng)
            self.fluid.append((x0, y0, patch))
        text = str(figure.value)
        over: np.ndarray | None = None
        over_colour = self.pen  # a typed figure, too, is changed by hand
        if printed:
            typed = printed_number(str(figure.overwritten_from or text), int(cell.height * 0.45))
            alpha = typed.alpha
            colour = (30, 30, 30)
        else:
            colour = self.pen
        if figure.overwritten_from is not None:
            original = str(figure.overwritten_from)
            written = (
                typed if printed else handwritten_number(original, cell.height, self.hand, self.rng)
            )
            position = next(
                i for i, (a, b) in enumerate(zip(original, text, strict=True)) if a != b
            )
            alpha, over = overwrite_digit(
                written, position, int(text[position]), self.hand, self.rng
            )
        elif not printed:
            alpha = handwritten_number(text, cell.height, self.hand, self.rng).alpha
        alpha = alpha[: cell.height - 4, : cell.width - 8]
        x = cell.x0 + int(self.rng.uniform(0.15, 0.55) * max(1, cell.width - alpha.shape[1]))
        y = cell.y0 + (cell.height - alpha.shape[0]) // 2 + int(self.rng.integers(-3, 4))
        composite(canvas, alpha, colour, x, y)
        if over is not None:  # the digit written over the first figure: a second layer of ink
            composite(canvas, over[: alpha.shape[0], : alpha.shape[1]], over_colour, x, y)

    # ------------------------------------------------------------------ blocks
    def title(self, draw: ImageDraw.ImageDraw, y: int) -> int:
        cx = PAGE_W // 2
        number = self.sheet.form_type.removeprefix("form")
        english = (
            "RESULT OF THE COUNT"
            if self.sheet.form_type == "form45"
            else "PROVISIONAL CONSOLIDATED STATEMENT OF THE RESULTS OF THE COUNT"
        )
        urdu = "نتیجہ گنتی" if self.sheet.form_type == "form45" else "عارضی مجموعی نتیجہ"
        self.text(draw, (cx, y), "ELECTION COMMISSION OF PAKISTAN", 40, bold=True, anchor="ma")
        self.text(draw, (cx, y + 62), f"FORM-{number}", 58, bold=True, anchor="ma")
        self.text(
            draw, (cx, y + 140), english, 38 if number == "45" else 32, bold=True, anchor="ma"
        )
        urdu_number = number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        self.text(draw, (cx, y + 196), f"فارم {urdu_number}  {urdu}", 44, urdu=True, anchor="ma")
        return y + 290

    def running_head(self, draw: ImageDraw.ImageDraw, y: int) -> int:
        number = self.sheet.form_type.removeprefix("form")
        station = self.sheet.header.get("polling_station_number")
        tail = f"  Polling Station {station}" if station is not None else ""
        self.text(
            draw,
            (self.left, y),
            f"FORM-{number} (continued)  {self.sheet.constituency}{tail}",
            34,
            bold=True,
        )
        return y + 80

    def header_grid(
        self, page: RenderedPage, draw: ImageDraw.ImageDraw, canvas: np.ndarray, y: int
    ) -> int:
        specs = list(self.template.header)
        order = self.rng.permutation(len(specs)) if self.rng.random() < 0.3 else range(len(specs))
        specs = [specs[i] for i in order]
        width = self.right - self.left
        lw, vw = int(width * 0.22), int(width * 0.28)
        xs = [self.left, self.left + lw, self.left + lw + vw, self.left + 2 * lw + vw, self.right]
        rows = math.ceil(len(specs) / 2)
        ys = [y + i * self.printing.header_row_h for i in range(rows + 1)]
        self.grid(draw, xs, ys)
        for i, spec in enumerate(specs):
            r, c = divmod(i, 2)
            label_box = _box(xs[2 * c], ys[r], xs[2 * c + 1], ys[r + 1])
            value_box = _box(xs[2 * c + 1], ys[r], xs[2 * c + 2], ys[r + 1])
            self.label(
                draw, label_box, spec.labels.eng[0], spec.labels.urd[0] if spec.labels.urd else None
            )
            page.boxes[f"header.{spec.key}"] = value_box
            value = self.sheet.header.get(spec.key)
            if value is None:
                continue
            if spec.key in self.sheet.header_handwritten and isinstance(value, int):
                self.write_figure(canvas, value_box, Figure(value), printed=False)
            elif isinstance(value, str) and any("\u0600" <= ch <= "\u06ff" for ch in value):
                self.text(
                    draw,
                    (value_box.x1 - 12, (value_box.y0 + value_box.y1) // 2),
                    value,
                    38,
                    urdu=True,
                    anchor="rm",
                )
            else:
                self.text(
                    draw,
                    (value_box.x0 + 14, (value_box.y0 + value_box.y1) // 2),
                    str(value),
                    36,
                    anchor="lm",
                )
        # a second grid row may be left half empty; rule it shut
        return ys[-1] + 50

    def table_columns(self) -> list[tuple[str, int, int]]:
        cols = [c for c in self.template.candidates.columns] if self.template.candidates else []
        shares = [COLUMN_SHARES[c.key] * self.rng.uniform(0.9, 1.1) for c in cols]
        total = sum(shares)
        width = self.right - self.left
        out, x = [], float(self.left)
        for col, share in zip(cols, shares, strict=True):
            w = width * share / total
            out.append((col.key, int(x), int(x + w)))
            x += w
        out[-1] = (out[-1][0], out[-1][1], self.right)
        return out

    def column_header(
        self, draw: ImageDraw.ImageDraw, cols: list[tuple[str, int, int]], y: int
    ) -> int:
        specs = (
            {c.key: c for c in self.template.candidates.columns} if self.template.candidates else {}
        )
        height = 150
        for key, x0, x1 in cols:
            spec = specs[key]
            self.label(
                draw,
                _box(x0, y, x1, y + height),
                spec.labels.eng[0],
                spec.labels.urd[0] if spec.labels.urd else None,
                size=26,
            )
        return y + height

    def candidate_rows(
        self,
        page: RenderedPage,
        draw: ImageDraw.ImageDraw,
        canvas: np.ndarray,
        cols: list[tuple[str, int, int]],
        y: int,
        indices: list[int],
    ) -> int:
        row_h = self.printing.row_h
        for index in indices:
            line = self.sheet.candidates[index]
            page.candidate_indices.append(index)
            for key, x0, x1 in cols:
                cell = _box(x0, y, x1, y + row_h)
                page.boxes[f"candidates[{index}].{key}"] = cell
                mid = y + row_h // 2
                if key == "serial":
                    self.text(draw, ((x0 + x1) // 2, mid), str(line.serial), 32, anchor="mm")
                elif key == "name":
                    if line.name_urdu:
                        self.text(draw, (x0 + 10, y + 6), line.name, 28)
                        self.text(
                            draw,
                            (x1 - 10, y + row_h - 4),
                            line.name_urdu,
                            30,
                            urdu=True,
                            anchor="rd",
                        )
                    else:
                        self.text(draw, (x0 + 10, mid), line.name, 30, anchor="lm")
                elif key == "party":
                    self.text(draw, (x0 + 10, mid), line.party, 30, anchor="lm")
                else:
                    figure = {
                        "votes": line.votes,
                        "tendered_votes": line.tendered,
                        "challenged_votes": line.challenged,
                        "total_valid_votes": line.total,
                    }[key]
                    if figure is not None:
                        self.write_figure(canvas, cell, figure, printed=not self.sheet.handwritten)
            y += row_h
        return y

    def footer_height(self) -> int:
        totals = len(self.template.totals) * self.printing.row_h + 60
        officers = sum(1 for s in self.template.signatures if not s.per_candidate) * 200 + 60
        agents = 0
        if any(s.per_candidate for s in self.template.signatures):
            rows = math.ceil(len(self.sheet.candidates) / self.printing.agents_per_row)
            agents = rows * 130 + 70
        return totals + officers + agents

    def totals_table(
        self, page: RenderedPage, draw: ImageDraw.ImageDraw, canvas: np.ndarray, y: int
    ) -> int:
        width = self.right - self.left
        x_split = self.left + int(width * 0.42)
        x_end = self.left + int(width * 0.62)
        row_h = self.printing.row_h
        ys = [y + i * row_h for i in range(len(self.template.totals) + 1)]
        self.grid(draw, [self.left, x_split, x_end], ys)
        for i, spec in enumerate(self.template.totals):
            label_box = _box(self.left, ys[i], x_split, ys[i + 1])
            value_box = _box(x_split, ys[i], x_end, ys[i + 1])
            self.label(
                draw,
                label_box,
                spec.labels.eng[0],
                spec.labels.urd[0] if spec.labels.urd else None,
                size=26,
            )
            page.boxes[f"totals.{spec.key}"] = value_box
            figure = self.sheet.totals.get(spec.key)
            if figure is not None:
                self.write_figure(canvas, value_box, figure, printed=not self.sheet.handwritten)
        return ys[-1] + 60

    def signature_ink(self, plan_index: int, width: int, height: int) -> np.ndarray:
        plan = self.sheet.signatures[plan_index]
        if plan.signer_id not in self.bank.strokes:
            # a stable digest, not hash(): str hashes are salted per process
            seed = int.from_bytes(hashlib.sha256(plan.signer_id.encode()).digest()[:8], "big")
            self.bank.strokes[plan.signer_id] = signer_strokes(np.random.default_rng(seed))
        if plan.paste_id is not None:
            if plan.paste_id not in self.bank.pasted_signatures:
                self.bank.pasted_signatures[plan.paste_id] = sign(
                    self.bank.strokes[plan.signer_id], width, height, self.rng
                )
            return self.bank.pasted_signatures[plan.paste_id]
        return sign(self.bank.strokes[plan.signer_id], width, height, self.rng)

    def mark_box(
        self,
        page: RenderedPage,
        draw: ImageDraw.ImageDraw,
        canvas: np.ndarray,
        plan_index: int,
        area: BBox,
    ) -> None:
        plan = self.sheet.signatures[plan_index]
        page.boxes[f"signatures[{plan_index}]"] = area
        if plan.status is SignatureStatus.PRESENT:
            if plan.kind == "thumb_impression":
                ink = thumb_impression(min(area.width - 10, 150), area.height - 12, self.rng)
                colour = STAMP_INKS["blue" if self.rng.random() < 0.6 else "violet"]
            else:
                ink = self.signature_ink(plan_index, area.width - 30, area.height - 16)
                colour = self.pen
            ink = ink[: area.height - 4, : area.width - 4]
            x = area.x0 + (area.width - ink.shape[1]) // 2
            composite(canvas, ink, colour, x, area.y0 + (area.height - ink.shape[0]) // 2)
        elif plan.status is SignatureStatus.REFUSED:
            # its own stream (form and box), so the rest of the form draws as it did
            key = f"{self.sheet.form_id}-note{plan_index}".encode()
            seed = int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
            note = written_note(area.height, np.random.default_rng(seed))
            composite(
                canvas,
                note[: area.height - 4, : area.width - 16],
                self.pen,
                area.x0 + 10,
                area.y0 + (area.height - min(note.shape[0], area.height - 4)) // 2,
            )

    def officers(
        self, page: RenderedPage, draw: ImageDraw.ImageDraw, canvas: np.ndarray, y: int
    ) -> int:
        width = self.right - self.left
        xs = [
            self.left,
            self.left + int(width * 0.24),
            self.left + int(width * 0.50),
            self.left + int(width * 0.60),
        ]
        officer_specs = [s for s in self.template.signatures if not s.per_candidate]
        ys = [y + i * 200 for i in range(len(officer_specs) + 1)]
        self.grid(draw, xs, ys)
        for r, spec in enumerate(officer_specs):
            self.label(
                draw,
                _box(xs[0], ys[r], xs[1], ys[r + 1]),
                f"{spec.labels.eng[0]} (signature / thumb)",
                spec.labels.urd[0] if spec.labels.urd else None,
                size=26,
            )
            for i, plan in enumerate(self.sheet.signatures):
                if plan.role is spec.role:
                    col = 2 if plan.kind == "thumb_impression" else 1
                    area = _box(xs[col] + 4, ys[r] + 4, xs[col + 1] - 4, ys[r + 1] - 4)
                    self.mark_box(page, draw, canvas, i, area)
        stamp_anchor = _box(xs[3], ys[0], self.right, ys[-1])
        page.boxes["stamp_area"] = stamp_anchor
        return ys[-1] + 60

    def agents(
        self, page: RenderedPage, draw: ImageDraw.ImageDraw, canvas: np.ndarray, y: int
    ) -> int:
        agent_plans = [
            i for i, p in enumerate(self.sheet.signatures) if p.role is SignatureRole.POLLING_AGENT
        ]
        if not agent_plans:
            return y
        spec = next(s for s in self.template.signatures if s.per_candidate)
        self.text(draw, (self.left, y), f"Signatures of {spec.labels.eng[0]}s", 30, bold=True)
        if spec.labels.urd:
            self.text(draw, (self.right, y), spec.labels.urd[0], 34, urdu=True, anchor="ra")
        y += 60
        per_row = self.printing.agents_per_row
        width = (self.right - self.left) / per_row
        for k, plan_index in enumerate(agent_plans):
            r, c = divmod(k, per_row)
            x0, y0 = self.left + c * width, y + r * 130
            box = _box(x0, y0, x0 + width, y0 + 130)
            self.grid(draw, [box.x0, box.x1], [box.y0, box.y1])
            self.text(draw, (box.x0 + 8, box.y0 + 6), self.sheet.signatures[plan_index].label, 22)
            self.mark_box(
                page,
                draw,
                canvas,
                plan_index,
                _box(box.x0 + 6, box.y0 + 36, box.x1 - 6, box.y1 - 6),
            )
        return y + math.ceil(len(agent_plans) / per_row) * 130 + 20

    def stamp(self, page: RenderedPage, canvas: np.ndarray, foot: int) -> None:
        """The stamp beside the officers' boxes, or, astray, in the room under the agents'
        grid (`foot`) where there is room for it clear of the grid and the page's edge
        (ASTRAY_CLEARANCE); where there is none, in its place after all."""
        plan = self.sheet.stamp
        if plan is None:
            return
        if plan.physical_stamp_id not in self.bank.stamp_designs:
            self.bank.stamp_designs[plan.physical_stamp_id] = stamp_design(
                plan.ring_text, plan.centre_lines, diameter=400, oval=plan.shape.value == "oval"
            )
        if plan.impression_id not in self.bank.impressions:
            self.bank.impressions[plan.impression_id] = press_stamp(
                self.bank.stamp_designs[plan.physical_stamp_id], self.rng
            )
        ink = self.bank.impressions[plan.impression_id]
        area = page.boxes["stamp_area"]
        h, w = ink.shape
        room = PAGE_H - foot - h - 2 * ASTRAY_CLEARANCE
        page.stamp_astray = self.sheet.stamp_astray and room >= 0
        if page.stamp_astray:
            x = int(self.rng.integers(self.left, self.right - w))
            y = foot + ASTRAY_CLEARANCE + int(self.rng.integers(0, room + 1))
        else:
            cx = (area.x0 + area.x1) // 2 + int(self.rng.integers(-80, 80))
            cy = (area.y0 + area.y1) // 2 + int(self.rng.integers(-60, 60))
            x, y = cx - ink.shape[1] // 2, cy - ink.shape[0] // 2
        composite(canvas, ink, STAMP_INKS[plan.colour], x, y)
        ys, xs = np.nonzero(ink > 0.05)
        page.boxes["stamp"] = _box(x + xs.min(), y + ys.min(), x + xs.max() + 1, y + ys.max() + 1)

    # ------------------------------------------------------------------ flow
    def paint(self) -> list[RenderedPage]:
        """Flow the blocks over pages: PIL draws the print, numpy composites the ink."""
        margin = self.printing.margin
        remaining = list(range(len(self.sheet.candidates)))
        footer = self.footer_height()
        row_h = self.printing.row_h
        cols = self.table_columns()
        first = True
        while True:
            page, draw, image = self.new_page(continuation=not first)
            y = margin
            if first:
                y = self.title(draw, y)
                y = self.header_grid(page, draw, page.image, y)
            else:
                y = self.running_head(draw, y)
            table_top = y
            y = self.column_header(draw, cols, y)
            capacity = max(1, (PAGE_H - margin - y) // row_h)
            fits_all = len(remaining) * row_h + footer <= PAGE_H - margin - y
            take = len(remaining) if fits_all else min(capacity, max(1, len(remaining) - 3))
            chunk, remaining = remaining[:take], remaining[take:]
            y_rows = self.candidate_rows(page, draw, page.image, cols, y, chunk)
            xs = [cols[0][1]] + [c[2] for c in cols]
            self.grid(draw, xs, [table_top, *(y + i * row_h for i in range(len(chunk) + 1))])
            page.boxes["table"] = _box(xs[0], table_top, xs[-1], y_rows)
            y = y_rows + 50
            if not remaining:
                y = self.totals_table(page, draw, page.image, y)
                y = self.officers(page, draw, page.image, y)
                foot = self.agents(page, draw, page.image, y)
            # the printed layer is paper-toned everywhere; correction fluid lies on the
            # paper, so its patches must be in that layer too or the merge hides them
            printed = np.asarray(image).copy()
            for x0, y0, patch in self.fluid:
                printed[y0 : y0 + patch.shape[0], x0 : x0 + patch.shape[1]] = patch
            page.image = np.minimum(page.image, printed)
            if not remaining:
                self.stamp(page, page.image, foot)
                return self.pages
            first = False


def render_sheet(sheet: FormSheet, rng: np.random.Generator, bank: MarkBank) -> list[RenderedPage]:
    """All printed pages of one form sheet, with boxes of every value and mark."""
    return _Painter(sheet, resolve_template(sheet.template_name), rng, bank).paint()
