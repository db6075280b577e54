"""Emitting C: the forward and backward passes of a traced graph as C on arrays of doubles.

The same program as the Python back end (`emit`), written for a C compiler: every node's number
lives in an array (`v[i]` for a node the graph computes, `P[i]`, `x0[k]`, ... for a leaf) and its
gradient beside it (`g[i]`, `G[i]`). Each line comes from the node's row of the derivative table,
its Python expression translated to C (`out * (1.0 - out)` is `(v[3] * (1.0 - v[3]))`, a rule such
as `sigmoid` is its port in `runtime.c`). A group of parents held at evenly spaced places (the
weights and inputs of a neuron) is read as (pointer, stride), so the backward pass of `w·a+b` is
a loop instead of one line per weight, in the same order of additions.

The numbers are the Python back end's bit for bit: the same IEEE operations on doubles in the
same order, the same libm, compiled without contraction or rewrites (`toolchain.FLAGS`). Where a
rule would raise (or meets a number outside the finite case `runtime.c` ports) it sets `err`, and
the caller runs that call again on the Python back end, which raises the engine's error.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple

from microgradnet.engine import Value
from microgradnet.operations import (
    GROUP,
    INDEX,
    OPERATIONS,
    POSITION,
    RULES,
    WEIGHTED_SUM,
    Operation,
    expression,
    groups,
)

# Statements per generated C function: one function per pass of a large graph would make the C
# compiler's time grow much faster than its size.
STATEMENTS_PER_FUNCTION = 200
# Inputs from which a layer's forward pass is one loop nest rather than a call per neuron: the nest
# reads each neuron's weights with a stride, which costs more than it saves below this (measured:
# 1.4x faster on a 784-32-10 MLP, 5-8% slower on the 2- and 16-input layers of a 2-16-16-1 one).
LAYER_LOOP_MIN_INPUTS = 32

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
_COMPARISONS = {ast.Gt: ">", ast.Lt: "<", ast.GtE: ">=", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!="}


class Slot(NamedTuple):
    """Where a number lives in the generated C: `array[index]`."""

    array: str
    position: int

    def __str__(self) -> str:
        return f"{self.array}[{self.position}]"


class Leaf(NamedTuple):
    """An argument of the generated code: where its value is read and its gradient written."""

    value: Slot
    grad: Slot | None  # None: no gradient is wanted
    accumulates: bool = False  # every edge adds into it (a parameter's sum over a batch)


class Strided(NamedTuple):
    """A group of parents read as `base[k * stride]`, k = 0 .. n-1."""

    base: str
    stride: int


@dataclass
class CPasses:
    """The two passes of one traced graph as C functions, and the calls that run them."""

    functions: list[str] = field(default_factory=list)
    forward_calls: list[str] = field(default_factory=list)
    backward_calls: list[str] = field(default_factory=list)
    value: str = "0.0"  # the root's number
    slots: int = 0  # the length of v (and of g)


def runtime() -> str:
    """The C ports of the engine's rules (`runtime.c`), which every generated program includes."""
    return resources.files("microgradnet.compiler").joinpath("runtime.c").read_text(encoding="utf-8")


def compensated_sum() -> bool:
    """Whether this Python's `sum` of floats compensates its rounding (CPython 3.12 and later)."""
    return sum([1e100, 1.0, -1e100]) == 1.0


def literal(c: float) -> str:
    """The C literal of the double c: `repr` round-trips, and C reads it correctly rounded."""
    if math.isnan(c):
        return "NAN"
    if math.isinf(c):
        return "INFINITY" if c > 0 else "(-INFINITY)"
    text = repr(float(c))
    return f"({text})" if text.startswith("-") else text


def _row(node: Value) -> Operation:
    if node.op not in OPERATIONS:
        raise ValueError(f"compile: the operation {node.op!r} is not in the engine's derivative table")
    return OPERATIONS[node.op]


@functools.cache
def _parsed(template: str) -> ast.expr:
    return expression(template)


class _Translate:
    """A table expression as C: each name is replaced by what `names` maps it to."""

    def __init__(self, names: dict[str, str], wholes: dict[str, Strided], n: int) -> None:
        self.names = names
        self.wholes = wholes  # the groups a rule reads whole (`affine(w, a, b)`)
        self.n = n

    def __call__(self, tree: ast.expr) -> str:
        if isinstance(tree, ast.Constant) and isinstance(tree.value, (int, float)):
            return repr(tree.value)
        if isinstance(tree, ast.Name):
            if tree.id in self.names:
                return self.names[tree.id]
            rule = RULES[tree.id]
            return literal(rule) if isinstance(rule, float) else f"mgn_{tree.id}"
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div):
            return f"mgn_divide({self(tree.left)}, {self(tree.right)}, err)"  # Python's `/` raises at 0
        if isinstance(tree, ast.BinOp) and type(tree.op) in _OPERATORS:
            return f"({self(tree.left)} {_OPERATORS[type(tree.op)]} {self(tree.right)})"
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
            return f"(-{self(tree.operand)})"
        if isinstance(tree, ast.IfExp):
            return f"({self(tree.test)} ? {self(tree.body)} : {self(tree.orelse)})"
        if isinstance(tree, ast.Compare) and len(tree.ops) == 1 and type(tree.ops[0]) in _COMPARISONS:
            return f"({self(tree.left)} {_COMPARISONS[type(tree.ops[0])]} {self(tree.comparators[0])})"
        if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
            return self._call(tree.func.id, tree.args)
        raise ValueError(f"compile: no C for the table's expression {ast.unparse(tree)!r}")

    def _call(self, rule: str, args: Sequence[ast.expr]) -> str:
        """A rule's port: a whole group is passed as `base, stride`, then the group's length n, then `err`."""
        written: list[str] = []
        after_groups = 0
        for arg in args:
            if isinstance(arg, ast.Name) and arg.id in self.wholes:
                base, stride = self.wholes[arg.id]
                written.append(f"{base}, {stride}")
                after_groups = len(written)
            else:
                written.append(self(arg))
        if after_groups:
            written.insert(after_groups, str(self.n))
        return f"mgn_{rule}({', '.join([*written, 'err'])})"


class _Program:
    """The C statements of both passes over one traced graph."""

    def __init__(self, order: Sequence[Value], leaves: dict[Value, Leaf]) -> None:
        self.order = order
        self.leaves = leaves
        self.slot: dict[Value, Slot] = {}
        self.expr: dict[Value, str] = {}
        self.slots = 0
        self.forward: list[str] = []
        self.backward: list[str] = []
        self.strided: dict[tuple[Value, str], Strided] = {}  # each group of each node, as read
        self.assigned: set[Value] = set()  # gradients that already hold their first term

    def _new_slot(self) -> Slot:
        self.slots += 1
        return Slot("v", self.slots - 1)

    def allocate(self) -> None:
        """A slot of v for every node the graph computes; the members of a group (a layer's
        activations, read by every neuron of the next layer) side by side, so that the loops over
        them read and write consecutive doubles."""
        for node in self.order:
            row = OPERATIONS.get(node.op)
            if row is None or not row.has_groups or node in self.leaves:
                continue
            for name, group in groups(row, node.parents).items():
                fresh = all(p.parents and p not in self.leaves and p not in self.slot for p in group)
                if name.endswith(GROUP) and len(group) > 1 and fresh and len(set(group)) == len(group):
                    self.slot.update((p, self._new_slot()) for p in group)
        for members in self._layers().values():
            if len(members) > 1 and not any(z in self.slot for z in members):
                self.slot.update((z, self._new_slot()) for z in members)
        for node in self.order:
            if node.parents and node not in self.leaves and node not in self.slot:
                self.slot[node] = self._new_slot()

    def _layers(self) -> dict[tuple[Value, ...], list[Value]]:
        """The `w·a+b` nodes by the inputs they share: the neurons of each layer, z^l = W^l a^(l-1) + b^l
        (layers of at least `LAYER_LOOP_MIN_INPUTS` inputs)."""
        layers: dict[tuple[Value, ...], list[Value]] = {}
        for node in self.order:
            if node.op == WEIGHTED_SUM and node not in self.leaves:
                inputs = tuple(groups(OPERATIONS[WEIGHTED_SUM], node.parents)["a_k"])
                if len(inputs) >= LAYER_LOOP_MIN_INPUTS:
                    layers.setdefault(inputs, []).append(node)
        return layers

    # --- forward -------------------------------------------------------------------------

    def write_forward(self) -> None:
        """v[i] = the row's forward rule, parents first."""
        first_of = {members[0]: members for members in self._layers().values()}
        layered: set[Value] = set()
        for node in self.order:
            if node in first_of and self._write_layer(first_of[node]):
                layered.update(first_of[node])
            if node in layered:
                self.expr[node] = str(self.slot[node])
            elif node in self.leaves:
                self.expr[node] = str(self.leaves[node].value)
            elif not node.parents:
                self.expr[node] = literal(node.data)
            else:
                row = _row(node)
                rhs = _Translate(self._names(row, node), self._wholes(row, node), self._size(row, node))(
                    _parsed(row.forward)
                )
                slot = self.slot[node]
                self.expr[node] = str(slot)
                comment = f"  /* {_comment(node.label)} */" if node.label else ""
                self.forward.append(f"{slot} = {rhs};{comment}")

    def _write_layer(self, members: Sequence[Value]) -> bool:
        """A whole layer's z_j = b_j + sum_k w_jk a_k in one loop nest, k outside and j inside, where
        its weights and biases are parameters evenly spaced, its inputs evenly spaced and its z side
        by side; False (and nothing written) otherwise.

        Each z_j adds the same terms in the same order as the one call per neuron does, so the
        numbers are the same; but the additions of different neurons, independent, run together
        instead of each waiting for the one before (see `LAYER_LOOP_MIN_INPUTS`). Where Python's
        `sum` compensates (CPython 3.12 on), the call per neuron is kept.
        """
        row = OPERATIONS[WEIGHTED_SUM]
        if len(members) < 2 or compensated_sum():
            return False
        split = [groups(row, z.parents) for z in members]
        weights = [self._strided([self._slot_of(w) for w in s["w_k"]]) for s in split]
        biases = self._strided([self._slot_of(s["b"][0]) for s in split])
        rows = self._strided([self._slot_of(s["w_k"][0]) for s in split])
        inputs = self._strided([self._slot_of(a) for a in split[0]["a_k"]])
        outputs = self._strided([self.slot[z] for z in members])
        if None in (biases, rows, inputs, outputs) or any(w is None or w.stride != 1 for w in weights):
            return False
        assert biases is not None and rows is not None and inputs is not None and outputs is not None
        parameters = all(p in self.leaves for part in split for p in (*part["w_k"], *part["b"]))
        if biases.stride != rows.stride or outputs.stride != 1 or not parameters:
            return False
        for member in members:  # the backward pass reads each neuron's groups as this layout
            self._wholes(row, member)
        n, z, stride = len(split[0]["a_k"]), outputs.base, rows.stride
        label = f"  /* {_comment(members[0].label)} .. {_comment(members[-1].label)} */" if members[0].label else ""
        self.forward += [
            f"for (long j = 0; j < {len(members)}; j++) {z}[j] = {biases.base}[j * {stride}];{label}",
            f"for (long k = 0; k < {n}; k++) for (long j = 0; j < {len(members)}; j++) "
            f"{z}[j] += {rows.base}[j * {stride} + k] * {inputs.base}[k * {inputs.stride}];",
            f"for (long j = 0; j < {len(members)}; j++) if (!isfinite({z}[j])) *err = 1;",
        ]
        return True

    def _size(self, row: Operation, node: Value) -> int:
        split = groups(row, node.parents)
        return next((len(group) for name, group in split.items() if name.endswith(GROUP)), 0)

    def _names(self, row: Operation, node: Value) -> dict[str, str]:
        """The row's single parents, c and j as C expressions of this node."""
        names = {}
        if row.has_groups:
            for name, group in groups(row, node.parents).items():
                if not name.endswith(GROUP):
                    names[name] = self.expr[group[0]]
            if row.holds_index:
                names[INDEX] = str(node.constant)
        else:
            names.update((name, self.expr[p]) for name, p in zip(row.parents, node.parents))
            if node.constant is not None:
                names["c"] = literal(node.constant)
        if node in self.slot:
            names["out"] = str(self.slot[node])
        return names

    def _wholes(self, row: Operation, node: Value) -> dict[str, Strided]:
        """Every group of the node as (base, stride): where its parents already lie evenly spaced,
        else copied into new slots of v first."""
        wholes = {}
        for name, group in groups(row, node.parents).items():
            if name.endswith(GROUP):
                key = (node, name)
                if key not in self.strided:
                    self.strided[key] = self._strided([self._slot_of(p) for p in group]) or self._gather(group)
                wholes[name.removesuffix(GROUP)] = self.strided[key]
        return wholes

    def _slot_of(self, node: Value) -> Slot | None:
        if node in self.leaves:
            return self.leaves[node].value
        return self.slot.get(node)

    @staticmethod
    def _strided(slots: Sequence[Slot | None]) -> Strided | None:
        """(base, stride) if the slots are array[start + k * stride], stride >= 1, else None."""
        if not slots or any(s is None for s in slots):
            return None
        known = [s for s in slots if s is not None]
        array, start = known[0]
        stride = known[1].position - start if len(known) > 1 else 1
        if stride < 1 or any(s != Slot(array, start + k * stride) for k, s in enumerate(known)):
            return None
        return Strided(f"({array} + {start})", stride)

    def _gather(self, group: Sequence[Value]) -> Strided:
        first = self.slots
        for p in group:
            self.forward.append(f"{self._new_slot()} = {self.expr[p]};")
        return Strided(f"(v + {first})", 1)

    # --- backward ------------------------------------------------------------------------

    def write_backward(self, root: Value, start: str) -> None:
        """d top/d node for every node that depends on a wanted leaf: each node, in reverse order,
        adds d top/d node * d node/d parent into each parent's gradient (as `backward()` does)."""
        wanted = {leaf for leaf, spec in self.leaves.items() if spec.grad is not None}
        needs: set[Value] = set()
        for node in self.order:
            if node in wanted or any(p in needs for p in node.parents):
                needs.add(node)
        if root not in needs:
            return
        self._add(root, start)
        for node in reversed(self.order):
            if node in needs and node in self.slot:
                self._push(node, needs)

    def _grad(self, node: Value) -> Slot:
        if node in self.leaves:
            grad = self.leaves[node].grad
            assert grad is not None
            return grad
        return Slot("g", self.slot[node].position)

    def _mode(self, node: Value) -> str:
        accumulates = node in self.leaves and self.leaves[node].accumulates
        return "+=" if accumulates or node in self.assigned else "="

    def _add(self, node: Value, term: str) -> None:
        self.backward.append(f"{self._grad(node)} {self._mode(node)} {term};")
        self.assigned.add(node)

    def _push(self, node: Value, needs: set[Value]) -> None:
        row = _row(node)
        grad = self._grad(node)
        if not row.has_groups:
            names = self._names(row, node)
            translate = _Translate(names, {}, 0)
            for parent, derivative in zip(node.parents, row.derivatives.values()):
                if parent in needs:
                    self._add(parent, f"{grad} * {translate(_parsed(derivative))}")
            return
        split = groups(row, node.parents)
        wholes = self._wholes(row, node)
        names = self._names(row, node)
        n = self._size(row, node)
        for name, group in split.items():
            rule = _parsed(row.derivatives[name])
            if not name.endswith(GROUP):
                if group[0] in needs:
                    self._add(group[0], f"{grad} * {_Translate(names, wholes, n)(rule)}")
                continue
            if not any(p in needs for p in group):
                continue
            targets = self._loop_targets(group, needs)
            if targets is not None:
                elements = {
                    g: f"{wholes[g.removesuffix(GROUP)].base}[k * {wholes[g.removesuffix(GROUP)].stride}]"
                    for g in split
                    if g.endswith(GROUP)
                }
                local = _Translate({**names, **elements, POSITION: "k"}, wholes, n)(rule)
                mode = self._mode(group[0])
                self.backward.append(
                    f"for (long k = 0; k < {n}; k++) {targets.base}[k * {targets.stride}] {mode} {grad} * {local};"
                )
                self.assigned.update(group)
                continue
            for k, parent in enumerate(group):
                if parent in needs:
                    elements = {g: self.expr[split[g][k]] for g in split if g.endswith(GROUP)}
                    local = _Translate({**names, **elements, POSITION: str(k)}, wholes, n)(rule)
                    self._add(parent, f"{grad} * {local}")

    def _loop_targets(self, group: Sequence[Value], needs: set[Value]) -> Strided | None:
        """The group's gradients as (base, stride) if one loop may write them all: every parent
        wants one, each once, at evenly spaced slots, all taking their first term or all adding."""
        if len(group) < 2 or len(set(group)) != len(group) or not all(p in needs for p in group):
            return None
        if len({self._mode(p) for p in group}) != 1:
            return None
        return self._strided([self._grad(p) for p in group])


def _comment(label: str) -> str:
    return label.replace("*/", "* /")


def passes(order: Sequence[Value], leaves: dict[Value, Leaf], start: str, arguments: str) -> CPasses:
    """Both passes of the graph `order` (parents first, the root last) as C functions taking `arguments`.

    `start` is the C expression of d top/d root (`1.0`, or d C_avg/d C over a batch).
    """
    program = _Program(order, leaves)
    program.allocate()
    program.write_forward()
    program.write_backward(order[-1], start)
    result = CPasses(value=program.expr[order[-1]], slots=max(program.slots, 1))
    names = ", ".join(argument.rsplit(" ", 1)[-1].lstrip("*") for argument in arguments.split(", "))
    for pass_name, statements, calls in (
        ("forward", program.forward, result.forward_calls),
        ("backward", program.backward, result.backward_calls),
    ):
        for part, begin in enumerate(range(0, len(statements), STATEMENTS_PER_FUNCTION)):
            function = f"{pass_name}_{part}"
            body = "\n".join(f"    {line}" for line in statements[begin : begin + STATEMENTS_PER_FUNCTION])
            result.functions.append(f"static void {function}({arguments}) {{\n{body}\n}}")
            calls.append(f"{function}({names});")
    return result


def header() -> str:
    """What every generated program starts with: how Python's `sum` rounds, and the runtime."""
    return f"#define MGN_COMPENSATED_SUM {int(compensated_sum())}\n{runtime()}\n"
