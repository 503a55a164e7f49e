"""The child process that reads an uploaded letter and writes a copy without active content.

Run by letters.sanitise_letter as ``python -I letter_sandbox.py CPU_SECONDS MEMORY_BYTES
MAX_PAGES`` with the PDF on stdin. It limits its own CPU time and address space before it
touches the file, so a crafted PDF (an object-stream or decompression bomb) is killed by the
kernel instead of stalling a web worker. It imports nothing of the application: only the
standard library and pikepdf, and it sees no environment variable of the web process.

It answers one JSON line on stdout, followed by the cleaned PDF when it succeeded:
``{"pages": N}`` or ``{"error": CODE, "pages": N}``.
"""

import io
import json
import resource
import sys

#: Keys that hold or trigger scripts, embedded files or forms run by the reader.
_ACTIVE_KEYS = (
    "/AA",
    "/OpenAction",
    "/JS",
    "/JavaScript",
    "/EmbeddedFiles",
    "/EF",
    "/XFA",
    "/RichMediaContent",
    "/RichMediaExecute",
)
#: Actions that run code, start programs, send data or open other files.
_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/ResetForm",
    "/GoToR",
    "/GoToE",
    "/RichMediaExecute",
    "/Rendition",
    "/Movie",
    "/Sound",
    "/Hide",
    "/SetOCGState",
    "/Trans",
    "/GoTo3DView",
}
#: Annotations that carry a file, media or a 3D scene.
_ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    """Let the kernel stop this process when it works or allocates too much."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _strip(value, seen: set) -> None:
    """Remove active keys and actions from ``value`` and everything it holds."""
    import pikepdf

    if isinstance(value, pikepdf.Stream):
        # A stream's dictionary may hold actions too; its data is never interpreted here.
        _strip(value.stream_dict, seen)
        return
    if isinstance(value, pikepdf.Array):
        for item in value:
            _visit(item, seen)
        return
    if not isinstance(value, pikepdf.Dictionary):
        return
    for key in _ACTIVE_KEYS:
        if key in value:
            del value[key]
    action = value.get("/A")
    if isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) in _ACTIVE_ACTIONS:
        del value["/A"]
    annotations = value.get("/Annots")
    if isinstance(annotations, pikepdf.Array):
        kept = [a for a in annotations if str(a.get("/Subtype")) not in _ACTIVE_ANNOTATIONS]
        value["/Annots"] = pikepdf.Array(kept)
    for key in list(value.keys()):
        _visit(value[key], seen)


def _visit(value, seen: set) -> None:
    """Strip ``value`` once, following indirect references a single time."""
    if getattr(value, "is_indirect", False):
        if value.objgen in seen:
            return
        seen.add(value.objgen)
    _strip(value, seen)


def clean(data: bytes, max_pages: int) -> tuple[dict, bytes]:
    """The answer and the cleaned PDF: only the pages are copied into a new document, so the
    catalogue's scripts, open actions, embedded files and XFA forms stay behind; what the
    pages themselves carry is stripped."""
    import pikepdf

    try:
        source = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return {"error": "letter_encrypted"}, b""
    except pikepdf.PdfError:
        return {"error": "letter_not_pdf"}, b""
    pages = len(source.pages)
    if pages < 1:
        return {"error": "letter_not_pdf"}, b""
    if pages > max_pages:
        return {"error": "letter_too_many_pages", "pages": pages}, b""
    target = pikepdf.new()
    target.pages.extend(source.pages)
    seen: set = set()
    for page in target.pages:
        _visit(page.obj, seen)
    output = io.BytesIO()
    target.save(output)
    return {"pages": pages}, output.getvalue()


def main() -> None:
    """Read the PDF from stdin under limits and answer on stdout."""
    cpu_seconds, memory_bytes, max_pages = (int(value) for value in sys.argv[1:4])
    _limit(cpu_seconds, memory_bytes)
    data = sys.stdin.buffer.read()
    try:
        answer, cleaned = clean(data, max_pages)
    except MemoryError:
        answer, cleaned = {"error": "letter_too_complex"}, b""
    except Exception:  # any other failure of the parser: the file is not a usable PDF
        answer, cleaned = {"error": "letter_not_pdf"}, b""
    sys.stdout.buffer.write(json.dumps(answer).encode() + b"\n" + cleaned)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
