from django.urls import path

from .views import core_problems_office, evaluation_office, score_office

urlpatterns: list = [
    path("evaluation/", evaluation_office.evaluation, name="evaluation"),
    path("score/", score_office.score, name="score"),
    path("score.csv", score_office.score_csv, name="score-csv"),
    path("core-problems/", core_problems_office.core_problems, name="core-problems"),
    path(
        "core-problems/orders/<str:external_id>/",
        core_problems_office.core_problem_order,
        name="core-problem-order",
    ),
]
