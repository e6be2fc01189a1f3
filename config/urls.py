from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views

# Each app contributes pages to one shared namespace per surface.
SURFACE_APPS = ["merchants", "tags", "commitments", "complaints", "scoring", "courses"]


def _surface(module: str) -> list:
    patterns: list = []
    for app in SURFACE_APPS:
        patterns += __import__(f"{app}.{module}", fromlist=["urlpatterns"]).urlpatterns
    return patterns


api_v1 = [path("health", core_views.health, name="api-health")]
for _app in SURFACE_APPS:
    api_v1 += __import__(f"{_app}.api.urls", fromlist=["urlpatterns"]).urlpatterns

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("office/", include((_surface("urls_office"), "office"))),
    path("staff/", include((_surface("urls_staff"), "staff"))),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script as a file (?script): no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("health/", core_views.health, name="health"),
    path("ping/", core_views.ping, name="ping"),
]
# Media (evidence uploads) is never served as static files: only through views that check access.

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
