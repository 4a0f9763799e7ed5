from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.accounts.models import Capability
from calmdesk.desk.access import (
    SignedInRequest,
    agent_of,
    agent_required,
    customer_or_404,
    visible_conversations,
    visible_customers,
)
from calmdesk.desk.actions import (
    ActionError,
    do_erase_customer,
    do_merge_customers,
    do_update_customer_notes,
)
from calmdesk.desk.customers import first_contact
from calmdesk.desk.forms import CustomerNotesForm, MergeForm
from calmdesk.desk.inbox import with_row_details
from calmdesk.desk.views.pages import ROW_RELATED
from calmdesk.desk.views.places import back_link


@agent_required
def customer(request: SignedInRequest, pk: int) -> HttpResponse:
    found = customer_or_404(request.user, pk)
    conversations = with_row_details(
        visible_conversations(request.user).filter(customer=found).order_by("-last_message_at"),
        ROW_RELATED,
    )[:100]
    context = {
        "customer": found,
        "back": back_link(request),
        "emails": list(found.emails.order_by("id")),
        "conversations": conversations,
        "first_contact": first_contact(found),
        "notes_form": CustomerNotesForm(initial={"notes": found.notes}),
        "merge_form": MergeForm(),
        "may_erase": agent_of(request.user).can(Capability.ERASE_CUSTOMERS),  # type: ignore[union-attr]
    }
    return render(request, "desk/customer.html", context)


@agent_required
@require_POST
def customer_notes(request: SignedInRequest, pk: int) -> HttpResponse:
    found = customer_or_404(request.user, pk)
    form = CustomerNotesForm(request.POST)
    if form.is_valid() and found.erased_at is None:
        do_update_customer_notes(found, request.user, form.cleaned_data["notes"])
        messages.success(request, _("Notes saved."))
    else:
        messages.error(request, _("The notes could not be saved."))
    return redirect("customer", pk=found.pk)


@agent_required
@require_POST
def customer_merge(request: SignedInRequest, pk: int) -> HttpResponse:
    """Merge the customer who owns the given address into this one. The agent must be
    able to see both; an address they cannot see reads like one that does not exist."""
    target = customer_or_404(request.user, pk)
    form = MergeForm(request.POST)
    source = None
    if form.is_valid():
        source = (
            visible_customers(request.user)
            .filter(emails__email__iexact=form.cleaned_data["email"])
            .first()
        )
    if source is None:
        messages.error(request, _("No customer of yours has that address."))
        return redirect("customer", pk=target.pk)
    try:
        do_merge_customers(source, target, request.user)
    except ActionError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("Merged: their conversations and addresses are here now."))
    return redirect("customer", pk=target.pk)


@agent_required
@require_POST
def customer_erase(request: SignedInRequest, pk: int) -> HttpResponse:
    found = customer_or_404(request.user, pk)
    if not agent_of(request.user).can(Capability.ERASE_CUSTOMERS):  # type: ignore[union-attr]
        raise PermissionDenied
    try:
        removed = do_erase_customer(found, request.user)
    except ActionError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request, _("Customer erased: %(count)d messages removed.") % {"count": removed}
        )
    return redirect("customer", pk=found.pk)
