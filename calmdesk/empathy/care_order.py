"""The inbox's "needs care first" order: what is at stake, then how heated the latest
customer message is (together the care score), then who has waited longest. Keyset
pages like the other orders, so a deep page costs what the first one does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from calmdesk.desk.models import Conversation

_CURSOR = re.compile(
    r"^c(?P<score>-?\d{1,6}(?:\.\d{1,20})?)~(?P<micros>-?\d{1,20})\.(?P<id>\d{1,19})$"
)
# A conversation the engine has not read yet sorts after every read one.
UNREAD_SCORE = -1.0


@dataclass(frozen=True)
class CareCursor:
    score: float
    since: datetime
    id: int

    def encode(self) -> str:
        micros = int(self.since.timestamp() * 1_000_000)
        return f"c{self.score!r}~{micros}.{self.id}"

    @classmethod
    def decode(cls, raw: str) -> CareCursor | None:
        match = _CURSOR.match(raw)
        if match is None:
            return None
        try:
            since = datetime.fromtimestamp(int(match["micros"]) / 1_000_000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return cls(float(match["score"]), since, int(match["id"]))


def care_page(
    rows: QuerySet[Conversation], after: CareCursor | None, size: int
) -> tuple[list[int], str]:
    """The ids of one page in care order and the cursor of the next ("" on the last)."""
    ordered = rows.annotate(
        score=Coalesce(F("care__care_score"), Value(UNREAD_SCORE), output_field=FloatField()),
        since=Coalesce(F("waiting_since"), F("last_message_at")),
    )
    if after is not None:
        ordered = ordered.filter(
            Q(score__lt=after.score)
            | Q(score=after.score, since__gt=after.since)
            | Q(score=after.score, since=after.since, id__gt=after.id)
        )
    page = list(
        ordered.order_by("-score", "since", "id").values_list("pk", "score", "since")[: size + 1]
    )
    cursor = ""
    if len(page) > size:
        pk, score, since = page[size - 1]
        cursor = CareCursor(score, since, pk).encode()
    return [row[0] for row in page[:size]], cursor
