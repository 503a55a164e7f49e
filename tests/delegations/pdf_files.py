"""PDF files made on the fly for the letter tests."""

import io

from pypdf import PdfWriter


def pdf_bytes(pages: int = 1, *, password: str | None = None) -> bytes:
    """A small valid PDF of blank pages, optionally encrypted."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
