"""Error codes of the courses app (quizzes)."""

from core.errors import ErrorCode


class CourseError(ErrorCode):
    INVALID_ANSWERS = (
        "invalid_answers",
        "The quiz answers are missing or invalid; `fields` names each question.",
    )
    NO_QUIZ = "no_quiz", "The course has no quiz."
