"""The problems tests meet the desk tests' people (tests/desk/conftest.py) and, for the
answer-all crash test, the mail crash tests' SMTP catcher and scratch database."""

from tests.desk.conftest import Desk, desk, make_agent, receive  # noqa: F401  (fixtures, used by name)
from tests.mail.conftest import smtp_server  # noqa: F401
from tests.mail.test_crash import env  # noqa: F401
