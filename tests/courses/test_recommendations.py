"""Recommendations: the course of the weakest score part first, then those of the top core problems."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from complaints.models import HelpRequest
from courses import selectors, services
from scoring.core_problems.services import core_problems_compute
from scoring.models import MerchantScore

from ..complaints.factories import OrderFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 31)


def _score(merchant, day, **parts):
    values = {
        "product": Decimal("90"),
        "dispatch": Decimal("90"),
        "logistics": Decimal("90"),
        "basic_service": Decimal("90"),
    }
    values.update({k: Decimal(v) for k, v in parts.items()})
    return MerchantScore.objects.create(
        merchant=merchant,
        day=day,
        category=merchant.main_category,
        orders=100,
        total=Decimal("80"),
        computed_at=datetime(2026, 3, 31, tzinfo=UTC),
        **values,
    )


def _codes(merchant, user=None):
    courses = list(selectors.published_courses())
    return [
        (r["course"].code, r["reason"])
        for r in selectors.recommended_courses(merchant.pk, courses, user=user)
    ]


def test_weakest_part_of_the_latest_score(merchant_a, merchant_b):
    _score(merchant_a, date(2026, 3, 29), dispatch="10")  # older day: not read
    _score(merchant_a, date(2026, 3, 30), logistics="55.5", basic_service="61")
    _score(merchant_b, date(2026, 3, 30), product="12")
    with translation.override("en"):
        assert _codes(merchant_a) == [
            ("part_logistics", "Your weakest score part: Logistics experience (2.8 / 5.0)")
        ]
        assert _codes(merchant_b)[0][0] == "part_product"


def test_then_the_courses_of_the_top_core_problems_each_once(merchant_a, owner_a):
    _score(merchant_a, date(2026, 3, 30), dispatch="40")
    at = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
    for n, scenario in enumerate(["install_appointment"] * 3 + ["urge_dispatch"] * 2 + ["invoice"]):
        order = OrderFactory(merchant=merchant_a, paid_at=at)
        HelpRequest.objects.create(
            external_id=f"H{n}", order=order, merchant=merchant_a, scenario=scenario, requested_at=at
        )
    core_problems_compute(day=DAY)
    with translation.override("zh-hans"):
        assert _codes(merchant_a) == [
            ("part_dispatch", "店铺体验分最弱的维度：发货体验（2.0 / 5.0）"),
            ("std_installation", "核心问题：安装预约与上门（3 次）"),
            ("std_invoice", "核心问题：发票问题（1 次）"),
        ]  # slow dispatch's course is already first: listed once
    # a course the user has completed is not recommended again
    course = selectors.course_get("std_installation")
    for lesson in course.lessons.all():
        services.lesson_complete(user=owner_a, merchant_id=merchant_a.pk, lesson_id=lesson.pk)
    answers = {
        str(q.pk): [c.pk for c in q.choices.all() if c.correct]
        for q in course.questions.prefetch_related("choices")
    }
    services.quiz_submit(user=owner_a, merchant_id=merchant_a.pk, course_id=course.pk, answers=answers)
    assert [code for code, _ in _codes(merchant_a, owner_a)] == ["part_dispatch", "std_invoice"]


def test_no_score_and_no_core_problems_no_recommendations(merchant_a):
    assert _codes(merchant_a) == []


def test_course_page_shows_the_recommendations(client, owner_a, merchant_a):
    _score(merchant_a, date(2026, 3, 30), basic_service="30")
    client.force_login(owner_a)
    client.cookies["django_language"] = "en"
    html = client.get("/office/courses/").content.decode()
    block = html.split('id="recommended-courses"')[1].split("</div>\n</div>")[0]
    assert "/office/courses/part_basic_service/" in block
    assert "Your weakest score part: Basic service experience (1.5 / 5.0)" in block
