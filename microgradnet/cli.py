"""The `microgradnet` command line (also `python -m microgradnet`): demo, train, check, graph, explore.

Every value is checked while the arguments are parsed (argparse `type=` functions and `choices`),
and errors the library raises about a user's choices become argparse errors: usage, message,
exit status 2, never a traceback.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from microgradnet import __version__
from microgradnet.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS, SOFTMAX
from microgradnet.arguments import (
    architecture,
    batch_size,
    layer_sizes,
    model_path,
    non_negative_float,
    positive_int,
    seed,
    unit_interval,
)
from microgradnet.datasets import DATASETS
from microgradnet.engine import LOG_FLOOR, Value, no_grad
from microgradnet.losses import COSTS, get_cost, one_hot
from microgradnet.nn import MLP, Neuron
from microgradnet.optim import SGD, Adam, Optimizer

# --- subcommands ----------------------------------------------------------------------------

Command = Callable[[argparse.Namespace, argparse.ArgumentParser], int]


def _progress(args: argparse.Namespace, parser: argparse.ArgumentParser) -> bool:
    """Whether to show the progress bar; without tqdm, an argparse error saying what to do."""
    if args.no_progress:
        return False
    try:
        import tqdm  # noqa: F401
    except ImportError:
        parser.error("the progress bar needs tqdm: pip install 'microgradnet[examples]', or pass --no-progress")
    return True


def _import_or_error(parser: argparse.ArgumentParser, package: str, needed_by: str, extra: str) -> None:
    """Import `package`, or an argparse error saying what needs it and which extra installs it."""
    try:
        importlib.import_module(package)
    except ImportError:
        parser.error(f"{needed_by} needs the {package} Python package: pip install 'microgradnet[{extra}]'")


def _check_bce_output(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """bce takes outputs in [0, 1], which only the sigmoid guarantees: refuse other output activations."""
    if args.cost == "bce" and args.output_activation != "sigmoid":
        parser.error(
            f"--cost bce needs outputs in [0, 1]: use --output-activation sigmoid, not {args.output_activation}"
        )


def run_demo(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from microgradnet import demo

    settings = demo.DemoSettings(epochs=args.epochs, seed=args.seed, compiled=args.compiled)
    progress = _progress(args, parser)
    for package in ("matplotlib", "graphviz"):
        _import_or_error(parser, package, "the demo's pictures", "examples")
    try:
        demo.run(args.out, settings, progress=progress)
    except OSError as error:
        parser.error(f"cannot write into {str(args.out)!r}: {error.strerror or error}")
    return 0


def _optimizer(args: argparse.Namespace, parser: argparse.ArgumentParser, mlp: MLP) -> Optimizer:
    if args.optimizer == "adam":
        if args.momentum is not None:
            parser.error("--momentum applies to --optimizer sgd only")
        return Adam(mlp.parameters(), lr=args.lr)
    return SGD(mlp.parameters(), lr=args.lr, momentum=args.momentum or 0.0)


# What `train` uses where the command line does not say: for a toy data set, and for real data of many
# classes (a 64-32-10 network reaches 97.5% on the digits' test set with these, in 20 epochs).
TRAINING_DEFAULTS: dict[str, dict[str, Any]] = {
    "toy": {"hidden": [8], "output_activation": "sigmoid", "cost": "bce", "lr": 0.1, "epochs": 60, "batch_size": 10},
    "classes": {
        "hidden": [32],
        "output_activation": SOFTMAX,
        "cost": "cross_entropy",
        "lr": 0.01,
        "epochs": 20,
        "batch_size": 32,
    },
}
CLASS_DATASETS = ("digits", "iris")


def _training_defaults(args: argparse.Namespace) -> None:
    """Fill in every option of `train` the command line left out, from the data set's defaults."""
    defaults = TRAINING_DEFAULTS["classes" if args.dataset in CLASS_DATASETS else "toy"]
    for name, value in defaults.items():
        if not hasattr(args, name):
            setattr(args, name, value)


def run_train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from microgradnet.train import accuracy

    _training_defaults(args)
    if args.dataset in CLASS_DATASETS:
        return _train_classes(args, parser)
    if args.confusion_plot is not None:
        parser.error(f"--confusion-plot applies to {' and '.join(CLASS_DATASETS)}, data sets of many classes")
    make_data = DATASETS[args.dataset]
    options = {name: value for name, value in (("n", args.n), ("noise", args.noise)) if value is not None}
    if args.dataset == "xor" and options:
        parser.error(f"--dataset xor has its 4 fixed points: drop --{' and --'.join(options)}")
    try:
        inputs, targets = make_data() if args.dataset == "xor" else make_data(**options, seed=args.seed)
    except ValueError as error:
        parser.error(f"--dataset {args.dataset}: {error}")
    mlp = MLP(2, [*args.hidden, 1], args.activation, output_activation=args.output_activation, seed=args.seed)
    _check_bce_output(args, parser)
    optimizer = _optimizer(args, parser, mlp)
    progress = _progress(args, parser)
    sizes = "-".join(map(str, mlp.sizes))
    print(
        f"training a {sizes} network on {args.dataset} ({len(inputs)} samples) with {optimizer!r}, {args.cost} cost",
        flush=True,
    )
    history = _fit(args, mlp, optimizer, progress, inputs, targets)
    if history is None:
        return 1
    print(f"final loss {history[-1]:.6g}, training accuracy {accuracy(mlp, inputs, targets):.1%}")
    clamped = _clamped_samples(mlp, inputs, targets) if args.cost == "bce" else 0
    if clamped:
        print(
            f"microgradnet train: warning: the training diverged: {clamped} of {len(inputs)} samples end with an "
            f"output of exactly 0 or 1 against their target, where bce's log is clamped at {LOG_FLOOR:g} and the "
            f"gradient is 0, so they cannot be learned; {SMALLER_LR.format(lr=args.lr)}",
            file=sys.stderr,
        )
    _save(args, parser, mlp)
    return 0


SMALLER_LR = "try a smaller --lr (this run used {lr:g})"


def _fit(
    args: argparse.Namespace,
    mlp: MLP,
    optimizer: Optimizer,
    progress: bool,
    inputs: list[list[float]],
    targets: list[list[float]],
) -> list[float] | None:
    """`fit` with the command's options: the loss of every epoch, or None (said why) if the training diverged."""
    from microgradnet.train import fit

    try:
        return fit(
            mlp,
            inputs,
            targets,
            optimizer=optimizer,
            cost=args.cost,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            progress=progress,
            compiled=args.compiled,
        )
    except (ValueError, ArithmeticError) as error:  # a non-finite gradient, an overflowing exp, ...
        print(f"microgradnet train: training failed: {error}", file=sys.stderr)
        print(f"microgradnet train: the training diverged: {SMALLER_LR.format(lr=args.lr)}", file=sys.stderr)
        return None


def _save(args: argparse.Namespace, parser: argparse.ArgumentParser, mlp: MLP) -> None:
    """--save: write the trained model, or an argparse error naming the path."""
    if args.save is not None:
        try:
            mlp.save(args.save)
        except OSError as error:
            parser.error(f"cannot save the model to {str(args.save)!r}: {error.strerror or error}")
        print(f"saved the model to {args.save} (load it with MLP.load)")


def _train_classes(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`train --dataset digits` (or iris): fit on the fixed training split, then the test accuracy and
    the confusion matrix of the test split."""
    from microgradnet import datasets, metrics

    given = [name for name in ("n", "noise") if getattr(args, name) is not None]
    if given:
        parser.error(f"--dataset {args.dataset} is a fixed data set: drop --{' and --'.join(given)}")
    try:
        split = getattr(datasets, args.dataset)()
    except ImportError as error:
        parser.error(str(error))
    (inputs, targets), (test_inputs, test_targets) = split.train, split.test
    nouts = [*args.hidden, len(split.classes)]
    mlp = MLP(len(inputs[0]), nouts, args.activation, output_activation=args.output_activation, seed=args.seed)
    _check_bce_output(args, parser)
    optimizer = _optimizer(args, parser, mlp)
    progress = _progress(args, parser)
    print(
        f"training a {'-'.join(map(str, mlp.sizes))} network ({args.activation}, output {args.output_activation}) on "
        f"{args.dataset} ({len(inputs)} training and {len(test_inputs)} test samples) with {optimizer!r}, "
        f"{args.cost} cost",
        flush=True,
    )
    start = time.perf_counter()
    history = _fit(args, mlp, optimizer, progress, inputs, targets)
    if history is None:
        return 1
    seconds = time.perf_counter() - start
    counts = metrics.confusion_matrix(mlp, test_inputs, test_targets)
    print(f"trained {args.epochs} epochs in {seconds:.1f} s; final loss {history[-1]:.6g}")
    print(f"training accuracy {metrics.accuracy(mlp, inputs, targets):.1%}")
    print(f"test accuracy {sum(counts[i][i] for i in range(len(counts))) / len(test_inputs):.1%}")
    print(f"confusion matrix of the {len(test_inputs)} test samples:")
    print(metrics.confusion_table(counts, split.classes))
    if args.confusion_plot is not None:
        from microgradnet import plots

        _import_or_error(parser, "matplotlib", "--confusion-plot", "examples")
        drawn = plots.confusion_matrix(counts, args.confusion_plot, classes=split.classes)
        print(f"wrote the confusion matrix to {drawn}")
    _save(args, parser, mlp)
    return 0


def _clamped_samples(mlp: MLP, inputs: list[list[float]], targets: list[list[float]]) -> int:
    """How many samples have an output on which bce's log is clamped: ln a^L_i = -100 with y_i > 0, or
    ln(1 - a^L_i) = -100 with y_i < 1 (an output stuck at exactly 0 or 1, the wrong way, with zero gradient)."""
    clamped = 0
    with no_grad():
        for x, y in zip(inputs, targets):
            outputs = mlp(x)
            clamped += any(
                (y_i > 0.0 and a_i.clamped_log().data <= LOG_FLOOR)
                or (y_i < 1.0 and (1.0 - a_i).clamped_log().data <= LOG_FLOOR)
                for a_i, y_i in zip(outputs, y)
            )
    return clamped


def run_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.backprop is not None or args.engine is not None:
        try:
            from microgradnet.testing.command import run_kit
        except ImportError as error:  # hypothesis, of the testing extra
            parser.error(str(error))
        return run_kit(args, parser)
    from microgradnet.crosscheck import compare

    _check_bce_output(args, parser)
    args.sizes, args.samples = args.sizes or [2, 3, 3, 1], args.samples or 5
    args.tolerance = 1e-10 if args.tolerance is None else args.tolerance
    nin, *nouts = args.sizes
    mlp = MLP(nin, nouts, args.activation, output_activation=args.output_activation, seed=args.seed)
    rng = random.Random(args.seed)
    worst_by_layer = [(0.0, 0.0)] * len(nouts)
    worst = 0.0
    for _ in range(args.samples):
        x = [rng.uniform(-2.0, 2.0) for _ in range(nin)]
        y = _random_target(rng, nouts[-1], args.cost)
        comparison = compare(mlp, x, y, args.cost)
        worst = max(worst, comparison.largest_relative_difference())
        worst_by_layer = [
            (max(w, dW), max(b, db)) for (w, b), (dW, db) in zip(worst_by_layer, comparison.layer_differences())
        ]
    print(
        f"{'-'.join(map(str, args.sizes))} network, {args.activation} (output {args.output_activation}), "
        f"cost {args.cost}, seed {args.seed}: autograd against the delta equations on {args.samples} random samples"
    )
    print(f"{'layer':>5}  {'W shape':>7}  {'max |dW autograd - dW delta|':>28}  {'max |db autograd - db delta|':>28}")
    for l, (dW, db) in enumerate(worst_by_layer):
        shape = f"{nouts[l]}x{args.sizes[l]}"
        print(f"{l:>5}  {shape:>7}  {dW:>28.3e}  {db:>28.3e}")
    if worst <= args.tolerance:
        print(f"agree: every difference is within {args.tolerance:g} (relative to max(1, |gradient|))")
        return 0
    print(f"DISAGREE: a difference of {worst:.3e} exceeds the tolerance {args.tolerance:g}", file=sys.stderr)
    return 1


def _random_target(rng: random.Random, n: int, cost: str) -> list[float]:
    """A target of n outputs drawn from `rng`: a one-hot class for cross_entropy, else uniform in [0, 1]."""
    if cost == "cross_entropy":
        return one_hot(rng.randrange(n), n)
    return [rng.uniform(0.0, 1.0) for _ in range(n)]


def run_graph(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from microgradnet import render

    _import_or_error(parser, "graphviz", "drawing", "viz")
    _check_bce_output(args, parser)
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix not in render.FORMATS:
        parser.error(f"argument --out: the file name must end in one of {', '.join('.' + f for f in render.FORMATS)}")
    rng = random.Random(args.seed)
    if args.what == "neuron":
        if args.output_activation == SOFTMAX:
            parser.error("softmax is the activation of a whole layer: draw a layer or a network, not a neuron")
        nin = 2 if args.inputs is None else args.inputs
        neuron = Neuron(nin, args.output_activation, rng=rng)
        x = [round(rng.uniform(-1.0, 1.0), 2) for _ in range(nin)]
        y = [1.0]
        outputs = [neuron(x)]
        sizes = [nin, 1]
    else:
        if args.inputs is not None:
            parser.error(f"--inputs applies to a neuron; give the {args.what}'s widths with --sizes")
        nin, *nouts = args.sizes
        mlp = MLP(nin, nouts, args.activation, output_activation=args.output_activation, seed=args.seed)
        x = [round(rng.uniform(-1.0, 1.0), 2) for _ in range(nin)]
        y = [round(y_i, 2) for y_i in _random_target(rng, nouts[-1], args.cost)]
        sizes = args.sizes
    try:
        if args.what == "network":
            graph = render.draw_network(mlp, x, y, args.cost)
        else:
            outputs = outputs if args.what == "neuron" else mlp(x)
            cost = get_cost(args.cost)(outputs, [Value(y_i, f"y[{i}]") for i, y_i in enumerate(y)])
            cost.label = "C"
            cost.backward()  # so that every box shows its gradient dC/dnode
            graph = render.draw_graph(cost, max_nodes=args.max_nodes)
        saved = render.save_or_dot(graph, args.out)
    except render.GraphTooLargeError as error:
        parser.error(
            f"the graph has {error.nodes} nodes, more than --max-nodes {error.max_nodes}; pass a larger "
            "--max-nodes, or draw the network neuron by neuron with `microgradnet graph network`"
        )
    except ValueError as error:  # e.g. a PNG too large to hold the picture
        parser.error(str(error))
    except OSError as error:
        parser.error(f"cannot write {str(args.out)!r}: {error.strerror or error}")
    shape = "-".join(map(str, sizes))
    print(f"wrote the {args.what} graph ({shape}, x = {x}, y = {y}, cost {args.cost}) to {saved.path}")
    if saved.note:
        print(saved.note)
    return 0


# --- the parser -----------------------------------------------------------------------------


def _add_progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-progress", action="store_true", help="do not show the progress bar")


def _add_network_options(
    parser: argparse.ArgumentParser,
    *,
    cost: str | None,
    output_help: str = "activation of the output layer",
) -> None:
    """--activation, --output-activation and --cost, shared by the subcommands that build a network;
    with `cost=None` the output activation and the cost default to the data set's (`train`)."""
    parser.add_argument(
        "--activation",
        choices=list(ACTIVATIONS),
        default="sigmoid",
        help="activation of the hidden layers (%(default)s)",
    )
    parser.add_argument(
        "--output-activation", choices=OUTPUT_ACTIVATIONS, **_default("output_activation", "sigmoid", output_help, cost)
    )
    parser.add_argument("--cost", choices=list(COSTS), **_default("cost", cost, "cost per sample", cost))


def _default(name: str, value: object, help_text: str, fixed: object = True) -> dict[str, Any]:
    """An option's default and help: `value`, or (`fixed` None) the data set's, from `TRAINING_DEFAULTS`."""
    if fixed is not None:
        return {"default": value, "help": f"{help_text} (%(default)s)"}
    toy, classes = (TRAINING_DEFAULTS[kind][name] for kind in ("toy", "classes"))
    shown = [", ".join(map(str, v)) if isinstance(v, list) else "full" if v is None else v for v in (toy, classes)]
    return {
        "default": argparse.SUPPRESS,
        "help": f"{help_text} ({shown[0]}; {shown[1]} on {', '.join(CLASS_DATASETS)})",
    }


def _add_compiled_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--compiled",
        nargs="?",
        const="auto",
        default=False,
        choices=["auto", "c", "python"],
        metavar="BACKEND",
        help="train through the compiled graph (the same gradients, many times faster): in C where a C "
        "compiler is found (auto, the default), or 'c' or 'python'",
    )


def _add_testing_options(check: argparse.ArgumentParser) -> None:
    """--backprop and --engine: check your own code with microgradnet.testing (run by its `command` module)."""
    kit = check.add_argument_group("your own code (needs the testing extra: pip install 'microgradnet[testing]')")
    kit.add_argument(
        "--backprop",
        metavar="TARGET",
        help="fn(weights, biases, x, y) -> (dC/dw, dC/db) to check: module:function or path/to/file.py:function; "
        "or a network class like Nielsen's (file.py:Network or file.py:Network.backprop)",
    )
    kit.add_argument(
        "--engine",
        metavar="TARGET",
        help="a micrograd-like Value class to check: module:Value or path/to/file.py:Value",
    )
    kit.add_argument(
        "--layout",
        choices=["lists", "nielsen"],
        help="--backprop's arrays: nested lists (default) or numpy as in Nielsen's network.py",
    )
    kit.add_argument(
        "--returns",
        choices=["dw,db", "db,dw"],
        metavar="dw,db|db,dw",
        help="--backprop's pair (dw,db; Nielsen's is db,dw, the default for a network class)",
    )
    kit.add_argument(
        "--relu-prime-at-0",
        type=float,
        action="append",
        metavar="SLOPE",
        help="--backprop: the slope relu'(0) your code must use (repeatable; default: any of 0, 0.5, 1)",
    )
    kit.add_argument(
        "--batch", action="store_true", help="--backprop takes xs, ys and returns the mean cost's gradient"
    )
    kit.add_argument("--skip", action="append", metavar="PROPERTY", help="--engine: leave out a property (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand; each sets `command` (the function that runs it) and `parser` (its own
    parser, whose `error` prints that subcommand's usage)."""
    parser = argparse.ArgumentParser(
        prog="microgradnet",
        description="A scalar autograd engine for learning, teaching and checking backpropagation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        help="train a sigmoid MLP on two moons and draw what it learned",
        description="Train a 2-8-1 sigmoid MLP on two moons with a progress bar, print its accuracy and one "
        "sample's gradients by autograd and by the delta equations, and write the decision boundary, the loss "
        "curve, a picture of the trained network and an explorer page (explore.html) into an output folder.",
    )
    demo.add_argument("--out", type=Path, default=Path("microgradnet-demo"), help="output folder (%(default)s)")
    demo.add_argument("--epochs", type=positive_int, default=60, help="training epochs (%(default)s)")
    demo.add_argument("--seed", type=seed, default=0, help="seed of data, weights and shuffling (%(default)s)")
    _add_progress_option(demo)
    _add_compiled_option(demo)
    demo.set_defaults(command=run_demo, parser=demo)

    train = commands.add_parser(
        "train",
        help="train an MLP on a toy data set or on handwritten digits",
        description="Train an MLP with 2 inputs and 1 output on a toy data set and print its loss and accuracy, "
        "or one with a softmax output on the digits or the iris flowers and print its test accuracy and "
        "confusion matrix.",
    )
    train.add_argument(
        "--dataset",
        choices=[*sorted(DATASETS), *CLASS_DATASETS],
        default="moons",
        help="a toy data set of 2 inputs and 1 output, or real data of many classes (needs the data extra) "
        "(%(default)s)",
    )
    train.add_argument("--n", type=positive_int, help="number of samples, not for xor (default: 200)")
    train.add_argument(
        "--noise", type=non_negative_float, help="noise, not for xor (default: 0.1 for moons, else 0.05)"
    )
    train.add_argument(
        "--hidden", type=layer_sizes, **_default("hidden", None, "hidden layer sizes, e.g. 8,8 or none", None)
    )
    _add_network_options(train, cost=None)
    train.add_argument("--optimizer", choices=["adam", "sgd"], default="adam", help="optimizer (%(default)s)")
    train.add_argument("--lr", type=non_negative_float, **_default("lr", None, "learning rate", None))
    train.add_argument("--momentum", type=unit_interval, default=None, help="SGD momentum in [0, 1) (0)")
    train.add_argument("--epochs", type=positive_int, **_default("epochs", None, "training epochs", None))
    train.add_argument(
        "--batch-size", type=batch_size, **_default("batch_size", None, "samples per step, or 'full'", None)
    )
    train.add_argument("--seed", type=seed, default=0, help="seed of data, weights and shuffling (%(default)s)")
    train.add_argument("--save", type=model_path, metavar="MODEL.json", help="save the trained model as JSON")
    train.add_argument(
        "--confusion-plot", type=Path, metavar="FILE.png", help="with digits or iris: also draw the confusion matrix"
    )
    _add_progress_option(train)
    _add_compiled_option(train)
    train.set_defaults(command=run_train, parser=train)

    check = commands.add_parser(
        "check",
        help="compare autograd (or your own backprop or engine) with the delta equations",
        description="Build a random MLP, run backward() and the delta equations (BP1-BP4) on random samples, "
        "print the largest difference per layer, and exit with status 1 if they disagree. With --backprop or "
        "--engine, check your own code instead (see docs/checking.md).",
    )
    check.add_argument(
        "--sizes", type=architecture, help="input and layer widths (default: 2,3,3,1; with --backprop: drawn)"
    )
    _add_network_options(check, cost="half_sse")
    check.add_argument("--samples", type=positive_int, help="random samples to check (5; --backprop, --engine: 200)")
    check.add_argument("--seed", type=seed, default=0, help="seed of weights and samples (%(default)s)")
    check.add_argument(
        "--tolerance",
        type=non_negative_float,
        help="largest allowed |difference| / max(1, |gradient|) (1e-10; --backprop: 1e-6, --engine: 1e-9)",
    )
    _add_testing_options(check)
    check.set_defaults(command=run_check, parser=check)

    graph = commands.add_parser(
        "graph",
        help="draw the computation graph of a neuron or a small MLP",
        description="Draw the computation graph of one sample's cost C(a, y) after backward(): each box shows a "
        "node's label, operation, value and gradient, each edge its local derivative. 'neuron' draws one neuron, "
        "'mlp' the whole graph of an MLP, 'network' the neuron-level picture of an MLP (a, delta and dC/dw).",
    )
    graph.add_argument("what", choices=["neuron", "mlp", "network"], help="what to draw")
    graph.add_argument(
        "--out", type=Path, default=Path("graph.svg"), help="output file: .svg, .png, .pdf or .dot (%(default)s)"
    )
    graph.add_argument("--inputs", type=positive_int, help="a neuron's number of inputs (default: 2)")
    graph.add_argument("--sizes", type=architecture, default=[2, 2, 1], help="an MLP's widths (default: 2,2,1)")
    _add_network_options(graph, cost="half_sse", output_help="activation of the output layer, or of the neuron")
    graph.add_argument("--seed", type=seed, default=0, help="seed of weights and the sample (%(default)s)")
    graph.add_argument(
        "--max-nodes", type=positive_int, default=2000, help="refuse graphs with more nodes (%(default)s)"
    )
    graph.set_defaults(command=run_graph, parser=graph)

    from microgradnet.explore.command import add_command as add_explore_command  # loads the explorer only here

    add_explore_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:  # a bare `microgradnet`: the whole help rather than a one-line usage error
        parser.print_help(sys.stderr)
        return 2
    args = parser.parse_args(argv)
    command: Command = args.command
    try:
        return command(args, args.parser)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


__all__ = ["build_parser", "main"]
