from django.urls import path

from .views import staff

urlpatterns = [
    path("complaints/", staff.queue, name="complaint-queue"),
    path("complaints/export.csv", staff.queue_export, name="complaint-queue-export"),
    path("complaints/statistics/", staff.statistics, name="complaint-statistics"),
    path("complaints/notifications/read/", staff.notifications_read, name="complaint-notifications-read"),
    path("complaints/evidence/<int:evidence_id>/", staff.evidence_file, name="complaint-evidence"),
    path("complaints/<int:complaint_id>/", staff.detail, name="complaint-detail"),
    path("complaints/<int:complaint_id>/action/", staff.action, name="complaint-action"),
    path("complaints/<int:complaint_id>/decide/", staff.decide, name="complaint-decide"),
    path("complaints/<int:complaint_id>/appeal/", staff.appeal_decide, name="complaint-appeal-decide"),
    path(
        "complaints/<int:complaint_id>/recovery/", staff.recovery_claim_move, name="complaint-recovery-claim"
    ),
]
