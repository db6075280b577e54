"""Every script in examples/ runs (with small settings, outputs in a temporary folder) and prints
what it promises, so no example rots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from system_programs import requires_dot

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# script -> (arguments with small settings, text its output must contain, files it must write)
RUNS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "xor.py": ([], ["accuracy: 4/4"], []),
    "moons.py": (["--epochs", "3", "--out", "moons.png"], ["training accuracy"], ["moons.png", "moons_loss.png"]),
    "neuron_graph.py": (["--out", "neuron.svg"], ["dC/dw[0] = ", "wrote neuron.svg"], ["neuron.svg"]),
    "delta_vs_autograd.py": ([], ["BP1: delta", "w[1][1][2]", "largest relative difference: 0.0e+00"], []),
    "check_my_backprop.py": ([], ["sigma'(a) instead of sigma'(z)", "agrees with the delta equations"], []),
}
DRAWS_IMAGES = {"neuron_graph.py"}  # these need Graphviz's dot program


def _run(script: str, arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(EXAMPLES / script), *arguments]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_every_example_is_covered() -> None:
    """Each script in examples/ has an entry here, so a new example cannot escape the test."""
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(RUNS)


@pytest.mark.parametrize(
    "script", [pytest.param(name, marks=[requires_dot] if name in DRAWS_IMAGES else []) for name in sorted(RUNS)]
)
def test_example_runs(script: str, tmp_path: Path) -> None:
    """The example exits 0, prints its key lines and writes its files into the working folder."""
    arguments, expected_lines, expected_files = RUNS[script]
    result = _run(script, arguments, tmp_path)
    assert result.returncode == 0, result.stderr
    for text in expected_lines:
        assert text in result.stdout
    for name in expected_files:
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize("script", sorted(RUNS))
def test_example_honours_help(script: str, tmp_path: Path) -> None:
    """`python examples/SCRIPT --help` prints its usage and description and exits 0 without running."""
    result = _run(script, ["--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {script}")
    assert not any(text in result.stdout for text in RUNS[script][1])
    assert list(tmp_path.iterdir()) == []


def test_the_graph_example_without_dot_writes_the_dot_source_and_says_how_to_draw_it(tmp_path: Path) -> None:
    """With no dot on PATH, neuron_graph.py writes neuron.dot (not neuron.svg.dot) and the note of `save_or_dot`."""
    (tmp_path / "bin").mkdir()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(tmp_path / "bin")}
    command = [sys.executable, str(EXAMPLES / "neuron_graph.py"), "--out", "neuron.svg"]
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    dot = tmp_path.resolve() / "neuron.dot"
    assert "wrote neuron.dot\nGraphviz's `dot` program is not installed, so neuron.svg was written" in result.stdout
    assert f"run: dot -Tsvg {dot} -o {dot.with_suffix('.svg')}" in result.stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bin", "neuron.dot"]
