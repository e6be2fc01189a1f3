from django.urls import path

from . import repairs, views

urlpatterns = [
    path("integration/orders", views.IntegrationOrdersView.as_view(), name="integration-orders"),
    path("integration/events", views.IntegrationEventsView.as_view(), name="integration-events"),
    path("integration/vouchers", views.IntegrationVouchersView.as_view(), name="integration-vouchers"),
    path(
        "integration/vouchers/<str:code>/redeem",
        views.IntegrationVoucherRedeemView.as_view(),
        name="integration-voucher-redeem",
    ),
    path(
        "integration/repair-tickets",
        repairs.IntegrationRepairTicketsView.as_view(),
        name="integration-repair-tickets",
    ),
    path("brand/repair-tickets", repairs.BrandRepairTicketsView.as_view(), name="brand-repair-tickets"),
    path(
        "brand/repair-tickets/<str:external_id>/accept",
        repairs.BrandRepairAcceptView.as_view(),
        name="brand-repair-ticket-accept",
    ),
    path(
        "brand/repair-tickets/<str:external_id>/complete",
        repairs.BrandRepairCompleteView.as_view(),
        name="brand-repair-ticket-complete",
    ),
    path("merchant/commitments", views.MyCommitmentsView.as_view(), name="merchant-commitments"),
    path("merchant/breaches", views.MyBreachesView.as_view(), name="merchant-breaches"),
    path("merchant/breaches/<int:breach_id>", views.MyBreachDetailView.as_view(), name="merchant-breach"),
    path(
        "merchant/breaches/<int:breach_id>/appeal",
        views.MyBreachAppealView.as_view(),
        name="merchant-breach-appeal",
    ),
    path("merchant/vouchers", views.MyVouchersView.as_view(), name="merchant-vouchers"),
    path("staff/breaches", views.StaffBreachesView.as_view(), name="staff-breaches"),
    path("staff/breach-appeals", views.StaffAppealsView.as_view(), name="staff-breach-appeals"),
    path(
        "staff/breach-appeals/<int:appeal_id>/decide",
        views.StaffAppealDecideView.as_view(),
        name="staff-breach-appeal-decide",
    ),
    path("staff/force-majeure", views.StaffForceMajeureView.as_view(), name="staff-force-majeure"),
]
