"""Every environment variable the code reads through calmdesk.config is in the README's
configuration table (STYLE.md #11: docs are checked by tests)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import calmdesk
from calmdesk.config import ENV_VARS

README = Path(__file__).resolve().parent.parent / "README.md"


def _documented() -> set[str]:
    text = README.read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]+)`", section, flags=re.MULTILINE))


def test_every_environment_variable_is_in_the_readme_table() -> None:
    # Import every module so variables read at import time are recorded too.
    for module in pkgutil.walk_packages(calmdesk.__path__, "calmdesk."):
        if ".migrations" in module.name or module.name.endswith(("__main__", "wsgi", "asgi")):
            continue
        try:
            importlib.import_module(module.name)
        except (ImportError, RuntimeError):  # a module of an app not installed yet
            continue
    assert {"DATABASE_URL", "CALMDESK_DATA_DIR", "CALMDESK_SECRET_KEY"} <= ENV_VARS
    missing = sorted(ENV_VARS - _documented())
    assert not missing, f"add these to the README's Configuration table: {missing}"
