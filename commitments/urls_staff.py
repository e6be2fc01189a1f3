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
    # The warranty service's page lives here: it lists the service's repair tickets (this app).
    path(
        "tags/warranty-services/<int:service_id>/",
        staff.warranty_service_detail,
        name="tag-warranty-service",
    ),
    path(
        "tags/warranty-services/<int:service_id>/key/",
        staff.warranty_service_key,
        name="tag-warranty-service-key",
    ),
    path("commitments/breaches/", staff.breach_search, name="commitment-breach-search"),
    path("commitments/breaches/export.csv", staff.breach_export, name="commitment-breach-export"),
    path("commitments/vouchers/export.csv", staff.voucher_export, name="commitment-voucher-export"),
]
