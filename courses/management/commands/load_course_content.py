from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.content import ContentError, load_course_content


class Command(BaseCommand):
    help = "Upsert courses, lessons, quizzes and improvement tips from courses/content/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", type=Path, default=None, help="content directory (default: courses/content)"
        )

    def handle(self, *args, dir=None, **options):
        try:
            result = load_course_content(dir)
        except ContentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"course content: {result.summary()}")
