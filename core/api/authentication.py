"""Token authentication whose failures are throttled per client address.

A client that sends more than settings.API_TOKEN_FAILURE_LIMIT wrong tokens within
API_TOKEN_FAILURE_WINDOW seconds gets 429 for the rest of that window, right token or not: guessing
tokens costs a window per few tries. Counted like the other throttles (core.api.throttling).
"""

import time

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from core.api.throttling import count_hit, peek
from core.net import client_ip


class ThrottledTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        window = settings.API_TOKEN_FAILURE_WINDOW
        now = time.time()
        key = f"auth-fail:{client_ip(request)}:{int(now) // window}"
        if peek(key) >= settings.API_TOKEN_FAILURE_LIMIT:
            raise exceptions.Throttled(wait=window - now % window, detail="Too many failed token attempts.")
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            count_hit(key, window)
            raise
