"""PDF through pdfplumber (and its renderer pypdfium2): the only place PDFs are opened.

Born-digital pages keep their text layer (words with boxes); scanned pages are rendered
at their embedded image's resolution (capped), so no pixels are invented or lost.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np
import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from pipeline.errors import InputCorrupt, InputEncrypted, InputNoPages, InputTooLarge
from pipeline.model import BBox
from pipeline.pages import TextWord

log = logging.getLogger("tallyscope.pdf")
DEFAULT_DPI = 300
MIN_TEXT_CHARS = 20  # fewer characters than this: a scanned page, not born-digital
COVERS_PAGE = 0.9  # an image over this share of the page is the page's scan


@dataclass(frozen=True)
class PdfPage:
    image: np.ndarray  # RGB uint8
    dpi: float
    words: tuple[TextWord, ...] | None
    jpeg: bytes | None = None  # the scan's JPEG data as embedded (DCTDecode), if it is one
    jpeg_placement: BBox | None = None  # ... and where it lies on the rendered page


def _page_jpeg(page: pdfplumber.page.Page, dpi: float) -> tuple[bytes | None, BBox | None]:
    """The JPEG stream of the one image covering an unrotated page, and its place in
    rendered pixels; (None, None) for anything else, a stream pdfminer cannot parse
    included: the page itself was rendered, only the JPEG evidence is missing."""
    try:
        if page.rotation or len(page.images) != 1:
            return None, None
        image = page.images[0]
        stream = image["stream"]
        filters = [getattr(name, "name", name) for name, _ in stream.get_filters()]
        raw = stream.get_rawdata()
    except Exception as exc:  # pdfminer raises many types for broken objects
        log.debug("page %s: no JPEG stream (%s)", page.page_number, exc)
        return None, None
    area = float(page.width) * float(page.height)
    covered = float(image["x1"] - image["x0"]) * float(image["bottom"] - image["top"])
    if area <= 0 or covered < COVERS_PAGE * area or filters != ["DCTDecode"] or not raw:
        return None, None
    scale = dpi / 72.0
    placement = BBox(
        x0=round(float(image["x0"]) * scale),
        y0=round(float(image["top"]) * scale),
        x1=round(float(image["x1"]) * scale),
        y1=round(float(image["bottom"]) * scale),
    )
    return bytes(raw), placement


def _page_dpi(page: pdfplumber.page.Page) -> float:
    """The embedded scan's resolution, or the default for born-digital pages."""
    best = 0.0
    for image in page.images:
        width_pt = float(image["x1"] - image["x0"])
        src = image.get("srcsize") or (0, 0)
        if width_pt > 0 and src[0]:
            best = max(best, float(src[0]) * 72.0 / width_pt)
    return min(DEFAULT_DPI, best) if best >= 100 else DEFAULT_DPI


def read_pdf(data: bytes, *, max_pages: int, max_pixels: int) -> list[PdfPage]:
    """Render every page of a PDF; raise the project's errors for bad PDFs."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types for broken files
        causes = (exc, *exc.args, exc.__context__)
        if any(isinstance(c, PDFPasswordIncorrect | PDFEncryptionError) for c in causes):
            raise InputEncrypted("the PDF is encrypted: decrypt it first (qpdf --decrypt)") from exc
        raise InputCorrupt(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    with pdf:
        try:
            pages = list(pdf.pages)
        except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
            raise InputEncrypted("the PDF is encrypted: decrypt it first") from exc
        except Exception as exc:
            raise InputCorrupt(f"the PDF's page tree is broken ({type(exc).__name__})") from exc
        if not pages:
            raise InputNoPages("the PDF has no pages")
        if len(pages) > max_pages:
            raise InputTooLarge(f"the PDF has {len(pages)} pages (limit {max_pages})")
        out = []
        for page in pages:
            try:
                dpi = _page_dpi(page)
                pixels = float(page.width) * float(page.height) * (dpi / 72.0) ** 2
                if pixels > max_pixels:
                    raise InputTooLarge(
                        f"page {page.page_number} would be {pixels / 1e6:.0f} megapixels "
                        f"(limit {max_pixels / 1e6:.0f})"
                    )
                chars = len(page.chars)
                words = None
                if chars >= MIN_TEXT_CHARS:
                    scale = dpi / 72.0
                    words = tuple(
                        TextWord(
                            text=w["text"],
                            bbox=BBox(
                                x0=int(w["x0"] * scale),
                                y0=int(w["top"] * scale),
                                x1=int(np.ceil(w["x1"] * scale)),
                                y1=int(np.ceil(w["bottom"] * scale)),
                            ),
                        )
                        for w in page.extract_words()
                    )
                rendered = page.to_image(resolution=dpi).original.convert("RGB")
            except InputTooLarge:
                raise
            except Exception as exc:
                raise InputCorrupt(
                    f"page {page.page_number} of the PDF cannot be rendered ({type(exc).__name__})"
                ) from exc
            jpeg, placement = _page_jpeg(page, dpi)
            out.append(
                PdfPage(
                    image=np.asarray(rendered),
                    dpi=dpi,
                    words=words,
                    jpeg=jpeg,
                    jpeg_placement=placement,
                )
            )
        return out
