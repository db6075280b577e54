"""`microgradnet explore graph|network`: write an explorer page and print its path (`--open` opens it).

Both work on the demo's problem (`demo.DemoSettings`: two moons, a sigmoid MLP, Adam):
`graph` steps through one sample's backward pass in the network (untrained, or after `--epochs`),
`network` replays its training epoch by epoch.
"""

from __future__ import annotations

import argparse
import webbrowser
from pathlib import Path
from typing import Any

from microgradnet import demo
from microgradnet.arguments import layer_sizes, non_negative_float, positive_int, seed
from microgradnet.datasets import moons


def add_command(commands: Any) -> None:
    """Add the `explore` subcommand to the subparsers `commands` of the command line."""
    explore = commands.add_parser(
        "explore",
        help="write an explorer page: step through backprop, or replay training, in a browser",
        description="Write one self-contained HTML page (no server, no network) and print its path. 'graph' "
        "steps through one sample's forward and backward pass node by node and edge by edge, with the delta "
        "equations BP1-BP4; 'network' replays the training of the demo's network on two moons epoch by epoch.",
    )
    explore.add_argument("what", choices=["graph", "network"], help="which page")
    explore.add_argument(
        "--out", type=Path, help="the page to write (default: explore-graph.html or explore-network.html)"
    )
    explore.add_argument("--hidden", type=layer_sizes, help="hidden layer sizes (default: 2 for graph, 8 for network)")
    explore.add_argument("--epochs", type=int, help="training epochs (default: 0 for graph, 60 for network)")
    explore.add_argument("--lr", type=non_negative_float, default=0.1, help="Adam's learning rate (%(default)s)")
    explore.add_argument("--sample", type=int, default=0, help="graph: the sample of the moons to follow (%(default)s)")
    explore.add_argument("--seed", type=seed, default=0, help="seed of data, weights and shuffling (%(default)s)")
    explore.add_argument(
        "--max-nodes", type=positive_int, default=150, help="graph: refuse larger graphs (%(default)s)"
    )
    explore.add_argument("--open", action="store_true", help="open the page in the web browser")
    explore.set_defaults(command=run_explore, parser=explore)


def run_explore(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from microgradnet import explore, render

    is_graph = args.what == "graph"
    epochs = args.epochs if args.epochs is not None else (0 if is_graph else 60)
    if epochs < (0 if is_graph else 1):
        parser.error(f"argument --epochs: must be at least {0 if is_graph else 1}, got {epochs}")
    hidden = args.hidden if args.hidden is not None else ([2] if is_graph else [8])
    settings = demo.DemoSettings(hidden=tuple(hidden), epochs=max(epochs, 1), lr=args.lr, seed=args.seed)
    inputs, targets = moons(settings.n, settings.noise, settings.seed)
    if not 0 <= args.sample < len(inputs):
        parser.error(f"argument --sample: expected 0 to {len(inputs) - 1}, got {args.sample}")
    snapshots = explore.Snapshots(demo.new_network(settings))
    mlp = snapshots.mlp
    if epochs:
        demo.train_network(settings, progress=False, mlp=mlp, on_epoch=snapshots)
    out = args.out or Path(f"explore-{args.what}.html")
    try:
        if is_graph:
            cost = demo.sample_cost(mlp, inputs[args.sample], targets[args.sample], settings.cost)
            page = explore.graph(cost, out, max_nodes=args.max_nodes)
        else:
            page = explore.network(mlp, snapshots, (inputs, targets), out, cost=settings.cost)
    except ValueError as error:  # a graph larger than --max-nodes
        parser.error(f"{error}; on the command line: microgradnet explore network")
    except render.GraphvizNotFoundError as error:
        parser.exit(1, f"microgradnet explore: error: {error}\n")
    except OSError as error:
        parser.error(f"cannot write {str(out)!r}: {error.strerror or error}")
    shape = "-".join(map(str, mlp.sizes))
    what = f"moons sample {args.sample}" if is_graph else f"{len(page.views[0]['epochs']) - 1} epochs"
    print(f"wrote the {args.what} explorer ({shape} network, {what}) to {out.resolve()}")
    if args.open:
        webbrowser.open(out.resolve().as_uri())
    return 0
