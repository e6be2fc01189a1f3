"""Domain errors and their codes. Services raise these; the API handler and views turn them into responses.

Every `code` on the wire is a member of an error-code enumeration: `CoreError` here for the generic
ones (and those DRF and Django answer with), and one per app in `<app>/errors.py` for that app's own
(`merchants.errors.MerchantError` ...). An `ApplicationError` refuses a plain string as its code, and
`error_codes()` lists every member for the OpenAPI schema (`core.api.schema`).
"""

from enum import StrEnum

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


class ErrorCode(StrEnum):
    """Base of the error-code enumerations: the value is the wire code, `description` says when it is sent."""

    def __new__(cls, value: str, description: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class CoreError(ErrorCode):
    INVALID = "invalid", "The input is invalid; `fields` says what is wrong with each field."
    OUT_OF_RANGE = "out_of_range", "A value is outside the range that can be stored."
    PARSE_ERROR = "parse_error", "The body could not be parsed (malformed or too deeply nested JSON)."
    NOT_AUTHENTICATED = "not_authenticated", "No credentials were sent."
    AUTHENTICATION_FAILED = "authentication_failed", "The credentials sent are wrong."
    PERMISSION_DENIED = "permission_denied", "The user may not do this."
    FORBIDDEN = "forbidden", "The object is not the user's to change."
    NOT_FOUND = "not_found", "No such object (or it is not the user's)."
    METHOD_NOT_ALLOWED = "method_not_allowed", "The HTTP method is not allowed here."
    NOT_ACCEPTABLE = "not_acceptable", "No response format matches the Accept header."
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", "The body's content type is not accepted."
    CONFLICT = "conflict", "The request conflicts with the object's current state or with another write."
    INVALID_TRANSITION = "invalid_transition", "The object's state does not allow this action."
    THROTTLED = "throttled", "Too many requests: wait and retry."
    LOCKED_OUT = "locked_out", "Too many failed logins: the account is locked for a while."
    SERVICE_UNAVAILABLE = (
        "service_unavailable",
        "A dependency (database, cache) is down: retry after Retry-After.",
    )
    SERVER_ERROR = "server_error", "An unexpected error on our side (logged)."
    ERROR = "error", "Any other error DRF reports without a code of its own."


def _checked(code: ErrorCode) -> ErrorCode:
    if not isinstance(code, ErrorCode):
        raise TypeError(f"error codes are ErrorCode members, not {code!r}")
    return code


def error_body(code: ErrorCode, message: str, fields: dict | None = None) -> dict:
    """The project's one error shape (the API's exception handler, the badge fast path, the middlewares)."""
    return {"code": str(_checked(code)), "message": message, "fields": fields or {}}


def error_codes() -> list[ErrorCode]:
    """Every member of every error-code enumeration, core's first, then each installed app's in
    INSTALLED_APPS order (importing each app's `errors` module, so core names no app)."""
    autodiscover_modules("errors")
    enumerations, pending = [], [ErrorCode]
    while pending:
        enumeration = pending.pop()
        enumerations.append(enumeration)
        pending.extend(enumeration.__subclasses__())
    position = {config.name: i for i, config in enumerate(apps.get_app_configs())}
    enumerations.sort(key=lambda e: position.get(e.__module__.split(".")[0], len(position)))
    return [member for enumeration in enumerations for member in enumeration]


class ApplicationError(Exception):
    status_code = 400
    default_code: ErrorCode = CoreError.INVALID

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _checked(cls.default_code)

    def __init__(self, message: str, *, code: ErrorCode | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = self.default_code if code is None else _checked(code)
        self.fields = fields or {}


class InvalidTransition(ApplicationError):
    """The object is not in a state that allows this action (HTTP 409)."""

    status_code = 409
    default_code = CoreError.INVALID_TRANSITION


class Conflict(ApplicationError):
    status_code = 409
    default_code = CoreError.CONFLICT


class NotFound(ApplicationError):
    status_code = 404
    default_code = CoreError.NOT_FOUND


class Forbidden(ApplicationError):
    status_code = 403
    default_code = CoreError.FORBIDDEN


def check_transition(*, allowed: dict, current: str, target: str, what: str) -> None:
    """Raise InvalidTransition unless `allowed[current]` contains `target`."""
    if target not in allowed.get(current, ()):
        current, target = str(current), str(target)  # a TextChoices member names its value
        raise InvalidTransition(
            f"{what} cannot move from {current!r} to {target!r}",
            fields={"state": [f"current state is {current!r}"]},
        )
