from pathlib import Path

import pytest

from courses.content import load_course_content
from courses.models import Course, Tip

FIXTURE_CONTENT = Path(__file__).parent / "content"


@pytest.fixture
def content(db):
    """Only the two small fixture courses and two tips (the seeded real content removed first)."""
    Course.objects.all().delete()
    Tip.objects.all().delete()
    load_course_content(FIXTURE_CONTENT)
    return {c.code: c for c in Course.objects.all()}


@pytest.fixture
def logistics(content):
    return content["std_logistics"]


@pytest.fixture
def dispatch(content):
    return content["part_dispatch"]
