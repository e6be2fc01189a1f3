from django.urls import path

from .score import MyScoreView, StaffMerchantScoreView, StaffScoreListView

urlpatterns: list = [
    path("merchant/score", MyScoreView.as_view(), name="api-merchant-score"),
    path("staff/scores", StaffScoreListView.as_view(), name="api-staff-scores"),
    path("staff/scores/<int:merchant_id>", StaffMerchantScoreView.as_view(), name="api-staff-score"),
]
