"""docs/checking.md stays true: every Python block followed by `<!-- prints -->` is run and must print
exactly the text block after it, and the page names every mistake of the catalogue and every engine
property. Run with MICROGRADNET_UPDATE_DOCS=1 to write the outputs of a changed kit into the page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from microgradnet.testing import MISTAKES, PROPERTIES

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "checking.md"
# A Python block, the marker (with the Python version the output was made with), and the text it prints.
EXAMPLE = re.compile(
    r"```python\n(?P<code>(?:(?!```).)*)```\n<!-- prints \(Python (?P<version>[\d.]+)\) -->\n```text\n(?P<out>.*?)```",
    re.S,
)
# The depth at which a recursive backward() fails depends on the Python version's frames.
DEPTHS = re.compile(r"(?<=depth )\d+|(?<=works at )\d+|(?<=\()\d+(?= times\))")


def _run(code: str) -> str:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-"], input=code, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_shown_reports_are_what_the_code_prints() -> None:
    """Each example on the page prints exactly the report shown under it (as the kit prints it now)."""
    page = PAGE.read_text()
    examples = list(EXAMPLE.finditer(page))
    assert len(examples) >= 2
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if os.environ.get("MICROGRADNET_UPDATE_DOCS"):
        for example in reversed(examples):
            printed = _run(example["code"])
            page = (
                page[: example.start("version")]
                + version
                + page[example.end("version") : example.start("out")]
                + printed
                + page[example.end("out") :]
            )
        PAGE.write_text(page)
        pytest.skip("docs/checking.md rewritten with the outputs of this run")
    for example in examples:
        printed, shown = _run(example["code"]), example["out"]
        if example["version"] != version:
            printed, shown = DEPTHS.sub("N", printed), DEPTHS.sub("N", shown)
        assert printed == shown


def test_the_page_names_every_mistake_and_property() -> None:
    """The catalogue and the engine's properties, as the page lists them, are the kit's."""
    page = PAGE.read_text()
    for mistake in MISTAKES:
        assert f"| {mistake.name} |" in page, mistake.name
    for key in PROPERTIES:
        assert f"`{key}`" in page, key


def test_the_fixed_backprop_of_the_page_passes() -> None:
    """The page says that with BP4's activations[-2] the learner's code passes: it does."""
    code = next(EXAMPLE.finditer(PAGE.read_text()))["code"]
    assert "[delta @ activations[-1].T]" in code
    fixed = code.replace("[delta @ activations[-1].T]", "[delta @ activations[-2].T]")
    fixed = fixed.replace(
        'check_backprop(backprop, layout="nielsen")', 'print(check_backprop(backprop, layout="nielsen"))'
    )
    assert "agrees with the delta equations (BP1-BP4) and central differences on 200 examples" in _run(fixed)
