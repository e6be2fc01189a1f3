"""Recompute experience scores: the marked rollup days (or all of them with --full), then the scores.

manage.py score_recompute                 today's scores (Asia/Shanghai), like the daily job
manage.py score_recompute --date 2026-03-01
manage.py score_recompute --since 2026-01-01   every day from then to today (history)
manage.py score_recompute --full          rebuild every rollup from the order facts first (the score's
                                          daily rollups and the evaluation's rating rollup)
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.periods import local_today
from scoring.services.ratings import ratings_rebuild
from scoring.services.rollups import rollups_rebuild
from scoring.services.scores import score_day


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Recompute experience scores (rollups of marked days, or --full), for --date or --since."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_day, help="the score day (default: today, Asia/Shanghai)")
        parser.add_argument("--since", type=_day, help="every score day from this one to --date")
        parser.add_argument("--full", action="store_true", help="rebuild every rollup from the order facts")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, date=None, since=None, full=False, quiet=False, **options):
        last = date or local_today()
        first = since or last
        if first > last:
            raise CommandError("--since is after --date")

        def bar(desc):
            return lambda items: tqdm(items, desc=desc, disable=quiet, file=self.stderr._out, leave=False)

        if full:
            rows = rollups_rebuild(last_day=last - timedelta(days=1), progress=bar("rollups"))
            self.stdout.write(f"rollups rebuilt: {rows} rows")
            rows = ratings_rebuild()
            self.stdout.write(f"rating rollup rebuilt: {rows} rows")
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        for day in tqdm(days, desc="days", disable=quiet or len(days) == 1, file=self.stderr._out):
            run = score_day(day=day, progress=bar(f"scores {day}"))
            self.stdout.write(
                f"{day}: {run.merchants} merchants scored, {run.dirty_days} marked merchant-days"
            )
