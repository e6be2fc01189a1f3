"""Storing already-validated evidence files, and removing them again when the transaction fails.

Files are written under a generated name (the shopper's or merchant's file name is kept in
`original_name` only): an upload name can neither overflow the path column nor be guessed.
A file written inside a transaction that then rolls back would stay on disk with no row pointing
to it; the services wrap their transaction in `evidence_discard_on_error()`, which deletes the
files written inside it when an exception leaves the block.
"""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..models import Complaint, Evidence

logger = logging.getLogger(__name__)

# The file's first bytes decide the extension (core.files.validate_evidence accepted only these).
_EXTENSIONS = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"%PDF-", ".pdf"))

_written: ContextVar[list | None] = ContextVar("complaints_evidence_written", default=None)


def _extension(upload) -> str:
    head = upload.read(8)
    upload.seek(0)
    return next((ext for magic, ext in _EXTENSIONS if head.startswith(magic)), "")


def _delete(files: list) -> None:
    for field_file in files:
        try:
            field_file.storage.delete(field_file.name)
        except Exception:  # noqa: BLE001 - a leftover file is not worth hiding the original error
            logger.warning("evidence: could not delete %s after a failed write", field_file.name)


@contextmanager
def evidence_discard_on_error() -> Iterator[None]:
    """Delete the evidence files stored inside this block if an exception leaves it.

    Put it OUTSIDE the transaction (`with evidence_discard_on_error(), transaction.atomic():`) so
    the rows are rolled back before the files go.
    """
    written: list = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        _delete(written)
        raise
    finally:
        _written.reset(token)


def evidence_store(*, complaint: Complaint, party: str, files: list, actor=None) -> list[Evidence]:
    """Save files validated by core.files.validate_evidence; runs inside the caller's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    written = _written.get()
    stored: list[Evidence] = []
    try:
        for upload in files:
            item = Evidence(
                complaint=complaint,
                party=party,
                original_name=upload.name[:200],
                size=upload.size,
                uploaded_by=user,
            )
            item.file.save(f"{uuid.uuid4().hex}{_extension(upload)}", upload, save=False)
            if written is not None:
                written.append(item.file)
            stored.append(item)
            item.save()
    except BaseException:
        if written is None:  # no guard around the caller: clean up what this call wrote
            _delete([item.file for item in stored])
        raise
    return stored
