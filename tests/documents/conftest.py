"""Helpers for document tests: PDF text per page, QR decoding, a server that must stay idle."""

import io
import socket
import threading
from datetime import date, timedelta

import pypdf
import pypdfium2
import pytest
import zxingcpp

from tests.conftest import free_port


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF (pypdf)."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def pdf_page_sizes_mm(data: bytes) -> list[tuple[float, float]]:
    """Width and height of each page in millimetres, rounded to 0.1 mm."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [
        (
            round(float(p.mediabox.width) * 25.4 / 72, 1),
            round(float(p.mediabox.height) * 25.4 / 72, 1),
        )
        for p in reader.pages
    ]


def decode_qr(data: bytes, page: int = 0) -> list[str]:
    """Rasterise one page (pypdfium2, 200 dpi) and read its QR codes (zxing-cpp)."""
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[page].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)]


class IdleServer:
    """A TCP listener on the loopback interface that records any connection made to it."""

    def __init__(self):
        self.port = free_port()
        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", self.port))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _address = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()


@pytest.fixture
def idle_server():
    """A local server that a document must never contact."""
    server = IdleServer()
    yield server
    server.close()


@pytest.fixture
def meeting_ended(db, event):
    """The demo meeting moved to last week, so that certificates are issued."""
    length = event.end_date - event.start_date
    event.end_date = date.today() - timedelta(days=2)
    event.start_date = event.end_date - length
    db.session.commit()
    return event
