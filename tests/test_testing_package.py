"""`microgradnet.testing` is an extra: `import microgradnet` never loads hypothesis, and without
hypothesis `import microgradnet.testing` says what to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BLOCK_HYPOTHESIS = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, Block())
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)


def test_import_microgradnet_does_not_import_hypothesis() -> None:
    """Neither the package nor its command line loads hypothesis (the kit is imported only when used)."""
    result = _python("import sys, microgradnet, microgradnet.cli; print('hypothesis' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_block_bites() -> None:
    """The control for the next test: with the block in place, hypothesis cannot be imported."""
    result = _python(BLOCK_HYPOTHESIS + "import hypothesis")
    assert "No module named 'hypothesis'" in result.stderr


def test_without_hypothesis_the_kit_says_what_to_install() -> None:
    """Without hypothesis, microgradnet still imports and the kit raises an ImportError naming the extra."""
    result = _python(BLOCK_HYPOTHESIS + "import microgradnet\nimport microgradnet.testing")
    assert "microgradnet.testing needs hypothesis: pip install 'microgradnet[testing]'" in result.stderr
    assert result.stderr.count("Traceback") == 1
