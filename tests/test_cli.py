"""The command line: every subcommand has --help, bad arguments give argparse errors (exit 2,
usage, a message naming the option) and never tracebacks, and `train` trains and saves."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TrainedDigits
from system_programs import C_COMPILER, check_program, requires_dot

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
        (["fly"], "invalid choice: 'fly'"),
        (["train", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["train", "--epochs", "ten"], "argument --epochs: expected a whole number, got 'ten'"),
        (["train", "--lr", "-1"], "argument --lr: must be >= 0, got -1.0"),
        (["train", "--lr", "nan"], "argument --lr: must be finite, got 'nan'"),
        (["train", "--noise", "-0.5"], "argument --noise: must be >= 0, got -0.5"),
        (["train", "--hidden", "8,x"], "argument --hidden: expected comma-separated layer sizes like 8,8"),
        (["train", "--hidden", "8,0"], "argument --hidden: expected comma-separated layer sizes like 8,8"),
        (["train", "--batch-size", "0"], "argument --batch-size: must be at least 1, got 0"),
        (["train", "--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
        (["train", "--dataset", "digits", "--n", "10"], "--dataset digits is a fixed data set: drop --n"),
        (["train", "--confusion-plot", "c.png"], "--confusion-plot applies to digits and iris"),
        (["train", "--activation", "gelu"], "argument --activation: invalid choice: 'gelu'"),
        (["train", "--momentum", "1"], "argument --momentum: must be in [0, 1), got 1.0"),
        (["train", "--momentum", "0.9"], "--momentum applies to --optimizer sgd only"),
        (["train", "--output-activation", "tanh"], "--cost bce needs outputs in [0, 1]"),
        (["train", "--n", "1"], "n must be at least 2"),
        (["train", "--dataset", "xor", "--n", "10"], "--dataset xor has its 4 fixed points: drop --n"),
        (["demo", "--epochs", "-3"], "argument --epochs: must be at least 1, got -3"),
        (["train", "--seed", "-1"], "argument --seed: must be >= 0, got -1"),
        (["check", "--seed", "-2"], "argument --seed: must be >= 0, got -2"),
        (["graph", "neuron", "--seed", "-3"], "argument --seed: must be >= 0, got -3"),
        (["demo", "--seed", "-4"], "argument --seed: must be >= 0, got -4"),
    ],
)
def test_bad_arguments_are_argparse_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad argument exits with status 2, the usage line and a message naming it; no traceback."""
    assert _exit_status(argv) == 2
    err = capsys.readouterr().err
    assert "usage: microgradnet" in err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("save", "message"),
    [
        ("", "argument --save: cannot save to '': it names no file"),
        ("/", "argument --save: cannot save to '/': it names no file"),
        ("{tmp}", "argument --save: cannot save to '{tmp}': it names no file"),
        ("{tmp}/missing/model.json", "argument --save: cannot save to '{tmp}/missing/model.json': the folder "),
    ],
)
def test_a_bad_save_path_is_an_argparse_error_before_training(
    save: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--save with no file name, a folder, or a file in a folder that does not exist exits 2 naming the path,
    before any training."""
    save, message = (text.replace("{tmp}", str(tmp_path)) for text in (save, message))
    argv = ["train", "--dataset", "xor", "--epochs", "1", "--no-progress", "--save", save]
    assert _exit_status(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert "training a" not in captured.out


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
    assert "the training diverged: try a smaller --lr (this run used 1e+300)" in err
    assert "Traceback" not in err


def test_training_that_ends_at_the_bce_clamp_warns(capsys: pytest.CaptureFixture[str]) -> None:
    """`train --lr 1e6` saturates the sigmoid: exit 0, but a warning that samples are stuck at bce's clamp,
    suggesting a smaller --lr; the default learning rate gives no warning (the negative control)."""
    argv = ["train", "--epochs", "3", "--no-progress"]
    assert main([*argv, "--lr", "1e6"]) == 0
    captured = capsys.readouterr()
    assert "final loss 50," in captured.out
    assert "warning: the training diverged: 100 of 200 samples end with an output of exactly 0 or 1" in captured.err
    assert "clamped at -100" in captured.err and "try a smaller --lr (this run used 1e+06)" in captured.err
    assert main(argv) == 0
    assert capsys.readouterr().err == ""


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


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_check_takes_cross_entropy(output: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`check --cost cross_entropy` compares the gradients on one-hot targets and agrees, also behind softmax."""
    assert main(["check", "--sizes", "2,3,3", "--cost", "cross_entropy", "--output-activation", output]) == 0
    assert "agree" in capsys.readouterr().out


def test_check_behind_softmax_catches_a_wrong_softmax_row(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Negative control: with the softmax row's Kronecker delta dropped, `check --output-activation softmax`
    with half_sse (which backpropagates through the softmax nodes) exits 1 and says DISAGREE."""
    import dataclasses

    from microgradnet.operations import OPERATIONS

    wrong = dataclasses.replace(OPERATIONS["softmax"], derivatives={"z_k": "out * (0.0 - softmax(z, k))"})
    monkeypatch.setitem(OPERATIONS, "softmax", wrong)
    assert main(["check", "--sizes", "2,3,3", "--cost", "half_sse", "--output-activation", "softmax"]) == 1
    assert "DISAGREE" in capsys.readouterr().err


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
@requires_dot
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


def test_graph_image_without_graphviz_writes_the_dot_source_and_says_how_to_draw_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for an image without the dot program writes graph.dot next to it and prints the one note of
    `save_or_dot` (how to install Graphviz, and the dot command with absolute paths); exit 0."""
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert main(["graph", "neuron", "--out", str(tmp_path / "graph.svg")]) == 0
    out = capsys.readouterr().out
    dot = tmp_path / "graph.dot"
    assert f"to {dot}\n" in out
    assert f"run: dot -Tsvg {dot} -o {tmp_path / 'graph.svg'}" in out and "brew install graphviz" in out
    assert dot.read_text().splitlines()[1].startswith("digraph computation_graph")
    assert not (tmp_path / "graph.svg").exists()


def test_bare_command_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`microgradnet` alone prints the whole help (every subcommand) on stderr and exits 2, as a usage error."""
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("usage: microgradnet") and all(name in captured.err for name in SUBCOMMANDS)
    assert "commands:" in captured.err and captured.out == ""


def test_bare_command_from_a_shell_prints_the_help() -> None:
    """`python -m microgradnet` with no arguments reads sys.argv: the help, exit status 2."""
    result = subprocess.run([sys.executable, "-m", "microgradnet"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "commands:" in result.stderr


def test_graph_without_the_graphviz_package_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`graph neuron` without the graphviz Python package exits 2 with one error line saying what to install."""
    monkeypatch.setitem(sys.modules, "graphviz", None)
    assert _exit_status(["graph", "neuron"]) == 2
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "error:" in line]
    assert (
        line == "microgradnet graph: error: drawing needs the graphviz Python package: pip install 'microgradnet[viz]'"
    )
    assert "Traceback" not in err


def test_a_too_big_graph_points_to_graph_network(capsys: pytest.CaptureFixture[str]) -> None:
    """More nodes than --max-nodes: the error names --max-nodes and `microgradnet graph network`, not Python calls."""
    assert _exit_status(["graph", "mlp", "--sizes", "2,8,8,1", "--max-nodes", "50"]) == 2
    err = capsys.readouterr().err
    assert "pass a larger --max-nodes, or draw the network neuron by neuron with `microgradnet graph network`" in err
    assert "draw_network" not in err and "max_nodes=" not in err


@requires_dot
def test_a_png_too_large_to_hold_the_picture_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`graph mlp --sizes 2,16,16,1 --out big.png` would be taller than a PNG can be: exit 2 suggesting .svg,
    and no file; the same graph as .svg is written."""
    argv = ["graph", "mlp", "--sizes", "2,16,16,1", "--out", str(tmp_path / "big.png")]
    assert _exit_status(argv) == 2
    err = capsys.readouterr().err
    assert "pixels, more than the 32767 a PNG can have on a side; save it as .svg or .pdf" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["graph", "tree"], "argument what: invalid choice: 'tree'"),
        (["graph", "neuron", "--out", "graph.txt"], "argument --out: the file name must end in one of .dot, .svg"),
        (["graph", "mlp", "--inputs", "3"], "--inputs applies to a neuron; give the mlp's widths with --sizes"),
        (["graph", "mlp", "--sizes", "2,8,8,1", "--max-nodes", "50"], "more than --max-nodes 50"),
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


@pytest.mark.parametrize("compiled", [["--compiled"], ["--compiled", "python"], ["--compiled", "c"]])
def test_train_compiled_prints_what_the_graph_path_prints(
    compiled: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`train --compiled [BACKEND]` trains through the compiled graph (C or Python) to the same final
    loss and accuracy as the graph engine."""
    if compiled[1:] == ["c"]:
        check_program(C_COMPILER, "install one with `apt-get install gcc` (Debian, Ubuntu)")
    argv = ["train", "--dataset", "moons", "--n", "40", "--epochs", "5", "--no-progress"]
    assert main(argv) == 0
    graph = capsys.readouterr().out
    assert main([*argv, *compiled]) == 0
    assert capsys.readouterr().out == graph


def test_train_compiled_refuses_an_unknown_back_end(capsys: pytest.CaptureFixture[str]) -> None:
    """`--compiled gcc` is a usage error naming the back ends there are."""
    assert _exit_status(["train", "--compiled", "gcc"]) == 2
    assert "invalid choice: 'gcc' (choose from 'auto', 'c', 'python')" in capsys.readouterr().err


def test_compiled_training_failure_is_reported_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """A diverging run through the compiled graph exits 1 with the graph engine's message, not a silent nan."""
    argv = ["train", "--activation", "relu", "--output-activation", "linear", "--cost", "half_sse"]
    argv += ["--optimizer", "sgd", "--lr", "1e300", "--epochs", "5", "--no-progress", "--compiled"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("microgradnet train: training failed:")
    assert "Traceback" not in err


# --- real data of many classes ------------------------------------------------------------------


def test_train_on_the_digits_reaches_97_percent_on_the_test_set(trained_digits: TrainedDigits) -> None:
    """`train --dataset digits --compiled` (seed 0) trains 64-32-10, sigmoid then softmax, with cross_entropy
    and Adam, and prints a test accuracy of at least 97% and the test set's confusion matrix."""
    out = trained_digits.output
    assert "training a 64-32-10 network (sigmoid, output softmax) on digits (1442 training and 355 test" in out
    assert "Adam(2410 parameters, lr=0.01" in out and "cross_entropy cost" in out
    accuracy = float(re.search(r"test accuracy (\d+\.\d)%", out).group(1))  # type: ignore[union-attr]
    assert accuracy >= 97.0
    table = out.split("confusion matrix of the 355 test samples:\n")[1].splitlines()
    assert table[0].split() == ["true", "\\", "predicted", *map(str, range(10))]
    counts = [[int(c) for c in line.split()[1:]] for line in table[1:11]]
    assert sum(map(sum, counts)) == 355
    assert sum(counts[i][i] for i in range(10)) / 355 == pytest.approx(accuracy / 100, abs=5e-4)
    mlp = MLP.load(trained_digits.model)
    assert (mlp.sizes, mlp.output_activation) == ([64, 32, 10], "softmax")


def test_train_on_iris_prints_its_confusion_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    """`train --dataset iris` trains 4-32-3 with a softmax output and prints the 30 test flowers' matrix."""
    pytest.importorskip("sklearn", reason="iris needs scikit-learn: pip install 'microgradnet[data]'")
    assert main(["train", "--dataset", "iris", "--compiled", "--no-progress", "--epochs", "60"]) == 0
    out = capsys.readouterr().out
    assert "training a 4-32-3 network (sigmoid, output softmax) on iris (120 training and 30 test samples)" in out
    accuracy = float(re.search(r"test accuracy (\d+\.\d)%", out).group(1))  # type: ignore[union-attr]
    assert accuracy >= 90.0
    assert "setosa" in out.split("confusion matrix of the 30 test samples:\n")[1]


def test_the_docs_show_what_train_on_the_digits_prints(trained_digits: TrainedDigits) -> None:
    """docs/training.md shows the output of `train --dataset digits --compiled` line for line (all but the time)."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "training.md").read_text()
    shown = page.split("microgradnet train --dataset digits --compiled\n```", 1)[1].split("```text\n", 1)[1]
    shown = shown.split("```", 1)[0]

    def untimed(text: str) -> str:
        return re.sub(r"in \d+\.\d s", "in ... s", text)

    assert untimed(trained_digits.output).startswith(untimed(shown))
