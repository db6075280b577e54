"""Every script in examples/ runs (with small settings, outputs in a temporary folder) and prints
what it promises, so no example rots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def _run(script: str, arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(EXAMPLES / script), *arguments]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_every_example_is_covered() -> None:
    """Each script in examples/ has an entry here, so a new example cannot escape the test."""
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(RUNS)


@pytest.mark.parametrize("script", sorted(RUNS))
def test_example_runs(script: str, tmp_path: Path) -> None:
    """The example exits 0, prints its key lines and writes its files into the working folder."""
    arguments, expected_lines, expected_files = RUNS[script]
    result = _run(script, arguments, tmp_path)
    assert result.returncode == 0, result.stderr
    for text in expected_lines:
        assert text in result.stdout
    for name in expected_files:
        assert (tmp_path / name).stat().st_size > 0
