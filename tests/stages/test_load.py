"""The load stage: containers, pages, EXIF orientation, and the refusals."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import InputCorrupt, InputNoPages, InputTooLarge
from pipeline.options import Limits
from pipeline.stages.load import load_pages, load_pages_from_bytes, media_type

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
