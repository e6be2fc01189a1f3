"""Validate the seeded course and improvement-tip content (YAML).

Run: .venv/bin/python courses/content/validate.py [--strict]
Exit status 1 on any error; --strict also fails when an expected file is missing.
"""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
LANGS = ("zh", "en")
STANDARDS = (
    "logistics",
    "appearance_consistency",
    "installation",
    "quality",
    "return_exchange",
    "repair",
    "personal_injury",
    "invoice",
)
PARTS = ("product", "dispatch", "logistics", "basic_service")
METRICS = ("fault_complaint_rate", "dsr_mean", "refund_dispute_rate", "upheld_complaints_count")
SCENARIOS = (
    "urge_dispatch",
    "urge_logistics",
    "logistics_stalled",
    "missing_items",
    "install_appointment",
    "invoice",
    "refund",
)
EXPECTED_COURSES = tuple(f"std_{code}" for code in STANDARDS) + tuple(f"part_{code}" for code in PARTS)
COURSE_KEYS = {"code", "standards", "parts", "metrics", "title", "summary", "lessons", "quiz"}
TIP_KEYS = {"scenario", "title", "rule", "suggestions", "reply_example"}
HTML_TAG = re.compile(r"</?[A-Za-z!][^>]*>")
FORBIDDEN = re.compile(r"lorem|ipsum|\bTODO\b|\bTBD\b|FIXME|XXX", re.IGNORECASE)
HAN = re.compile(r"[\u4e00-\u9fff]")
EN_WORDS = (150, 350)
ZH_CHARS = (200, 900)


class Checker:
    def __init__(self):
        self.errors = []
        self.warnings = []

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")

    def text(self, where, value, *, markdown=False, plain=False):
        """A {zh, en} pair, both non-empty strings; returns the pair or None."""
        if not isinstance(value, dict):
            self.error(where, "must be a mapping {zh: ..., en: ...}")
            return None
        extra = set(value) - set(LANGS)
        if extra:
            self.error(where, f"unknown languages {sorted(map(str, extra))}")
        for lang in LANGS:
            item = value.get(lang)
            if not isinstance(item, str) or not item.strip():
                self.error(f"{where}.{lang}", "missing or empty")
                continue
            if FORBIDDEN.search(item):
                self.error(f"{where}.{lang}", f"placeholder text {FORBIDDEN.search(item).group(0)!r}")
            if HTML_TAG.search(item):
                self.error(f"{where}.{lang}", f"raw HTML {HTML_TAG.search(item).group(0)!r}")
            if re.search(r"^\s*\|", item, re.MULTILINE):
                self.error(f"{where}.{lang}", "markdown tables are not supported; use a list")
            if markdown and self.list_without_blank_line(item):
                self.error(f"{where}.{lang}", "a list must be preceded by a blank line")
            if plain and re.search(r"^\s*(#|[-*] |\d+\. )", item, re.MULTILINE):
                self.error(f"{where}.{lang}", "must be plain text, not markdown")
        if isinstance(value.get("en"), str) and markdown is False and HAN.search(value["en"]):
            self.error(f"{where}.en", "English text contains Chinese characters")
        return value

    @staticmethod
    def list_without_blank_line(text):
        """A list item straight after a paragraph line renders as part of the paragraph."""
        item = re.compile(r"^\s*([-*+]|\d+\.) ")
        previous = ""
        for line in text.splitlines():
            after_text = previous.strip() and not previous.lstrip().startswith("#")
            if item.match(line) and after_text and not item.match(previous) and not previous[:1].isspace():
                return True
            previous = line
        return False

    def code_list(self, where, value, allowed):
        if not isinstance(value, list):
            self.error(where, "must be a list (may be empty)")
            return
        for item in value:
            if item not in allowed:
                self.error(where, f"unknown code {item!r}; allowed: {', '.join(allowed)}")
        if len(set(value)) != len(value):
            self.error(where, "duplicate codes")

    def lesson_length(self, where, body):
        words = len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’%.-]*", body.get("en", "")))
        if not EN_WORDS[0] <= words <= EN_WORDS[1]:
            self.error(f"{where}.en", f"{words} words; want {EN_WORDS[0]}-{EN_WORDS[1]}")
        chars = len(HAN.findall(body.get("zh", "")))
        if not ZH_CHARS[0] <= chars <= ZH_CHARS[1]:
            self.error(f"{where}.zh", f"{chars} Chinese characters; want {ZH_CHARS[0]}-{ZH_CHARS[1]}")

    def course(self, path, data):
        where = path.name
        if not isinstance(data, dict):
            self.error(where, "top level must be a mapping")
            return
        missing, extra = COURSE_KEYS - set(data), set(data) - COURSE_KEYS
        if missing:
            self.error(where, f"missing keys {sorted(missing)}")
        if extra:
            self.error(where, f"unknown keys {sorted(extra)}")
        if data.get("code") != path.stem:
            self.error(where, f"code {data.get('code')!r} must equal the file name {path.stem!r}")
        self.code_list(f"{where}.standards", data.get("standards"), STANDARDS)
        self.code_list(f"{where}.parts", data.get("parts"), PARTS)
        self.code_list(f"{where}.metrics", data.get("metrics"), METRICS)
        self.text(f"{where}.title", data.get("title"))
        self.text(f"{where}.summary", data.get("summary"))
        lessons = data.get("lessons")
        if not isinstance(lessons, list) or len(lessons) < 3:
            self.error(f"{where}.lessons", "need a list of at least 3 lessons")
            lessons = lessons if isinstance(lessons, list) else []
        for index, lesson in enumerate(lessons, 1):
            at = f"{where}.lessons[{index}]"
            if not isinstance(lesson, dict) or set(lesson) != {"title", "body"}:
                self.error(at, "must have exactly the keys title and body")
                continue
            self.text(f"{at}.title", lesson["title"])
            body = self.text(f"{at}.body", lesson["body"], markdown=True)
            if body:
                self.lesson_length(f"{at}.body", body)
        self.quiz(f"{where}.quiz", data.get("quiz"))

    def quiz(self, where, quiz):
        if not isinstance(quiz, dict) or set(quiz) != {"pass_mark", "questions"}:
            self.error(where, "must have exactly the keys pass_mark and questions")
            return
        mark = quiz["pass_mark"]
        if not isinstance(mark, int) or isinstance(mark, bool) or not 0 < mark <= 100:
            self.error(f"{where}.pass_mark", "must be an integer percent 1-100")
        questions = quiz["questions"]
        if not isinstance(questions, list) or not 4 <= len(questions) <= 5:
            self.error(f"{where}.questions", "need 4-5 questions")
            questions = questions if isinstance(questions, list) else []
        if questions and not any(isinstance(q, dict) and q.get("kind") == "multiple" for q in questions):
            self.error(f"{where}.questions", "need at least one question of kind multiple")
        for index, question in enumerate(questions, 1):
            at = f"{where}.questions[{index}]"
            if not isinstance(question, dict) or set(question) != {"text", "kind", "choices"}:
                self.error(at, "must have exactly the keys text, kind and choices")
                continue
            self.text(f"{at}.text", question["text"])
            kind = question["kind"]
            if kind not in ("single", "multiple"):
                self.error(f"{at}.kind", "must be single or multiple")
            choices = question["choices"]
            if not isinstance(choices, list) or len(choices) < 2:
                self.error(f"{at}.choices", "need at least 2 choices")
                continue
            correct = 0
            for number, choice in enumerate(choices, 1):
                if not isinstance(choice, dict) or set(choice) != {"text", "correct"}:
                    self.error(f"{at}.choices[{number}]", "must have exactly the keys text and correct")
                    continue
                self.text(f"{at}.choices[{number}].text", choice["text"])
                if not isinstance(choice["correct"], bool):
                    self.error(f"{at}.choices[{number}].correct", "must be true or false")
                correct += choice["correct"] is True
            if correct < 1:
                self.error(f"{at}.choices", "no correct choice")
            if kind == "single" and correct != 1:
                self.error(f"{at}.choices", f"single-choice question has {correct} correct choices")
            if correct == len(choices):
                self.error(f"{at}.choices", "every choice is correct")

    def tip(self, path, data):
        where = path.name
        if not isinstance(data, dict):
            self.error(where, "top level must be a mapping")
            return
        missing, extra = TIP_KEYS - set(data), set(data) - TIP_KEYS
        if missing:
            self.error(where, f"missing keys {sorted(missing)}")
        if extra:
            self.error(where, f"unknown keys {sorted(extra)}")
        if data.get("scenario") != path.stem:
            self.error(where, f"scenario {data.get('scenario')!r} must equal the file name {path.stem!r}")
        if data.get("scenario") not in SCENARIOS:
            self.error(where, f"unknown scenario; allowed: {', '.join(SCENARIOS)}")
        self.text(f"{where}.title", data.get("title"))
        self.text(f"{where}.rule", data.get("rule"), markdown=True)
        self.text(f"{where}.suggestions", data.get("suggestions"), markdown=True)
        self.text(f"{where}.reply_example", data.get("reply_example"), plain=True)


def load(checker, path):
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        checker.error(path.name, f"invalid YAML: {exc}")
        return None


def main(argv):
    strict = "--strict" in argv
    checker = Checker()
    seen = {"courses": set(), "tips": set()}
    for kind, check in (("courses", checker.course), ("tips", checker.tip)):
        for path in sorted((ROOT / kind).glob("*.y*ml")):
            if path.suffix != ".yaml":
                checker.error(path.name, "use the .yaml extension")
            data = load(checker, path)
            if data is not None:
                check(path, data)
            seen[kind].add(path.stem)
    for kind, expected in (("courses", EXPECTED_COURSES), ("tips", SCENARIOS)):
        for name in expected:
            if name not in seen[kind]:
                message = f"{kind}/{name}.yaml: missing"
                (checker.errors if strict else checker.warnings).append(message)
        for name in sorted(seen[kind] - set(expected)):
            checker.warnings.append(f"{kind}/{name}.yaml: not in the expected set")
    for line in checker.warnings:
        print(f"warning: {line}")
    for line in checker.errors:
        print(f"error: {line}")
    total = len(seen["courses"]) + len(seen["tips"])
    print(f"{total} files checked: {len(checker.errors)} errors, {len(checker.warnings)} warnings")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
