from django.urls import path

from .views import evaluation_staff

urlpatterns: list = [
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
