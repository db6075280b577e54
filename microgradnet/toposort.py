"""`topological_order`: every node a `Value` depends on, each after all of its parents."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microgradnet.engine import Value


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, each after all of its parents; iterative, so any depth works.

    A depth-first search from `root`: a node is finished (appended) once all its parents are.
    """
    if not isinstance(getattr(root, "parents", None), tuple):
        raise TypeError(f"topological_order: root must be a Value, got {type(root).__name__}")
    order: list[Value] = []
    visited = {root}
    # The path from root to the node being explored, and an iterator over each one's parents;
    # two lists rather than a list of pairs, so a deep graph leaves fewer objects for gc to walk.
    path = [root]
    pending = [iter(root.parents)]
    while pending:
        for parent in pending[-1]:
            if parent not in visited:
                visited.add(parent)
                grandparents = parent.parents
                if grandparents:
                    path.append(parent)
                    pending.append(iter(grandparents))
                    break
                order.append(parent)  # a leaf is finished as soon as it is found
        else:  # every parent of path[-1] is in order
            pending.pop()
            order.append(path.pop())
    return order
