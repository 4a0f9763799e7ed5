"""Raw bytes of every inbound message, content-addressed, so any message can be parsed
again after a parser fix. Written before the database is touched: a crash leaves at most
an unreferenced file, never a row without its bytes.

The bytes go through Django's storage API: ``STORAGES["raw_mail"]`` when configured (an
object store, say), else files under RAW_MAIL_DIR written whole or not at all. This module
is the only one that writes, reads or deletes raw mail."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, storages

from calmdesk.mail.models import Bounce, InboundMail, Quarantine

# The key in settings.STORAGES of a storage configured for raw mail.
STORAGE_ALIAS = "raw_mail"


class RawMailStorage(FileSystemStorage):
    """Files written to a temporary name and renamed into place: a reader (or a process
    killed mid-write) sees the whole file or none. The same name holds the same bytes
    (content-addressed), so a second writer replaces the file rather than renaming."""

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return name

    def _save(self, name: str, content: File) -> str:
        target = Path(self.path(name))
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        # No fsync: a killed process cannot lose what the kernel already holds, and the
        # database (SQLite synchronous=NORMAL) makes the same trade for power loss.
        try:
            handle = tmp.open("wb")
        except FileNotFoundError:  # the first message of its folder: one mkdir, not one each
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = tmp.open("wb")
        with handle:
            for chunk in content.chunks():
                handle.write(chunk)
        os.replace(tmp, target)
        return name


def storage() -> Storage:
    if STORAGE_ALIAS in settings.STORAGES:
        return storages[STORAGE_ALIAS]
    # Built per call: RAW_MAIL_DIR is read when used (tests point it elsewhere).
    return RawMailStorage(location=settings.RAW_MAIL_DIR)


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def relative_path(digest: str) -> str:
    return f"{digest[:2]}/{digest}.eml"


def keep(raw: bytes, digest: str | None = None) -> tuple[str, str]:
    """Store ``raw`` once; returns (sha256, its name in the raw mail storage)."""
    digest = digest or sha256(raw)
    name = relative_path(digest)
    where = storage()
    if not where.exists(name):
        where.save(name, ContentFile(raw))
    return digest, name


def read(name: str) -> bytes:
    with storage().open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def forget(names: Iterable[str]) -> None:
    """Delete raw mail that no stored or quarantined message names any more (stored by
    content, one file may hold the bytes of several). Called after the erasing commit."""
    wanted = set(names)
    if not wanted:
        return
    still_used = set(
        InboundMail.objects.filter(raw_path__in=wanted).values_list("raw_path", flat=True)
    )
    still_used |= set(
        Quarantine.objects.filter(raw_path__in=wanted).values_list("raw_path", flat=True)
    )
    still_used |= set(Bounce.objects.filter(raw_path__in=wanted).values_list("raw_path", flat=True))
    where = storage()
    for name in sorted(wanted - still_used):
        where.delete(name)
