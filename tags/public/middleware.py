"""A fast path for the public badge API, the hottest endpoint of the platform (docs/adr/0004).

The endpoint is anonymous and stateless: sessions, authentication, CSRF and messages do nothing
for it, and URL resolution through every app's patterns costs as much as the view itself. This
middleware sits right after SecurityMiddleware and answers that one path directly, doing what the
skipped LocaleMiddleware would have done (language from Accept-Language, Vary, Content-Language).
The URL pattern in tags/api/urls.py exists for the schema and for reverse(); it is never reached.
"""

from django.utils import translation
from django.utils.cache import patch_vary_headers

from .http import public_badges

PUBLIC_BADGES_PATH = "/api/v1/public/badges"


class PublicBadgesFastPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PUBLIC_BADGES_PATH:
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = public_badges(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response
