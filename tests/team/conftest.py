"""The team tests use the desk's people (alice, bob, charlie, dave the lead, admin)."""

from tests.desk.conftest import Desk, desk, make_agent, receive  # noqa: F401  (fixtures, used by name)
