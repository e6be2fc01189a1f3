from django.urls import path

from .views import office

urlpatterns = [
    path("complaints/", office.complaint_list, name="complaint-list"),
    path("complaints/export.csv", office.complaint_export, name="complaint-export"),
    path("complaints/evidence/<int:evidence_id>/", office.evidence_file, name="complaint-evidence"),
    path("complaints/<int:complaint_id>/", office.complaint_detail, name="complaint-detail"),
    path("complaints/<int:complaint_id>/respond/", office.complaint_respond, name="complaint-respond"),
    path("complaints/<int:complaint_id>/appeal/", office.complaint_appeal, name="complaint-appeal"),
]
