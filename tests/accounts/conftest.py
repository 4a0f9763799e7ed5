"""The desk's people (tests/desk/conftest.py) and a real SMTP server (tests/mail/conftest.py)
for the accounts tests."""

from tests.desk.conftest import desk  # noqa: F401
from tests.mail.conftest import smtp_server, smtp_settings  # noqa: F401
