"""The ops tests use the desk's people (alice of Support, charlie of Billing, an admin)."""

from tests.desk.conftest import desk  # noqa: F401  (a fixture, used by name)
