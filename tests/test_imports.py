"""The package's import graph: every module imports on its own, and no two modules import each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "microgradnet"
MODULES = sorted(
    ".".join(("microgradnet", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
    for path in PACKAGE.rglob("*.py")
    if path.name != "__main__.py"  # `python -m microgradnet`: it runs the command line
)


def _imports(module: str) -> set[str]:
    """The package's modules that `module` imports anywhere in its code, also inside functions (not
    the names imported for type checkers only, under `if TYPE_CHECKING:`, which never run)."""
    parts = module.split(".")
    path = PACKAGE.joinpath(*parts[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    package = parts if path.name == "__init__.py" else parts[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            source = ".".join(part for part in (base, node.module or "") if part)
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    # A package's own submodules read it while it imports them (`microgradnet.testing` re-exports them):
    # that edge is how packages work, not a ring between modules.
    return {name for name in found if name in MODULES and name != module and not module.startswith(f"{name}.")}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A list of modules that import each other in a ring, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module], _ = "open", path.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                return [*path[path.index(other) :], other]
            if other not in state and (ring := visit(other)):
                return ring
        state[module], _ = "done", path.pop()
        return None

    return next((ring for module in sorted(graph) if module not in state and (ring := visit(module))), None)


def test_no_module_imports_one_that_imports_it_back() -> None:
    """The graph of imports between the package's modules (function-local ones included) has no cycle."""
    assert _cycle({module: _imports(module) for module in MODULES}) is None


def test_the_cycle_check_finds_a_planted_cycle() -> None:
    """Negative control: a ring of three modules is found, a chain is not."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert "microgradnet.serialize" in _imports("microgradnet.nn")  # the scan sees real imports


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """Importing the module first, in a new interpreter, works: no import order is needed to break a cycle."""
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
