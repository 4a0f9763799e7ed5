"""Raw mail goes through Django's storage API: a configured ``raw_mail`` storage (an
object store in production) holds it instead of the data folder, and the erasure deletes
it there. The default files are written whole or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from calmdesk.desk.actions import do_erase_customer
from calmdesk.mail import rawstore
from calmdesk.mail.ingest import ingest_raw
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db

IN_MEMORY = {"BACKEND": "django.core.files.storage.InMemoryStorage"}


@pytest.fixture
def object_store(settings):  # type: ignore[no-untyped-def]
    settings.STORAGES = {**settings.STORAGES, rawstore.STORAGE_ALIAS: IN_MEMORY}
    return storages[rawstore.STORAGE_ALIAS]


def test_a_configured_storage_holds_the_raw_mail(support, object_store, settings):  # type: ignore[no-untyped-def]
    raw = make_mail(message_id="<in-the-store@example.com>")
    message = ingest_raw(raw, support).message
    name = message.inbound.raw_path
    assert object_store.open(name).read() == raw
    assert not (Path(settings.RAW_MAIL_DIR) / name).exists()
    assert rawstore.read(name) == raw


def test_erasure_deletes_raw_mail_from_the_configured_storage(
    support, object_store, admin_user, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    message = ingest_raw(make_mail(message_id="<gone@example.com>"), support).message
    name = message.inbound.raw_path
    with django_capture_on_commit_callbacks(execute=True):
        do_erase_customer(message.customer, admin_user)
    assert not object_store.exists(name)


class Interrupted(ContentFile):  # type: ignore[type-arg]
    """Content whose writer is killed after the first chunk."""

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield b"From: half"
        raise KeyboardInterrupt


def test_a_write_cut_short_leaves_no_file_under_the_name(settings) -> None:  # type: ignore[no-untyped-def]
    storage = rawstore.storage()
    name = rawstore.relative_path("ab" * 32)
    with pytest.raises(KeyboardInterrupt):
        storage.save(name, Interrupted(b"From: half of a message"))
    assert not storage.exists(name)


def test_the_same_bytes_twice_are_one_file(settings) -> None:  # type: ignore[no-untyped-def]
    first = rawstore.keep(b"From: a@example.com\r\n\r\nhello")
    second = rawstore.keep(b"From: a@example.com\r\n\r\nhello")
    assert first == second
    assert [p.name for p in Path(settings.RAW_MAIL_DIR).rglob("*") if p.is_file()] == [
        f"{first[0]}.eml"
    ]
