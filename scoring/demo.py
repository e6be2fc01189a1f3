"""Demo data of the scoring app: called by `python manage.py demo` after the complaints demo.

The monthly evaluation (scoring.evaluation.demo) runs the job itself over the demo's orders.
"""

from .evaluation.demo import generate as generate_evaluations


def generate(*, rng, merchant_ids: list[int], now, stdout, scale: dict) -> dict:
    return generate_evaluations(rng=rng, merchant_ids=merchant_ids, now=now, stdout=stdout, scale=scale)
