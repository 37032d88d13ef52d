"""The layering rules of docs/architecture.md, checked on the code itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "kb"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# A migration is history: once released it is never edited, so it is not held to the limits.
FROZEN = ("kb/migrations/versions/",)
CORE_FORBIDDEN_PACKAGES = ("flask", "flask_babel", "flask_login", "flask_wtf", "click")
# Lower layers first; a module imports only its own layer or those below.
LAYERS = ("core", "facade", "plumbing", "feature", "assembly")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(KB.rglob("*.py"))}


def layer(module: str) -> str:
    """Name a module's layer."""
    if module.startswith("kb.features."):
        return "feature"
    if module in ("kb.web", "kb.cli", "kb.features"):
        return "assembly"
    if module.startswith("kb.web.") or module == "kb.commandline":
        return "plumbing"
    if module in ("kb.service", "kb.accounts") or module.startswith(("kb.sso", "kb.services")):
        # kb.sso is the account model of single sign-on: it stands beside kb.accounts; the
        # services (kb/services) are what the facade is made of.
        return "facade"
    return "core"


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "features" else None


def resolve(name: str) -> str | None:
    """Return the kb module an import names (a module, or the package holding the name)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> tuple[set[str], set[str]]:
    """Return the kb modules and the outside packages a module imports, anywhere in it."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    inside, outside = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] == "kb":
                target = resolve(name)
                if target and target != module:
                    inside.add(target)
            else:
                outside.add(name.split(".")[0])
    return inside, outside


GRAPH = {m: imports_of(m)[0] for m in MODULES}


def test_the_imports_between_kb_modules_have_no_cycle():
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_every_module_imports_only_its_own_layer_or_lower_ones():
    upward = [
        f"{m} ({layer(m)}) imports {t} ({layer(t)})"
        for m, targets in GRAPH.items()
        for t in targets
        if LAYERS.index(layer(t)) > LAYERS.index(layer(m))
    ]
    assert upward == []


def test_no_feature_imports_another_feature():
    sideways = [
        f"{m} imports {t}"
        for m, targets in GRAPH.items()
        for t in targets
        if feature_of(m) and feature_of(t) and feature_of(m) != feature_of(t)
    ]
    assert sideways == []


def test_the_core_and_the_facade_never_import_flask_or_click():
    found = [
        f"{m} imports {pkg}"
        for m in MODULES
        if layer(m) in ("core", "facade")
        for pkg in imports_of(m)[1]
        if pkg in CORE_FORBIDDEN_PACKAGES
    ]
    assert found == []


def test_every_feature_has_the_same_shape():
    allowed = {"__init__", "queries", "payload", "views", "commands"}
    for folder in sorted(p for p in (KB / "features").iterdir() if p.is_dir()):
        if folder.name == "__pycache__":
            continue
        names = {p.stem for p in folder.glob("*.py")}
        assert names <= allowed, folder.name
        assert {"queries", "views"} <= names, folder.name


@pytest.mark.parametrize("path", [p for p in MODULES.values()], ids=lambda p: str(p.name))
def test_no_module_is_longer_than_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES


def test_no_function_is_longer_than_60_lines():
    long = []
    for path in MODULES.values():
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(FROZEN):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{relative}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_the_facade_is_reached_one_way_from_a_request():
    helpers = [
        module
        for module, path in MODULES.items()
        if 'extensions["kb"]' in path.read_text(encoding="utf-8")
        and module not in ("kb.web", "kb.web.routes")
    ]
    assert helpers == []


def test_no_feature_reads_the_database_itself():
    # A feature asks a service (kb/services) and gets dataclasses or dicts: no ORM, no session.
    found = [
        f"{m} imports {name}"
        for m in MODULES
        if layer(m) == "feature"
        for name in sorted(
            {t for t in GRAPH[m] if t == "kb.models"} | (imports_of(m)[1] & {"sqlalchemy"})
        )
    ]
    opens = [
        f"{m}:{node.lineno}"
        for m, path in MODULES.items()
        if layer(m) == "feature"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "db"
    ]
    assert found == [] and opens == []


def takes_the_facade(arg: ast.arg) -> bool:
    """Tell whether a parameter is the facade, by its name or its annotation."""
    annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
    return arg.arg in ("kb", "facade") or "KnowledgeBase" in annotation


def test_neither_the_core_nor_a_service_takes_the_facade():
    # The core and the services are given what they need (indexes, a session, a service);
    # only features, plumbing and kb.accounts are handed the facade.
    found = []
    for module, path in MODULES.items():
        if not (layer(module) == "core" or module.startswith("kb.services")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
                params += [a for a in (args.vararg, args.kwarg) if a is not None]
                found += [f"{module}.{node.name}({a.arg})" for a in params if takes_the_facade(a)]
    assert found == []


def test_the_facade_is_made_of_services_and_does_nothing_itself():
    from kb.service import KnowledgeBase

    assert KnowledgeBase.__bases__ == (object,)  # no mixin
    own = {name for name in vars(KnowledgeBase) if not name.startswith("_")}
    assert own <= {"close", "run_indexer_child"}
