from django.urls import path

from .views import office

urlpatterns = [
    path("commitments/", office.commitment_list, name="commitment-list"),
    path("commitments/breaches/", office.breach_list, name="commitment-breaches"),
    path("commitments/breaches/export.csv", office.breach_export, name="commitment-breaches-export"),
    path("commitments/breaches/<int:breach_id>/", office.breach_detail, name="commitment-breach"),
    path(
        "commitments/breaches/<int:breach_id>/appeal/", office.breach_appeal, name="commitment-breach-appeal"
    ),
    path("commitments/vouchers/", office.voucher_list, name="commitment-vouchers"),
    path("commitments/vouchers/export.csv", office.voucher_export, name="commitment-vouchers-export"),
]
