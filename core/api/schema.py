"""The OpenAPI schema documents the errors every operation can answer, in our one error shape.

DEFAULT_SCHEMA_CLASS: drf-spectacular's AutoSchema plus, for each operation, the error statuses it
really can return (unless the view documents that status itself):

- 400 always: the input boundary refuses a bad path or query string on any operation;
- 401 when the operation needs authentication, 403 when a permission is checked;
- 404 when the path has parameters, for writes (a referenced object) and for paginated lists (a page
  beyond the last); 409 and 415 for writes (a state that does not allow it; a body type not parsed);
- 429 always (public rate limit, wrong-token throttling), 503 always (a dependency is down).

POSTPROCESSING_HOOKS: `document_error_codes` lists every error code (`core.errors.error_codes()`: the
enumeration of core and of each app) in the Error component, with when each is sent.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from core.errors import error_codes


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: one of the codes listed below")
    message = serializers.CharField(help_text="Human-readable, in the request's language")
    fields = serializers.DictField(help_text="Per input field: what is wrong with it")

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": "Invalid input",
    "401": "Not authenticated (no or a wrong token)",
    "403": "Not allowed for this user",
    "404": "Not found (or not yours)",
    "409": "Conflict: the object's state does not allow this",
    "415": "Unsupported body content type",
    "429": "Throttled",
    "503": "A dependency (database, cache) is down: retry after Retry-After seconds",
}


class AutoSchema(SpectacularAutoSchema):
    def _error_statuses(self) -> list[str]:
        statuses = ["400"]
        permissions = self.view.get_permissions() if hasattr(self.view, "get_permissions") else []
        open_to_all = all(isinstance(p, AllowAny) for p in permissions)
        if self.get_auth() and not open_to_all:
            statuses.append("401")
        if not open_to_all:
            statuses.append("403")
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        if "{" in self.path or writes or self._get_paginator() is not None:
            statuses.append(
                "404"
            )  # a path id or a referenced object that is not (yours), a page beyond the last
        if writes:
            statuses += ["409", "415"]
        statuses += ["429", "503"]
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self._error_statuses():
            if status not in responses:
                body = self._get_response_for_code(ErrorSerializer, status)
                body["description"] = ERROR_DESCRIPTIONS[status]
                responses[status] = body
        return responses


def document_error_codes(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Error component's `code` enumerates every error code."""
    error = result.get("components", {}).get("schemas", {}).get("Error")
    if error is None:
        return result
    codes = error_codes()
    rows = [f"| `{c}` | {type(c).__module__.split('.')[0]} | {c.description} |" for c in codes]
    code = error["properties"]["code"]
    code["enum"] = [str(c) for c in codes]
    code["description"] = "\n".join(
        ["Machine-readable; each app owns its codes (`<app>/errors.py`).", "", "| code | app | sent when |",
         "|---|---|---|", *rows]
    )  # fmt: skip
    return result
