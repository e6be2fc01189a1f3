"""What scoring (score, core problems, monthly evaluation) asks of the apps above it.

`courses` sits above `scoring` (STYLE.md layers), so scoring never imports it: courses registers
here from `CoursesConfig.ready()`.

- `metric_failed(...)` / `metrics_failed(items)`: the monthly evaluation calls them after merchants
  fail metrics for a month; courses assigns the matching course (once per merchant × metric ×
  month), for a whole batch in a fixed number of queries when it registered a batch handler.
- `tip_for(scenario)`: the improvement tip of a help-request scenario (same link shape), for the
  core-problems panel.
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
_metrics_failed_batches: list[Callable[[list[tuple[int, str, str]]], None]] = []
_course_lookups: list[Callable[[str], CourseLink | None]] = []
_tip_lookups: list[Callable[[str], CourseLink | None]] = []
# Batch lookups (many codes in a fixed number of queries), for pages that show many links.
_course_batches: list[Callable[[list[str]], dict[str, CourseLink]]] = []
_tip_batches: list[Callable[[list[str]], dict[str, CourseLink]]] = []


def register_metric_failed(handler: Callable[..., None]) -> None:
    """handler(*, merchant_id: int, metric_code: str, period: str) -> None; period is 'YYYY-MM'."""
    if handler not in _metric_failed_handlers:
        _metric_failed_handlers.append(handler)


def register_metrics_failed_many(handler: Callable[[list[tuple[int, str, str]]], None]) -> None:
    """handler([(merchant_id, metric_code, period 'YYYY-MM'), ...]): the batch form of metric_failed."""
    if handler not in _metrics_failed_batches:
        _metrics_failed_batches.append(handler)


def register_course_lookup(lookup: Callable[[str], CourseLink | None], *, many=None) -> None:
    """many(codes) -> {code: CourseLink}: optional batch form of the same lookup (exact course codes)."""
    if lookup not in _course_lookups:
        _course_lookups.append(lookup)
    if many is not None and many not in _course_batches:
        _course_batches.append(many)


def register_tip_lookup(lookup: Callable[[str], CourseLink | None], *, many=None) -> None:
    """lookup(scenario) -> a link to the improvement tip of a help-request scenario (code, title, url)."""
    if lookup not in _tip_lookups:
        _tip_lookups.append(lookup)
    if many is not None and many not in _tip_batches:
        _tip_batches.append(many)


def metric_failed(*, merchant_id: int, metric_code: str, period: str) -> None:
    for handler in _metric_failed_handlers:
        handler(merchant_id=merchant_id, metric_code=metric_code, period=period)


def metrics_failed(items: list[tuple[int, str, str]]) -> None:
    """Many (merchant_id, metric_code, period) failures at once: the batch handlers, else one by one."""
    if not items:
        return
    if _metrics_failed_batches:
        for handler in _metrics_failed_batches:
            handler(items)
        return
    for merchant_id, metric_code, period in items:
        metric_failed(merchant_id=merchant_id, metric_code=metric_code, period=period)


def course_for(code: str) -> CourseLink | None:
    for lookup in _course_lookups:
        link = lookup(code)
        if link is not None:
            return link
    return None


def tip_for(scenario: str) -> CourseLink | None:
    """The improvement tip (服务提升技巧) of a help-request scenario, for the core-problems panel."""
    for lookup in _tip_lookups:
        link = lookup(scenario)
        if link is not None:
            return link
    return None


def _many(codes, batches, single) -> dict[str, CourseLink]:
    wanted = [c for c in dict.fromkeys(codes) if c]
    found: dict[str, CourseLink] = {}
    for batch in batches:
        found.update(
            {k: v for k, v in batch([c for c in wanted if c not in found]).items() if k not in found}
        )
    for code in wanted:
        if code not in found:
            link = single(code)
            if link is not None:
                found[code] = link
    return found


def courses_for(codes) -> dict[str, CourseLink]:
    """{code: CourseLink} for many codes at once (batch lookups first, then one by one)."""
    return _many(codes, _course_batches, course_for)


def tips_for(scenarios) -> dict[str, CourseLink]:
    return _many(scenarios, _tip_batches, tip_for)
