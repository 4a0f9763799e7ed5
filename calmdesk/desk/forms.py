from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from calmdesk.desk.models import Status

# Ids arrive from the page; anything larger than a database integer is simply invalid.
MAX_ID = 2**62
MAX_BODY = 500_000  # characters; a long technical report fits many times over
MAX_COPY_LIST = 6_000  # twenty long addresses and their commas


class ReplyForm(forms.Form):
    body = forms.CharField(max_length=MAX_BODY, strip=False)
    # The newest message on the agent's page: without it the collision guard could not
    # say whether a teammate answered meanwhile, so a POST without it is refused.
    seen_up_to = forms.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        error_messages={
            "required": _("This page is out of date: reload the conversation, then send.")
        },
    )
    then_status = forms.ChoiceField(
        choices=[("", _("Keep status")), *Status.choices], required=False
    )
    # Empty: the customer's address. Anything else must be one of the conversation's
    # (the send action refuses any other).
    to = forms.CharField(max_length=320, required=False)
    # Addresses separated by commas; the send action checks each (mail.addresses).
    cc = forms.CharField(max_length=MAX_COPY_LIST, required=False)
    bcc = forms.CharField(max_length=MAX_COPY_LIST, required=False)


class NewConversationForm(forms.Form):
    """A conversation the agent starts: the send action checks the addresses."""

    mailbox = forms.IntegerField(min_value=1, max_value=MAX_ID)
    to = forms.CharField(max_length=320)
    cc = forms.CharField(max_length=MAX_COPY_LIST, required=False)
    bcc = forms.CharField(max_length=MAX_COPY_LIST, required=False)
    subject = forms.CharField(max_length=500)
    body = forms.CharField(max_length=MAX_BODY, strip=False)
    then_status = forms.ChoiceField(
        choices=[("", _("Keep status")), *Status.choices], required=False
    )


class ForwardForm(forms.Form):
    to = forms.CharField(max_length=320)
    note = forms.CharField(max_length=MAX_BODY, required=False, strip=False)
    # Empty: the whole thread; else the id of the one message forwarded.
    message = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class NoteForm(forms.Form):
    body = forms.CharField(max_length=MAX_BODY, strip=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    seen_status = forms.ChoiceField(choices=Status.choices, required=False)


class AssignForm(forms.Form):
    assignee = forms.IntegerField(min_value=0, max_value=MAX_ID, required=False)


class TagForm(forms.Form):
    name = forms.CharField(max_length=200)


class CustomerNotesForm(forms.Form):
    notes = forms.CharField(max_length=20_000, required=False, strip=False)


class MergeForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the duplicate customer"), max_length=254)
