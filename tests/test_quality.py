"""The house rules that a tool can check: ruff, mypy --strict, stdlib-only numerics, and CI
running exactly the README's test command."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean() -> None:
    """`ruff check` and `ruff format --check` pass on the whole repository."""
    assert shutil.which("ruff") or _run(sys.executable, "-m", "ruff", "--version").returncode == 0
    check = _run(sys.executable, "-m", "ruff", "check", ".")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict_is_clean() -> None:
    """`mypy --strict microgradnet` passes."""
    result = _run(sys.executable, "-m", "mypy", "--strict", "microgradnet")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_needs_only_the_standard_library() -> None:
    """`import microgradnet` loads no third-party module (the numerics are pure Python)."""
    code = (
        "import sys; before = set(sys.modules); import microgradnet; "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    loaded = _run(sys.executable, "-c", code).stdout.split()
    third_party = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names) - {"microgradnet"}
    assert third_party == set()


def test_ci_runs_the_readme_test_command() -> None:
    """`.ci/run` runs exactly the test command the README gives."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S)
    if match is None:
        pytest.fail("README.md has no <!-- test-command --> block")
    assert match.group(1).strip() in (ROOT / ".ci" / "run").read_text()
