"""Support-domain cues: the phrases upset customers use without a negative word.

"third time I'm writing", "still waiting since Monday", "I want a refund": general
sentiment models miss these. Each cue is a word sequence ("#" matches a number, "*" any
one word) with the tone it signals, a weight in 0–1 (how surely it signals that tone on
its own), and a reason label shown with its span. Stakes (F3) use the same matcher.

Weights are judgement calls on a 0–1 scale, read as "the probability an agent would call
the message this tone from this phrase alone"; 0.3 hints, 0.6 is clear, 0.8 settles it."""

from __future__ import annotations

from dataclasses import dataclass

from calmdesk.engine.text import Word, wordset

# Named weight levels (see the module docstring).
HINT = 0.3
LIKELY = 0.45
CLEAR = 0.6
STRONG = 0.75
SETTLED = 0.85

NUMBER_WORDS = wordset(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty "
    "thirty several few many a"
)
TIME_UNITS = ("minutes", "hours", "days", "weeks", "months", "mins", "hrs")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Cue:
    words: tuple[str, ...]
    label: str  # tone for tone cues, kind for stakes, etc.
    weight: float
    reason: str

    @property
    def tone(self) -> str:
        return self.label

    def tone_for(self, lows: list[str], i: int) -> tuple[str, float]:
        """The tone and weight this cue gives at word ``i``: a negated positive cue
        ("not happy") is a let-down instead."""
        if self.label in {"grateful", "positive"}:
            before = lows[max(0, i - NEGATION_WINDOW) : i]
            if any(w in NEGATORS or w.endswith("n't") for w in before):
                return ("frustrated", self.weight * NEGATED_WEIGHT)
        return (self.label, self.weight)


def _cues(label: str, weight: float, reason: str, phrases: str) -> list[Cue]:
    return [Cue(tuple(p.split()), label, weight, reason) for p in phrases.split(";") if p.strip()]


def _with_units(template: str) -> str:
    return ";".join(template.replace("UNIT", u) for u in TIME_UNITS)


def _with_days(template: str) -> str:
    return ";".join(template.replace("DAY", d) for d in WEEKDAYS)


TONE_CUES: list[Cue] = [
    # waiting
    *_cues(
        "frustrated",
        CLEAR,
        "waiting",
        "still waiting;been waiting;still haven't heard;still have not heard;"
        "haven't heard back;have not heard back;never heard back;no response;no reply;"
        "not received a response;no one has replied;nobody has replied;no one replied;"
        "on hold for;been on hold;hasn't arrived;has not arrived;never arrived;"
        "still hasn't arrived;still not arrived;never received;still not received;"
        "still haven't received;still have not received;where is my;"
        + _with_units(
            "waiting for # UNIT;waited # UNIT;waiting # UNIT;# UNIT later;"
            "for over # UNIT;more than # UNIT"
        )
        + ";"
        + _with_days("since DAY;waiting since DAY"),
    ),
    *_cues(
        "frustrated",
        LIKELY,
        "waiting",
        "any update;any updates;still no;still not;still hasn't;still isn't;"
        "still doesn't;still can't;still won't;still broken;still nothing",
    ),
    # repetition
    *_cues(
        "frustrated",
        STRONG,
        "repetition",
        "second time;third time;fourth time;fifth time;# times now;# times already;"
        "yet again;again and again;over and over;how many times;repeat myself;"
        "already told;already explained;already asked;already sent;as i said;"
        "as i mentioned;as i already;i've told you;keep asking;keep having to;"
        "same problem again;same issue again;happened again;once again",
    ),
    # broken promises
    *_cues(
        "frustrated",
        CLEAR,
        "broken promise",
        "you promised;was promised;were promised;i was told;we were told;"
        "was supposed to;were supposed to;supposed to be;should have been;"
        "you said it would;said it would;you guaranteed;was guaranteed",
    ),
    # money
    *_cues(
        "frustrated",
        LIKELY,
        "money",
        "refund;refunded;money back;charged twice;double charged;overcharged;"
        "charged me;billing error;still charged;still being charged;paid for;i paid;"
        "chargeback;charge back",
    ),
    # cancellation / churn
    *_cues(
        "frustrated",
        CLEAR,
        "cancellation",
        "cancel my;cancel our;cancel the subscription;cancelling;canceling;cancellation;"
        "close my account;delete my account;unsubscribe;switching to;switch to another;"
        "take my business;never again;last time i;another provider;a competitor",
    ),
    # escalation
    *_cues(
        "angry",
        CLEAR,
        "escalation",
        "speak to a manager;speak to your manager;talk to a manager;speak to someone;"
        "your supervisor;a supervisor;escalate;escalating;formal complaint;"
        "file a complaint;complaint;a real person;a human being;report you;"
        "bad review;public review;lawyer;legal action;consumer protection",
    ),
    # sarcasm
    *_cues(
        "angry",
        STRONG,
        "sarcasm",
        "thanks for nothing;thanks a lot for nothing;what a joke;oh great;oh wonderful;"
        "oh perfect;yeah right;thanks for wasting;great job breaking;nice job breaking;"
        "wow just wow;real helpful;so helpful not;big surprise",
    ),
    # hostility and profanity
    *_cues(
        "angry",
        STRONG,
        "hostile word",
        "ridiculous;unacceptable;pathetic;useless;incompetent;disgrace;disgraceful;"
        "disgusting;scam;rip off;ripoff;garbage;trash;joke;worst;outrageous;insane;"
        "furious;livid;angry;wtf;bullshit;shit;crap;fucking;fuck;damn;hell;"
        "fed up;sick of;sick and tired;had enough;enough is enough;waste of time;"
        "waste of money;shame on you",
    ),
    *_cues(
        "frustrated",
        CLEAR,
        "let down",
        "frustrated;frustrating;annoying;annoyed;disappointed;disappointing;let down;"
        "not happy;unhappy;terrible;horrible;awful;poor service;bad service;"
        "doesn't work;does not work;not working;stopped working;keeps crashing;broken;"
        "broke;nothing works;nothing happens;still the same;no help;not helpful;unhelpful",
    ),
    # anxiety and urgency
    *_cues(
        "anxious",
        CLEAR,
        "worry",
        "worried;worry;worrying;nervous;anxious;scared;afraid;panic;panicking;stressed;"
        "stressful;desperate;please help;help me;emergency;what if;freaking out",
    ),
    *_cues(
        "anxious",
        LIKELY,
        "urgency",
        "urgent;urgently;asap;as soon as possible;right away;immediately;deadline;"
        "by tomorrow;by today;by tonight;time sensitive;time-sensitive;running out of time",
    ),
    # sadness
    *_cues(
        "sad",
        CLEAR,
        "sadness",
        "sad;heartbroken;devastated;upset;crying;depressed;hopeless;passed away;"
        "give up;giving up;gave up;drop the class;lost everything;miserable",
    ),
    # confusion
    *_cues(
        "confused",
        CLEAR,
        "confusion",
        "confused;confusing;don't understand;do not understand;doesn't make sense;"
        "does not make sense;no idea how;no idea what;no idea why;not sure how;"
        "not sure what;not sure why;can't figure out;cannot figure out;"
        "what am i doing wrong;am i missing something;unclear;makes no sense;lost as to",
    ),
    # gratitude and other positive feelings
    *_cues(
        "grateful",
        STRONG,
        "thanks",
        "thank you so much;thanks so much;thank you very much;many thanks;"
        "really appreciate;truly appreciate;so grateful;very grateful;lifesaver;"
        "life saver;you saved;saved me;saved my;you rock;you're the best;"
        "you are the best;thanks a million",
    ),
    *_cues("grateful", LIKELY, "thanks", "thank you;thanks;appreciate it;appreciated;grateful"),
    *_cues(
        "positive",
        CLEAR,
        "pleased",
        "great;awesome;amazing;excellent;perfect;fantastic;wonderful;brilliant;love it;"
        "works now;working now;works perfectly;happy;glad;delighted;impressed;well done",
    ),
]

# Courtesy, not feeling: "Thanks in advance" closes angry mail as often as calm mail.
COURTESY = frozenset({("thanks", "in", "advance"), ("thank", "you", "in")})
# "not happy", "never great": a negator in the two words before a positive cue turns it
# into a let-down of half the weight (the cue's meaning is inverted, its certainty is not).
NEGATORS = wordset("not no never n't don't doesn't isn't wasn't aren't hardly")
NEGATION_WINDOW = 2
NEGATED_WEIGHT = 0.5

STAKE_CUES: list[Cue] = [
    *_cues(
        "revenue",
        CLEAR,
        "revenue",
        "losing money;lost money;losing sales;lost sales;lost revenue;losing revenue;"
        "revenue;costing us;costing me;can't sell;cannot sell;can't take orders;"
        "can't accept payments;cannot accept payments;checkout is broken;"
        "customers can't buy;customers cannot buy;sales are down;losing business",
    ),
    *_cues(
        "clients",
        CLEAR,
        "their clients",
        "my clients;my client;our clients;our client;my customers;our customers;"
        "losing clients;losing customers;client is waiting;clients are complaining;"
        "customers are complaining;users are complaining;our users;my users",
    ),
    *_cues(
        "deadline",
        CLEAR,
        "deadline",
        "deadline;by tomorrow;by tonight;by monday;by friday;by end of day;by eod;"
        "due tomorrow;due today;launch;launching;go live;goes live;going live;"
        "presentation tomorrow;exam;exams;in an hour;in # hours;before the weekend",
    ),
    *_cues(
        "outage",
        STRONG,
        "outage",
        "site is down;website is down;site down;website down;is down;went down;"
        "are down;outage;not loading;won't load;white screen;blank page;500 error;"
        "error 500;crashed;crashing;nobody can log in;no one can log in;can't log in;"
        "cannot log in;can't login;cannot login;locked out;broke my site;"
        "broke my entire;broke my website;not accessible;inaccessible",
    ),
    *_cues(
        "data_loss",
        STRONG,
        "data loss",
        "lost all;lost my data;data is gone;data loss;data lost;deleted all;"
        "all my files;files are gone;everything is gone;wiped;missing data;lost everything;"
        "lost my work;lost all my",
    ),
    *_cues(
        "churn",
        CLEAR,
        "cancel/churn",
        "cancel my;cancel our;cancelling;canceling;cancellation;close my account;"
        "delete my account;switch to;switching to;another provider;a competitor;"
        "take my business;drop the class;dropping the class;going to drop;"
        "not renew;won't renew;will not renew;unsubscribe;refund",
    ),
    *_cues(
        "legal",
        STRONG,
        "legal",
        "lawyer;attorney;legal action;sue;suing;lawsuit;court;chargeback;"
        "consumer protection;gdpr;data protection;trading standards;ombudsman",
    ),
    *_cues(
        "personal",
        CLEAR,
        "personal",
        "my job;lose my job;get fired;my boss;my family;my kids;my wedding;funeral;"
        "hospital;i'm sick;medical;my health;my rent;can't afford;cannot afford;"
        "my business;my livelihood;my thesis;my grade;my degree",
    ),
]

NOVICE_CUES: list[Cue] = _cues(
    "novice",
    CLEAR,
    "novice",
    "not technical;not very technical;not a techie;not tech savvy;not tech-savvy;"
    "not a developer;not a programmer;i'm new to;i am new to;new to this;beginner;newbie;"
    "no idea what;don't know what that means;what does that mean;what is a;what's a;"
    "stupid question;dumb question;i'm not good with;i am not good with;computer illiterate;"
    "where do i find;where do i click;how do i even",
)


class PhraseIndex:
    """Finds cue phrases in a word list in one pass: a dict from first word to cues."""

    def __init__(self, cues: list[Cue]) -> None:
        self._by_first: dict[str, list[Cue]] = {}
        self._numeric: list[Cue] = []
        for cue in cues:
            if cue.words[0] == "#":
                self._numeric.append(cue)
            else:
                self._by_first.setdefault(cue.words[0], []).append(cue)
        for bucket in self._by_first.values():
            bucket.sort(key=lambda c: -len(c.words))  # longest match first

    def find(self, ws: list[Word]) -> list[tuple[Cue, int, int]]:
        """(cue, first word index, last word index + 1), longest match per position."""
        out: list[tuple[Cue, int, int]] = []
        n = len(ws)
        by_first = self._by_first
        i = 0
        while i < n:
            low = ws[i].low
            bucket = by_first.get(low)
            if bucket is None and self._numeric and _is_number(low):
                bucket = self._numeric
            matched = 0
            if bucket:
                for cue in bucket:
                    k = len(cue.words)
                    if i + k <= n and _match(cue.words, ws, i):
                        out.append((cue, i, i + k))
                        matched = k
                        break
            i += matched or 1
        return out


def _is_number(low: str) -> bool:
    return low.isdigit() or low in NUMBER_WORDS


def _match(pattern: tuple[str, ...], ws: list[Word], i: int) -> bool:
    for j, p in enumerate(pattern):
        low = ws[i + j].low
        if p == low or p == "*" or (p == "#" and _is_number(low)):
            continue
        return False
    return True


TONE_INDEX = PhraseIndex(TONE_CUES)
STAKE_INDEX = PhraseIndex(STAKE_CUES)
NOVICE_INDEX = PhraseIndex(NOVICE_CUES)
