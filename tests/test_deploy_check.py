"""`manage.py check --deploy` is clean when run the way production runs it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # a subprocess under production settings


def test_check_deploy_is_clean_under_production_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Only the production settings: nothing a test run (or a browser test's
    # DJANGO_ALLOW_ASYNC_UNSAFE) set in this process may leak into the check.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CALMDESK_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        CALMDESK_DATA_DIR=str(tmp_path),
        CALMDESK_SECRET_KEY=secrets.token_urlsafe(64),
        CALMDESK_DEBUG="false",
        CALMDESK_HTTPS="true",
        CALMDESK_ALLOWED_HOSTS="desk.example.com",
        CALMDESK_SMTP_HOST="smtp.example.com",
        DJANGO_SETTINGS_MODULE="calmdesk.settings",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "calmdesk",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
