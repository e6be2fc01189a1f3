"""Content-Security-Policy for every HTML page: scripts only from our own static files (or with the
request's nonce), no plugins, no framing, forms post to us only.

A page that needs JavaScript ships it as a static file (static/<app>/*.js, e.g. an ECharts chart page
loads echarts.min.js and its own chart.js with <script src="{% static ... %}">): nothing else is
needed. An inline <script> must carry nonce="{{ csp_nonce }}"; inline on* attributes never run.
Inline style attributes stay allowed (the charts and the docs UI set styles).
"""

import secrets

from django.conf import settings
from django.utils.functional import SimpleLazyObject

POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = SimpleLazyObject(lambda: secrets.token_urlsafe(16))
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            header = (
                "Content-Security-Policy-Report-Only"
                if settings.CSP_REPORT_ONLY
                else "Content-Security-Policy"
            )
            response.headers.setdefault(header, POLICY.format(nonce=request.csp_nonce))
        return response


def nonce(request):
    """Context processor: {{ csp_nonce }} for the rare inline script."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
