"""The one evidence store for every upload (complaints, responses, complaint and breach appeals).

- `validate_evidence` checks count, size and type (by the file's first bytes) before anything is
  written;
- `evidence_save` writes an upload under a generated name (uuid + the extension its bytes say; the
  uploader's name is kept in the row only): an upload name can neither overflow the path column
  nor be guessed;
- `evidence_discard_on_error` deletes the files written inside it when an exception leaves the
  block: a file written inside a transaction that then rolls back would stay on disk with no row;
- `evidence_file_response` serves a stored file with the content type its bytes say.
"""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404

from .errors import ApplicationError

logger = logging.getLogger(__name__)

# What a file's first bytes must be for each accepted content type.
_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}

_written: ContextVar[list | None] = ContextVar("evidence_written", default=None)


def content_type_of(head: bytes) -> str | None:
    """The accepted content type whose magic bytes `head` starts with, or None."""
    return next((ct for ct, magics in _MAGIC.items() if any(head.startswith(m) for m in magics)), None)


def _head(upload) -> bytes:
    head = upload.read(8)
    upload.seek(0)
    return head


def evidence_delete(files: list) -> None:
    for field_file in files:
        try:
            field_file.storage.delete(field_file.name)
        except Exception:  # noqa: BLE001 - a leftover file is not worth hiding the original error
            logger.warning("evidence: could not delete %s after a failed write", field_file.name)


@contextmanager
def evidence_discard_on_error() -> Iterator[None]:
    """Delete the evidence files saved inside this block if an exception leaves it.

    Put it OUTSIDE the transaction (`with evidence_discard_on_error(), transaction.atomic():`) so
    the rows are rolled back before the files go.
    """
    written: list = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        evidence_delete(written)
        raise
    finally:
        _written.reset(token)


def evidence_save(field_file, upload) -> bool:
    """Write an upload validated by validate_evidence into `field_file` (a FileField of an unsaved
    row) under a generated name. Returns whether an `evidence_discard_on_error` block guards it
    (if not, the caller deletes the file itself when its write fails)."""
    field_file.save(
        f"{uuid.uuid4().hex}{_EXTENSIONS.get(content_type_of(_head(upload)), '')}", upload, save=False
    )
    written = _written.get()
    if written is not None:
        written.append(field_file)
    return written is not None


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
        kind = content_type_of(_head(upload))
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
    content_type = content_type_of(_head(handle))
    if content_type is None:  # cannot happen for validated uploads; never let a browser render it
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type="application/octet-stream"
        )
    return FileResponse(handle, filename=filename, content_type=content_type)
