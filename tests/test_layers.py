"""Imports run one way (README, "Architecture"). Every module of calmdesk belongs to one
unit of one layer; a module may import its own unit and any lower layer, never a higher
layer and never another unit of its own layer (empathy and mail do not know each other).
Read from the source with ``ast``, so an import inside a function counts too, as does a
model named by string (``apps.get_model("mail", …)``, ``ForeignKey("desk.Message")``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import calmdesk

ROOT = Path(calmdesk.__file__).parent

# (layer, unit, module prefixes), lowest layer first, numbered as in the README. The
# longest matching prefix wins; a name without a dot (the package) matches only itself.
LAYERS: list[tuple[int, str, tuple[str, ...]]] = [
    (1, "engine", ("calmdesk.engine",)),
    (
        1,
        "project",
        ("calmdesk", "calmdesk.config", "calmdesk.settings", "calmdesk.checks", "calmdesk.headers"),
    ),
    (1, "jobs", ("calmdesk.jobs",)),
    (1, "outbound", ("calmdesk.outbound",)),
    (1, "charts", ("calmdesk.charts",)),
    # The help-desk core: agents (an agent works in mailboxes), conversations, customers.
    (2, "core", ("calmdesk.accounts", "calmdesk.desk")),
    (3, "empathy", ("calmdesk.empathy",)),
    (3, "mail", ("calmdesk.mail",)),
    (4, "receive", ("calmdesk.receive",)),
    (4, "problems", ("calmdesk.problems",)),
    # Team health and reports read everything below, problems included.
    (5, "team", ("calmdesk.team",)),
    (
        6,
        "mail intake",
        (
            "calmdesk.mail.ingest",
            "calmdesk.mail.ingest_cli",
            "calmdesk.mail.imap",
            "calmdesk.mail.tasks",
            "calmdesk.mail.worker",
        ),
    ),
    (6, "demo", ("calmdesk.desk.demo",)),
    (6, "importer", ("calmdesk.importer",)),
    (
        7,
        "accounts pages",
        ("calmdesk.accounts.views", "calmdesk.accounts.urls", "calmdesk.accounts.admin"),
    ),
    (7, "desk pages", ("calmdesk.desk.views", "calmdesk.desk.urls", "calmdesk.desk.admin")),
    (7, "empathy pages", ("calmdesk.empathy.views", "calmdesk.empathy.urls")),
    (7, "mail pages", ("calmdesk.mail.views", "calmdesk.mail.urls", "calmdesk.mail.admin")),
    (
        7,
        "problems pages",
        ("calmdesk.problems.views", "calmdesk.problems.urls", "calmdesk.problems.admin"),
    ),
    (7, "team pages", ("calmdesk.team.views", "calmdesk.team.urls", "calmdesk.team.admin")),
    (7, "importer pages", ("calmdesk.importer.views", "calmdesk.importer.admin")),
    (
        8,
        "entry points",
        (
            "calmdesk.__main__",
            "calmdesk.cli",
            "calmdesk.urls",
            "calmdesk.asgi",
            "calmdesk.wsgi",
            "calmdesk.api",
            "calmdesk.bench",
            "calmdesk.desk.management",
            "calmdesk.ops",
        ),
    ),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in sorted(ROOT.rglob("*.py"))
    if "migrations" not in path.parts
}


def unit_of(module: str) -> tuple[int, str] | None:
    best: tuple[int, int, str] | None = None
    for layer, unit, prefixes in LAYERS:
        for prefix in prefixes:
            inside = "." in prefix and module.startswith(prefix + ".")
            if (module == prefix or inside) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), layer, unit)
    return None if best is None else (best[1], best[2])


def _model_label(node: ast.Call) -> str | None:
    """The app of a model named by string: apps.get_model("mail", …), ForeignKey("desk.X")."""
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    first = node.args[0] if node.args else None
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    if name == "get_model":
        return first.value.partition(".")[0]
    if name in {"ForeignKey", "OneToOneField", "ManyToManyField"} and "." in first.value:
        return first.value.partition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """The calmdesk modules ``module`` imports (a name imported from a package that is a
    module of its own counts as that module)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
        elif isinstance(node, ast.Call):
            label = _model_label(node)
            if label is not None and label != "auth":
                found.add(f"calmdesk.{label}")
    return {name for name in found if name == "calmdesk" or name.startswith("calmdesk.")}


def test_every_module_is_in_a_layer() -> None:
    assert [m for m in MODULES if unit_of(m) is None] == []


def against_the_order(module: str) -> list[str]:
    """The imports of ``module`` that go up a layer, or across to another unit."""
    here = unit_of(module)
    assert here is not None, f"{module} is in no layer"
    wrong = []
    for target in sorted(imports_of(module)):
        there = unit_of(target)
        if there is None or there[0] > here[0] or (there[0] == here[0] and there != here):
            wrong.append(f"{module} {here} imports {target} {there}")
    return wrong


def test_imports_run_down_the_layers() -> None:
    assert [line for module in MODULES for line in against_the_order(module)] == []


def test_no_two_units_import_each_other() -> None:
    edges = {
        (unit_of(module), unit_of(target))
        for module in MODULES
        for target in imports_of(module)
        if unit_of(module) != unit_of(target)
    }
    assert sorted(str(pair) for pair in edges if (pair[1], pair[0]) in edges) == []


@pytest.mark.parametrize(
    "module,source,allowed",
    [
        ("calmdesk.desk.actions", "from calmdesk.empathy.actions import x", False),
        ("calmdesk.desk.actions", "apps.get_model('mail', 'InboundMail')", False),
        ("calmdesk.empathy.actions", "from calmdesk.mail import rawstore", False),
        ("calmdesk.desk.views.pages", "from calmdesk.mail.views import x", False),
        ("calmdesk.desk.views.pages", "from calmdesk.mail.sendstate import x", True),
        ("calmdesk.mail.ingest", "from calmdesk.receive import x", True),
        ("calmdesk.mail.rawstore", "from calmdesk.receive import x", False),
        ("calmdesk.engine.reading", "import calmdesk.settings", False),
    ],
)
def test_the_check_catches_an_import_against_the_order(
    module: str, source: str, allowed: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "module.py"
    fake.write_text(source)
    monkeypatch.setitem(MODULES, module, fake)
    assert (against_the_order(module) == []) is allowed
