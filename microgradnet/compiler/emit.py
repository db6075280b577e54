"""Emitting: the forward and backward passes of a traced graph as lines of Python on floats.

Every line comes from the derivative table (`operations.TABLE`) through `codegen`: a node's line
is its row's forward expression, written for its operands' locals, and each backward line sums
dtop/dc * dc/dnode over the node's consumers c with the row's local derivatives (the chain rule).
`build` turns the finished source into a function.
"""

from __future__ import annotations

import ast
import builtins
import itertools
import linecache
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from microgradnet import codegen
from microgradnet.codegen import Names
from microgradnet.engine import Value
from microgradnet.toposort import topological_order

_counter = itertools.count()


class Total(NamedTuple):
    """The result the root is one term of, such as `C_avg = (1/n) sum_s C_s` over a batch."""

    symbol: str  # how comments show it: `C_avg`
    d_total_d_root: str  # the local holding d total / d root: `dC_avg_dC`


class Passes(NamedTuple):
    """The two passes of one traced graph, as lines of the generated function."""

    order: list[Value]  # the traced graph, parents first
    forward: list[str]
    backward: list[str]
    value: str  # the root's local (or literal)
    shown: str  # how comments show the differentiated result: the root's label, else its local
    gradients: list[str]  # d shown/dleaf for each leaf asked for


@dataclass
class _Program:
    """The forward pass of a traced graph, and what the backward pass reads of it."""

    order: Sequence[Value]
    names: Names
    lines: list[str] = field(default_factory=list)
    expr: dict[Value, ast.expr] = field(default_factory=dict)  # each node's local, or a constant's literal
    shown: dict[Value, str] = field(default_factory=dict)  # how comments show it: its label, else expr
    local: dict[Value, list[ast.expr]] = field(default_factory=dict)  # d node/d parent_i


def passes(
    root: Value,
    leaves: dict[Value, str],
    wrt: Sequence[Value],
    names: Names,
    sums: dict[Value, str] | None = None,
    total: Total | None = None,
) -> Passes:
    """The forward and backward passes of the graph of `root`.

    `leaves` are the arguments of the generated code; every other leaf is a constant, written
    as a literal. Only nodes that depend on a leaf in `wrt` get a gradient. A leaf in `sums` has
    a variable that exists before the pass (a running sum over a batch), so every edge adds into
    it. The backward pass starts from d root/d root = 1, or, when root is one term of a `total`,
    from d total/d root.
    """
    program = _forward_pass(topological_order(root), leaves, names)
    if total is None:
        backward = _Backward(program, wrt, sums or {}, ast.Constant(value=1.0), program.shown[root])
    else:
        start = ast.Name(id=total.d_total_d_root, ctx=ast.Load())
        backward = _Backward(program, wrt, sums or {}, start, total.symbol)
    gradients = backward.run()
    value = codegen.source(program.expr[root])
    return Passes(list(program.order), program.lines, backward.lines, value, backward.top, gradients)


def _forward_pass(order: Sequence[Value], leaves: dict[Value, str], names: Names) -> _Program:
    """One line per node, parents first: `z_1_0 = b_1_0 + w_1_0_0 * a_0_0 + ...`.

    A local derivative that is a call (a named rule of the table, which may raise) is evaluated
    here, right after its node, as the engine does, so that the compiled code raises the same
    error at the same point.
    """
    program = _Program(order, names)
    expr, shown, local, lines = program.expr, program.shown, program.local, program.lines
    unnamed = itertools.count(1)
    root = order[-1]
    for node in order:
        if node in leaves:
            expr[node] = ast.Name(id=leaves[node], ctx=ast.Load())
        elif not node.parents:
            expr[node] = codegen.constant(node.data)
        else:
            name = names.fresh(node.label or ("out" if node is root else f"v{next(unnamed)}"))
            operands = [expr[p] for p in node.parents]
            lines.append(f"{name} = {codegen.source(codegen.forward(node, operands, names))}")
            expr[node] = ast.Name(id=name, ctx=ast.Load())
        shown[node] = node.label or codegen.source(expr[node])
        if not node.parents or node in leaves:
            continue
        local[node] = codegen.local_derivatives(node, [expr[p] for p in node.parents], expr[node], names)
        for i, (parent, derivative) in enumerate(zip(node.parents, local[node])):
            if isinstance(derivative, ast.Call):
                hoisted = names.fresh(f"d{codegen.source(expr[node])}_d{codegen.source(expr[parent])}")
                lines.append(f"{hoisted} = {codegen.source(derivative)}  # d{shown[node]}/d{shown[parent]}")
                local[node][i] = ast.Name(id=hoisted, ctx=ast.Load())
    return program


class _Backward:
    """The backward pass of a program: one line per node, each after all its consumers c,
    dtop/dnode = sum_c dtop/dc * dc/dnode, starting from dtop/droot = `start`.

    The terms are added in the order in which `backward()` adds them, so the sums are the
    engine's to the last bit.
    """

    def __init__(
        self, program: _Program, wrt: Sequence[Value], sums: dict[Value, str], start: ast.expr, top: str
    ) -> None:
        self.program = program
        self.wrt = wrt
        self.sums = sums
        self.top = top
        self.root = program.order[-1]
        self.grad: dict[Value, ast.expr] = {self.root: start}
        self.lines: list[str] = []
        self.consumers = _consumers(program.order, wrt)

    def run(self) -> list[str]:
        """Write the lines; return dtop/dleaf for each leaf in `wrt`."""
        order, sums, root = self.program.order, self.sums, self.root
        # A leaf's line comes right after its last consumer's, in that consumer's parent order
        # (w_k, a_k, b of a neuron), so that a reader finds dC/dw next to the dC/dz it comes from.
        leaves_after: dict[Value, list[Value]] = {}
        for node, edges in self.consumers.items():
            if not node.parents:
                leaves_after.setdefault(edges[-1][0], []).append(node)
        for last, leaves in leaves_after.items():
            place = {parent: i for i, parent in reversed(list(enumerate(last.parents)))}  # its first place
            leaves.sort(key=place.__getitem__)
        if root in sums:  # the cost is a parameter itself: dC_avg/dp = sum_s dC_avg/dC
            self.lines.append(f"{sums[root]} += {codegen.source(self.grad[root])}")
        for node in reversed(order):
            if node.parents and node in self.consumers:
                self._write(node)
            for leaf in leaves_after.get(node, []):
                self._write(leaf)
        return [codegen.source(self.grad[leaf]) if leaf in self.grad else "0.0" for leaf in self.wrt]

    def _write(self, node: Value) -> None:
        """The line(s) of dtop/dnode, commented with the chain rule they apply."""
        expr, shown, local = self.program.expr, self.program.shown, self.program.local
        root, top, sums, consumers = self.root, self.top, self.sums, self.consumers[node]
        terms = [_chain(self.grad[c], local[c][i]) for c, i in consumers]
        ways = [
            f"d{shown[c]}/d{shown[node]}"
            if c is root and top == shown[c]
            else f"d{top}/d{shown[c]} * d{shown[c]}/d{shown[node]}"
            for c, _ in consumers
        ]
        if len(ways) > 3:
            ways = [f"sum over its {len(ways)} consumers c of d{top}/dc * dc/d{shown[node]}"]
        target = sums.get(node) or self.program.names.fresh("d" + codegen.source(expr[node]))
        statements = _sum_statements(target, terms, accumulate=node in sums)
        direct = consumers == [(root, consumers[0][1])] and top == shown[root]  # dtop/dnode is local
        equals = "" if direct else f" {'+=' if node in sums else '='} {' + '.join(ways)}"
        statements[-1] += f"  # d{top}/d{shown[node]}{equals}"
        self.lines.extend(statements)
        self.grad[node] = ast.Name(id=target, ctx=ast.Load())


def _consumers(order: Sequence[Value], wrt: Sequence[Value]) -> dict[Value, list[tuple[Value, int]]]:
    """For each node that depends on a leaf in `wrt`, the (consumer c, parent index in c) pairs,
    in the order `backward()` visits them."""
    wanted = set(wrt)
    needs: set[Value] = set()
    for node in order:
        if node in wanted or any(p in needs for p in node.parents):
            needs.add(node)
    consumers: dict[Value, list[tuple[Value, int]]] = {}
    for node in reversed(order):
        if node in needs:
            for i, parent in enumerate(node.parents):
                if parent in needs:
                    consumers.setdefault(parent, []).append((node, i))
    return consumers


def _sum_statements(target: str, terms: Sequence[ast.expr], accumulate: bool) -> list[str]:
    """`target = t_1 + t_2 + ...` (or `target += ...`), added left to right, a line per
    `codegen.TERMS_PER_LINE` terms; `x + -g` is written `x - g` (the same number)."""
    if accumulate and len(terms) == 1:
        (term,) = terms
        if isinstance(term, ast.UnaryOp):
            return [f"{target} -= {codegen.source(term.operand)}"]
        return [f"{target} += {codegen.source(term)}"]
    statements = []
    rest = list(terms) if accumulate else list(terms[1:])
    current = ast.Name(id=target, ctx=ast.Load()) if accumulate else terms[0]
    for start in range(0, max(len(rest), 1), codegen.TERMS_PER_LINE):
        for term in rest[start : start + codegen.TERMS_PER_LINE]:
            if isinstance(term, ast.UnaryOp) and isinstance(term.op, ast.USub):
                current = ast.BinOp(left=current, op=ast.Sub(), right=term.operand)
            else:
                current = ast.BinOp(left=current, op=ast.Add(), right=term)
        statements.append(f"{target} = {codegen.source(current)}")
        current = ast.Name(id=target, ctx=ast.Load())
    return statements


def _chain(g: ast.expr, local: ast.expr) -> ast.expr:
    """g * local, without multiplying by a literal 1 or -1 (which changes no bit of the result)."""
    c = codegen.as_number(local)
    if c == 1.0:
        return g
    if c == -1.0 and not isinstance(g, ast.Constant):
        return ast.UnaryOp(op=ast.USub(), operand=g)
    if isinstance(g, ast.Constant) and g.value == 1.0:
        return local
    return ast.BinOp(left=g, op=ast.Mult(), right=local)


def tuple_of(items: Sequence[str]) -> str:
    """The Python tuple of `items`: `(a,)` for one."""
    return f"({', '.join(items)}{',' * (len(items) == 1)})"


def indent(lines: Sequence[str], depth: int) -> list[str]:
    """`lines` indented `depth` levels."""
    return [" " * (4 * depth) + line for line in lines]


def build(source: str, globals_: dict[str, Any], name: str) -> Callable[..., Any]:
    """Compile the generated source; its lines show up in tracebacks while the function lives."""
    filename = f"<microgradnet.compile_function #{next(_counter)}: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"__builtins__": builtins, **globals_}
    exec(builtins.compile(source, filename, "exec"), namespace)
    function: Callable[..., Any] = namespace.pop(name)  # its globals need not hold it: no reference cycle
    weakref.finalize(function, linecache.cache.pop, filename, None)
    return function
