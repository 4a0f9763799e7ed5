"""The API under /api/v1 (django-ninja): its routers, and every error as
``{"error": {"code", "message"}}``. The schema is /api/v1/openapi.json (kept in the
repository as docs/openapi.json), the browsable docs /api/v1/docs."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from calmdesk.api import answers, conversations, engine, problems, reports, resources
from calmdesk.api import schemas as s
from calmdesk.api.auth import ApiError
from calmdesk.api.webhooks import EVENTS, SIGNATURE_HEADER


class CalmdeskAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The generated schema plus the webhooks' payload (OpenAPI 3.1 ``webhooks``)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        payload = s.WebhookPayload.model_json_schema(ref_template=REF)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(payload.pop("$defs", {}))
        components["WebhookPayload"] = payload
        body = {
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model="WebhookPayload")}}
            }
        }
        schema["webhooks"] = {
            name: {
                "post": {
                    "summary": name,
                    "parameters": [
                        {
                            "name": SIGNATURE_HEADER,
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "t=<unix time>,v1=<hex HMAC-SHA256 of t.body>",
                        }
                    ],
                    "requestBody": body,
                    "responses": {"200": {"description": "Any 2xx: delivered"}},
                }
            }
            for name in EVENTS
        }
        return schema


NUL_REFUSED = "Text may not contain the NUL character (U+0000)."
NOT_AN_OBJECT = "The body must be a JSON object."


def refuse_nul(value: Any) -> None:
    """The pages' forms refuse a NUL in text (Django's ProhibitNullCharactersValidator)
    and PostgreSQL cannot store one: the API refuses it in any body or query value."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(422, "invalid", NUL_REFUSED)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            refuse_nul(item)


class CalmdeskParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        # Every body the API takes is an object; ninja would read `true` or `[]` as an
        # empty one and change nothing with a 200.
        if not isinstance(data, dict):
            raise ApiError(422, "invalid", NOT_AN_OBJECT)
        refuse_nul(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> Any:
        found = super().parse_querydict(data, list_fields, request)
        refuse_nul(found)
        return found


REF = "#/components/schemas/{model}"
api = CalmdeskAPI(
    parser=CalmdeskParser(),
    title="calmdesk",
    version="1",
    description=(
        "The help desk and its empathy engine. Authenticate with a personal token from "
        "your settings page: `Authorization: Bearer cdk_…`. Errors are "
        '`{"error": {"code": "…", "message": "…"}}`; times are ISO 8601 in UTC.'
    ),
    urls_namespace="api",
)
api.add_router("", resources.router)
api.add_router("", conversations.router)
api.add_router("", problems.router)
api.add_router("", answers.router)
api.add_router("", reports.router)
api.add_router("", engine.router)


def _error(request: HttpRequest, error: ApiError) -> HttpResponse:
    response = api.create_response(request, error.body(), status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return _error(request, error)


@api.exception_handler(AuthenticationError)
def on_unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, ApiError(401, "unauthorized"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    # Another mailbox's conversation reads exactly as one that does not exist.
    return _error(request, ApiError(404, "not_found"))


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    where = [f"{_field(e.get('loc', ()))}: {e.get('msg', '')}" for e in error.errors[:5]]
    return _error(request, ApiError(422, "invalid", "; ".join(where) or None))  # type: ignore[arg-type]


def _field(loc: tuple | list) -> str:
    """("body", "payload", "thread", "messages", 0) → "thread.messages.0"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if isinstance(error.__cause__, ApiError):  # the parser's own (refuse_nul)
        return _error(request, error.__cause__)
    # ninja's own, said in our shape; a body that is not JSON (ninja's 400) is invalid
    # like any other body the schema refuses: 422, as the schema documents.
    code = {401: "unauthorized", 404: "not_found"}.get(error.status_code, "invalid")
    status = 422 if error.status_code == 400 else error.status_code
    return _error(request, ApiError(status, code, str(error)))
