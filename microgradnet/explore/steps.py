"""The steps of one forward and one backward pass through a graph, with the numbers of each.

Forward: one step per node in topological order, in which its value appears.
Backward: the step that seeds dC/dC = 1 at the root, then one step per edge in the order the
engine's `backward()` takes them (nodes in reverse topological order, each node's operands in
order), each the chain rule along that edge:

    grad(parent) += local derivative x grad(node)

`backward_steps` replays that loop on its own floats, in the same order and with the same
operations, so its running sums are the engine's to the last bit (a test compares them with
`backward()`), and the graph's own `grad`s are never touched.

For the nodes of a neuron (as `render.clusters.cluster_paths` groups them) each step also names the
equation of Nielsen's chapter 2 it applies: BP1 or BP2 on the edge a -> z (delta = dC/da *
sigma'(z), in the output layer or a hidden one), BP3 on z -> b, BP4 on z -> w, and on z -> a_k of
the layer before one term w_jk delta_j of BP2's sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from microgradnet.engine import WEIGHTED_SUM, Value
from microgradnet.operations import OPERATIONS, SOFTMAX, SOFTMAX_CROSS_ENTROPY, groups
from microgradnet.render.style import number

INFIX = ("+", "-", "*", "/", "**")
MAX_TERMS = 6  # of BP2's sum written out; the rest is "+ …"


@dataclass(frozen=True)
class BackwardStep:
    """grad(parent) += local x grad(node) along the edge from operand `operand` of `node` to `parent`.

    `before` and `after` are grad(parent) around the step, `contribution` = local x grad; this is
    consumer number `consumer` (from 1) of the parent's `consumers`. `rule` is "BP1" .. "BP4",
    "BP2 term" or "" and `equation` writes it out with the numbers.
    """

    node: int
    parent: int
    operand: int
    local: float
    grad: float
    contribution: float
    before: float
    after: float
    consumer: int
    consumers: int
    rule: str = ""
    equation: str = ""


def name(order: Sequence[Value], i: int) -> str:
    """A node's label, or its name n{i} (its place in topological order) when it has none."""
    return order[i].label or f"n{i}"


def forward_text(order: Sequence[Value], index: dict[Value, int], i: int) -> str:
    """The forward step of node i: its value, and how its operation made it from its operands."""
    node = order[i]
    value = number(node.data)
    if not node.parents:
        return f"{name(order, i)} = {value}   (a leaf: an input, a parameter or a constant)"
    names = [name(order, index[p]) for p in node.parents]
    values = [number(p.data) for p in node.parents]
    if node.op in INFIX:
        how = f"{names[0]} {node.op} {names[1]} = {values[0]} {node.op} {values[1]}"
    elif node.op == SOFTMAX:  # the node holds the index j of its output
        how = f"softmax({', '.join(names)})_{node.constant}"
    elif node.op == SOFTMAX_CROSS_ENTROPY:
        how = f"logsumexp(z) - Σ_k y_k z_k over {len(node.parents) // 2} classes"
    elif node.constant is not None:  # x**c or c**y: the node holds the number c
        c = number(node.constant)
        how = f"{names[0]}**{c} = {values[0]}**{c}" if node.op == "x**c" else f"{c}**{names[0]} = {c}**{values[0]}"
    elif node.op == WEIGHTED_SUM:
        how = f"Σ_k w_k a_k + b over {len(groups(OPERATIONS[WEIGHTED_SUM], node.parents)['w_k'])} inputs"
    elif node.op == "sum":
        how = f"the sum of {len(node.parents)} terms"
    else:
        how = f"{node.op}({', '.join(names)}) = {node.op}({', '.join(values)})"
    return f"{name(order, i)} = {how} = {value}"


def backward_steps(order: Sequence[Value], groups: Mapping[Value, object]) -> tuple[list[float], list[BackwardStep]]:
    """(grad of every node after the pass, the steps), for the pass seeded with grad(root) = 1.

    `order` is `topological_order(root)`, the root last; `groups` maps each node of a neuron to
    its neuron (the same key for all of one neuron's nodes), as `render.clusters.cluster_paths`.
    """
    index = {node: i for i, node in enumerate(order)}
    consumers = [0] * len(order)
    for node in order:
        for parent in node.parents:
            consumers[index[parent]] += 1
    grads = [0.0] * len(order)
    grads[-1] = 1.0
    seen = [0] * len(order)
    steps = []
    for i in reversed(range(len(order))):
        node = order[i]
        g = grads[i]
        for operand, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            p = index[parent]
            before = grads[p]
            contribution = g * local
            grads[p] = before + contribution
            seen[p] += 1
            steps.append(BackwardStep(i, p, operand, local, g, contribution, before, grads[p], seen[p], consumers[p]))
    return grads, _with_equations(order, index, groups, steps)


def _with_equations(
    order: Sequence[Value], index: dict[Value, int], paths: Mapping[Value, object], steps: list[BackwardStep]
) -> list[BackwardStep]:
    """The steps, each edge of a neuron's nodes labelled with the equation it applies."""
    neuron_z = {index[z] for z in paths if z.op == WEIGHTED_SUM}
    # A neuron is in a hidden layer when its a feeds the z of another neuron.
    feeds_a_neuron = {step.parent for step in steps if step.node in neuron_z}
    terms: dict[int, list[float]] = {}
    for step in steps:
        terms.setdefault(step.parent, []).append(step.contribution)
    labelled = []
    for step in steps:
        node, parent = order[step.node], order[step.parent]
        same_neuron = paths.get(parent) is not None and paths.get(parent) == paths.get(node)
        rule, equation = "", ""
        if step.node in neuron_z:
            delta = f"δ({name(order, step.node)})"
            if same_neuron and parent is node.parents[-1]:
                rule = "BP3"
                equation = f"BP3  ∂C/∂b = δ:  ∂C/∂{name(order, step.parent)} += {delta} = {number(step.grad)}"
            elif same_neuron:
                rule = "BP4"
                equation = (
                    f"BP4  ∂C/∂w_jk = a_k δ_j:  ∂C/∂{name(order, step.parent)} += "
                    f"{number(step.local)} × {number(step.grad)} = {number(step.contribution)}"
                )
            else:
                rule = "BP2 term"
                equation = (
                    f"one term w_jk δ_j of BP2's sum Σ_j w_jk δ_j:  ∂C/∂{name(order, step.parent)} += "
                    f"{number(step.local)} × {number(step.grad)} = {number(step.contribution)}"
                )
        elif same_neuron and step.parent in neuron_z:
            delta = f"δ({name(order, step.parent)})"
            a, sigma_prime, result = number(step.grad), number(step.local), number(step.contribution)
            if step.node in feeds_a_neuron:
                rule = "BP2"
                parts = [number(t) for t in terms.get(step.node, [])]
                shown = " + ".join(parts[:MAX_TERMS]) + (" + …" if len(parts) > MAX_TERMS else "")
                equation = (
                    f"BP2  δ^l_k = (Σ_j w_jk δ_j) σ'(z^l_k):  {delta} = ({shown}) × {sigma_prime} "
                    f"= {a} × {sigma_prime} = {result}"
                )
            else:
                rule = "BP1"
                equation = f"BP1  δ^L = ∂C/∂a σ'(z^L):  {delta} = {a} × {sigma_prime} = {result}"
        labelled.append(replace(step, rule=rule, equation=equation))
    return labelled
