from django.urls import path

from .views import staff

urlpatterns = [
    path("commitments/appeals/", staff.appeal_queue, name="commitment-appeals"),
    path("commitments/appeals/<int:appeal_id>/decide/", staff.appeal_decide, name="commitment-appeal-decide"),
    path(
        "commitments/appeals/evidence/<int:evidence_id>/",
        staff.appeal_evidence,
        name="commitment-appeal-evidence",
    ),
    path("commitments/force-majeure/", staff.force_majeure, name="commitment-force-majeure"),
    path("commitments/breaches/", staff.breach_search, name="commitment-breach-search"),
    path("commitments/breaches/export.csv", staff.breach_export, name="commitment-breach-export"),
    path("commitments/vouchers/export.csv", staff.voucher_export, name="commitment-voucher-export"),
]
