from django.urls import path

from .views import office

urlpatterns = [
    path("", office.dashboard, name="dashboard"),
    path("deposit/", office.deposit_ledger, name="deposit"),
    path("notices/", office.notices, name="notices"),
    path("notices/read/", office.notices_read, name="notices-read"),
    path("deposit/export.csv", office.deposit_export, name="deposit-export"),
]
