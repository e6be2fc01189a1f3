from django.urls import path

from . import views

urlpatterns = [
    path("merchant/me", views.MyMerchantView.as_view(), name="merchant-me"),
    path("merchant/deposit/entries", views.MyDepositEntriesView.as_view(), name="merchant-deposit-entries"),
    path("staff/merchants", views.StaffMerchantListView.as_view(), name="staff-merchants"),
    path("staff/merchants/<int:merchant_id>", views.StaffMerchantDetailView.as_view(), name="staff-merchant"),
    path(
        "staff/merchants/<int:merchant_id>/deposit/entries",
        views.StaffDepositEntriesView.as_view(),
        name="staff-merchant-deposit-entries",
    ),
]
