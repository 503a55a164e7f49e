"""PDF files made on the fly for the letter tests."""

import io
import zlib

import pikepdf
from pikepdf import Name
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


def object_stream_bomb(entries: int = 3_000_000) -> bytes:
    """A ~70 KB PDF whose page tree sits in an object stream behind ``entries`` bogus entries.

    The stream inflates to tens of megabytes of ``9 999999999`` pairs that every parser must
    read before it finds the catalogue: seconds of CPU and hundreds of megabytes for a small
    upload.
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    body, offsets = b"", []
    for item in objects:
        offsets.append(len(body))
        body += item + b"\n"
    header = b"9 999999999 " * entries
    header += b" ".join(b"%d %d" % (number, at) for number, at in enumerate(offsets, 1)) + b"\n"
    packed = zlib.compress(header + body, 9)
    output = io.BytesIO()
    output.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_at = output.tell()
    output.write(
        b"4 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>\n"
        b"stream\n" % (entries + 3, len(header), len(packed))
    )
    output.write(packed + b"\nendstream\nendobj\n")
    xref_at = output.tell()
    # Cross-reference stream, fields of 1, 4 and 2 bytes: free, in the object stream, plain.
    rows = [b"\x00" + bytes(4) + b"\xff\xff"]
    rows += [b"\x02" + (4).to_bytes(4, "big") + index.to_bytes(2, "big") for index in range(3)]
    rows += [b"\x01" + at.to_bytes(4, "big") + bytes(2) for at in (stream_at, xref_at)]
    table = b"".join(rows)
    output.write(
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
    )
    output.write(table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return output.getvalue()


#: What the active PDF runs or carries; none of it may survive cleaning.
ACTIVE_PAYLOAD = b"app.alert('owned')"


def pdf_with_active_content() -> bytes:
    """A two-page PDF with an open action, document and page scripts, an embedded file, a
    launch link, a file-attachment annotation, a form field script and an XFA form; plus an
    ordinary web link and visible text, which must survive."""
    pdf = pikepdf.new()
    for text in (b"Nomination of the delegation", b"Second page"):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj["/Resources"] = pikepdf.Dictionary(
            Font=pikepdf.Dictionary(
                F1=pikepdf.Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
            )
        )
        page.obj["/Contents"] = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET")
    script = pdf.make_stream(ACTIVE_PAYLOAD)
    javascript = pikepdf.Dictionary(S=Name.JavaScript, JS=script)
    pdf.Root.OpenAction = javascript
    embedded = pdf.make_stream(b"MZ this would be a program")
    embedded.Type = Name.EmbeddedFile
    filespec = pikepdf.Dictionary(
        Type=Name.Filespec, F=pikepdf.String("run.exe"), EF=pikepdf.Dictionary(F=embedded)
    )
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), javascript])),
        EmbeddedFiles=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("run.exe"), filespec])
        ),
    )
    first = pdf.pages[0]
    first.obj.AA = pikepdf.Dictionary(O=javascript)
    widget = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=pikepdf.String("name"),
            Rect=[72, 600, 300, 620],
            AA=pikepdf.Dictionary(K=javascript),
        )
    )
    first.obj.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.Link,
                    Rect=[72, 700, 200, 720],
                    A=pikepdf.Dictionary(S=Name.Launch, F=filespec),
                ),
                pikepdf.Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.FileAttachment,
                    Rect=[72, 650, 90, 670],
                    FS=filespec,
                ),
                pikepdf.Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.Link,
                    Rect=[72, 630, 200, 645],
                    A=pikepdf.Dictionary(S=Name.URI, URI=pikepdf.String("https://www.iom.int/")),
                ),
                widget,
            ]
        )
    )
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=[widget], XFA=pdf.make_stream(b"<xdp:xdp>" + ACTIVE_PAYLOAD + b"</xdp:xdp>")
    )
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()
