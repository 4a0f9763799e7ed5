"""The ops tests use the desk's people (alice of Support, charlie of Billing, an admin)
and the mail tests' real servers (aiosmtpd, Dovecot)."""

from tests.desk.conftest import desk  # noqa: F401  (fixtures, used by name)
from tests.mail.conftest import dovecot, imap_folder, smtp_server, smtp_settings  # noqa: F401
