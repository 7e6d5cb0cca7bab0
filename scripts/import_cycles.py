#!/usr/bin/env python3
"""Count the import cycles between the project's own modules.

Every .py file of the project's top-level packages is parsed (ast; nothing is imported or run)
and every import statement counts, at module level or inside a function, a method or a `try:`:
an import deferred into a function still means the two modules need each other.

- `import a.b`, `from a.b import c` and `from .b import c` are resolved to the project module
  they load; `from pkg import module` counts as an import of pkg.module, `from pkg import name`
  as one of pkg.
- tests/, migrations/ and .venv are aside. bench/ holds scripts; a bench module counts only
  when a project module imports it (then it is part of the project's import graph).
- Dynamic imports (importlib.import_module with a computed name) are not seen.

The strongly connected components of the graph (Tarjan) with two or more modules, or one module
that imports itself, are the cycles. Each is printed with the import lines that close it.

    .venv/bin/python scripts/import_cycles.py            # exit 1 if there is any cycle
    .venv/bin/python scripts/import_cycles.py --root DIR
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASIDE = {"tests", "migrations", ".venv", "venv", "node_modules", "var", "__pycache__"}
ONLY_WHEN_IMPORTED = {"bench"}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    where: str  # file:line of the import statement


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path) -> dict[str, Path]:
    """module name → file, for every .py file of a top-level package (a folder with __init__.py)."""
    modules: dict[str, Path] = {}
    for package in sorted(p for p in root.iterdir() if p.is_dir() and (p / "__init__.py").is_file()):
        if package.name in ASIDE or package.name.startswith("."):
            continue
        for path in sorted(package.rglob("*.py")):
            if ASIDE.intersection(path.relative_to(root).parts):
                continue
            modules[_module_name(path, root)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module that `import name` loads: name itself, or its longest project prefix."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _base_of(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module name an ImportFrom reads from (relative levels resolved)."""
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return ".".join(part for part in (package, node.module) if part)


def imports_of(module: str, path: Path, modules: dict[str, Path], root: Path) -> list[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.relative_to(root).as_posix()
    edges: list[Edge] = []
    for node in ast.walk(tree):
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [_resolve(alias.name, modules) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _base_of(module, path, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}" if base else alias.name
                targets.append(submodule if submodule in modules else _resolve(base, modules))
        edges += [Edge(module, target, f"{relative}:{node.lineno}") for target in dict.fromkeys(targets) if target]
    return edges


def import_graph(root: Path) -> dict[str, list[Edge]]:
    """module → the edges to the project modules it imports (bench only where the project reaches it)."""
    modules = project_modules(root)
    graph = {module: imports_of(module, path, modules, root) for module, path in modules.items()}
    optional = {m for m in graph if m.split(".")[0] in ONLY_WHEN_IMPORTED}
    reached = {m for m in graph if m not in optional}
    todo = list(reached)
    while todo:
        for edge in graph[todo.pop()]:
            if edge.target not in reached:
                reached.add(edge.target)
                todo.append(edge.target)
    return {m: edges for m, edges in graph.items() if m in reached}


def strongly_connected(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on deep import chains)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted({e.target for e in graph[start]})))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted({e.target for e in graph[successor]}))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def import_cycles(root: Path = ROOT) -> tuple[list[list[str]], dict[str, list[Edge]]]:
    """(the cycles, each a sorted list of module names, the import graph)."""
    graph = import_graph(root)
    cycles = [
        component
        for component in strongly_connected(graph)
        if len(component) > 1 or any(e.target == component[0] for e in graph[component[0]])
    ]
    return sorted(cycles), graph


def describe(cycle: list[str], graph: dict[str, list[Edge]]) -> list[str]:
    members = set(cycle)
    lines = [f"cycle of {len(cycle)} modules: {', '.join(cycle)}"]
    lines += [f"    {e.source} -> {e.target}  ({e.where})" for m in cycle for e in graph[m] if e.target in members]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the project folder (default: this checkout)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    cycles, graph = import_cycles(root)
    edges = sum(len(e) for e in graph.values())
    print(f"{len(cycles)} import cycles among {len(graph)} project modules ({edges} imports)")
    for cycle in cycles:
        print("\n".join(describe(cycle, graph)))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
