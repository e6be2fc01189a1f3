import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ApplicationError
from core.files import validate_evidence

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_accepts_png_and_pdf():
    validate_evidence([SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.pdf", b"%PDF-1.7 ...")])


def test_refuses_wrong_type_and_too_large(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ApplicationError) as excinfo:
        validate_evidence(
            [SimpleUploadedFile("x.exe", b"MZ\x90\x00"), SimpleUploadedFile("big.png", PNG * 100)]
        )
    assert excinfo.value.fields == {
        "evidence": ["x.exe: only JPEG, PNG or PDF files are accepted", "big.png: larger than 1 KB"]
    }
