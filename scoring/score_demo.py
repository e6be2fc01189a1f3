"""Demo data of the experience score: the scores, computed by the daily job itself over the orders the
commitments demo fed through ingestion (120 days), for the last 14 days so the trend chart has a
history. Nothing is invented here: every figure comes from the order facts."""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from tqdm import tqdm

from commitments.models import MetricsDirtyDay, RatingsDirtyDay
from core.periods import local_date

from .models import MerchantScore
from .services.ratings import ratings_rebuild
from .services.rollups import rollups_rebuild
from .services.scores import score_day

HISTORY_DAYS = 14


def generate_scores(*, rng, merchant_ids: list[int], now: datetime, stdout, scale: dict) -> dict:
    today = local_date(now)
    rollups_rebuild(last_day=today - timedelta(days=1))
    ratings_rebuild()
    # The rebuilds read everything ingestion marked; nothing runs concurrently with the demo.
    MetricsDirtyDay.objects.all().delete()
    RatingsDirtyDay.objects.all().delete()
    days = [today - timedelta(days=i) for i in range(HISTORY_DAYS - 1, -1, -1)]
    for day in tqdm(days, desc="scores", unit="day", file=stdout, disable=len(merchant_ids) < 1000):
        score_day(day=day)
    latest = MerchantScore.objects.filter(day=today).aggregate(
        scored=Count("pk"),
        with_total=Count("pk", filter=Q(total__isnull=False)),
        warnings=Count("pk", filter=Q(warning=True)),
    )
    return {"score_days": len(days), **latest}
