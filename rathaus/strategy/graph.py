"""Dependencies between measures as a directed graph (pure functions, no database).

``edges`` maps a measure key to the keys it requires (must be finished before it starts).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

__all__ = ["find_cycle", "topological_order"]


def find_cycle(edges: Mapping[Hashable, Iterable[Hashable]]) -> list[Hashable] | None:
    """A dependency cycle as a closed path ``[a, b, …, a]``, or None when there is none.

    Iterative depth-first search, so a long chain of dependencies cannot exhaust the stack.
    """
    white, grey, black = 0, 1, 2
    colour: dict[Hashable, int] = {}
    nodes = list(edges)
    for targets in edges.values():
        nodes.extend(targets)
    for root in dict.fromkeys(nodes):
        if colour.get(root, white) != white:
            continue
        path: list[Hashable] = [root]
        iterators = [iter(edges.get(root, ()))]
        colour[root] = grey
        while iterators:
            advanced = False
            for nxt in iterators[-1]:
                state = colour.get(nxt, white)
                if state == grey:
                    return [*path[path.index(nxt) :], nxt]
                if state == white:
                    colour[nxt] = grey
                    path.append(nxt)
                    iterators.append(iter(edges.get(nxt, ())))
                    advanced = True
                    break
            if not advanced:
                colour[path.pop()] = black
                iterators.pop()
    return None


def topological_order(edges: Mapping[Hashable, Iterable[Hashable]]) -> list[Hashable]:
    """Every node after all the nodes it requires; ties keep the order of ``edges``.

    Raises ValueError naming the cycle when there is one.
    """
    cycle = find_cycle(edges)
    if cycle is not None:
        raise ValueError(f"dependency cycle: {' → '.join(map(str, cycle))}")
    order: list[Hashable] = []
    done: set[Hashable] = set()

    def visit(node):
        stack = [(node, iter(edges.get(node, ())))]
        while stack:
            current, it = stack[-1]
            for nxt in it:
                if nxt not in done:
                    stack.append((nxt, iter(edges.get(nxt, ()))))
                    break
            else:
                stack.pop()
                if current not in done:
                    done.add(current)
                    order.append(current)

    for node in edges:
        if node not in done:
            visit(node)
    return order
