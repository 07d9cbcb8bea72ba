"""The load stage: a file (or bytes) becomes a list of pages, or one clear error.

The type is decided by magic bytes, never the extension. Sizes are checked before any
pixel is decoded (decompression bombs), and a truncated image is an error, never half a
page.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from pipeline.errors import InputCorrupt, InputEmpty, InputMissing, InputNoPages, InputTooLarge
from pipeline.model import BBox
from pipeline.options import Limits
from pipeline.pages import JpegLayer, Page
from pipeline.tools.pdf import read_pdf

ImageFile.LOAD_TRUNCATED_IMAGES = False

MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def media_type(data: bytes) -> str | None:
    """The media type from the first bytes, or None when it is none we read."""
    head = data[:1024]
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head:  # PDFs may have junk before the header
        return "application/pdf"
    return None


def _bgr(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image.convert("RGB"))
    return np.ascontiguousarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def jpeg_layer(data: bytes, placement: BBox | None = None) -> JpegLayer | None:
    """A JPEG's luminance plane straight from the decoder (no colour conversion), its
    quantisation table and EXIF orientation, for the splice stage; None for a JPEG
    without a luminance table (CMYK) or whose data does not decode (the page itself was
    decoded, or refused, on its own)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            tables = getattr(image, "quantization", None)
            if not tables or 0 not in tables or image.mode not in ("L", "RGB", "YCbCr"):
                return None
            orientation = int(image.getexif().get(0x0112, 1) or 1)
            # the decoder's grey output of a colour JPEG is its Y plane as stored, the
            # chroma never decoded (identical to the Y of a YCbCr decode, three times faster)
            image.draft("L", image.size)
            plane = np.asarray(image)
    except (OSError, SyntaxError, ValueError, EOFError):
        return None
    luminance = plane if plane.ndim == 2 else plane[:, :, 0]
    return JpegLayer(
        luminance=np.ascontiguousarray(luminance),
        quantization=tuple(int(q) for q in tables[0]),
        orientation=orientation if placement is None else 1,
        placement=placement,
    )


def _raster_pages(
    data: bytes, name: str, kind: str, digest: str, limits: Limits
) -> tuple[Page, ...]:
    Image.MAX_IMAGE_PIXELS = None  # we check the declared size ourselves, below
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise InputCorrupt(f"{name}: the {kind} header is unreadable") from exc
    except Exception as exc:
        raise InputCorrupt(f"{name}: cannot open ({type(exc).__name__}: {exc})") from exc
    frames = getattr(image, "n_frames", 1)
    if frames < 1:
        raise InputNoPages(f"{name}: the image has no frames")
    if frames > limits.max_pages:
        raise InputTooLarge(f"{name}: {frames} frames (limit {limits.max_pages})")
    pages = []
    for index in range(frames):
        try:
            image.seek(index)
            width, height = image.size
            if width * height > limits.max_pixels:
                raise InputTooLarge(
                    f"{name}: page {index + 1} declares {width}x{height} pixels "
                    f"({width * height / 1e6:.0f} MP, limit {limits.max_pixels / 1e6:.0f} MP)"
                )
            if width < 16 or height < 16:
                raise InputCorrupt(f"{name}: page {index + 1} is only {width}x{height} pixels")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                image.load()
                frame = ImageOps.exif_transpose(image) if kind == "image/jpeg" else image.copy()
        except (InputTooLarge, InputCorrupt):
            raise
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InputCorrupt(f"{name}: the image data is truncated or damaged ({exc})") from exc
        dpi = image.info.get("dpi")
        jpeg = jpeg_layer(data) if kind == "image/jpeg" else None
        pages.append(
            Page(
                path=name,
                sha256=digest,
                index=index,
                page_count=frames,
                media_type=kind,
                image=_bgr(frame),
                dpi=float(dpi[0]) if dpi and dpi[0] else None,
                jpeg=jpeg,
            )
        )
    return tuple(pages)


def load_pages_from_bytes(data: bytes, name: str, *, limits: Limits) -> tuple[Page, ...]:
    """Decode every page of a file already in memory (for example an archive member)."""
    if not data:
        raise InputEmpty(f"{name}: the file is empty")
    if len(data) > limits.max_file_bytes:
        raise InputTooLarge(
            f"{name}: {len(data) / 2**20:.0f} MiB (limit {limits.max_file_bytes / 2**20:.0f} MiB)"
        )
    kind = media_type(data)
    if kind is None:
        raise InputCorrupt(f"{name}: not an image or PDF we read (PNG, JPEG, TIFF, GIF, PDF)")
    digest = hashlib.sha256(data).hexdigest()
    if kind != "application/pdf":
        return _raster_pages(data, name, kind, digest, limits)
    pdf_pages = read_pdf(data, max_pages=limits.max_pages, max_pixels=limits.max_pixels)
    return tuple(
        Page(
            path=name,
            sha256=digest,
            index=i,
            page_count=len(pdf_pages),
            media_type=kind,
            image=np.ascontiguousarray(cv2.cvtColor(p.image, cv2.COLOR_RGB2BGR)),
            dpi=p.dpi,
            words=p.words,
            jpeg=jpeg_layer(p.jpeg, p.jpeg_placement) if p.jpeg is not None else None,
        )
        for i, p in enumerate(pdf_pages)
    )


def load_pages(path: Path, *, limits: Limits) -> tuple[Page, ...]:
    """Decode every page of a file on disk."""
    if not path.exists():
        raise InputMissing(f"{path}: no such file")
    if path.is_dir():
        raise InputMissing(f"{path}: is a folder, not a file (use `tallyscope batch`)")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise InputTooLarge(
            f"{path}: {size / 2**20:.0f} MiB (limit {limits.max_file_bytes / 2**20:.0f} MiB)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputMissing(f"{path}: cannot be read ({exc.strerror})") from exc
    return load_pages_from_bytes(data, str(path), limits=limits)
