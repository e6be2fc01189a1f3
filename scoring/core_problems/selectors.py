"""Reads of core problems: the settings snapshot and a merchant's latest stored panel."""

from dataclasses import dataclass
from decimal import Decimal

from core.metrics import percent_text
from core.singletons import settings_snapshot

from .. import hooks
from ..models import CoreProblemResult, CoreProblemRules, CoreProblemRun, CoreProblemSettings, ProblemGroup


def core_problem_settings() -> CoreProblemRules:
    return settings_snapshot(CoreProblemSettings)


@dataclass
class CoreProblemsPanel:
    run: CoreProblemRun | None
    rows: list[CoreProblemResult]

    @property
    def groups(self) -> list[dict]:
        """Rows grouped by problem group (product, dispatch ...), groups in their fixed order."""
        out = []
        for value, label in ProblemGroup.choices:
            rows = [r for r in self.rows if r.subproblem.group == value]
            if rows:
                out.append(
                    {"code": value, "label": label, "rows": rows, "events": sum(r.event_count for r in rows)}
                )
        return out


def latest_run() -> CoreProblemRun | None:
    return CoreProblemRun.objects.order_by("-day").first()


def core_problems_for_merchant(
    merchant_id: int, *, limit: int | None = None, with_links: bool = True
) -> CoreProblemsPanel:
    """The merchant's sub-problems of the latest computed day, most events first (two queries, plus
    one for the courses and one for the tips of the rows shown)."""
    run = latest_run()
    if run is None:
        return CoreProblemsPanel(run=None, rows=[])
    qs = (
        CoreProblemResult.objects.filter(merchant_id=merchant_id, day=run.day)
        .select_related("subproblem")
        .order_by("-event_count", "-recent_count", "subproblem__sort_order")
    )
    rows = list(qs[:limit] if limit else qs)
    courses = hooks.courses_for([r.subproblem.course_code for r in rows]) if with_links else {}
    tips = hooks.tips_for([r.subproblem.tip_scenario for r in rows]) if with_links else {}
    for row in rows:
        row.share_text = (
            percent_text((row.share * 100).quantize(Decimal("0.01"))) + "%" if row.share is not None else "—"
        )
        if not with_links:
            continue
        row.course_link = courses.get(row.subproblem.course_code)
        row.tip_link = tips.get(row.subproblem.tip_scenario)
    return CoreProblemsPanel(run=run, rows=rows)


def top_subproblem_courses(merchant_id: int, *, limit: int = 3) -> list[tuple[str, str, int]]:
    """(sub-problem name, course code, event count) of the merchant's top core problems with a course."""
    panel = core_problems_for_merchant(merchant_id, limit=limit, with_links=False)
    return [
        (row.subproblem.name, row.subproblem.course_code, row.event_count)
        for row in panel.rows
        if row.subproblem.course_code
    ]
