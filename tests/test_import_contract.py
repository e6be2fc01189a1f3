"""The import contract of pyproject.toml ([tool.importlinter]) holds, and it fails on a breach.

`make test` runs `lint-imports` before pytest; these tests run it too, on the tree as it is and on a
copy with one bad module added, so a contract that silently stopped checking would fail here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["config", "core", "merchants", "tags", "commitments", "complaints", "scoring", "courses"]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path):
    """The project's packages and pyproject.toml copied to tmp_path (the real tree is never edited)."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "migrations")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_every_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_layers_contract(tree_copy):
    assert _lint_imports(tree_copy).returncode == 0
    (tree_copy / "merchants" / "upward_probe.py").write_text("from complaints.models import Complaint\n")

    result = _lint_imports(tree_copy)

    assert result.returncode == 1
    assert "merchants is not allowed to import complaints" in result.stdout
    assert "merchants.upward_probe -> complaints.models (l.1)" in result.stdout


def test_domain_code_importing_an_api_module_breaks_the_http_layer_contract(tree_copy):
    (tree_copy / "commitments" / "services" / "api_probe.py").write_text(
        "from commitments.api import serializers\n"
    )

    result = _lint_imports(tree_copy)

    assert result.returncode == 1
    assert "Illegal imports of protected package commitments.api" in result.stdout
    assert "commitments.services.api_probe -> commitments.api" in result.stdout


def test_a_cycle_inside_an_app_breaks_the_acyclic_contract(tree_copy):
    # A service that imports its app's tasks module closes services -> tasks -> services.
    (tree_copy / "commitments" / "services" / "cycle_probe.py").write_text("from commitments import tasks\n")

    result = _lint_imports(tree_copy)

    assert result.returncode == 1
    assert "No cycles are allowed in commitments." in result.stdout
