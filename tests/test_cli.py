"""The command line: every subcommand has --help, bad arguments give argparse errors (exit 2,
usage, a message naming the option) and never tracebacks, and `train` trains and saves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from microgradnet import MLP
from microgradnet.cli import main
from microgradnet.datasets import xor
from microgradnet.train import accuracy

ROOT = Path(__file__).resolve().parent.parent
SUBCOMMANDS = ["demo", "train", "check", "graph"]


def _exit_status(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0)


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_every_subcommand_has_help(subcommand: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`microgradnet SUBCOMMAND --help` exits 0 and prints that subcommand's usage."""
    assert _exit_status([subcommand, "--help"]) == 0
    assert f"usage: microgradnet {subcommand}" in capsys.readouterr().out


def test_top_level_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    """`microgradnet --help` names every subcommand."""
    assert _exit_status(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in SUBCOMMANDS)


def test_python_dash_m_runs_the_command_line() -> None:
    """`python -m microgradnet --version` works from a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "microgradnet", "--version"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("microgradnet ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["fly"], "invalid choice: 'fly'"),
        (["train", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["train", "--epochs", "ten"], "argument --epochs: expected a whole number, got 'ten'"),
        (["train", "--lr", "-1"], "argument --lr: must be >= 0, got -1.0"),
        (["train", "--lr", "nan"], "argument --lr: must be finite, got 'nan'"),
        (["train", "--noise", "-0.5"], "argument --noise: must be >= 0, got -0.5"),
        (["train", "--hidden", "8,x"], "argument --hidden: expected comma-separated layer sizes like 8,8"),
        (["train", "--hidden", "8,0"], "argument --hidden: expected comma-separated layer sizes like 8,8"),
        (["train", "--batch-size", "0"], "argument --batch-size: must be at least 1, got 0"),
        (["train", "--dataset", "iris"], "argument --dataset: invalid choice: 'iris'"),
        (["train", "--activation", "gelu"], "argument --activation: invalid choice: 'gelu'"),
        (["train", "--momentum", "1"], "argument --momentum: must be in [0, 1), got 1.0"),
        (["train", "--momentum", "0.9"], "--momentum applies to --optimizer sgd only"),
        (["train", "--output-activation", "tanh"], "--cost bce needs outputs in [0, 1]"),
        (["train", "--n", "1"], "n must be at least 2"),
        (["train", "--dataset", "xor", "--n", "10"], "--dataset xor has its 4 fixed points: drop --n"),
        (["demo", "--epochs", "-3"], "argument --epochs: must be at least 1, got -3"),
    ],
)
def test_bad_arguments_are_argparse_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad argument exits with status 2, the usage line and a message naming it; no traceback."""
    assert _exit_status(argv) == 2
    err = capsys.readouterr().err
    assert "usage: microgradnet" in err
    assert message in err
    assert "Traceback" not in err


def test_unwritable_save_path_is_an_argparse_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--save into a folder that does not exist exits 2 naming the path, after training."""
    target = tmp_path / "missing" / "model.json"
    argv = ["train", "--dataset", "xor", "--epochs", "1", "--no-progress", "--save", str(target)]
    assert _exit_status(argv) == 2
    assert f"cannot save the model to {str(target)!r}" in capsys.readouterr().err


def test_train_learns_xor_and_saves_a_loadable_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`train` on xor with SGD reaches 100% and --save writes a model that MLP.load restores."""
    path = tmp_path / "xor.json"
    argv = ["train", "--dataset", "xor", "--hidden", "4", "--optimizer", "sgd", "--lr", "1", "--momentum", "0.9"]
    argv += ["--cost", "half_sse", "--epochs", "300", "--batch-size", "full", "--save", str(path), "--no-progress"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "training a 2-4-1 network on xor (4 samples)" in out
    assert "training accuracy 100.0%" in out
    assert f"saved the model to {path}" in out
    inputs, targets = xor()
    assert accuracy(MLP.load(path), inputs, targets) == 1.0


def test_train_shows_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --no-progress, `train` draws the tqdm bar with the running loss on stderr."""
    assert main(["train", "--dataset", "moons", "--n", "20", "--epochs", "2"]) == 0
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err


def test_training_failure_is_reported_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """A run that diverges (relu with a huge learning rate) exits 1 with the library's message."""
    argv = ["train", "--activation", "relu", "--output-activation", "linear", "--cost", "half_sse"]
    argv += ["--optimizer", "sgd", "--lr", "1e300", "--epochs", "5", "--no-progress"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("microgradnet train: training failed:")
    assert "Traceback" not in err


def test_missing_tqdm_suggests_no_progress(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Without tqdm, asking for the progress bar is an argparse error that suggests --no-progress."""
    monkeypatch.setitem(sys.modules, "tqdm", None)
    assert _exit_status(["train", "--dataset", "xor", "--epochs", "1"]) == 2
    assert "pass --no-progress" in capsys.readouterr().err


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--sizes", "3,5,4,2", "--activation", "relu", "--output-activation", "linear", "--cost", "mse"],
        ["--sizes", "4,8,8,8,3", "--activation", "tanh", "--cost", "bce"],
        ["--sizes", "2,1", "--activation", "linear", "--output-activation", "sigmoid", "--samples", "20"],
    ],
)
def test_check_agrees_on_every_architecture(options: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """`check` exits 0 and prints one line per layer and 'agree' for several architectures and costs."""
    assert main(["check", *options]) == 0
    out = capsys.readouterr().out
    assert "agree: every difference is within 1e-10" in out
    assert "max |dW autograd - dW delta|" in out


def test_check_fails_when_the_delta_equations_are_wrong(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Negative control: with sigma' dropped from BP1, `check` exits 1 and says DISAGREE."""
    from microgradnet import delta

    monkeypatch.setattr(delta, "output_delta", lambda dC_da, sigma_prime_z: tuple(dC_da))
    assert main(["check"]) == 1
    assert "DISAGREE" in capsys.readouterr().err


@pytest.mark.xfail(strict=True, raises=ValueError, reason="check and graph draw uniform targets, not one-hot classes")
def test_check_takes_cross_entropy(capsys: pytest.CaptureFixture[str]) -> None:
    """`check --cost cross_entropy` compares the gradients on one-hot targets and agrees."""
    assert main(["check", "--sizes", "2,3,3", "--cost", "cross_entropy"]) == 0
    assert "agree" in capsys.readouterr().out


def test_check_needs_an_input_and_a_layer(capsys: pytest.CaptureFixture[str]) -> None:
    """`check --sizes 2` is an argparse error asking for the input width and at least one layer."""
    assert _exit_status(["check", "--sizes", "2"]) == 2
    assert "argument --sizes: expected the input width and at least one layer" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [
        (["neuron", "--inputs", "3"], "<?xml"),
        (["mlp", "--sizes", "2,2,1", "--cost", "bce"], "<?xml"),
        (["network", "--sizes", "3,4,2"], "<?xml"),
    ],
)
def test_graph_renders_each_kind(argv: list[str], first_line: str, tmp_path: Path) -> None:
    """`graph neuron|mlp|network` writes an SVG with the cost node C and the labelled parameters."""
    out = tmp_path / "graph.svg"
    assert main(["graph", *argv, "--out", str(out)]) == 0
    svg = out.read_text()
    assert svg.startswith(first_line)
    assert ("w[0][1][0]" if argv[0] == "mlp" else "w[2]" if argv[0] == "neuron" else "[0][3]") in svg


def test_graph_writes_dot_source_without_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--out graph.dot` writes the DOT text, which needs no dot program."""
    monkeypatch.setattr("shutil.which", lambda name: None)
    out = tmp_path / "graph.dot"
    assert main(["graph", "neuron", "--out", str(out)]) == 0
    assert out.read_text().startswith("digraph computation_graph")


def test_graph_image_without_graphviz_fails_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for an image without the dot program exits 1 with the install advice, no traceback."""
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert main(["graph", "neuron", "--out", str(tmp_path / "graph.svg")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("microgradnet graph: error:") and "save as .dot" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["graph", "tree"], "argument what: invalid choice: 'tree'"),
        (["graph", "neuron", "--out", "graph.txt"], "argument --out: the file name must end in one of .dot, .svg"),
        (["graph", "mlp", "--inputs", "3"], "--inputs applies to a neuron; give the mlp's widths with --sizes"),
        (["graph", "mlp", "--sizes", "2,8,8,1", "--max-nodes", "50"], "more than max_nodes=50"),
        (["graph", "mlp", "--output-activation", "relu", "--cost", "bce"], "--cost bce needs outputs in [0, 1]"),
    ],
)
def test_graph_bad_arguments_are_argparse_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad graph arguments exit 2 with the usage and a message naming what was wrong."""
    assert _exit_status(argv) == 2
    err = capsys.readouterr().err
    assert "usage: microgradnet graph" in err and message in err and "Traceback" not in err


def test_train_compiled_prints_what_the_graph_path_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """`train --compiled` trains through the compiled graph to the same final loss and accuracy."""
    argv = ["train", "--dataset", "moons", "--n", "40", "--epochs", "5", "--no-progress"]
    assert main(argv) == 0
    graph = capsys.readouterr().out
    assert main([*argv, "--compiled"]) == 0
    assert capsys.readouterr().out == graph


def test_compiled_training_failure_is_reported_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """A diverging run through the compiled graph exits 1 with the graph engine's message, not a silent nan."""
    argv = ["train", "--activation", "relu", "--output-activation", "linear", "--cost", "half_sse"]
    argv += ["--optimizer", "sgd", "--lr", "1e300", "--epochs", "5", "--no-progress", "--compiled"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("microgradnet train: training failed:")
    assert "Traceback" not in err
