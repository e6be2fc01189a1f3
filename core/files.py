"""Evidence uploads (complaints, responses, appeals): size and type checked before anything is written."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404

from .errors import ApplicationError

# What a file's first bytes must be for each accepted content type.
_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


def _human_size(size: int) -> str:
    return f"{size / 1048576:g} MB" if size >= 1048576 else f"{size / 1024:g} KB"


def validate_evidence(files: list[UploadedFile], *, field: str = "evidence", max_files: int = 6) -> None:
    """Raise ApplicationError (400) naming every bad file; the caller writes nothing then."""
    problems: list[str] = []
    if len(files) > max_files:
        problems.append(f"at most {max_files} files")
    for upload in files:
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            problems.append(f"{upload.name}: larger than {_human_size(settings.EVIDENCE_MAX_BYTES)}")
            continue
        head = upload.read(8)
        upload.seek(0)
        kind = next((ct for ct, magics in _MAGIC.items() if any(head.startswith(m) for m in magics)), None)
        if kind is None or kind not in settings.EVIDENCE_CONTENT_TYPES:
            problems.append(f"{upload.name}: only JPEG, PNG or PDF files are accepted")
    if problems:
        raise ApplicationError(
            "Evidence files were refused: " + "; ".join(problems), fields={field: problems}
        )


def evidence_file_response(field_file, *, filename: str):
    """Serve a stored evidence file behind a permission check (media is never served publicly).

    The content type comes from the file's first bytes (what validate_evidence accepted), never from
    the uploader's file name: "x.html" holding PNG magic bytes and a script would otherwise be served
    as text/html on our origin and run in a staff member's session.
    """

    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The evidence file is missing.") from exc
    head = handle.read(8)
    handle.seek(0)
    content_type = next(
        (ct for ct, magics in _MAGIC.items() if any(head.startswith(m) for m in magics)), None
    )
    if content_type is None:  # cannot happen for validated uploads; never let a browser render it
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type="application/octet-stream"
        )
    return FileResponse(handle, filename=filename, content_type=content_type)
