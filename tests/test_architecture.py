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
FROZEN_MODULES = ("kb.migrations.versions",)
CORE_FORBIDDEN_PACKAGES = ("flask", "flask_babel", "flask_login", "flask_wtf", "click")
# Lower layers first; a module imports only its own layer or those below.
LAYERS = ("core", "facade", "plumbing", "feature", "assembly")
# What puts the features and the plumbing together: the app, the `kb` group, the list of
# features, and the table that says what their exceptions mean (kb/errors.py).
ASSEMBLY = ("kb.app", "kb.cli", "kb.features", "kb.error_table")


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
    if module in ASSEMBLY:
        return "assembly"
    if module == "kb.web" or module.startswith("kb.web.") or module == "kb.commandline":
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


# The core's rooms, lowest first (docs/architecture.md): a core module imports only its own
# room or those below. The longest matching prefix names a module's room.
CORE_ROOMS = (
    ("base", ("kb", "kb.config", "kb.db", "kb.models", "kb.limits", "kb.errors", "kb.text")),
    ("read model", ("kb.access", "kb.catalog")),
    ("ingest", ("kb.ingest",)),
    ("search: model runtime", ("kb.search.model",)),
    ("search: indexes", ("kb.search.indexes",)),
    ("search: query", ("kb.search.query",)),
    ("search: serving", ("kb.search.serving", "kb.search")),
    ("expertise", ("kb.expertise",)),
    ("upkeep", ("kb.upkeep",)),
    ("demo", ("kb.demo", "kb.migrations")),
)


def core_room(module: str) -> int:
    """Return the rank of a core module's room (the longest matching prefix decides)."""
    best = (-1, -1)
    for rank, (_, prefixes) in enumerate(CORE_ROOMS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[1]:
                best = (rank, len(prefix))
    return best[0]


def test_the_core_rooms_import_only_their_own_room_or_lower_ones():
    upward = []
    for module in MODULES:
        if layer(module) != "core" or module.startswith(FROZEN_MODULES):
            continue
        for target in imports_of(module)[0]:
            if layer(target) == "core" and core_room(target) > core_room(module):
                upward.append(
                    f"{module} ({CORE_ROOMS[core_room(module)][0]}) imports {target} "
                    f"({CORE_ROOMS[core_room(target)][0]})"
                )
    assert upward == []


def test_every_core_module_stands_in_a_room():
    assert [m for m in MODULES if layer(m) == "core" and core_room(m) < 0] == []


def test_the_search_package_is_its_rooms_and_nothing_else():
    loose = sorted(p.name for p in (KB / "search").glob("*.py") if p.name != "__init__.py")
    assert loose == ["doctor.py"]  # kb doctor reads every room


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
        and module not in ("kb.app", "kb.cli", "kb.web.routes")  # kb serve warms its app up
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


def rendered_templates(path: Path) -> set[str]:
    """Return the template names a module renders (render_template and render_found)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in ("render_template", "render_found")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


FEATURE_FOLDERS = sorted(
    p for p in (KB / "features").iterdir() if p.is_dir() and p.name != "__pycache__"
)
SHARED_TEMPLATES = KB / "web" / "templates"


def template_names(folder: Path) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*.html"))]


def test_the_pages_a_feature_renders_live_beside_it():
    elsewhere = [
        f"{folder.name} renders {name}"
        for folder in FEATURE_FOLDERS
        for module in folder.glob("*.py")
        for name in rendered_templates(module)
        if not (folder / "templates" / name).is_file()
    ]
    assert elsewhere == []


def test_the_shared_templates_are_the_layout_and_the_plumbings_own_pages():
    """Every template in kb/web/templates is named by the plumbing's code or by a template."""
    texts = [p.read_text(encoding="utf-8") for p in (KB / "web").rglob("*.py")]
    texts += [p.read_text(encoding="utf-8") for p in KB.rglob("*.html")]
    unused = [
        name
        for name in template_names(SHARED_TEMPLATES)
        if not any(f'"{name}"' in text for text in texts)
    ]
    assert unused == []


def test_no_two_templates_share_a_name():
    names = template_names(SHARED_TEMPLATES)
    for folder in FEATURE_FOLDERS:
        names += template_names(folder / "templates") if (folder / "templates").is_dir() else []
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def page_endpoints(path: Path) -> set[str]:
    """Return the endpoints of the page routes a views module declares (`@pages.get(...)`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and getattr(node.func.value, "id", None) == "pages"
        ):
            found |= {f"pages.{k.value.value}" for k in node.keywords if k.arg == "endpoint"}
    return found


def test_every_feature_with_a_page_is_listed_and_declares_its_menu_entry():
    from importlib import import_module

    from kb.features import NAMES
    from kb.web.nav import NavEntry

    undeclared = []
    for folder in FEATURE_FOLDERS:
        pages = page_endpoints(folder / "views.py")
        if not pages:
            continue
        entry = getattr(import_module(f"kb.features.{folder.name}"), "NAV", "missing")
        if folder.name not in NAMES or not (entry is None or isinstance(entry, NavEntry)):
            undeclared.append(folder.name)
        elif entry is not None and not {entry.endpoint, *entry.current_on} <= pages:
            undeclared.append(f"{folder.name}: {entry.endpoint} is not one of its pages")
    assert undeclared == []


def test_the_menu_entries_each_have_their_own_place():
    from kb.features import navigation

    orders = [entry.order for entry in navigation()]
    assert len(set(orders)) == len(orders)


def test_the_web_plumbing_never_imports_a_feature():
    found = [
        f"{m} imports {t}"
        for m, targets in GRAPH.items()
        if layer(m) == "plumbing"
        for t in targets
        if t == "kb.features" or t.startswith("kb.features.")
    ]
    assert found == []


def test_no_feature_builds_an_error_answer_of_its_own():
    """A refusal is raised; kb/web/errors.py alone turns it into a status and a JSON body."""
    found = []
    for path in (KB / "features").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "jsonify"
                and any(k.arg == "error" for k in node.keywords)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_error_answers_are_registered_in_one_place():
    found = [
        module
        for module, path in MODULES.items()
        if "errorhandler(" in path.read_text(encoding="utf-8")
        or "register_error_handler(" in path.read_text(encoding="utf-8")
    ]
    assert found == ["kb.web.errors"]
