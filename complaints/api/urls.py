from django.urls import path

from . import views

urlpatterns = [
    path(
        "integration/complaints", views.IntegrationComplaintFileView.as_view(), name="integration-complaints"
    ),
    path(
        "integration/complaints/<str:external_id>",
        views.IntegrationComplaintView.as_view(),
        name="integration-complaint",
    ),
    path(
        "integration/help-requests",
        views.IntegrationHelpRequestsView.as_view(),
        name="integration-help-requests",
    ),
    path(
        "complaints/evidence/<int:evidence_id>",
        views.EvidenceFileView.as_view(),
        name="complaint-evidence-file",
    ),
    path("merchant/complaints", views.MerchantComplaintListView.as_view(), name="merchant-complaints"),
    path(
        "merchant/complaints/<int:complaint_id>",
        views.MerchantComplaintDetailView.as_view(),
        name="merchant-complaint",
    ),
    path(
        "merchant/complaints/<int:complaint_id>/response",
        views.MerchantComplaintRespondView.as_view(),
        name="merchant-complaint-response",
    ),
    path(
        "merchant/complaints/<int:complaint_id>/appeal",
        views.MerchantComplaintAppealView.as_view(),
        name="merchant-complaint-appeal",
    ),
    path("staff/complaints", views.StaffComplaintQueueView.as_view(), name="staff-complaints"),
    path(
        "staff/complaints/statistics",
        views.StaffDeskStatisticsView.as_view(),
        name="staff-complaint-statistics",
    ),
    path(
        "staff/complaints/<int:complaint_id>",
        views.StaffComplaintDetailView.as_view(),
        name="staff-complaint",
    ),
    path(
        "staff/complaints/<int:complaint_id>/accept",
        views.StaffComplaintAcceptView.as_view(),
        name="staff-complaint-accept",
    ),
    path(
        "staff/complaints/<int:complaint_id>/start-review",
        views.StaffComplaintReviewView.as_view(),
        name="staff-complaint-review",
    ),
    path(
        "staff/complaints/<int:complaint_id>/withdraw",
        views.StaffComplaintWithdrawView.as_view(),
        name="staff-complaint-withdraw",
    ),
    path(
        "staff/complaints/<int:complaint_id>/decision",
        views.StaffComplaintDecisionView.as_view(),
        name="staff-complaint-decision",
    ),
    path(
        "staff/complaint-appeals/<int:appeal_id>/decision",
        views.StaffAppealDecisionView.as_view(),
        name="staff-complaint-appeal-decision",
    ),
    path(
        "staff/recovery-claims/<int:claim_id>/state",
        views.StaffRecoveryClaimView.as_view(),
        name="staff-recovery-claim",
    ),
]
