"""Scoring models, one module per concern; each is re-exported here (Django finds models here)."""

from .evaluation import (
    EvaluationExclusion,
    EvaluationResult,
    EvaluationRules,
    EvaluationRun,
    EvaluationSettings,
)
from .score import DailyRollup, MerchantScore, ScoreBound, ScoreFigure, ScoreRun

__all__ = [
    "DailyRollup",
    "EvaluationExclusion",
    "EvaluationResult",
    "EvaluationRules",
    "EvaluationRun",
    "EvaluationSettings",
    "MerchantScore",
    "ScoreBound",
    "ScoreFigure",
    "ScoreRun",
]
