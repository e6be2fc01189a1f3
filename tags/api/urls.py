from django.urls import path

from . import public, views

urlpatterns = [
    path("public/badges", public.PublicBadgesView.as_view(), name="public-badges"),
    path("public/badges/verify", public.PublicBadgeVerifyView.as_view(), name="public-badges-verify"),
    path("tags/catalog", views.CatalogView.as_view(), name="tag-catalog-api"),
    path(
        "tags/warranty-services",
        views.ApprovedWarrantyServicesView.as_view(),
        name="tag-warranty-services-api",
    ),
    path("merchant/tag-applications", views.MyApplicationsView.as_view(), name="merchant-tag-applications"),
    path(
        "merchant/tag-applications/<int:application_id>",
        views.MyApplicationDetailView.as_view(),
        name="merchant-tag-application",
    ),
    path(
        "merchant/tag-applications/<int:application_id>/submit",
        views.MyApplicationSubmitView.as_view(),
        name="merchant-tag-application-submit",
    ),
    path(
        "merchant/tag-applications/<int:application_id>/sign",
        views.MyApplicationSignView.as_view(),
        name="merchant-tag-application-sign",
    ),
    path("merchant/tag-holdings", views.MyHoldingsView.as_view(), name="merchant-tag-holdings"),
    path(
        "merchant/tag-holdings/<int:holding_id>/withdraw",
        views.MyHoldingWithdrawView.as_view(),
        name="merchant-tag-holding-withdraw",
    ),
    path("merchant/badges", views.MyBadgesView.as_view(), name="merchant-badges"),
    path("staff/tag-applications", views.StaffApplicationsView.as_view(), name="staff-tag-applications"),
    path(
        "staff/tag-applications/<int:application_id>/approve",
        views.StaffApplicationApproveView.as_view(),
        name="staff-tag-application-approve",
    ),
    path(
        "staff/tag-applications/<int:application_id>/reject",
        views.StaffApplicationRejectView.as_view(),
        name="staff-tag-application-reject",
    ),
    path(
        "staff/tag-holdings/<int:holding_id>/revoke",
        views.StaffHoldingRevokeView.as_view(),
        name="staff-tag-holding-revoke",
    ),
    path(
        "staff/tag-holdings/<int:holding_id>/restore",
        views.StaffHoldingRestoreView.as_view(),
        name="staff-tag-holding-restore",
    ),
    path(
        "staff/warranty-services", views.StaffWarrantyServicesView.as_view(), name="staff-warranty-services"
    ),
    path(
        "staff/warranty-services/<int:service_id>/approve",
        views.StaffWarrantyApproveView.as_view(),
        name="staff-warranty-service-approve",
    ),
    path(
        "staff/warranty-services/<int:service_id>/reject",
        views.StaffWarrantyRejectView.as_view(),
        name="staff-warranty-service-reject",
    ),
]
