"""Raw bytes of every inbound message, content-addressed under RAW_MAIL_DIR, so any
message can be parsed again after a parser fix. Written before the database is touched:
a crash leaves at most an unreferenced file, never a row without its bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def relative_path(digest: str) -> str:
    return f"{digest[:2]}/{digest}.eml"


def keep(raw: bytes, digest: str | None = None) -> tuple[str, str]:
    """Store ``raw`` once; returns (sha256, path relative to RAW_MAIL_DIR)."""
    digest = digest or sha256(raw)
    rel = relative_path(digest)
    target = Path(settings.RAW_MAIL_DIR) / rel
    if not target.exists():
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        # No fsync: a killed process cannot lose what the kernel already holds, and the
        # database (SQLite synchronous=NORMAL) makes the same trade for power loss.
        # The rename is atomic: a reader sees the whole file or none.
        try:
            tmp.write_bytes(raw)
        except FileNotFoundError:  # the first message of its folder: one mkdir, not one each
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(raw)
        os.replace(tmp, target)
    return digest, rel


def read(rel: str) -> bytes:
    return (Path(settings.RAW_MAIL_DIR) / rel).read_bytes()
