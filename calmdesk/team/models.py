"""What the team features keep: the report rollups, satisfaction ratings, the team's
health settings, the once-a-day load notices and the customers' thank-yous."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Upper edges of the response- and resolution-time bins, in seconds; the last bin is
# open. Fixed for every row, so bins add up across hours, agents and mailboxes and a
# median or p90 can be read from any sum of them.
TIME_BINS: tuple[int, ...] = (
    15 * 60,
    30 * 60,
    3600,
    2 * 3600,
    4 * 3600,
    8 * 3600,
    12 * 3600,
    24 * 3600,
    2 * 86400,
    3 * 86400,
    7 * 86400,
)
BIN_COUNT = len(TIME_BINS) + 1

# The readings counted per bucket: the engine's tones, its sentiments and the stakes.
TONES = ("angry", "frustrated", "anxious", "sad", "confused", "grateful", "positive", "neutral")
SENTIMENTS = ("negative", "neutral", "positive")
STAKES = ("outage", "data_loss", "legal", "revenue", "clients", "deadline", "churn", "personal")
SCORES = ("great", "okay", "bad")


FR_FIELDS = tuple(f"fr_{n}" for n in range(BIN_COUNT))
RES_FIELDS = tuple(f"res_{n}" for n in range(BIN_COUNT))
# The same histograms counted in the mailbox's business hours (equal to the ones above
# for a mailbox that sets none).
FRB_FIELDS = tuple(f"frb_{n}" for n in range(BIN_COUNT))
RESB_FIELDS = tuple(f"resb_{n}" for n in range(BIN_COUNT))
READING_FIELDS = (
    *(f"tone_{t}" for t in TONES),
    *(f"sentiment_{s}" for s in SENTIMENTS),
    *(f"stake_{s}" for s in STAKES),
)
RATING_FIELDS = tuple(f"rating_{s}" for s in SCORES)
COUNT_FIELDS = (
    "new",
    "replied",
    "closed",
    "closed_replies",
    *FR_FIELDS,
    *RES_FIELDS,
    *FRB_FIELDS,
    *RESB_FIELDS,
    *READING_FIELDS,
    *RATING_FIELDS,
)


def _counter() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0)


# The agent_key of the rows that hold every agent's facts together (nobody's included),
# so a report of the whole team reads one row per hour and mailbox, not one per agent.
EVERYONE = 2**62


class Rollup(models.Model):
    """One UTC hour of one mailbox, one agent (0: nobody; EVERYONE: all of them) and one
    tag (0: every conversation, whatever its tags; a tag's own rows repeat its
    conversations' facts).
    Kept by ``calmdesk.team.rollups``: rebuilt from the messages, events and ratings of
    the hours it covers, so a rebuild of any range is idempotent."""

    hour = models.DateTimeField()
    mailbox = models.ForeignKey("desk.Mailbox", on_delete=models.CASCADE, related_name="+")
    agent_key = models.PositiveBigIntegerField(default=0)
    tag_key = models.PositiveBigIntegerField(default=0)
    new = _counter()
    replied = _counter()
    closed = _counter()
    # Replies the conversations closed in this hour had had: replies per conversation.
    closed_replies = _counter()
    # Histograms over TIME_BINS: first response (fr_0 …) and resolution (res_0 …).
    fr_0 = _counter()
    fr_1 = _counter()
    fr_2 = _counter()
    fr_3 = _counter()
    fr_4 = _counter()
    fr_5 = _counter()
    fr_6 = _counter()
    fr_7 = _counter()
    fr_8 = _counter()
    fr_9 = _counter()
    fr_10 = _counter()
    fr_11 = _counter()
    res_0 = _counter()
    res_1 = _counter()
    res_2 = _counter()
    res_3 = _counter()
    res_4 = _counter()
    res_5 = _counter()
    res_6 = _counter()
    res_7 = _counter()
    res_8 = _counter()
    res_9 = _counter()
    res_10 = _counter()
    res_11 = _counter()
    # The same two histograms in the mailbox's business hours (BusinessHours).
    frb_0 = _counter()
    frb_1 = _counter()
    frb_2 = _counter()
    frb_3 = _counter()
    frb_4 = _counter()
    frb_5 = _counter()
    frb_6 = _counter()
    frb_7 = _counter()
    frb_8 = _counter()
    frb_9 = _counter()
    frb_10 = _counter()
    frb_11 = _counter()
    resb_0 = _counter()
    resb_1 = _counter()
    resb_2 = _counter()
    resb_3 = _counter()
    resb_4 = _counter()
    resb_5 = _counter()
    resb_6 = _counter()
    resb_7 = _counter()
    resb_8 = _counter()
    resb_9 = _counter()
    resb_10 = _counter()
    resb_11 = _counter()
    # Customer messages read in this hour, by tone, sentiment and stake named.
    tone_angry = _counter()
    tone_frustrated = _counter()
    tone_anxious = _counter()
    tone_sad = _counter()
    tone_confused = _counter()
    tone_grateful = _counter()
    tone_positive = _counter()
    tone_neutral = _counter()
    sentiment_negative = _counter()
    sentiment_neutral = _counter()
    sentiment_positive = _counter()
    stake_outage = _counter()
    stake_data_loss = _counter()
    stake_legal = _counter()
    stake_revenue = _counter()
    stake_clients = _counter()
    stake_deadline = _counter()
    stake_churn = _counter()
    stake_personal = _counter()
    # Ratings of the replies sent in this hour.
    rating_great = _counter()
    rating_okay = _counter()
    rating_bad = _counter()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "mailbox", "agent_key", "tag_key"], name="rollup_key"
            )
        ]
        indexes = [
            models.Index(fields=["tag_key", "agent_key", "hour", "mailbox"], name="rollup_read")
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h m{self.mailbox_id} a{self.agent_key} t{self.tag_key}"


class RollupMark(models.Model):
    """Up to when the rollups are built: the periodic job goes on from there."""

    name = models.CharField(max_length=40, unique=True)
    built_until = models.DateTimeField()
    # The newest message and event already looked at: anything after them (whatever
    # time it bears: an import brings old ones) marks its hours to rebuild.
    message_id = models.PositiveBigIntegerField(default=0)
    event_id = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.built_until}"


class Score(models.TextChoices):
    GREAT = "great", _("Great")
    OKAY = "okay", _("Okay")
    BAD = "bad", _("Not good")


class Rating(models.Model):
    """A customer's rating of one reply, from the signed link in it. One per reply; the
    customer may change it."""

    reply = models.OneToOneField("desk.Message", on_delete=models.CASCADE, related_name="rating")
    score = models.CharField(max_length=8, choices=Score.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.score} for reply {self.reply_id}"


class MailboxRatings(models.Model):
    """Whether replies from a mailbox carry a rating link (off unless a mailbox says so)."""

    mailbox = models.OneToOneField("desk.Mailbox", on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("satisfaction ratings of a mailbox")
        verbose_name_plural = _("satisfaction ratings of mailboxes")

    def __str__(self) -> str:
        return f"ratings {'on' if self.enabled else 'off'} for mailbox {self.mailbox_id}"


class TeamHealth(models.Model):
    """The team's own settings for its health (one row)."""

    load_threshold = models.FloatField(
        default=8.0,
        help_text=_(
            "An agent's emotional load for a day past which they get a gentle nudge and the "
            "leads a note (about one point per hostile or distressed message handled)."
        ),
    )

    class Meta:
        verbose_name = _("team health settings")
        verbose_name_plural = _("team health settings")

    def __str__(self) -> str:
        return f"load threshold {self.load_threshold}"


class LoadNotice(models.Model):
    """An agent's load passed the threshold on a day: they and the leads were told once."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    load = models.FloatField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "day"], name="one_load_notice_a_day")
        ]

    def __str__(self) -> str:
        return f"load {self.load:.1f} of agent {self.agent_id} on {self.day}"


class KeptLoad(models.Model):
    """One agent's emotional load from one conversation on one day of the agent's time
    zone: the hostile or distressed customer messages of that day they handled there and
    their points. Kept by ``calmdesk.team.kept_load``: a conversation's rows are counted
    again whole whenever it is marked in LoadToRecount."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    conversation = models.ForeignKey(
        "desk.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    points = models.FloatField()
    messages = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "day", "conversation"], name="one_kept_load_a_thread_a_day"
            )
        ]
        indexes = [models.Index(fields=["conversation"], name="kept_load_conversation")]

    def __str__(self) -> str:
        return f"load {self.points:.1f} of agent {self.agent_id} on {self.day}"


class LoadToRecount(models.Model):
    """A conversation whose load facts changed in a committed write (marked in the same
    transaction) and whose KeptLoad rows are counted again before the next read."""

    conversation = models.OneToOneField(
        "desk.Conversation", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"recount the load of conversation {self.conversation_id}"


class Thanks(models.Model):
    """A customer's thank-you that reached the agent who helped (the gratitude wall). The
    quote is the customer's words; their address is never kept here nor shown."""

    message = models.OneToOneField("desk.Message", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "desk.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    quote = models.TextField()
    customer_name = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(db_index=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agent", "received_at"], name="thanks_agent")]

    def __str__(self) -> str:
        return f"thanks in message {self.message_id}"


WEEKDAY_DIGITS = "1234567"


def _weekdays_valid(value: str) -> None:
    if not value or any(c not in WEEKDAY_DIGITS for c in value) or len(set(value)) != len(value):
        raise ValidationError(_("Days as ISO digits, each once: 1 is Monday, 7 is Sunday."))


def _zone_valid(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValidationError(_("Not a time zone: %(zone)s") % {"zone": value}) from None


class BusinessHours(models.Model):
    """When a mailbox's team works: first-response and resolution times in the reports
    count only these hours (in the mailbox's own zone; holidays off). A mailbox without
    a row counts every hour."""

    mailbox = models.OneToOneField(
        "desk.Mailbox", on_delete=models.CASCADE, related_name="business_hours"
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[_zone_valid])
    opens = models.TimeField(default=time(9))
    closes = models.TimeField(default=time(17))
    weekdays = models.CharField(
        max_length=7,
        default="12345",
        validators=[_weekdays_valid],
        help_text=_("Working days, ISO digits: 1 Monday … 7 Sunday (12345: Mon-Fri)."),
    )

    class Meta:
        verbose_name = _("business hours of a mailbox")
        verbose_name_plural = _("business hours of mailboxes")

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M} {self.weekdays} {self.time_zone}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError(_("A working day closes after it opens (same day)."))


class Holiday(models.Model):
    """A day off in a mailbox's business hours (a local date of its zone)."""

    hours = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="holidays")
    day = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hours", "day"], name="holiday_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class AgentTeamSettings(models.Model):
    """A person's own choices about the team features (a row only once they chose)."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_settings"
    )
    thanks_digest = models.BooleanField(
        default=True, help_text=_("A weekly mail of the thank-yous customers sent.")
    )

    def __str__(self) -> str:
        return f"team settings of {self.agent_id}"
