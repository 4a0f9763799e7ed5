"""The settings page's API tokens: make one (shown once), see when each was last used,
revoke it. An admin sees and may revoke everyone's."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from calmdesk.accounts.access import SignedInRequest, agent_of, agent_required
from calmdesk.api.models import ApiToken, Scope
from calmdesk.api.tokens import EXPIRY_CHOICES, do_create_token, do_revoke_token


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=Scope.choices)
    days = forms.TypedChoiceField(
        label=gettext_lazy("Expires after"),
        coerce=int,
        choices=[(d, gettext_lazy("%(days)d days") % {"days": d}) for d in EXPIRY_CHOICES],
        initial=90,
    )


def _is_admin(request: SignedInRequest) -> bool:
    agent = agent_of(request.user)
    return request.user.is_superuser or (agent is not None and agent.is_admin)


@agent_required
def tokens(request: SignedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created = do_create_token(request.user, **form.cleaned_data)
        form = TokenForm()
    mine = ApiToken.objects.filter(owner=request.user)
    everyone = (
        ApiToken.objects.exclude(owner=request.user).select_related("owner")
        if _is_admin(request)
        else ApiToken.objects.none()
    )
    context = {"form": form, "created": created, "mine": mine, "everyone": everyone}
    return render(request, "api/tokens.html", context)


@require_POST
@agent_required
def revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk).first()
    if token is None or (token.owner_id != request.user.pk and not _is_admin(request)):
        raise Http404
    if do_revoke_token(token):
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
