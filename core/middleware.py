"""Pages show times in the business time zone (Asia/Shanghai); storage and the API stay in UTC."""

from django.utils import timezone

from .calendar import business_tz


class BusinessTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            return self.get_response(request)
        with timezone.override(business_tz()):
            return self.get_response(request)
