from django.urls import path

from .views import core_problems_staff, evaluation_staff, score_staff

urlpatterns: list = [
    path("scores/", score_staff.scores, name="scores"),
    path("scores.csv", score_staff.scores_csv, name="scores-csv"),
    path("scores/merchant/<int:merchant_id>/", score_staff.merchant_score, name="score-merchant"),
    path("scores/merchant/<int:merchant_id>.csv", score_staff.merchant_score_csv, name="score-merchant-csv"),
    path(
        "merchants/<int:merchant_id>/core-problems/",
        core_problems_staff.merchant_core_problems,
        name="merchant-core-problems",
    ),
    path(
        "core-problems/orders/<str:external_id>/",
        core_problems_staff.core_problem_order,
        name="core-problem-order",
    ),
    path("evaluation/", evaluation_staff.runs, name="evaluation-runs"),
    path("evaluation/rules/", evaluation_staff.rules, name="evaluation-rules"),
    path("evaluation/dry-run/", evaluation_staff.dry_run, name="evaluation-dry-run"),
    path(
        "evaluation/merchant/<int:merchant_id>/",
        evaluation_staff.merchant_history,
        name="evaluation-merchant",
    ),
    path("evaluation/<str:month>/", evaluation_staff.run_detail, name="evaluation-run"),
    path("evaluation/<str:month>/csv/", evaluation_staff.run_csv, name="evaluation-run-csv"),
]
