"""Domain errors. Services raise these; the API handler and views turn them into responses."""


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The project's one error shape (the API's exception handler and the badge fast path)."""
    return {"code": code, "message": message, "fields": fields or {}}


class ApplicationError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class InvalidTransition(ApplicationError):
    """The object is not in a state that allows this action (HTTP 409)."""

    status_code = 409
    default_code = "invalid_transition"


class Conflict(ApplicationError):
    status_code = 409
    default_code = "conflict"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"


class Forbidden(ApplicationError):
    status_code = 403
    default_code = "forbidden"


def check_transition(*, allowed: dict, current: str, target: str, what: str) -> None:
    """Raise InvalidTransition unless `allowed[current]` contains `target`."""
    if target not in allowed.get(current, ()):
        current, target = str(current), str(target)  # a TextChoices member names its value
        raise InvalidTransition(
            f"{what} cannot move from {current!r} to {target!r}",
            fields={"state": [f"current state is {current!r}"]},
        )
