"""Scoring models, one module per concern; each is re-exported here (Django finds models here)."""

from .evaluation import (
    EvaluationExclusion,
    EvaluationResult,
    EvaluationRules,
    EvaluationRun,
    EvaluationSettings,
)

__all__ = [
    "EvaluationExclusion",
    "EvaluationResult",
    "EvaluationRules",
    "EvaluationRun",
    "EvaluationSettings",
]
