"""The engine as a service: POST /api/v1/analyze answers what ``calmdesk read --json``
prints, POST /api/v1/check what ``calmdesk check --format json`` prints. Any token may
call them, an engine-only one too; neither reads desk data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from calmdesk.api import schemas as s
from calmdesk.api.auth import ENGINE
from calmdesk.engine import Thread, check_reply
from calmdesk.engine.reading import read_message
from calmdesk.engine.strip import strip_quotes_and_signature

router = Router(tags=["engine"])


@router.post("/analyze", response={200: dict[str, Any], **s.ERRORS}, auth=ENGINE)
def analyze(request: HttpRequest, payload: s.AnalyzeIn) -> dict[str, Any]:
    """A customer message's reading: tone, intensity, what is at stake, the facts."""
    text = strip_quotes_and_signature(payload.text).text if payload.email else payload.text
    return read_message(text).to_dict()


@router.post("/check", response={200: s.CheckOut, **s.ERRORS}, auth=ENGINE)
def check(request: HttpRequest, payload: s.CheckIn) -> dict[str, Any]:
    """A reply draft's findings against its thread (oldest message first)."""
    thread = Thread(
        customer_name=payload.thread.customer_name,
        messages=tuple((m.role, m.text) for m in payload.thread.messages),
        reproduced=payload.thread.reproduced,
        product=payload.thread.product,
    )
    findings = check_reply(payload.draft, thread, disabled=payload.disable)
    return {"findings": [f.to_dict() for f in findings]}
