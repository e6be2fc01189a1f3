"""Deployment settings pass `check --deploy` with DEBUG off, and every page satisfies its
Content-Security-Policy: no inline script without the nonce, no on* attributes (core/csp.py)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _templates() -> list[Path]:
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(p for d in dirs for p in d.rglob("*.html"))


def test_no_template_has_inline_script_or_event_handler_attributes():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_pages_carry_a_policy_with_scripts_from_self_and_a_nonce(client, staff_ops):
    client.force_login(staff_ops)
    for url in ("/login/", "/staff/", "/api/docs/"):
        response = client.get(url, follow=True)
        policy = response["Content-Security-Policy"]
        script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
        assert re.fullmatch(r"script-src 'self' 'nonce-[\w-]{22}'", script_src), script_src
        assert "frame-ancestors 'none'" in policy
    assert "Content-Security-Policy" not in client.get("/api/v1/health")


def test_check_deploy_is_clean_with_debug_off():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "platform.example.com",
    }
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)  # the browser tests set the last one for Playwright
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
