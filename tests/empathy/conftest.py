"""The empathy tests meet the same people as the desk tests (tests/desk/conftest.py)."""

from tests.desk.conftest import Desk, desk, make_agent, receive  # noqa: F401
