"""The README's architecture, checked on the code: every import of one part of nyangtorch by
another goes down the layers below (function-level imports included), so no part imports a
higher one and there are no cycles between parts."""

import ast
from pathlib import Path

import nyangtorch

PACKAGE = Path(nyangtorch.__file__).parent

# Lowest first; a part may import only parts of a lower layer (or modules of its own part).
LAYERS = [
    {"random", "version", "_allocator", "_plotting", "metrics", "distributed"},
    {"data", "nn"},
    {"optim", "models", "testing"},
    {"utils"},
    {"eval"},
    {"train"},
    {"compare", "__init__"},
    {"cli"},
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_parts(path: Path) -> set[str]:
    """The parts of nyangtorch that ``path`` imports, however deep in the file."""
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 0 for a top-level module
    parts = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names = node.module.split(".") if node.module else []
                if names[:1] != ["nyangtorch"]:
                    continue
                names = names[1:]
            elif node.level - 1 >= depth:  # relative import reaching the package root
                names = node.module.split(".") if node.module else []
            else:
                continue  # within its own sub-package
            if names:
                parts.add(names[0])
            else:  # "from .. import x" / "from nyangtorch import x": x names the part
                parts.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "nyangtorch" and len(names) > 1:
                    parts.add(names[1])
    return parts


def test_every_part_is_placed_in_a_layer():
    found = {part_of(p) for p in PACKAGE.rglob("*.py")}
    assert found <= set(RANK), f"place these in LAYERS: {sorted(found - set(RANK))}"


def test_parts_import_only_lower_layers():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = part_of(path)
        for other in imported_parts(path) - {part}:
            if other in RANK and RANK[other] >= RANK[part]:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {other}")
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(wrong)
