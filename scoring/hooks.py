"""What scoring (score, core problems, monthly evaluation) asks of the apps above it.

`courses` sits above `scoring` (STYLE.md layers), so scoring never imports it: courses registers
here from `CoursesConfig.ready()`.

- `metric_failed(...)`: the monthly evaluation calls it after a merchant fails a metric for a
  month; courses assigns the matching course (once per merchant × metric × month).
- `course_for(code)`: the course that teaches a metric code (evaluation metrics such as
  `fault_complaint_rate`, score parts such as `dispatch`, core-problem sub-problem codes), for
  links in notices, e-mails and pages; None when no course is registered.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CourseLink:
    code: str  # the course's code
    title: str  # already in the active language
    url: str


_metric_failed_handlers: list[Callable[..., None]] = []
_course_lookups: list[Callable[[str], CourseLink | None]] = []


def register_metric_failed(handler: Callable[..., None]) -> None:
    """handler(*, merchant_id: int, metric_code: str, period: str) -> None; period is 'YYYY-MM'."""
    if handler not in _metric_failed_handlers:
        _metric_failed_handlers.append(handler)


def register_course_lookup(lookup: Callable[[str], CourseLink | None]) -> None:
    if lookup not in _course_lookups:
        _course_lookups.append(lookup)


def metric_failed(*, merchant_id: int, metric_code: str, period: str) -> None:
    for handler in _metric_failed_handlers:
        handler(merchant_id=merchant_id, metric_code=metric_code, period=period)


def course_for(code: str) -> CourseLink | None:
    for lookup in _course_lookups:
        link = lookup(code)
        if link is not None:
            return link
    return None
