"""The load stage: containers, pages, EXIF orientation, and the refusals."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import (
    InputCorrupt,
    InputEmpty,
    InputEncrypted,
    InputMissing,
    InputNoPages,
    InputTooLarge,
)
from pipeline.options import Limits
from pipeline.stages.load import load_pages, load_pages_from_bytes, media_type
from tests.fixtures.bad_inputs import encrypted_pdf, pdf_from_objects

LIMITS = Limits()


def _image(colour: int, size: tuple[int, int] = (120, 80)) -> Image.Image:
    return Image.fromarray(np.full((size[1], size[0], 3), colour, np.uint8))


def test_multipage_tiff_gives_one_page_per_frame(tmp_path: Path) -> None:
    path = tmp_path / "two.tif"
    _image(10).save(path, save_all=True, append_images=[_image(200)])
    pages = load_pages(path, limits=LIMITS)
    assert [p.index for p in pages] == [0, 1] and all(p.page_count == 2 for p in pages)
    assert pages[0].image[0, 0, 0] == 10 and pages[1].image[0, 0, 0] == 200
    assert pages[0].media_type == "image/tiff" and len(pages[0].sha256) == 64


def test_multipage_pdf_is_rendered_page_by_page(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    _image(30, (400, 560)).save(
        path, save_all=True, append_images=[_image(220, (400, 560))], resolution=100.0
    )
    pages = load_pages(path, limits=LIMITS)
    assert len(pages) == 2 and pages[0].media_type == "application/pdf"
    assert pages[0].image.mean() < 60 < 200 < pages[1].image.mean()
    assert pages[0].words is None  # a scan has no text layer


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    image = _image(255, (120, 80))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    (page,) = load_pages_from_bytes(buffer.getvalue(), "photo.jpg", limits=LIMITS)
    assert page.image.shape[:2] == (120, 80)


def test_type_comes_from_magic_bytes_not_the_name() -> None:
    buffer = io.BytesIO()
    _image(90).save(buffer, "PNG")
    assert media_type(buffer.getvalue()) == "image/png"
    (page,) = load_pages_from_bytes(buffer.getvalue(), "misnamed.pdf", limits=LIMITS)
    assert page.media_type == "image/png"


def test_limits_are_enforced_before_decoding() -> None:
    buffer = io.BytesIO()
    _image(90, (300, 300)).save(buffer, "PNG")
    with pytest.raises(InputTooLarge):
        load_pages_from_bytes(buffer.getvalue(), "big.png", limits=Limits(max_pixels=1000))
    with pytest.raises(InputTooLarge):
        load_pages_from_bytes(buffer.getvalue(), "big.png", limits=Limits(max_file_bytes=10))


def test_a_gif_and_a_tiny_image() -> None:
    buffer = io.BytesIO()
    _image(128).save(buffer, "GIF")
    assert load_pages_from_bytes(buffer.getvalue(), "a.gif", limits=LIMITS)[0].width == 120
    buffer = io.BytesIO()
    _image(128, (4, 4)).save(buffer, "PNG")
    with pytest.raises(InputCorrupt):
        load_pages_from_bytes(buffer.getvalue(), "dot.png", limits=LIMITS)
    assert issubclass(InputNoPages, Exception)


def _png_bytes(size: tuple[int, int] = (200, 150)) -> bytes:
    buffer = io.BytesIO()
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def test_missing_and_empty_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputMissing, match="no such file"):
        load_pages(tmp_path / "absent.png", limits=LIMITS)
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(InputEmpty, match="empty"):
        load_pages(tmp_path / "empty.jpg", limits=LIMITS)


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_truncated_image_is_corrupt_not_half_a_page(kind: str) -> None:
    buffer = io.BytesIO()
    rng = np.random.default_rng(5)
    Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(buffer, kind)
    data = buffer.getvalue()
    with pytest.raises(InputCorrupt):
        load_pages_from_bytes(data[: len(data) // 2], f"cut.{kind.lower()}", limits=LIMITS)


def test_not_an_image_is_corrupt() -> None:
    with pytest.raises(InputCorrupt, match="not an image"):
        load_pages_from_bytes(b"Polling station 12, votes 345\n" * 10, "a.png", limits=LIMITS)
    with pytest.raises(InputCorrupt):
        load_pages_from_bytes(b"%PDF-1.4\n garbage with no pages", "b.pdf", limits=LIMITS)


def test_an_encrypted_pdf_is_refused_as_encrypted() -> None:
    with pytest.raises(InputEncrypted, match="encrypted"):
        load_pages_from_bytes(encrypted_pdf(), "locked.pdf", limits=LIMITS)


def test_pixel_limit_reads_the_header_only() -> None:
    data = _png_bytes((200, 150))
    with pytest.raises(InputTooLarge, match="200x150"):
        load_pages_from_bytes(data, "big.png", limits=Limits(max_pixels=200 * 150 - 1))
    (page,) = load_pages_from_bytes(data, "ok.png", limits=Limits(max_pixels=200 * 150))
    assert page.image.shape == (150, 200, 3)


def test_sha256_is_of_the_file_bytes() -> None:
    data = _png_bytes()
    (page,) = load_pages_from_bytes(data, "a.png", limits=LIMITS)
    assert page.sha256 == hashlib.sha256(data).hexdigest()


def text_pdf(text: str, *, x_pt: int, baseline_pt: int) -> bytes:
    """A hand-written one-page A4 PDF with one line of Helvetica text (a text layer)."""
    stream = b"BT /F1 12 Tf %d %d Td (%s) Tj ET" % (x_pt, baseline_pt, text.encode())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_from_objects(objects)


def test_a_born_digital_pdf_keeps_its_words_in_render_pixels() -> None:
    data = text_pdf("Total valid votes polled 12345", x_pt=72, baseline_pt=742)
    (page,) = load_pages_from_bytes(data, "digital.pdf", limits=LIMITS)
    assert page.words is not None and page.dpi == 300
    height, width = page.image.shape[:2]
    assert abs(height - 842 * 300 / 72) <= 1 and abs(width - 595 * 300 / 72) <= 1
    word = next(w for w in page.words if w.text == "12345")
    baseline_px = (842 - 742) * 300 / 72
    assert abs(word.bbox.y1 - baseline_px) < 15 and word.bbox.x0 > 72 * 300 / 72
    assert page.image[word.bbox.y0 : word.bbox.y1, word.bbox.x0 : word.bbox.x1].min() < 100
