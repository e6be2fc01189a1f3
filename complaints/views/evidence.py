"""Serving a complaint's evidence file to the back office, the console and the API."""

from core.files import evidence_file_response

from ..models import Evidence


def evidence_response(item: Evidence):
    return evidence_file_response(item.file, filename=item.original_name)
