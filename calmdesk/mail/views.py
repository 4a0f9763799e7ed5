"""Mail pages: a reply's send state (the countdown, Undo, then sent/failed) as an htmx
partial, and inline images of received mail. Both are scoped to the mailboxes the
agent sees; anything else is a 404, never a hint."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calmdesk.desk.access import SignedInRequest, agent_required, visible_mailbox_ids
from calmdesk.desk.models import Attachment, Message, MessageKind
from calmdesk.mail import catcher
from calmdesk.mail.actions import do_retry_send
from calmdesk.mail.context import may_see_caught_mail
from calmdesk.mail.ingest import inline_path
from calmdesk.mail.models import InboundMail
from calmdesk.mail.sendstate import send_state_context

# Inline images are shown in the page; any other type is only ever downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}
# Replies with an outbox row: on their way, sent, taken back or failed.
SENT_KINDS = [MessageKind.REPLY, MessageKind.WITHDRAWN, MessageKind.FAILED, MessageKind.FORWARD]


def _reply_or_404(request: SignedInRequest, message_pk: int) -> Message:
    try:
        return Message.objects.select_related("outbox", "conversation").get(
            pk=message_pk,
            kind__in=SENT_KINDS,
            conversation__mailbox_id__in=visible_mailbox_ids(request.user),
        )
    except Message.DoesNotExist:
        raise Http404 from None


@agent_required
@require_GET
def send_state(request: SignedInRequest, message_pk: int) -> HttpResponse:
    """A reply's send state on its own, asking again itself while it moves (the
    conversation page asks once for all of them instead: its pulse)."""
    message = _reply_or_404(request, message_pk)
    context = {**send_state_context(message, request.user), "self_poll": True}
    return render(request, "mail/_send_state.html", context)


@agent_required
@require_POST
def retry(request: SignedInRequest, message_pk: int) -> HttpResponse:
    """Anyone who works the conversation may send a stuck reply again."""
    message = _reply_or_404(request, message_pk)
    if do_retry_send(message, request.user):
        messages.success(request, _("Trying to send the reply again now."))
    else:
        messages.error(request, _("There is nothing to send again for this reply."))
    return redirect("conversation", pk=message.conversation_id)


@agent_required
@require_GET
def caught_mail(request: SignedInRequest) -> HttpResponse:
    """What the demo's mail catcher took: admins and leads, while it is on."""
    if not may_see_caught_mail(request):
        raise PermissionDenied
    return render(request, "mail/caught.html", {"caught": catcher.caught()})


@agent_required
@require_GET
def inline_image(request: SignedInRequest, key: str, digest: str) -> FileResponse:
    inbound = (
        InboundMail.objects.filter(key=key, mailbox_id__in=visible_mailbox_ids(request.user))
        .select_related("message")
        .first()
    )
    if inbound is None:
        raise Http404
    found: Attachment | None = None
    for attachment in inbound.message.attachments.exclude(content_id=""):
        if inline_path(key, attachment.content_id) == request.path:
            found = attachment
            break
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = found.content_type.lower()
    shown = content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not shown,
        filename=found.filename or "image",
        content_type=content_type if shown else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
