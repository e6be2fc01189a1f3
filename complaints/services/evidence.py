"""Storing already-validated evidence files."""

from ..models import Complaint, Evidence


def evidence_store(*, complaint: Complaint, party: str, files: list, actor=None) -> list[Evidence]:
    """Save files validated by core.files.validate_evidence; runs inside the caller's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    stored = []
    for upload in files:
        item = Evidence(
            complaint=complaint,
            party=party,
            original_name=upload.name[:200],
            size=upload.size,
            uploaded_by=user,
        )
        item.file.save(upload.name, upload, save=False)
        item.save()
        stored.append(item)
    return stored
