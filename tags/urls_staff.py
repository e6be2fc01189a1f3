from django.urls import path

from .views import staff

urlpatterns = [
    path("tags/review/", staff.review_queue, name="tag-review-queue"),
    path("tags/applications/<int:application_id>/", staff.application_detail, name="tag-review-application"),
    path(
        "tags/applications/<int:application_id>/decide/", staff.application_decide, name="tag-review-decide"
    ),
    path("tags/holdings/<int:holding_id>/revoke/", staff.holding_revoke, name="tag-holding-revoke"),
    path("tags/warranty-services/", staff.warranty_list, name="tag-warranty-services"),
    path(
        "tags/warranty-services/<int:service_id>/decide/", staff.warranty_decide, name="tag-warranty-decide"
    ),
]
