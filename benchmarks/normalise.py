"""Benchmark of the normalise stage on rendered pages turned, skewed and photographed by a
known amount.

    OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.normalise \
        --pages 100 --seed 7

Each page is a ruled result table with printed English lines (DejaVu Sans), rotated by a
quarter turn, skewed by up to +-5 degrees, and on a third of pages set on a dark table
with a perspective distortion. The truth warp W (upright -> scan) is known; the stage's
matrix M (scan -> normalised) should make M @ W a pure upright similarity. The residual
is the angle of a horizontal line of the upright page after M @ W.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.pages import Page
from pipeline.stages.normalise import normalise_page, rotate_quarters, rotation_matrix

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS: tuple[str, ...] = (
    "polling",
    "station",
    "result",
    "of",
    "the",
    "count",
    "total",
    "valid",
    "votes",
)
WORDS += ("rejected", "ballot", "papers", "candidate", "party", "name", "serial", "officer")


@dataclass(frozen=True)
class Case:
    quarters_cw: int  # the stage should answer this
    skew_deg: float
    perspective: bool
    warp: np.ndarray  # upright page -> scan
    scan: np.ndarray
    size: tuple[int, int]  # upright page width, height


def render_page(rng: np.random.Generator, width: int) -> np.ndarray:
    """An upright ruled result form (gray uint8)."""
    height = round(width * math.sqrt(2))
    unit = width / 2480
    page = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, max(10, round(38 * unit)))
    y = round(150 * unit)
    for _ in range(6):
        line = " ".join(rng.choice(WORDS, size=int(rng.integers(5, 9))))
        draw.text((round(200 * unit), y), line.title(), fill=15, font=font)
        y += round(70 * unit)
    top, row = y + round(60 * unit), round(90 * unit)
    rows = int(rng.integers(14, 24))
    xs = [round(v * unit) for v in (200, 420, 1300, 1800, 2280)]
    for r in range(rows + 1):
        draw.line([(xs[0], top + r * row), (xs[-1], top + r * row)], fill=20, width=3)
    for x in xs:
        draw.line([(x, top), (x, top + rows * row)], fill=20, width=3)
    for r in range(rows):
        yy = top + r * row + round(22 * unit)
        draw.text((xs[0] + 20, yy), str(r + 1), fill=15, font=font)
        name = " ".join(rng.choice(WORDS, size=2)).title()
        draw.text((xs[1] + 20, yy), name, fill=15, font=font)
        draw.text((xs[3] + 20, yy), str(int(rng.integers(0, 999))), fill=15, font=font)
    return np.asarray(page)


def make_case(rng: np.random.Generator, width: int) -> Case:
    upright = render_page(rng, width)
    h, w = upright.shape
    turn = int(rng.integers(0, 4))  # scan = upright turned `turn` quarters clockwise
    warp = rotation_matrix(turn, w, h)
    scan = rotate_quarters(upright, turn)
    skew = float(rng.uniform(-5, 5))
    sh, sw = scan.shape
    rot = cv2.getRotationMatrix2D((sw / 2, sh / 2), skew, 1.0)
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    nw, nh = int(sh * sin + sw * cos), int(sh * cos + sw * sin)
    rot[0, 2] += nw / 2 - sw / 2
    rot[1, 2] += nh / 2 - sh / 2
    scan = cv2.warpAffine(scan, rot, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=250)
    warp = np.vstack([rot, [0, 0, 1]]) @ warp
    perspective = bool(rng.random() < 1 / 3)
    if perspective:
        pad = 0.12 * max(nw, nh)
        src = np.array([[0, 0], [nw, 0], [nw, nh], [0, nh]], dtype=np.float32)
        jitter = rng.uniform(-0.04, 0.04, (4, 2)) * [nw, nh]
        dst = (src + pad + jitter).astype(np.float32)
        persp = cv2.getPerspectiveTransform(src, dst)
        size = (round(nw + 2 * pad), round(nh + 2 * pad))
        scan = cv2.warpPerspective(scan, persp, size, borderValue=60)
        warp = persp @ warp
    noise = rng.normal(0, 4, scan.shape)
    scan = np.clip(scan + noise, 0, 255).astype(np.uint8)
    return Case((4 - turn) % 4, skew, perspective, warp, scan, (w, h))


def residual_deg(matrix: np.ndarray, case: Case) -> float:
    """Angle (degrees) of the upright page's horizontal centre line after normalising."""
    w, h = case.size
    pts = np.array([[w * 0.25, w * 0.75], [h / 2, h / 2], [1.0, 1.0]])
    mapped = matrix @ case.warp @ pts
    x, y = mapped[0] / mapped[2], mapped[1] / mapped[2]
    return math.degrees(math.atan2(y[1] - y[0], x[1] - x[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--width", type=int, default=2480, help="upright page width (px)")
    parser.add_argument("--results", type=Path, default=None, help="append to this RESULTS.md")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    residuals: list[float] = []
    times: list[float] = []
    orient_ok = persp_ok = persp_n = 0
    for i in range(args.pages):
        case = make_case(rng, args.width)
        page = Page(
            path=f"bench-{i}.png",
            sha256="0" * 64,
            index=0,
            page_count=1,
            media_type="image/png",
            image=np.asarray(cv2.cvtColor(case.scan, cv2.COLOR_GRAY2BGR), dtype=np.uint8),
        )
        start = time.perf_counter()
        result = normalise_page(page)
        times.append(time.perf_counter() - start)
        angle = residual_deg(np.asarray(result.transform.matrix), case)
        upright = abs(angle) < 45
        orient_ok += upright
        if upright:
            residuals.append(abs(angle))
        if case.perspective:
            persp_n += 1
            found = any(s.name == "perspective" for s in result.transform.steps)
            persp_ok += found and upright and abs(angle) < 1.0
    residuals.sort()
    p95 = residuals[min(len(residuals) - 1, int(0.95 * len(residuals)))] if residuals else math.nan
    lines = [
        f"- Pages: {args.pages} rendered {args.width} px wide (seed {args.seed}); "
        f"rotation 0/90/180/270, skew +-5 deg, {persp_n} photographed with perspective.",
        f"- Orientation correct: {orient_ok}/{args.pages}.",
        f"- Deskew residual (correctly oriented pages): median "
        f"{statistics.median(residuals) if residuals else math.nan:.3f} deg, p95 {p95:.3f} deg, "
        f"max {max(residuals, default=math.nan):.3f} deg.",
        f"- Perspective pages flattened (found, upright, residual < 1 deg): {persp_ok}/{persp_n}.",
        "- Time per page (normalise, incl. its one OCR pass): median "
        f"{1000 * statistics.median(times):.0f} ms, "
        f"p95 {1000 * sorted(times)[int(0.95 * (len(times) - 1))]:.0f} ms.",
    ]
    print("\n".join(lines))
    if args.results is not None:
        command = (
            "OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.normalise "
            f"--pages {args.pages} --seed {args.seed} --width {args.width}"
        )
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        block = f"\nCommand: `{command}` ({stamp})\n\n" + "\n".join(lines) + "\n"
        text = args.results.read_text() if args.results.exists() else "# Benchmark results\n"
        if "## Normalise" not in text:
            text = text.rstrip("\n") + "\n\n## Normalise\n"
        head, _, tail = text.partition("## Normalise\n")
        following = tail.find("\n## ")
        section = tail if following < 0 else tail[:following]
        rest = "" if following < 0 else tail[following:]
        args.results.write_text(
            head + "## Normalise\n" + section.rstrip("\n") + "\n" + block + rest
        )


if __name__ == "__main__":
    main()
