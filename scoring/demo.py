"""Demo data of the scoring app: called by `python manage.py demo` after the complaints demo.

The experience scores (scoring.score_demo) and the monthly evaluation (scoring.evaluation.demo) are
computed by their own jobs over the demo's orders.
"""

from .evaluation.demo import generate as generate_evaluations
from .score_demo import generate_scores


def generate(*, rng, merchant_ids: list[int], now, stdout, scale: dict) -> dict:
    scores = generate_scores(rng=rng, merchant_ids=merchant_ids, now=now, stdout=stdout, scale=scale)
    evaluations = generate_evaluations(
        rng=rng, merchant_ids=merchant_ids, now=now, stdout=stdout, scale=scale
    )
    return {**evaluations, **{k if k.startswith("score") else f"score_{k}": v for k, v in scores.items()}}
