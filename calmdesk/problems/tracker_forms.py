"""The admin's form for a tracker destination. The token is written, never shown back:
left empty on an edit, the stored one stays."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from calmdesk.problems.tracker_models import TrackerDestination, TrackerKind

QUOTES_WARNING = _(
    "Off by default: calmdesk promises that customers' words stay on this server. When on, "
    "each push sends three short quotes (names, e-mail addresses, links and long numbers "
    "taken out). Erasing a customer later cannot recall what was already pushed."
)


class DestinationForm(forms.ModelForm):
    base_url = forms.URLField(
        label=_("Address"),
        max_length=300,
        assume_scheme="https",
        help_text=_(
            "Jira: https://your-site.atlassian.net. GitHub: https://api.github.com "
            "(or https://your-server/api/v3)."
        ),
    )
    token = forms.CharField(
        label=_("API token"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Jira: an API token of the account below. GitHub: a fine-grained token with "
            "read and write access to the repository's issues. Stored encrypted; leave "
            "empty to keep the current one."
        ),
    )

    class Meta:
        model = TrackerDestination
        fields = [
            "name",
            "kind",
            "mailbox",
            "base_url",
            "project",
            "issue_type",
            "account",
            "token",
            "include_quotes",
            "allow_private_host",
            "enabled",
        ]
        help_texts = {
            "mailbox": _(
                "Empty: the whole team's destination, with every mailbox's evidence, for "
                "leads and admins. A mailbox: that mailbox's evidence, for its agents."
            ),
            "project": _("Jira: the project key (CD). GitHub: owner/repository."),
            "issue_type": _("Jira only: the issue type new issues get (Bug, Task…)."),
            "account": _("Jira only: the e-mail address of the account the token belongs to."),
            "include_quotes": QUOTES_WARNING,
            "allow_private_host": _(
                "Only for a tracker inside your network: lets calmdesk reach this host "
                "although its address is private or local."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mailbox"].empty_label = _("The whole team")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, project = data.get("kind"), data.get("project", "")
        url = data.get("base_url") or ""
        if url and urlsplit(url).scheme != "https" and not data.get("allow_private_host"):
            self.add_error("base_url", _("Use an https:// address."))
        if kind == TrackerKind.GITHUB and project.count("/") != 1:
            self.add_error("project", _("Write it as owner/repository."))
        if kind == TrackerKind.JIRA and not data.get("account"):
            self.add_error("account", _("Jira needs the account's e-mail address."))
        if not data.get("token") and not (self.instance.pk and self.instance.token_encrypted):
            self.add_error("token", _("A token is needed."))
        return data
