"""The course in examples/notebooks/: every notebook runs top to bottom in a fresh kernel, as
`jupyter lab` would run it, without an error and without writing into the repository; each is
committed without outputs and opens with what it needs and how long it takes; and each ends with
an exercise whose check, run as the notebook has it, says "not written yet" for the blank answer,
passes the solution kept in examples/notebooks/solutions/ and fails a wrong answer."""

from __future__ import annotations

import html
import json
import os
import re
import sys
import textwrap
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from system_programs import requires_dot

from microgradnet.testing import BackpropMismatch

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples" / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"

# The exercise's cells carry the tag "exercise"; the one the learner fills in also "your-answer".
EXERCISE, YOUR_ANSWER = "exercise", "your-answer"
NOT_WRITTEN, RIGHT = "Not written yet", "Right:"


@dataclass(frozen=True)
class WrongAnswer:
    """A planted mistake in the learner's cell, and the error its check must raise: its type, a part of its message."""

    mistake: str
    source: str
    error: type[BaseException]
    message: str


def _solution_with(name: str, right: str, wrong: str) -> str:
    """The solution `name` with one planted mistake: `right` (which must occur once) replaced by `wrong`."""
    source = (SOLUTIONS / name).read_text()
    assert source.count(right) == 1, f"{right!r} is not in {name} exactly once"
    return source.replace(right, wrong)


# Each notebook and the wrong answers its exercise's check must catch.
COURSE: dict[str, tuple[WrongAnswer, ...]] = {
    "01_chain_rule.ipynb": (
        WrongAnswer(
            "sigma'(u) forgotten",
            """
            import math

            def dg_by_hand(x, y):
                return y, x + math.exp(y)
            """,
            AssertionError,
            "dg/dx at x = 0.5, y = -1.0: yours is -1.0, backward() gives ",
        ),
        WrongAnswer(
            "du/dy = x, the path through e^y missed",
            """
            import math

            def dg_by_hand(x, y):
                g = 1 / (1 + math.exp(-(x * y + math.exp(y))))
                return g * (1 - g) * y, g * (1 - g) * x
            """,
            AssertionError,
            "dg/dy at x = 0.5, y = -1.0: yours is ",
        ),
    ),
    "02_neuron_to_network.ipynb": (
        WrongAnswer(
            "the bias forgotten",
            """
            import math

            def forward_by_hand(w, b, x):
                z, a = [], [x]
                for w_l in w:
                    z.append([sum(w_jk * a_k for w_jk, a_k in zip(w_j, a[-1])) for w_j in w_l])
                    a.append([1 / (1 + math.exp(-z_j)) for z_j in z[-1]])
                return z, a[1:]
            """,
            AssertionError,
            "MLP(nin=2, nouts=[3, 1], activation='sigmoid', output_activation='sigmoid'), x = [0.5, -1.0]: "
            "your z[0][0] is ",
        ),
        WrongAnswer(
            "the input kept as the first layer of a",
            """
            import math

            def forward_by_hand(w, b, x):
                z, a = [], [x]
                for w_l, b_l in zip(w, b):
                    z.append([sum(w_jk * a_k for w_jk, a_k in zip(w_j, a[-1])) + b_j for w_j, b_j in zip(w_l, b_l)])
                    a.append([1 / (1 + math.exp(-z_j)) for z_j in z[-1]])
                return z, a
            """,
            AssertionError,
            "MLP(nin=2, nouts=[3, 1], activation='sigmoid', output_activation='sigmoid'): your a has layers of sizes "
            "[2, 3, 1], expected [3, 1]",
        ),
    ),
    "03_four_equations.ipynb": (
        WrongAnswer(
            "sigma' forgotten in BP1",
            _solution_with("03_four_equations.py", "(a_j - y_j) * a_j * (1.0 - a_j) for", "(a_j - y_j) for"),
            BackpropMismatch,
            "The first equation that disagrees: BP1 in layer 0.\n"
            "  Your numbers are exactly those of a classic mistake:\n"
            "    sigma' missing in BP1  (BP1)",
        ),
        WrongAnswer(
            "sigma'(a) instead of sigma'(z) in BP2",
            _solution_with("03_four_equations.py", "* a_k * (1.0 - a_k)", "* sigmoid(a_k) * (1.0 - sigmoid(a_k))"),
            BackpropMismatch,
            "The first equation that disagrees: BP2 in layer 0.",
        ),
        WrongAnswer(
            "W instead of W^T in BP2",
            _solution_with(
                "03_four_equations.py",
                "sum(w_j[k] * delta_j for w_j, delta_j in zip(w[l + 1], delta[l + 1]))",
                "sum(w[l + 1][k][j] * delta[l + 1][j] for j in range(len(delta[l + 1])))",
            ),
            BackpropMismatch,
            "    W instead of W^T in BP2  (BP2)",
        ),
        WrongAnswer(
            "z^(l-1) instead of a^(l-1) in BP4",
            _solution_with("03_four_equations.py", "for a_k in a_in[l]]", "for a_k in [x, *z][l]]"),
            BackpropMismatch,
            "The first equation that disagrees: BP4 in layer 1.",
        ),
    ),
    "04_training.ipynb": (
        WrongAnswer(
            "no hidden layer: a straight boundary",
            """
            from microgradnet import MLP
            from microgradnet.optim import Adam

            def make_classifier():
                mlp = MLP(2, [1], seed=0)
                return mlp, Adam(mlp.parameters(), lr=0.1)
            """,
            AssertionError,
            "MLP(nin=2, nouts=[1], activation='sigmoid', output_activation='sigmoid') classifies ",
        ),
        WrongAnswer(
            "a learning rate too small to get anywhere in 60 epochs",
            """
            from microgradnet import MLP
            from microgradnet.optim import Adam

            def make_classifier():
                mlp = MLP(2, [8, 1], activation="tanh", output_activation="sigmoid", seed=0)
                return mlp, Adam(mlp.parameters(), lr=1e-4)
            """,
            AssertionError,
            "MLP(nin=2, nouts=[8, 1], activation='tanh', output_activation='sigmoid') classifies ",
        ),
    ),
    "05_many_classes.ipynb": (
        WrongAnswer(
            "a^L alone, y not subtracted",
            _solution_with("05_many_classes.py", "e_k / total - (1.0 if k == y else 0.0)", "e_k / total"),
            AssertionError,
            "delta^L_2 at z = [0.5, -1.0, 2.0], y = 2: yours is ",
        ),
        WrongAnswer(
            "softmax not shifted by max(z): e^1000 overflows",
            _solution_with("05_many_classes.py", "math.exp(z_k - m)", "math.exp(z_k)"),
            OverflowError,
            "math range error",
        ),
    ),
}
WRONG_ANSWERS = [(name, wrong) for name, wrongs in COURSE.items() for wrong in wrongs]

# The explorer page each notebook shows inline: the kind of its view (`explore.graph` or `explore.network`).
EXPLORED = {
    "01_chain_rule.ipynb": "graph",
    "02_neuron_to_network.ipynb": "graph",
    "03_four_equations.ipynb": "graph",
    "04_training.ipynb": "network",
}


# --- running a notebook in a kernel -------------------------------------------------------------


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """A kernel spec for this very interpreter, so a user's own `python3` kernel cannot stand in for it."""
    folder = tmp_path_factory.mktemp("kernels") / "python3"
    folder.mkdir()
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (the test's interpreter)",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    return KernelSpecManager(kernel_dirs=[str(folder.parent)])


def _snapshot() -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file of the repository outside .git, virtual environments and caches."""
    skipped = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}
    files = {}
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in skipped and not name.endswith(".egg-info")]
        for name in names:
            path = Path(folder, name)
            status = path.stat()
            files[str(path.relative_to(ROOT))] = (status.st_mtime_ns, status.st_size)
    return files


def _execute(name: str, kernel_specs: KernelSpecManager) -> nbformat.NotebookNode:
    """Run every cell of the notebook in a fresh kernel started in its folder; raise at the first error."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=kernel_specs)
    client = NotebookClient(notebook, km=manager, timeout=120, resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    return notebook


@requires_dot
@pytest.mark.parametrize("name", sorted(COURSE))
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel(name: str, kernel_specs: KernelSpecManager) -> None:
    """The notebook runs without an error (nbclient raises at the first failing cell, with its
    traceback), shows its pictures inline, and leaves every file of the repository as it was."""
    before = _snapshot()
    notebook = _execute(name, kernel_specs)
    after = _snapshot()
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    assert changed == [], f"{name} wrote into the repository: {changed}"
    shown = [kind for cell in notebook.cells for output in cell.get("outputs", []) for kind in output.get("data", {})]
    assert "image/svg+xml" in shown
    if name in EXPLORED:
        assert _explorer_views(notebook) == [EXPLORED[name]], f"{name} shows no explorer page of its {EXPLORED[name]}"


def _explorer_views(notebook: nbformat.NotebookNode) -> list[str]:
    """The kinds of the views of every explorer page among the notebook's HTML outputs.

    `Explorer._repr_html_` puts the page, escaped, in an iframe's srcdoc; its data is the JSON of the
    element `explorer-data`.
    """
    data = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.DOTALL)
    pages = [
        html.unescape(srcdoc)
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        for srcdoc in re.findall(r'<iframe srcdoc="([^"]*)"', output.get("data", {}).get("text/html", ""))
    ]
    return [view["kind"] for page in pages for found in data.findall(page) for view in json.loads(found)["views"]]


# --- the committed files ---------------------------------------------------------------------------


def test_every_notebook_is_covered() -> None:
    """Each notebook of the course has an entry here, so a new one cannot escape the tests."""
    assert sorted(path.name for path in NOTEBOOKS.glob("*.ipynb")) == sorted(COURSE)
    assert sorted(path.name for path in SOLUTIONS.glob("*.py")) == sorted(Path(name).stem + ".py" for name in COURSE)


@pytest.mark.parametrize("name", sorted(COURSE))
def test_notebook_is_committed_without_outputs(name: str) -> None:
    """A valid notebook with no outputs, execution counts or stray metadata: a diff shows only what
    its author changed, and a learner meets the cells as they will run them."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    clear = "clear it in JupyterLab (Edit > Clear Outputs of All Cells) or with `jupyter nbconvert --clear-output`"
    assert set(notebook.metadata) <= {"kernelspec", "language_info"}, f"{name}: notebook metadata {notebook.metadata}"
    for cell in notebook.cells:
        assert set(cell.metadata) <= {"tags"}, f"{name}: cell {cell.id} has metadata {cell.metadata}"
        if cell.cell_type == "code":
            assert (cell.outputs, cell.execution_count) == ([], None), f"{name}: cell {cell.id} has outputs; {clear}"


@pytest.mark.parametrize("name", sorted(COURSE))
def test_notebook_opens_with_what_it_needs_and_how_long_it_takes(name: str) -> None:
    """The first cell names the install command, the examples extra alone (it carries all the course needs; the
    notebooks extra adds JupyterLab; torch stays optional), and a time of one sitting, 15 to 30 minutes."""
    first = nbformat.read(NOTEBOOKS / name, as_version=4).cells[0]
    assert first.cell_type == "markdown"
    assert "pip install 'microgradnet[examples]'" in first.source
    extras = re.findall(r"pip install (?:-e )?'(?:microgradnet|\.)\[([\w,]+)\]'", first.source)
    assert set(extras) <= {"examples", "notebooks", "torch"}, f"{name} asks for the extras {extras}"
    minutes = re.search(r"\*\*Time\*\*: about (\d+) minutes", first.source)
    assert minutes is not None and 15 <= int(minutes.group(1)) <= 30


# --- the exercises ---------------------------------------------------------------------------------


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.metadata.get("tags", []))


def _exercise(name: str, answer: str | None) -> Iterator[tuple[str, str]]:
    """(where, source) of the exercise's code cells, with the learner's cell replaced by `answer`.

    The exercise is the notebook's last cells, with one cell for the learner and a check after it.
    """
    cells = nbformat.read(NOTEBOOKS / name, as_version=4).cells
    exercise = [cell for cell in cells if cell.cell_type == "code" and EXERCISE in _tags(cell)]
    assert EXERCISE in _tags(cells[-1]), f"{name} does not end with its exercise"
    assert [YOUR_ANSWER in _tags(cell) for cell in exercise][:-1].count(True) == 1, "one learner's cell, then a check"
    for cell in exercise:
        mine = YOUR_ANSWER in _tags(cell) and answer is not None
        yield f"{name}, cell {cell.id}", answer if mine else cell.source


def _run_exercise(name: str, answer: str | None) -> str:
    """Run the exercise's cells in order in a fresh namespace (they import what they use) and return what they print."""
    namespace: dict[str, object] = {"__name__": "__exercise__"}
    printed = StringIO()
    with redirect_stdout(printed):
        for where, source in _exercise(name, answer):
            exec(compile(source, where, "exec"), namespace)
    return printed.getvalue()


@pytest.mark.parametrize("name", sorted(COURSE))
def test_blank_exercise_says_it_is_not_written_yet(name: str) -> None:
    """As committed, the learner's cell raises NotImplementedError and the check says so without failing."""
    printed = _run_exercise(name, None)
    assert NOT_WRITTEN in printed and RIGHT not in printed


@pytest.mark.parametrize("name", sorted(COURSE))
def test_solution_passes_the_exercise_check(name: str) -> None:
    """The solution kept beside the notebook, put in the learner's cell, passes the notebook's check."""
    solution = (SOLUTIONS / (Path(name).stem + ".py")).read_text()
    printed = _run_exercise(name, solution)
    assert RIGHT in printed and NOT_WRITTEN not in printed


@pytest.mark.parametrize(("name", "wrong"), WRONG_ANSWERS, ids=[f"{n}: {w.mistake}" for n, w in WRONG_ANSWERS])
def test_wrong_answer_fails_the_exercise_check(name: str, wrong: WrongAnswer) -> None:
    """A planted mistake in the learner's cell makes the check raise, naming what is wrong (negative control)."""
    with pytest.raises(wrong.error) as raised:
        _run_exercise(name, textwrap.dedent(wrong.source))
    assert wrong.message in str(raised.value)
