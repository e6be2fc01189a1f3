"""A fast path for the public badge API, the hottest endpoint of the platform.

The endpoint is anonymous and stateless: sessions, authentication, CSRF and messages do nothing
for it, and URL resolution through every app's patterns costs as much as the view itself. This
middleware sits right after SecurityMiddleware and answers that one path directly, doing what the
skipped LocaleMiddleware would have done (language from Accept-Language, Vary, Content-Language).
"""

from django.utils import translation
from django.utils.cache import patch_vary_headers

from .api.public import public_badges

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
