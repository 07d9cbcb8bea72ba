"""Capture conditions: how a printed page becomes a scan or a phone photo.

Every geometric effect is a 3x3 matrix mapping page pixels to output pixels, composed
into one, so the truth boxes land exactly where the content is in the written image.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.model import BBox
from pipeline.truth import Capture

Matrix = np.ndarray


@dataclass(frozen=True)
class CaptureResult:
    image: np.ndarray  # RGB uint8
    matrix: Matrix  # page pixels -> image pixels


def plan_capture(rng: np.random.Generator, *, pages: int) -> Capture:
    """Draw one file's capture conditions."""
    kind = str(rng.choice(["flatbed", "phone"], p=[0.7, 0.3]))
    rotation = int(rng.choice([0, 90, 180, 270], p=[0.85, 0.06, 0.05, 0.04]))
    if pages > 1:
        container = str(rng.choice(["pdf", "tiff"], p=[0.7, 0.3]))
    else:
        container = str(
            rng.choice(["png", "jpeg", "tiff", "pdf", "gif"], p=[0.3, 0.45, 0.08, 0.12, 0.05])
        )
    jpeg_quality = int(rng.integers(35, 90)) if container in ("jpeg", "pdf") else None
    return Capture(
        kind=kind,  # type: ignore[arg-type]
        dpi=int(rng.choice([300, 200, 150], p=[0.65, 0.2, 0.15])),
        rotation=rotation,  # type: ignore[arg-type]
        skew_deg=round(float(rng.uniform(-5, 5)) if rng.random() < 0.6 else 0.0, 3),
        perspective=kind == "phone",
        blur=round(float(rng.choice([0.0, 0.0, 0.6, 1.0])), 2),
        # sensor noise on lossless containers would only make the files huge
        noise=round(float(rng.choice([0.0, 2.0, 4.0])), 1) if container in ("jpeg", "pdf") else 0.0,
        jpeg_quality=jpeg_quality,
        fold=bool(rng.random() < 0.12),
        shadow=kind == "phone" and bool(rng.random() < 0.5),
        container=container,  # type: ignore[arg-type]
    )


def _rotation(rotation: int, w: int, h: int) -> Matrix:
    """Matrix of a clockwise rotation by 0/90/180/270 of a w x h image."""
    return {
        0: np.eye(3),
        90: np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], float),
        180: np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], float),
        270: np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], float),
    }[rotation]


def _fold(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, _w = image.shape[:2]
    y = int(rng.uniform(0.3, 0.7) * h)
    profile = np.ones(h, np.float32)
    span = np.arange(h) - y
    profile -= 0.10 * np.exp(-((span / 6.0) ** 2)) - 0.03 * np.exp(-(((span - 12) / 10.0) ** 2))
    return np.clip(image * profile[:, None, None], 0, 255).astype(np.uint8)


def _phone(image: np.ndarray, capture: Capture, rng: np.random.Generator) -> CaptureResult:
    h, w = image.shape[:2]
    out_w, out_h = int(w * 1.12), int(h * 1.1)
    scale = rng.uniform(0.85, 0.93)
    pw, ph = w * scale, h * scale
    ox, oy = (out_w - pw) / 2, (out_h - ph) / 2
    jitter = w * 0.035
    dst = np.float32([[ox, oy], [ox + pw, oy], [ox + pw, oy + ph], [ox, oy + ph]])
    dst += rng.uniform(-jitter, jitter, size=(4, 2)).astype(np.float32)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(src, dst)
    table = np.array(rng.choice([[96, 72, 52], [60, 62, 70], [150, 140, 120]]), np.uint8)
    background = np.empty((out_h, out_w, 3), np.uint8)
    background[:] = table
    noise = rng.normal(0, 10, size=(out_h // 8 + 1, out_w // 8 + 1, 1)).astype(np.float32)
    noise = cv2.resize(noise, (out_w, out_h))[:, :, None]
    background = np.clip(background + noise, 0, 255).astype(np.uint8)
    warped = cv2.warpPerspective(
        image,
        m,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_TRANSPARENT,
        dst=background,
    )
    # uneven light: a broad gradient, and maybe the shadow of the phone
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    a = rng.uniform(0, 2 * np.pi)
    light = 1.0 - 0.18 * ((np.cos(a) * xx / out_w + np.sin(a) * yy / out_h) + 0.5)
    if capture.shadow:
        cx, cy = rng.uniform(0.2, 0.8) * out_w, rng.uniform(0.6, 1.0) * out_h
        d = np.hypot((xx - cx) / (0.35 * out_w), (yy - cy) / (0.3 * out_h))
        light *= 1.0 - 0.35 * np.clip(1.2 - d, 0, 1)
    warped = np.clip(warped * light[:, :, None], 0, 255).astype(np.uint8)
    return CaptureResult(image=warped, matrix=m.astype(float))


def apply_capture(page: np.ndarray, capture: Capture, rng: np.random.Generator) -> CaptureResult:
    """Turn a rendered page (RGB) into the captured image; return the page->image matrix."""
    image, matrix = page, np.eye(3)
    if capture.fold:
        image = _fold(image, rng)
    if capture.perspective:
        result = _phone(image, capture, rng)
        image, matrix = result.image, result.matrix @ matrix
    if capture.skew_deg:
        h, w = image.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), capture.skew_deg, 1.0)
        fill = (244, 244, 242) if capture.kind == "flatbed" else tuple(int(v) for v in image[2, 2])
        image = cv2.warpAffine(
            image,
            m,
            (w, h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=fill,
        )
        matrix = np.vstack([m, [0, 0, 1]]) @ matrix
    if capture.rotation:
        h, w = image.shape[:2]
        code = {
            90: cv2.ROTATE_90_CLOCKWISE,
            180: cv2.ROTATE_180,
            270: cv2.ROTATE_90_COUNTERCLOCKWISE,
        }[capture.rotation]
        image = cv2.rotate(image, code)
        matrix = _rotation(capture.rotation, w, h) @ matrix
    if capture.dpi != 300:
        s = capture.dpi / 300
        h, w = image.shape[:2]
        image = cv2.resize(image, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
        matrix = np.diag([s, s, 1.0]) @ matrix
    if capture.blur:
        image = cv2.GaussianBlur(image, (0, 0), capture.blur)
    if capture.noise:
        noise = rng.normal(0, capture.noise, size=image.shape)
        image = np.clip(image + noise, 0, 255).astype(np.uint8)
    return CaptureResult(image=np.ascontiguousarray(image), matrix=matrix)


def map_box(box: BBox, matrix: Matrix, width: int, height: int) -> BBox:
    """The axis-aligned hull of a page box after the capture, clipped to the image."""
    corners = np.array(
        [[box.x0, box.y0, 1], [box.x1, box.y0, 1], [box.x1, box.y1, 1], [box.x0, box.y1, 1]], float
    ).T
    mapped = matrix @ corners
    xs, ys = mapped[0] / mapped[2], mapped[1] / mapped[2]
    return BBox(
        x0=int(np.clip(np.floor(xs.min()), 0, width)),
        y0=int(np.clip(np.floor(ys.min()), 0, height)),
        x1=int(np.clip(np.ceil(xs.max()), 0, width)),
        y1=int(np.clip(np.ceil(ys.max()), 0, height)),
    )


def _mapped(points: np.ndarray, matrix: Matrix) -> np.ndarray:
    homogeneous = matrix @ np.column_stack([points, np.ones(len(points))]).T
    return (homogeneous[:2] / homogeneous[2]).T


def clone_region(
    image: np.ndarray, source: BBox, target: BBox, matrix: Matrix, *, inset: int = 8
) -> np.ndarray:
    """An image editor's clone tool on the captured image: the pixels of page box `source`
    (inset, clear of the ruling) copied, by a whole-pixel shift, over page box `target`."""
    w = min(source.width, target.width) - 2 * inset
    h = min(source.height, target.height) - 2 * inset
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], float)
    src_origin = np.array([source.x0 + inset, source.y0 + inset], float)
    dst_origin = np.array([target.x0 + inset, target.y0 + inset], float)
    polygon = _mapped(corners + dst_origin, matrix)
    shift = np.round(
        _mapped(dst_origin[None] + [w / 2, h / 2], matrix)
        - _mapped(src_origin[None] + [w / 2, h / 2], matrix)
    )[0].astype(int)
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 1)
    ys, xs = np.nonzero(mask)
    from_y, from_x = ys - shift[1], xs - shift[0]
    inside = (from_y >= 0) & (from_y < image.shape[0]) & (from_x >= 0) & (from_x < image.shape[1])
    out = image.copy()
    out[ys[inside], xs[inside]] = image[from_y[inside], from_x[inside]]
    return out
