"""Pages show times in the business time zone (Asia/Shanghai); storage and the API stay in UTC."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .boundary import is_storable_text, printable
from .calendar import business_tz
from .errors import CoreError, error_body


class BusinessTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            return self.get_response(request)
        with timezone.override(business_tz()):
            return self.get_response(request)


class InputBoundaryMiddleware:
    """Refuse a URL path, query string or form body with NUL or unpaired surrogates (core.boundary).

    It runs first, before the badge fast path and every view: such text can never be stored or
    rendered, and letting it through made PostgreSQL or the JSON renderer fail with a 500. The 400
    names the parameter, never echoes the character. JSON bodies are checked per field by the
    serializers (so that a batch refuses the bad item alone).
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self.bad_part(request)
        if where is not None:
            return refuse_bad_text(request, where)
        return self.get_response(request)

    def bad_part(self, request) -> str | None:
        if not is_storable_text(request.path_info):
            return "path"
        raw = request.META.get("QUERY_STRING", "")
        if "%00" in raw or "\x00" in raw:
            where = self._first_bad(request, "GET")
            if where is not None:
                return where
        if (
            request.method == "POST"
            and not request.path_info.startswith("/api/")
            and request.content_type in self.FORM_TYPES
        ):
            return self._first_bad(request, "POST")
        return None

    @staticmethod
    def _first_bad(request, attr: str) -> str | None:
        try:
            pairs = list(getattr(request, attr).lists())
        except (SuspiciousOperation, UnreadablePostError):
            return None  # the view answers these as before (400)
        for key, values in pairs:
            if not is_storable_text(key) or not all(is_storable_text(v) for v in values):
                return printable(key)[:64]
        return None


def refuse_bad_text(request, where: str):
    # Runs before LocaleMiddleware: pick the reader's language the way it would.
    with translation.override(translation.get_language_from_request(request)):
        return _refuse_bad_text(request, where)


def _refuse_bad_text(request, where: str):
    message = _("The request contains characters that cannot be stored (NUL or invalid Unicode).")
    if request.path_info.startswith("/api/"):
        body = error_body(CoreError.INVALID, str(message), {where: [str(message)]})
        return JsonResponse(body, status=400)
    html = render_to_string("error.html", {"title": _("Bad request"), "message": message}, request=request)
    return HttpResponse(html, status=400)
