"""Complaint evidence rows (shopper, merchant response, appeal) on the one evidence store
(core.files: generated names, type by bytes, deleted when the write rolls back)."""

from core.files import evidence_delete, evidence_discard_on_error, evidence_save

from ..models import Complaint, Evidence

__all__ = ["evidence_discard_on_error", "evidence_store"]


def evidence_store(*, complaint: Complaint, party: str, files: list, actor=None) -> list[Evidence]:
    """Save files validated by core.files.validate_evidence; runs inside the caller's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    stored: list[Evidence] = []
    guarded = True
    try:
        for upload in files:
            item = Evidence(
                complaint=complaint,
                party=party,
                original_name=upload.name[:200],
                size=upload.size,
                uploaded_by=user,
            )
            guarded = evidence_save(item.file, upload)
            stored.append(item)
            item.save()
    except BaseException:
        if not guarded:  # no guard around the caller: clean up what this call wrote
            evidence_delete([item.file for item in stored])
        raise
    return stored
