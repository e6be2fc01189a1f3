from django.urls import path

from .views import staff

urlpatterns = [
    path("", staff.dashboard, name="dashboard"),
    path("merchants/", staff.merchant_list, name="merchants"),
    path("merchants/<int:merchant_id>/", staff.merchant_detail, name="merchant-detail"),
    path("merchants/<int:merchant_id>/deposit/", staff.merchant_deposit_post, name="merchant-deposit-post"),
    path(
        "merchants/<int:merchant_id>/deposit/export.csv",
        staff.merchant_ledger_export,
        name="merchant-ledger-export",
    ),
]
