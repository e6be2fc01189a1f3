"""Scoring models, one module per concern; each is re-exported here (Django finds models here)."""

from .core_problems import (
    RATING_ITEMS,
    SHARE_PLACES,
    CoreProblemResult,
    CoreProblemRules,
    CoreProblemRun,
    CoreProblemSettings,
    EventSource,
    ProblemGroup,
    SubProblem,
    SubProblemRule,
)
from .evaluation import (
    EvaluationExclusion,
    EvaluationResult,
    EvaluationRules,
    EvaluationRun,
    EvaluationSettings,
)
from .score import (
    DailyRollup,
    MerchantScore,
    RatingDay,
    ScoreBound,
    ScoreFigure,
    ScoreRun,
    WindowState,
    WindowSum,
)

__all__ = [
    "RATING_ITEMS",
    "SHARE_PLACES",
    "CoreProblemResult",
    "CoreProblemRules",
    "CoreProblemRun",
    "CoreProblemSettings",
    "DailyRollup",
    "EventSource",
    "ProblemGroup",
    "SubProblem",
    "SubProblemRule",
    "EvaluationExclusion",
    "EvaluationResult",
    "EvaluationRules",
    "EvaluationRun",
    "EvaluationSettings",
    "MerchantScore",
    "RatingDay",
    "ScoreBound",
    "ScoreFigure",
    "ScoreRun",
    "WindowState",
    "WindowSum",
]
