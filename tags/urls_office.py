from django.urls import path

from .views import office

urlpatterns = [
    path("tags/", office.catalog, name="tag-catalog"),
    path("tags/mine/", office.my_tags, name="tag-mine"),
    path("tags/apply/<slug:code>/", office.apply, name="tag-apply"),
    path("tags/applications/", office.application_list, name="tag-applications"),
    path("tags/applications/<int:application_id>/", office.application_detail, name="tag-application"),
    path(
        "tags/applications/<int:application_id>/sign/", office.application_sign, name="tag-application-sign"
    ),
    path("tags/holdings/<int:holding_id>/withdraw/", office.holding_withdraw, name="tag-holding-withdraw"),
]
