"""An erased customer is gone from the SQLite file itself (issue: erasure left the address
in free pages): the probe writes a desk to a file database in a fresh folder, erases a
customer, and no byte of their name or address is left in any file of the folder. The
same probe without the erasure shows the words do reach the disk, so the check can fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("erasure_on_disk_probe.py")
NEEDLES = (b"Quokka", b"quokka", b"zanzibar")

pytestmark = pytest.mark.slow


def _files_after(tmp_path: Path, *args: str) -> dict[str, bytes]:
    env = {**os.environ, "CALMDESK_DATA_DIR": str(tmp_path), "CALMDESK_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)  # the file database is the point
    subprocess.run([sys.executable, str(PROBE), *args], env=env, check=True, timeout=300)
    return {
        str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
    }


def _holding(files: dict[str, bytes]) -> list[str]:
    return sorted(name for name, data in files.items() if any(n in data for n in NEEDLES))


def test_without_erasure_the_customer_is_on_disk(tmp_path: Path) -> None:
    assert "calmdesk.sqlite3" in _holding(_files_after(tmp_path))


def test_an_erased_customer_is_gone_from_every_file(tmp_path: Path) -> None:
    assert _holding(_files_after(tmp_path, "--erase")) == []
