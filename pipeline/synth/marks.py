"""Stamps, signatures and thumb impressions as ink alpha masks.

A physical stamp is a fixed design (`stamp_design`); each time it is pressed the
impression differs (`press_stamp`: ink coverage, rotation, partial ink). A digitally
pasted stamp reuses one impression's pixels. Signatures likewise: one signer's strokes
(`signer_strokes`) are re-drawn with variation at every signing (`sign`).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image, ImageDraw

from pipeline.synth.fonts import font
from pipeline.synth.ink import Alpha


def _glyph(char: str, size: int) -> Image.Image:
    f = font("sans_bold", size)
    left, _top, right, _bottom = f.getbbox(char)
    image = Image.new("L", (max(1, right - left + 4), size + 6), 0)
    ImageDraw.Draw(image).text((2 - left, 2), char, font=f, fill=255)
    return image


def stamp_design(
    ring_text: str, centre_lines: tuple[str, ...], *, diameter: int, oval: bool
) -> Alpha:
    """The rubber stamp's design: two rings, text around the ring, text in the centre."""
    size = diameter + 20
    image = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(image)
    c = size / 2
    r_out, r_in = diameter / 2, diameter / 2 - diameter * 0.16
    draw.ellipse((c - r_out, c - r_out, c + r_out, c + r_out), outline=255, width=7)
    draw.ellipse((c - r_in, c - r_in, c + r_in, c + r_in), outline=255, width=4)
    glyph_size = int(diameter * 0.075)
    r_text = (r_out + r_in) / 2
    text = f" {ring_text} * "
    step = 2 * math.pi / len(text)
    for i, char in enumerate(text):
        if char == " ":
            continue
        angle = -math.pi / 2 + i * step
        glyph = _glyph(char, glyph_size).rotate(
            -math.degrees(angle) - 90, expand=True, resample=Image.Resampling.BILINEAR
        )
        x = int(c + r_text * math.cos(angle) - glyph.width / 2)
        y = int(c + r_text * math.sin(angle) - glyph.height / 2)
        image.paste(255, (x, y), glyph)
    line_size = int(diameter * 0.085)
    f = font("sans_bold", line_size)
    total = len(centre_lines) * (line_size + 6)
    y = c - total / 2
    for line in centre_lines:
        width = draw.textlength(line, font=f)
        while width > r_in * 1.7 and len(line) > 3:
            line = line[:-1]
            width = draw.textlength(line, font=f)
        draw.text((c - width / 2, y), line, font=f, fill=255)
        y += line_size + 6
    alpha = np.asarray(image, dtype=np.float32) / 255.0
    if oval:
        alpha = cv2.resize(alpha, (size, int(size * 0.7)), interpolation=cv2.INTER_AREA)
    return alpha.astype(np.float32)


def press_stamp(design: Alpha, rng: np.random.Generator) -> Alpha:
    """One impression: rotation, uneven and partial ink, rubber texture."""
    h, w = design.shape
    angle = float(rng.uniform(-35, 35))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, float(rng.uniform(0.97, 1.03)))
    alpha = cv2.warpAffine(design, m, (w, h), flags=cv2.INTER_LINEAR)
    # ink falls off towards one side (the stamp pressed unevenly)
    theta = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = ((xx - w / 2) * math.cos(theta) + (yy - h / 2) * math.sin(theta)) / max(w, h)
    coverage = np.clip(rng.uniform(0.75, 1.0) - rng.uniform(0.0, 1.4) * np.maximum(ramp, 0), 0, 1)
    texture = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 2.0)
    texture = np.clip((texture - texture.mean()) * 6 + 0.85, 0.15, 1.0)
    alpha = alpha * coverage * texture * rng.uniform(0.65, 0.95)
    return cv2.GaussianBlur(alpha, (0, 0), 0.8).astype(np.float32)


def signer_strokes(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """A signer's habitual strokes: control points in a unit box (x 0..1, y 0..0.4)."""
    strokes = []
    n_strokes = int(rng.integers(1, 4))
    x = 0.0
    for _ in range(n_strokes):
        n = int(rng.integers(7, 15))
        xs = x + np.cumsum(rng.uniform(-0.03, 0.11, n))
        ys = 0.2 + rng.normal(0, 0.12, n)
        strokes.append(np.stack([xs, ys], axis=1))
        x = float(xs[-1]) + rng.uniform(0.0, 0.08)
    flourish = np.array([[0.0, 0.33], [x * 0.5, 0.38 + rng.normal(0, 0.02)], [x, 0.3]])
    if rng.random() < 0.6:
        strokes.append(flourish)
    scale = max(x, 1e-3)
    return tuple(np.column_stack([s[:, 0] / scale, s[:, 1]]) for s in strokes)


def _smooth(points: np.ndarray, samples: int = 24) -> np.ndarray:
    """Catmull-Rom spline through the points."""
    p = np.vstack([points[0], points, points[-1]])
    out = []
    for i in range(1, len(p) - 2):
        t = np.linspace(0, 1, samples)[:, None]
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(
            0.5
            * (
                (2 * p1)
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    return np.vstack(out) if out else points


def sign(
    strokes: tuple[np.ndarray, ...], width: int, height: int, rng: np.random.Generator
) -> Alpha:
    """One signing: the signer's strokes, each time a little different."""
    canvas = np.zeros((height, width), np.float32)
    sx, sy = width * rng.uniform(0.75, 0.92), height * rng.uniform(1.2, 1.8)
    ox, oy = width * rng.uniform(0.03, 0.1), height * rng.uniform(0.05, 0.25)
    thickness = int(rng.integers(2, 5))
    for stroke in strokes:
        jittered = stroke + rng.normal(0, 0.012, stroke.shape)
        curve = _smooth(jittered)
        pts = np.column_stack([ox + curve[:, 0] * sx, oy + curve[:, 1] * sy])
        cv2.polylines(
            canvas,
            [np.round(pts * 4).astype(np.int32)],
            False,
            1.0,
            thickness,
            cv2.LINE_AA,
            shift=2,
        )
    return np.clip(canvas, 0, 1).astype(np.float32)


def thumb_impression(width: int, height: int, rng: np.random.Generator) -> Alpha:
    """A thumb impression: an ellipse of curved ridges."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = width / 2 + rng.normal(0, width * 0.05), height / 2 + rng.normal(0, height * 0.05)
    rx, ry = width * rng.uniform(0.28, 0.36), height * rng.uniform(0.36, 0.44)
    d = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    ridges = 0.5 + 0.5 * np.sin(np.sqrt(d) * rng.uniform(28, 36) + (xx - cx) / rx * 2.0)
    alpha = (d < 1).astype(np.float32) * (ridges > 0.45) * np.clip(1.3 - d, 0, 1)
    return cv2.GaussianBlur(alpha * rng.uniform(0.55, 0.85), (0, 0), 1.0).astype(np.float32)


REFUSAL_NOTES = ("refused to sign", "did not sign", "agent refused to sign", "refused to sign it")


def written_note(height: int, rng: np.random.Generator) -> Alpha:
    """A note written in a box instead of a signature: one of a few phrasings, in the
    hand face, each time at its own size, slant, tilt and pen weight (no two notes on
    different forms, or in two boxes of one form, are the same image)."""
    text = REFUSAL_NOTES[int(rng.integers(len(REFUSAL_NOTES)))]
    f = font("hand", max(8, int(height * rng.uniform(0.26, 0.36))))
    left, top, right, bottom = f.getbbox(text)
    image = Image.new("L", (right - left + 40, bottom - top + 20), 0)
    ImageDraw.Draw(image).text((20 - left, 10 - top), text, font=f, fill=255)
    alpha = np.asarray(image, dtype=np.float32) / 255.0
    h, w = alpha.shape
    shear = float(rng.uniform(-0.25, 0.2))
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-4, 4)), 1.0)
    turn[0, 1] += shear
    turn[0, 2] -= shear * h / 2
    alpha = cv2.warpAffine(alpha, turn, (w, h), flags=cv2.INTER_LINEAR)
    weight = int(rng.integers(-1, 2))
    if weight > 0:
        alpha = cv2.dilate(alpha, np.ones((2, 2), np.uint8))
    elif weight < 0:
        alpha = cv2.erode(alpha, np.ones((2, 1), np.uint8))
    ys, xs = np.nonzero(alpha > 0.1)
    if len(xs) == 0:
        return alpha.astype(np.float32)
    return alpha[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
