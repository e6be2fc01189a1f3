"""`manage.py evaluate_month YYYY-MM [--dry-run] [--merchant ID]`: the monthly evaluation by hand.

- without options: evaluate the month for every merchant (the same run the daily job makes; a month
  already evaluated is left as it is, a crashed run resumes);
- `--dry-run`: compute and print what the evaluation would decide, write nothing;
- `--merchant ID` (id or shop code): with `--dry-run`, only that merchant; without it, evaluate that
  merchant's already evaluated month again (as after an appeal decided against it).
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import ApplicationError
from merchants.models import Merchant
from scoring.evaluation.metrics import parse_month
from scoring.evaluation.services import evaluation_compute, evaluation_reevaluate, evaluation_run
from scoring.models import EvaluationResult, EvaluationRun


class Command(BaseCommand):
    help = "Evaluate a calendar month (Asia/Shanghai): YYYY-MM [--dry-run] [--merchant ID]."

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--dry-run", action="store_true", help="compute and print, write nothing")
        parser.add_argument("--merchant", help="merchant id or shop code")

    def handle(self, *args, month, dry_run, merchant, **options):
        period = parse_month(month)
        if period is None:
            raise CommandError(f"not a month: {month!r} (expected YYYY-MM)")
        merchant_id = self._merchant(merchant) if merchant else None
        if dry_run:
            return self._dry_run(period, merchant_id)
        if merchant_id is not None:
            try:
                changed = evaluation_reevaluate(period=period, merchant_id=merchant_id)
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(
                f"{month}: merchant {merchant_id} re-evaluated, {len(changed)} outcome(s) changed"
            )
            return None
        with tqdm(
            desc=f"evaluation {month}", unit="result", file=self.stderr, disable=options["verbosity"] == 0
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            run = evaluation_run(period=period, trigger=EvaluationRun.Trigger.COMMAND, progress=progress)
        self.stdout.write(
            f"{run.month} {run.state}: {run.evaluated} evaluated, {run.passed} passed, {run.failed} failed; "
            f"{run.revoked} revoked, {run.restored} restored, {run.barred} barred; {run.excluded} left out (appeal)"
        )
        return None

    def _merchant(self, text: str) -> int:
        found = Merchant.objects.filter(shop_code__iexact=text).values_list("pk", flat=True).first()
        if found is None and text.isdigit():
            found = Merchant.objects.filter(pk=int(text)).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(f"no merchant {text!r}")
        return found

    def _dry_run(self, period, merchant_id):
        computed = evaluation_compute(period=period, merchant_ids=[merchant_id] if merchant_id else None)
        failing = [d for d in computed.drafts if d.outcome == EvaluationResult.Outcome.FAILED]
        codes = dict(
            Merchant.objects.filter(pk__in={d.key.merchant_id for d in failing}).values_list(
                "pk", "shop_code"
            )
        )
        for d in failing:
            self.stdout.write(
                f"FAIL {codes[d.key.merchant_id]} category={d.key.category_id} tag={d.key.tag_id} "
                f"({d.key.state}) {','.join(d.failed_metrics)}: faults {d.fault}/{d.orders}, "
                f"disputes {d.disputes}/{d.orders}, DSR {d.dsr_points}/{d.dsr_items} ({d.dsr_ratings} ratings)"
            )
        self.stdout.write(
            f"{period:%Y-%m} dry run: {len(computed.drafts)} evaluated, {len(failing)} would fail, "
            f"{len(computed.exclusions)} left out (appeal); nothing written"
        )
