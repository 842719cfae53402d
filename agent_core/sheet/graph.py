"""Column references and the dependency graph that orders and invalidates agent columns.

Kept separate from the data model so the rules (what depends on what, in which order) can be
checked on a plain list of columns, e.g. while validating a spec file before a sheet exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from agent_core.sheet.errors import SheetSpecError

if TYPE_CHECKING:
    from agent_core.sheet.model import Column

# `{Name}`; quotes and colons are excluded so JSON examples inside a prompt are not references.
_REF = re.compile(r"\{([^{}\"':\n]+)\}")


def references(prompt: str) -> list[str]:
    """Column names referenced by a prompt, in order of first use, without duplicates."""
    seen: dict[str, None] = {}
    for match in _REF.finditer(prompt):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def fill_prompt(prompt: str, values: Mapping[str, str]) -> str:
    """The prompt with each known `{Name}` replaced by the row's value; unknown braces are kept."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        return values[name] if name in values else match.group(0)

    return _REF.sub(substitute, prompt)


class DependencyGraph:
    """Which agent column reads which column; validated on construction so it is always acyclic."""

    def __init__(self, columns: Sequence[Column]) -> None:
        names = [column.name for column in columns]
        self._deps: dict[str, tuple[str, ...]] = {}
        for column in columns:
            refs = tuple(references(column.prompt)) if column.kind == "agent" else ()
            for ref in refs:
                if ref not in names:
                    raise SheetSpecError(f"column '{column.name}' references unknown column {{{ref}}}")
            self._deps[column.name] = refs
        self._dependents: dict[str, list[str]] = {name: [] for name in names}
        for name, refs in self._deps.items():
            for ref in refs:
                self._dependents[ref].append(name)
        self.order: tuple[str, ...] = self._toposort(names)

    def _toposort(self, names: list[str]) -> tuple[str, ...]:
        """Kahn's algorithm, stable in column order so the UI's left-to-right order wins ties."""
        missing = {name: len(set(self._deps[name])) for name in names}
        order: list[str] = []
        ready = [name for name in names if missing[name] == 0]
        while ready:
            name = ready.pop(0)
            order.append(name)
            for dependent in self._dependents[name]:
                missing[dependent] -= 1
                if missing[dependent] == 0:
                    ready.append(dependent)
            ready.sort(key=names.index)
        if len(order) < len(names):
            raise SheetSpecError(
                "cycle between columns: " + " → ".join(self._find_cycle(set(names) - set(order)))
            )
        return tuple(order)

    def _find_cycle(self, stuck: set[str]) -> list[str]:
        """Walk dependencies inside the unsorted set until a column repeats: that loop is the cycle."""
        path: list[str] = []
        node = min(stuck)
        while node not in path:
            path.append(node)
            node = next(ref for ref in self._deps[node] if ref in stuck)
        return [*path[path.index(node) :], node]

    def dependencies(self, name: str) -> tuple[str, ...]:
        """Columns `name` reads directly."""
        return self._deps[name]

    def dependents(self, name: str) -> list[str]:
        """Columns that read `name`, directly or transitively, in topological order."""
        found: set[str] = set()
        todo = list(self._dependents.get(name, ()))
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(self._dependents[current])
        return [column for column in self.order if column in found]
