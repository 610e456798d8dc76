"""The backend's shape, read from its source: every module, class and function fits its room, and no package
imports another that imports it back (features depend on sessions, sessions on storage; never round)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "backend" / "aiwisper"
LIMITS = {"module": 400, "class": 250, "function": 80}  # lines


def _sources() -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(ROOT.rglob("*.py"))]


def test_every_module_class_and_function_fits_its_room() -> None:
    over = []
    for path, text in _sources():
        where = path.relative_to(ROOT.parent)
        if len(text.splitlines()) > LIMITS["module"]:
            over.append(f"{where}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > LIMITS[kind]:
                    over.append(f"{where}: {kind} {node.name} {lines} lines (at most {LIMITS[kind]})")
    assert not over, "\n".join(over)


def _package_imports() -> dict[str, set[str]]:
    """Which packages of aiwisper each package imports (at any depth of its code, lazy imports too)."""
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    edges: dict[str, set[str]] = defaultdict(set)
    for path, text in _sources():
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2:
            continue  # a top-level module (cli, services, …) joins packages; it is no package itself
        for node in ast.walk(ast.parse(text)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            for name in names:
                bits = name.split(".")
                if len(bits) > 1 and bits[0] == "aiwisper" and bits[1] in packages and bits[1] != parts[0]:
                    edges[parts[0]].add(bits[1])
    return edges


def test_no_import_loop_between_packages() -> None:
    edges = _package_imports()
    loops = set()

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(edges[node]):
            if nxt == start:
                loops.add(" → ".join([*path, start]))
            elif nxt not in path and nxt > start:
                walk(start, nxt, [*path, nxt])

    for package in sorted(edges):
        walk(package, package, [package])
    assert not loops, "\n".join(sorted(loops))
    assert "sessions" in edges["speakers"] and "speakers" not in edges["sessions"]  # the scan sees real imports


def test_every_setting_is_read_by_a_name_that_exists_as_its_own_kind() -> None:
    """A setting is read through its kind's accessor (`flag`, `whole`, `number`, `text`) by a literal name: a
    misspelt name or a switch read as text is found here, not by a user."""
    from aiwisper.settings import SETTINGS

    kinds = {s.name: type(s.default) for s in SETTINGS}
    reads = {"flag": (bool,), "whole": (int,), "number": (int, float), "text": (str,)}
    wrong, seen = [], 0
    for path, text in _sources():
        for node in ast.walk(ast.parse(text)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in reads):
                continue
            arg = node.args[0] if node.args else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value):
                continue
            seen += 1
            where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
            if arg.value not in kinds:
                wrong.append(f"{where}: no setting {arg.value}")
            elif kinds[arg.value] not in reads[node.func.attr]:
                wrong.append(f"{where}: {arg.value} is {kinds[arg.value].__name__}, read with {node.func.attr}()")
    assert seen >= 30 and not wrong, (seen, wrong)
