"""The shape of the code (docs/architecture.md): apps import only the apps below them,
``apps.common`` imports no domain app, and no list of the contract's models is kept by hand."""

import ast
from pathlib import Path

import pytest

from apps.common.registry import contract_labels, contract_models

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "apps"

# docs/architecture.md: common ← geo ← actors, evidence ← resolutions ← sanctions ← transfers, relations
# ← ingest, explore. An app may import its own modules and those of apps on a lower layer.
LAYERS = {
    "common": 0,
    "geo": 1,
    "actors": 2,
    "evidence": 2,
    "resolutions": 3,
    "sanctions": 4,
    "transfers": 5,
    "relations": 5,
    "ingest": 6,
    "explore": 6,
}


def python_files(folder):
    return sorted(path for path in folder.rglob("*.py") if ".venv" not in path.parts)


def imported_apps(path):
    """``(line, app)`` of every ``apps.<app>`` a module imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found = {name.split(".")[1] for name in names if name.startswith("apps.") and name.count(".") >= 1}
        for app in sorted(found):
            yield node.lineno, app


def test_every_app_has_a_layer():
    apps_on_disk = {path.name for path in APPS.iterdir() if (path / "__init__.py").exists()}
    assert apps_on_disk == set(LAYERS)


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_an_app_imports_only_itself_and_apps_below_it(app):
    upward = []
    for path in python_files(APPS / app):
        for line, imported in imported_apps(path):
            if imported != app and LAYERS.get(imported, 99) >= LAYERS[app]:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports apps.{imported}")
    assert upward == []


def test_the_import_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from apps.transfers.models import Transfer\n")
    assert list(imported_apps(module)) == [(2, "transfers")]


def _contract_names_in(node):
    labels = set(contract_labels())
    classes = {model.__name__ for model in contract_models()}
    found = 0
    for element in node.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            found += element.value.lower() in labels
        elif isinstance(element, ast.Name):
            found += element.id in classes
    return found


def test_no_module_keeps_a_list_of_the_contract_models():
    """The registry (``apps.common.registry``) is the one list; a literal naming four or more
    contract models, by label or by class, is a second one."""
    lists = []
    for folder in (APPS, ROOT / "tests", ROOT / "bench", ROOT / "sanctionsdb"):
        for path in python_files(folder):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            # A model's ``natural_key.dependencies`` names what it refers to, and a ``..._READS``
            # what an answer is made of (``cached_answer``'s ``reads``): not lists of the models.
            declared = {
                id(node.value)
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign)
                and any(
                    (isinstance(t, ast.Attribute) and t.attr == "dependencies")
                    or (isinstance(t, ast.Name) and t.id.endswith("_READS"))
                    for t in node.targets
                )
            }
            for node in ast.walk(tree):
                is_literal = isinstance(node, ast.List | ast.Tuple | ast.Set) and id(node) not in declared
                if is_literal and _contract_names_in(node) >= 4:
                    lists.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert lists == []


def test_the_registry_orders_every_model_after_those_it_refers_to():
    order = {model: index for index, model in enumerate(contract_models())}
    for model, index in order.items():
        for field in model._meta.get_fields():
            related = field.related_model
            if field.concrete and related in order and related is not model:
                assert order[related] < index, f"{model._meta.label} comes before {related._meta.label}"
