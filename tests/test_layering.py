"""The house stays simple to read and change: no import runs in a loop, each app knows only
the apps below it, and privacy learns about other apps' data from what they register."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SALON = Path(__file__).resolve().parents[1] / "salon"


def _modules() -> dict[str, Path]:
    found = {}
    for path in SALON.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(SALON.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """The Salon modules ``name`` imports anywhere in its code (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != name:
                yield target


GRAPH = {name: set(_imports(name, path)) for name, path in MODULES.items()}


def _loops() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                loops.append(sorted(group))

    for module in GRAPH:
        if module not in index:
            visit(module)
    return loops


def test_the_graph_is_read_from_the_code():
    assert "salon.discussion.pipeline" in GRAPH["salon.discussion.views"]
    assert "salon.privacy.registry" in GRAPH["salon.discussion.personal_data"]


def test_no_import_runs_in_a_loop():
    assert _loops() == []


def _app_imports(app: str) -> set[str]:
    return {t for m, targets in GRAPH.items() if m.startswith(f"salon.{app}.") for t in targets}


def test_publishing_knows_nothing_of_the_conversation():
    assert not any(t.startswith("salon.discussion") for t in _app_imports("publishing"))


def test_privacy_imports_no_other_apps_models():
    foreign = {t for t in _app_imports("privacy") if t.endswith(".models") and ".privacy." not in t}
    assert foreign == set()


def test_the_spam_engine_knows_nothing_of_django():
    engine = [m for m in MODULES if m.startswith("salon.antispam.engine")]
    for module in engine:
        text = MODULES[module].read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, module
        assert all(t.startswith("salon.antispam.engine") for t in GRAPH[module]), module
