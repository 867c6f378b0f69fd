"""Dependencies point one way (docs/architecture.md): crsv_mis <- incidents <- mara, referrals <- reporting
<- lifecycle.
An app that imports from an app to its right (or mara and referrals from each other) fails here."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What each app may import, besides itself.
ALLOWED = {
    "crsv_mis": set(),
    "incidents": {"crsv_mis"},
    "mara": {"crsv_mis", "incidents"},
    "referrals": {"crsv_mis", "incidents"},
    "reporting": {"crsv_mis", "incidents", "mara", "referrals"},
    "lifecycle": {"crsv_mis", "incidents", "mara", "referrals", "reporting"},
}


def imported_apps(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in ALLOWED:
                yield top, node.lineno


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_to_its_left(app):
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {other}"
             for path in sorted((ROOT / app).rglob("*.py"))
             for other, line in imported_apps(path)
             if other != app and other not in ALLOWED[app]]
    assert wrong == []
