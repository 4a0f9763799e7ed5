"""The raw pages of an API import, kept on disk before anything is imported from them:
each request's answer is written to the state folder under a name that says what was
asked, and a later run (after a crash, or the same import again) reads it from there
instead of asking again. Writes are atomic (a temporary file renamed), so a page on disk
is always whole."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from calmdesk.outbound.client import Client
from calmdesk.outbound.errors import HTTPStatusError, OutboundError, RateLimited


class Gone(OutboundError):
    """The API answered 404 for this page (kept as such: asked once, never again)."""


SAFE = re.compile(r"[^A-Za-z0-9_.-]+")
# Rounds of waiting out a rate limit (each after the client's own retries).
RATE_LIMIT_TURNS = 5


class PageStore:
    def __init__(self, folder: Path, client: Client, headers: Mapping[str, str]) -> None:
        self.folder = folder
        self.client = client
        self.headers = dict(headers)
        self.fetched = 0  # requests actually sent (the rest came from disk)
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str, suffix: str) -> Path:
        name = SAFE.sub("_", key)[:120]
        if len(key) > 120 or name != key:
            name += "-" + hashlib.sha256(key.encode()).hexdigest()[:12]
        return self.folder / f"{name}{suffix}"

    def json(self, key: str, url: str, headers: Mapping[str, str] | None = None) -> Any:
        """The page ``key``: from disk if an earlier run saved it, else fetched and saved."""
        path = self._path(key, ".json")
        if path.exists():
            return json.loads(path.read_bytes())
        missing = self._path(key, ".missing")
        if missing.exists():
            raise Gone("404 (saved)", url=url)
        try:
            data = self._patiently(url, headers)
        except HTTPStatusError as error:
            if error.response.status != 404:
                raise
            _write(missing, b"")
            raise Gone("404", url=url) from None
        finally:
            self.fetched += 1
        _write(path, json.dumps(data).encode())
        return data

    def _patiently(self, url: str, headers: Mapping[str, str] | None) -> Any:
        """The page, waiting out a rate limit that names its wait in a header of its own
        (Help Scout's ``X-RateLimit-Retry-After``; the client reads ``Retry-After``)."""
        for _turn in range(RATE_LIMIT_TURNS):
            try:
                return self.client.json("GET", url, headers={**self.headers, **(headers or {})})
            except RateLimited as error:
                wait = error.response.headers.get("x-ratelimit-retry-after", "")
                if not wait.isdigit() or int(wait) > self.client.policy.max_wait:
                    raise
                self.client.sleep(int(wait))
        return self.client.json("GET", url, headers={**self.headers, **(headers or {})})

    def forget(self, key: str) -> None:
        """Drop a saved page, so the next ask fetches it again (its links expired)."""
        self._path(key, ".json").unlink(missing_ok=True)

    def blob(self, key: str, url: str, headers: Mapping[str, str] | None = None) -> bytes:
        """A file (an attachment's bytes), kept the same way: fetched once, while its URL
        is valid, and read from disk after."""
        path = self._path(key, ".bin")
        if path.exists():
            return path.read_bytes()
        response = self.client.request("GET", url, headers={**self.headers, **(headers or {})})
        self.fetched += 1
        _write(path, response.body)
        return response.body


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)
