"""The package's layers: no module imports from a layer above its own, and no modules import each other in a circle.

model < inputs < analysis < render < tools, stages < cli; workflow (what Snakemake's own process runs) imports
nothing of the package. Imports inside functions count too: they run when the step does.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tnr_pipeline"
RANKS = {"model": 0, "inputs": 1, "analysis": 2, "render": 3, "tools": 4, "stages": 4, "cli": 5, "__init__": 5}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The package modules a file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tnr_pipeline"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(
                    candidate
                    if (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists()
                    or (PACKAGE.parent / candidate.replace(".", "/")).is_dir()
                    else node.module
                )
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("tnr_pipeline")}
    return found - {"tnr_pipeline"}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


GRAPH = {module_name(path): imported(path) for path in PACKAGE.rglob("*.py")}


def test_every_module_sits_in_a_layer():
    assert {layer(module) for module in GRAPH} <= {*RANKS, "workflow"}


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if layer(module) != "workflow" and RANKS[layer(target)] > RANKS[layer(module)]
    ]
    assert upward == []


def test_the_workflow_helpers_import_nothing_of_the_package():
    assert {module: targets for module, targets in GRAPH.items() if layer(module) == "workflow" and targets} == {}


def test_no_modules_import_each_other_in_a_circle():
    circles, state = [], {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(GRAPH.get(module, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert circles == []
