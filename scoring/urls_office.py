from django.urls import path

from .views import core_problems_office, evaluation_office

urlpatterns: list = [
    path("evaluation/", evaluation_office.evaluation, name="evaluation"),
    path("core-problems/", core_problems_office.core_problems, name="core-problems"),
    path(
        "core-problems/orders/<str:external_id>/",
        core_problems_office.core_problem_order,
        name="core-problem-order",
    ),
]
