"""Serving an evidence file to the back office and the console.

The content type comes from the file's first bytes (what core.files.validate_evidence accepted),
never from the uploader's file name: "x.html" holding PNG magic bytes and a script would
otherwise be served as text/html on our origin and run in a staff member's session.
"""

from django.http import FileResponse, Http404

from ..models import Evidence

_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))


def evidence_response(item: Evidence) -> FileResponse:
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The evidence file is missing.") from exc
    head = handle.read(8)
    handle.seek(0)
    content_type = next((ct for magic, ct in _TYPES if head.startswith(magic)), None)
    if content_type is None:  # cannot happen for validated uploads; never let a browser render it
        return FileResponse(
            handle, as_attachment=True, filename=item.original_name, content_type="application/octet-stream"
        )
    return FileResponse(handle, filename=item.original_name, content_type=content_type)
