"""`microgradnet check --backprop TARGET` and `--engine TARGET`: a submission file or a module is
loaded, the kit's report is printed, and the exit status says whether it agrees (0), disagrees (1)
or could not be checked (2, with a message naming the problem)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from microgradnet.cli import main

ROOT = Path(__file__).resolve().parent.parent

LISTS_BACKPROP = """
import math

def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

def backprop(w, b, x, y):
    a, z = [x], []
    for w_l, b_l in zip(w, b):
        z.append([sum(w_jk * a_k for w_jk, a_k in zip(w_j, a[-1])) + b_j for w_j, b_j in zip(w_l, b_l)])
        a.append([sigmoid(z_j) for z_j in z[-1]])
    sp = [[sigmoid(z_j) * (1 - sigmoid(z_j)) for z_j in z_l] for z_l in z]
    L = len(w) - 1
    delta = [None] * (L + 1)
    delta[L] = [(a_j - y_j) * s BUG for a_j, y_j, s in zip(a[-1], y, sp[L])]
    for l in reversed(range(L)):
        delta[l] = [sum(w[l + 1][j][k] * delta[l + 1][j] for j in range(len(delta[l + 1]))) * sp[l][k]
                    for k in range(len(z[l]))]
    return [[[a[l][k] * d_j for k in range(len(a[l]))] for d_j in delta[l]] for l in range(L + 1)], delta
"""

NIELSEN_BACKPROP = """
import numpy as np

def backprop(weights, biases, x, y):
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(1 / (1 + np.exp(-zs[-1])))
    sp = lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2
    delta = (activations[-1] - y) * sp(zs[-1])
    nabla_b, nabla_w = [delta], [delta @ activations[-2].T]
    for l in range(2, len(weights) + 1):
        delta = (weights[-l + 1].T @ delta) * sp(zs[-l])
        nabla_b.insert(0, delta)
        nabla_w.insert(0, delta @ activations[-l - 1].T)
    return nabla_b, nabla_w
"""


def _write(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exited:
        return int(exited.code or 0)


def test_a_correct_submission_file_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A correct backprop in a file, named path/to/file.py:function, exits 0 with the kit's report."""
    path = _write(tmp_path, "student.py", LISTS_BACKPROP.replace(" BUG", ""))
    assert _run(["check", "--backprop", f"{path}:backprop"]) == 0
    assert (
        "agrees with the delta equations (BP1-BP4) and central differences on 200 examples" in capsys.readouterr().out
    )


def test_a_wrong_submission_fails_with_the_diagnosis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """sigma' applied twice in BP1: exit status 1 and the report names the mistake."""
    path = _write(tmp_path, "student.py", LISTS_BACKPROP.replace(" BUG", " * s"))
    assert _run(["check", "--backprop", f"{path}:backprop", "--samples", "50"]) == 1
    out = capsys.readouterr().out
    assert "sigma' applied twice in BP1" in out and "The first equation that disagrees: BP1" in out


def test_nielsen_layout_and_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A numpy backprop returning (nabla_b, nabla_w) passes with --layout nielsen --returns db,dw."""
    path = _write(tmp_path, "network.py", NIELSEN_BACKPROP)
    assert _run(["check", "--backprop", f"{path}:backprop", "--layout", "nielsen", "--returns", "db,dw"]) == 0
    assert "layout 'nielsen'" in capsys.readouterr().out


def test_a_folder_of_submissions_with_the_same_file_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two students' backprop.py, one right and one wrong, are each loaded as their own module."""
    right = _write(tmp_path / "ada", "backprop.py", LISTS_BACKPROP.replace(" BUG", ""))
    wrong = _write(tmp_path / "bob", "backprop.py", LISTS_BACKPROP.replace(" BUG", " * 0.5"))
    statuses = [_run(["check", "--backprop", f"{path}:backprop", "--samples", "30"]) for path in (right, wrong)]
    assert statuses == [0, 1]


def test_a_module_target_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """module:function imports the module from the working folder."""
    _write(tmp_path, "my_backprop_module.py", LISTS_BACKPROP.replace(" BUG", ""))
    monkeypatch.chdir(tmp_path)
    assert _run(["check", "--backprop", "my_backprop_module:backprop", "--samples", "20"]) == 0


def test_engine_micrograd_reports_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    """--engine micrograd.engine:Value prints the table and exits 1 (backward() twice, the deep chain)."""
    assert _run(["check", "--engine", "micrograd.engine:Value", "--samples", "50"]) == 1
    out = capsys.readouterr().out
    assert "backward() twice doubles every grad (PyTorch)          NO" in out
    assert "RecursionError" in out


def test_engine_microgradnet_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """--engine microgradnet.engine:Value exits 0; --skip leaves a property out."""
    assert _run(["check", "--engine", "microgradnet.engine:Value", "--samples", "30", "--skip", "deep-chain"]) == 0
    out = capsys.readouterr().out
    assert "every property holds" in out and "deep chain" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--backprop", "nowhere.py:backprop"], "argument --backprop: no such file: 'nowhere.py'"),
        (["--backprop", "json:nothing"], "argument --backprop: 'json' has no 'nothing'"),
        (["--backprop", "backprop"], "expected MODULE:NAME or path/to/file.py:NAME, got 'backprop'"),
        (["--engine", "no_such_module_here:Value"], "cannot import 'no_such_module_here': ModuleNotFoundError"),
        (["--backprop", "math:pi"], "'math:pi' is a float, not a function or class"),
        (["--backprop", "math:cos", "--engine", "math:cos"], "give --backprop or --engine, not both"),
        (["--backprop", "math:cos", "--skip", "x*x"], "--skip applies to --engine only"),
        (["--engine", "math:cos", "--layout", "nielsen"], "--layout apply to --backprop only"),
        (["--backprop", "math:cos", "--cost", "bce", "--output-activation", "tanh"], "output_activation='sigmoid'"),
        (["--engine", "microgradnet.engine:Value", "--skip", "speed"], "unknown property 'speed'"),
    ],
)
def test_bad_targets_and_options(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A target that cannot be loaded or an option that does not fit: exit 2 and a message naming it."""
    assert _run(["check", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_submission_that_does_not_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file with a syntax error is reported as such, not as a traceback."""
    path = _write(tmp_path, "broken.py", "def backprop(:\n")
    assert _run(["check", "--backprop", f"{path}:backprop"]) == 2
    err = capsys.readouterr().err
    assert "cannot import" in err and "SyntaxError" in err and "Traceback" not in err


def test_without_hypothesis_the_command_says_what_to_install() -> None:
    """With hypothesis missing, check --engine exits 2 naming the testing extra; plain check still works."""
    block = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'hypothesis': raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from microgradnet.cli import main\n"
    )
    command = block + "sys.exit(main(sys.argv[1:]))"

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", command, *argv], cwd=ROOT, capture_output=True, text=True)

    kit = cli("check", "--engine", "micrograd.engine:Value")
    assert kit.returncode == 2
    assert "pip install 'microgradnet[testing]'" in kit.stderr
    plain = cli("check", "--samples", "1")
    assert plain.returncode == 0, plain.stderr


# --- a teacher's folder of submissions: tests/submissions/<learner>/network.py, Nielsen's network.py each ------

SUBMISSIONS = ROOT / "tests" / "submissions"
# learner -> the exit status and what the report must say
GRADES = {
    "alice": (0, ["agrees with the delta equations (BP1-BP4) and central differences on 40 examples"]),
    "bob": (1, ["The first equation that disagrees: BP4 in layer 0.", "    a^l instead of a^(l-1) in BP4  (BP4)"]),
    "carol": (1, ["The first equation that disagrees: BP2 in layer 0.", "    W instead of W^T in BP2  (BP2)"]),
    "dave": (1, ["The first equation that disagrees: BP1 in layer 0.", "    sigma' missing in BP1  (BP1)"]),
    "erin": (0, ["your gradients are float32: compared within 0.00098"]),
    "frank": (1, ["fn changed its argument weights[0] in place"]),
    "grace": (2, ["SyntaxError: expected ':'"]),
    "heidi": (1, ["The first equation that disagrees: BP1 in layer 0.", "match no mistake of the catalogue"]),
}


def test_every_submission_is_graded() -> None:
    """The folder and the grades list the same learners, so a new submission cannot go ungraded."""
    assert sorted(path.name for path in SUBMISSIONS.iterdir() if path.is_dir()) == sorted(GRADES)


@pytest.mark.parametrize("learner", sorted(GRADES))
def test_a_teacher_checks_a_folder_of_network_py(learner: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`microgradnet check --backprop submissions/<learner>/network.py:Network`, Nielsen's class as handed in:
    0 for the correct ones (float32 too), 1 with the equation and the mistake named, 2 for a file that does not
    parse."""
    status, said = GRADES[learner]
    target = f"{SUBMISSIONS / learner / 'network.py'}:Network"
    assert _run(["check", "--backprop", target, "--samples", "40"]) == status
    captured = capsys.readouterr()
    for words in said:
        assert words in captured.out + captured.err


def test_a_method_of_a_class_as_target(capsys: pytest.CaptureFixture[str]) -> None:
    """`file.py:Network.backprop` names the method: it is checked as the class is."""
    target = f"{SUBMISSIONS / 'alice' / 'network.py'}:Network.backprop"
    assert _run(["check", "--backprop", target, "--samples", "20"]) == 0
    assert "layout 'nielsen'" in capsys.readouterr().out


def test_a_function_of_the_wrong_form_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A target that cannot take (weights, biases, x, y) exits 2 naming its signature."""
    path = _write(tmp_path, "mine.py", "def backprop(x, y):\n    return x, y\n")
    assert _run(["check", "--backprop", f"{path}:backprop"]) == 2
    assert "fn must take (weights, biases, x, y); backprop(x, y) does not" in capsys.readouterr().err
