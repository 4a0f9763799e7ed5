"""Support-domain cues: the phrases upset customers use without a negative word.

"third time I'm writing", "still waiting since Monday", "I want a refund": general
sentiment models miss these. Each cue is a word sequence ("#" matches a number, "*" any
one word) with the tone it signals, a weight in 0–1 (how surely it signals that tone on
its own), and a reason label shown with its span. Stakes (F3) use the same matcher.

Weights are judgement calls on a 0–1 scale, read as "the probability an agent would call
the message this tone from this phrase alone"; 0.3 hints, 0.6 is clear, 0.8 settles it."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Final

from calmdesk.engine.text import Word, wordset

# Named weight levels (see the module docstring).
HINT: Final = 0.3
LIKELY: Final = 0.45
CLEAR: Final = 0.6
STRONG: Final = 0.75
SETTLED: Final = 0.85

NUMBER_WORDS: Final = wordset(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty "
    "thirty several few many a"
)
# A phrase may open with a number ("3 days later") but not with "a": "a" opens a third of
# all sentences, and "a week later" is rare in complaints.
FIRST_NUMBER_WORDS: Final = NUMBER_WORDS - {"a", "many", "few"}
TIME_UNITS: Final = ("minutes", "hours", "days", "weeks", "months", "mins", "hrs")
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Cue:
    words: tuple[str, ...]
    label: str  # tone for tone cues, kind for stakes, etc.
    weight: float
    reason: str
    family: str = "tone"  # "tone", "stake", "novice" or a coach rule code

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
            if self.label == "positive" and praise_after_failure(lows, i):
                return ("angry", STRONG)  # "It crashed again. Love it.": sarcasm
        return (self.label, self.weight)


# Praise within this many words after a failure, with nothing between that turns the story
# ("but", "now", "fixed"…), is sarcasm: "Thanks a lot for breaking my site. Great job."
# Thanks are left out: "It crashed. Thanks for looking into it." is sincere.
SARCASM_WINDOW: Final = 8
FAILURE_WORDS: Final = wordset(
    "crash crashed crashes crashing broke broken breaking failed fails failing deleted "
    "wiped error errors stuck missing wrong lost gone down"
)
TURNING_WORDS: Final = wordset(
    "but now fixed fix fixing worked works working solved resolved sorted helped back "
    "however though although"
)


def praise_after_failure(lows: list[str], i: int) -> bool:
    """True when a failure word comes in the ``SARCASM_WINDOW`` words before word ``i``
    and no turning word ("but", "now", "fixed"…) after it."""
    for k in range(i - 1, max(-1, i - SARCASM_WINDOW - 1), -1):
        w = lows[k]
        if w in TURNING_WORDS:
            return False
        if w in FAILURE_WORDS:
            return True
    return False


def _cues(label: str, weight: float, reason: str, phrases: str, family: str = "tone") -> list[Cue]:
    return [
        Cue(tuple(p.split()), label, weight, reason, family)
        for p in phrases.split(";")
        if p.strip()
    ]


def _with_units(template: str) -> str:
    return ";".join(template.replace("UNIT", u) for u in TIME_UNITS)


def _with_days(template: str) -> str:
    return ";".join(template.replace("DAY", d) for d in WEEKDAYS)


TONE_CUES: Final[list[Cue]] = [
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
    # "I've attached screenshots. Again.": alone, "again" only hints
    *_cues("frustrated", HINT, "repetition", "again"),
    # resignation: "Fine. I'll wait for the engineer."
    *_cues(
        "frustrated",
        CLEAR,
        "resignation",
        "fine i'll;fine i will;i give up;forget it;never mind;nevermind;don't bother;"
        "so be it;i guess i'll just;i'll just wait;i will just wait",
    ),
    *_cues("frustrated", LIKELY, "resignation", "i'll wait;i will wait;whatever"),
    # polite but upset: "I appreciate the quick answer, but I need to know when…"
    *_cues(
        "frustrated",
        LIKELY,
        "polite but upset",
        "but i need;but i still;but it still;but still;but i really need;but we need;"
        "but i just need;but when will",
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
        "wow just wow;real helpful;so helpful not;big surprise;thanks for breaking;"
        "thanks a lot for breaking;thank you for breaking;thanks for ruining;"
        "thanks a lot for ruining;thank you for ruining;thanks for deleting;thanks for losing;"
        "thanks a lot for wasting;gee thanks;so much for",
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
    # the short forms of tweets and app reviews
    *_cues(
        "frustrated",
        CLEAR,
        "let down",
        "sucks;sucked;pissed;pissed off;ugh;ughh;smh;fml;screwed up;screwed me;meh;"
        "epic fail;so slow;too slow;keeps freezing;keeps closing;uninstalling;uninstalled it",
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
        "what am i doing wrong;am i missing something;unclear;makes no sense;lost as to;"
        "i'm lost;i am lost;totally lost;completely lost;what does * mean;"
        "what do you mean;what is meant by;what am i missing;i don't get it;"
        "i do not get it;doesn't make any sense;no clue;clueless;baffled;puzzled",
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
    *_cues(
        "grateful",
        LIKELY,
        "thanks",
        "thank you;thanks;appreciate it;appreciated;grateful;thanks again;thank you again",
    ),
    *_cues(
        "positive",
        CLEAR,
        "pleased",
        "great;awesome;amazing;excellent;perfect;fantastic;wonderful;brilliant;love it;"
        "works now;working now;works perfectly;happy;glad;delighted;impressed;well done;"
        "working again;works again",
    ),
]

# Complaint cues (family "complaint"): words that report something failed, went wrong
# or was not done, calmly or not; ``sentiment.py`` weighs them with the sentiment model.
# Their label says what they are: "problem" cues add evidence, "benign" ones only cover
# the words of a problem cue ("no problem at all", "can't wait") so it does not fire, and
# "resolved" ones ("works now") discount the problems told before them.
COMPLAINT_CUES: Final[list[Cue]] = [
    *_cues(
        "problem",
        CLEAR,
        "failure",
        "not working;isn't working;is not working;doesn't work;does not work;didn't work;"
        "did not work;won't work;stopped working;stops working;not loading;won't load;"
        "keep getting;keeps getting;keeps crashing;keeps freezing;keep having;"
        "can't log in;cannot log in;can't login;unable to;not able to;no longer;"
        "is down;are down;went down;site down;website down;is the * down;error message;"
        "wrong order;wrong item;double charged;charged twice;overcharged;ripped off;"
        "never arrived;not arrived;hasn't arrived;not received;haven't received;"
        "didn't receive;did not receive;never received;never got;not delivered;"
        "nothing happened;nothing happens;no change;no effect;didn't help;did not help;"
        "doesn't help;does not help;no joy;no luck;to no avail;same issue;same problem;"
        "same thing;same result;still the same;still not;still no;still can't;"
        "still won't;still doesn't;still isn't;still having;still getting;still waiting",
        "complaint",
    ),
    *_cues(
        "problem",
        LIKELY,
        "failure",
        "can't;cannot;couldn't;won't;wouldn't;unable;error;errors;crash;crashes;crashed;"
        "crashing;broken;broke;bug;glitch;fails;failed;failing;failure;stuck;missing;stops;"
        "stopped;stopping;freezing;"
        "disconnected;disconnects;freezes;frozen;lost;locked;declined;delayed;wrong;"
        "problem;problems;issue;issues;hasn't;haven't;isn't;doesn't;didn't;"
        "why is;why does;why won't;why can't;why isn't;why doesn't;why do i;how come;"
        "where is my;where's my;wheres my;charged;billed;refund;no one;nobody;"
        "no response;no reply;no answer;heard nothing;never heard;fix this;fix it;"
        "be fixed;get fixed;been fixed;anyone there;any update;any updates",
        "complaint",
    ),
    # Harm told as it happens ("we're losing sales", "it's costing us customers"): the
    # issue's "I'm losing sales" read neutral. Written from support mail, not from a set.
    *_cues(
        "problem",
        CLEAR,
        "losing business",
        "losing sales;losing money;losing customers;losing clients;losing business;"
        "losing orders;losing revenue;losing bookings;losing subscribers;costing us money;"
        "costing me money;costing us customers;costing us sales;costing us business",
        "complaint",
    ),
    *_cues(
        "problem", HINT, "still broken", "still;again;already;tried;never;not;down", "complaint"
    ),
    *_cues(
        "benign",
        0.0,
        "benign",
        "no problem;no problems;not a problem;no issue;no issues;not an issue;no worries;"
        "can't wait;cannot wait;can't thank;cannot thank;couldn't be happier;can't complain;"
        "couldn't have;can't believe how;never had a problem;never had an issue;"
        "not a big deal;not bad;not only;no doubt;not sure;didn't know;don't know;"
        "not yet;wrong with",
        "complaint",
    ),
    *_cues(
        "resolved",
        0.0,
        "resolved",
        "works now;working now;working again;works again;that worked;it works;it worked;"
        "all good;all set;sorted;fixed it;fixed now;is fixed;been resolved;solved;"
        "resolved;figured it out;figured out;did the trick;back up;up and running",
        "complaint",
    ),
]

# Courtesy, not feeling: "Thanks in advance" closes angry mail as often as calm mail.
COURTESY: Final = frozenset({("thanks", "in", "advance"), ("thank", "you", "in")})
# "not happy", "never great": a negator in the two words before a positive cue turns it
# into a let-down of half the weight (the cue's meaning is inverted, its certainty is not).
NEGATORS: Final = wordset("not no never n't don't doesn't isn't wasn't aren't hardly")
NEGATION_WINDOW: Final = 2
NEGATED_WEIGHT: Final = 0.5

# Things whose loss is a data loss when they are said to be gone: "all of last month's
# records are gone", "my photos disappeared". Orders and parcels are left out: a missing
# order is a delivery problem, not lost data.
LOST_THINGS: Final = (
    "records;files;data;photos;pictures;videos;emails;messages;contacts;notes;documents;"
    "history;invoices;playlists;songs;saves;progress;backups;entries;projects;work"
)
GONE_PHRASES: Final = (
    "THING are gone;THING are all gone;THING have gone;THING have disappeared;"
    "THING disappeared;THING vanished;THING were deleted;THING got deleted;THING are missing;"
    "THING were wiped;THING got wiped;THING is gone;THING has disappeared;THING was deleted;"
    "THING got lost;lost all my THING;lost all our THING;lost my THING;lost our THING;"
    "deleted all my THING;deleted my THING;wiped my THING;wiped all my THING"
)


def _with_things(template: str) -> str:
    return ";".join(template.replace("THING", t) for t in LOST_THINGS.split(";"))


# Clock times as the tokenizer keeps them, one word: "5pm", "9am".
CLOCK_TIMES: Final = tuple(f"{h}{m}" for m in ("am", "pm") for h in range(1, 13))


def _with_times(template: str) -> str:
    return ";".join(template.replace("TIME", t) for t in CLOCK_TIMES)


# Stakes of scope, "every page", "all customers": at stake only when the sentence says
# something fails ("every page shows an error"), not in "every page loads fine".
SCOPE_REASONS: Final = frozenset({"every page", "all customers"})
SCOPE_WINDOW: Final = 8  # words either side of the scope, within its sentence
FAILING_WORDS: Final = wordset(
    "error errors down broken broke crash crashes crashed crashing fail fails failed failing "
    "failure can't cannot won't wont don't doesn't didn't isn't aren't unable not no blank "
    "404 500 502 503 504 timeout timing stuck missing wrong gone lost locked blocked slow "
    "outage disconnected offline unavailable unreachable"
)

STAKE_CUES: Final[list[Cue]] = [
    *_cues(
        "revenue",
        CLEAR,
        "revenue",
        "losing money;lost money;losing sales;lost sales;lost revenue;losing revenue;"
        "costing us;costing me;can't sell;cannot sell;can't take orders;"
        "can't accept payments;cannot accept payments;checkout is broken;"
        "customers can't buy;customers cannot buy;sales are down;losing business;"
        "can't take payments;cannot take payments;won't take payments;losing orders;"
        "lost orders;losing bookings;losing thousands;losing hundreds;losing money every",
        "stake",
    ),
    # The customer's money taken in error: the money kind, as no kind is for billing.
    *_cues(
        "revenue",
        CLEAR,
        "charged twice",
        "charged twice;charged me twice;charged us twice;double charged;double-charged;"
        "charged two times;charged # times;billed twice;billed me twice;double billed;"
        "charged double;duplicate charge;duplicate charges;charged for both;overcharged",
        "stake",
    ),
    *_cues(
        "clients",
        CLEAR,
        "their clients",
        "my clients;my client;our clients;our client;my customers;our customers;"
        "losing clients;losing customers;client is waiting;clients are complaining;"
        "customers are complaining;users are complaining;our users;my users",
        "stake",
    ),
    *_cues(
        "clients",
        CLEAR,
        "all customers",
        "all customers;all of our customers;all our customers;every customer;all users;"
        "all our users;all of our users;every user;all clients;every client;"
        "all our clients;none of our customers;none of our users;none of my customers",
        "stake",
    ),
    *_cues(
        "deadline",
        CLEAR,
        "deadline",
        "deadline;by tomorrow;by tonight;by monday;by friday;by end of day;by eod;"
        "due tomorrow;due today;launch;launching;go live;goes live;going live;"
        "presentation tomorrow;in an hour;in # hours;before the weekend;"
        "due at midnight;due by midnight;by midnight;before midnight;at midnight tonight;"
        "due tonight;due in # hours;due in an hour;due at #;due by #;due this afternoon;"
        "due this evening;due first thing;"
        + _with_times(
            "due at TIME;due by TIME;due TIME;need it by TIME;need this by TIME;needed by TIME"
        ),
        "stake",
    ),
    *_cues(
        "deadline",
        CLEAR,
        "orders due",
        "orders due;order due;orders are due;orders to ship;orders to deliver;"
        "orders to fulfil;orders to fulfill;orders for the weekend;orders for tomorrow;"
        "orders going out;orders waiting;event is tomorrow;event tomorrow;event tonight;"
        "event this weekend;the event starts;flight leaves in;wedding is on;wedding is tomorrow;"
        "wedding this weekend;party tomorrow;party tonight",
        "stake",
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
        "stake",
    ),
    *_cues(
        "outage",
        STRONG,
        "every page",
        "every page;all pages;all of the pages;every single page;whole site;entire site;"
        "whole website;entire website;all our sites;all of our sites;"
        "everyone in the office;everyone here;the whole team;our whole team;entire team",
        "stake",
    ),
    *_cues(
        "data_loss",
        STRONG,
        "data loss",
        "lost all;lost my data;data is gone;data loss;data lost;deleted all;"
        "all my files;files are gone;everything is gone;wiped;missing data;lost everything;"
        "lost my work;lost all my;everything disappeared;everything was deleted;"
        "everything got deleted;all gone;all deleted",
        "stake",
    ),
    *_cues("data_loss", STRONG, "records gone", _with_things(GONE_PHRASES), "stake"),
    *_cues(
        "churn",
        CLEAR,
        "cancel/churn",
        "cancel my;cancel our;cancelling;canceling;cancellation;close my account;"
        "delete my account;switch to;switching to;another provider;a competitor;"
        "take my business;drop the class;dropping the class;going to drop;"
        "not renew;won't renew;will not renew;unsubscribe;refund",
        "stake",
    ),
    *_cues(
        "legal",
        STRONG,
        "legal",
        "lawyer;attorney;legal action;sue;suing;lawsuit;court;chargeback;"
        "consumer protection;gdpr;data protection;trading standards;ombudsman",
        "stake",
    ),
    *_cues(
        "personal",
        CLEAR,
        "personal",
        "my job;lose my job;get fired;my boss;my family;my kids;my wedding;funeral;"
        "my rent;can't afford;cannot afford;"
        "my business;my livelihood;my thesis;my grade;my degree",
        "stake",
    ),
    # Payroll: people's wages, so what is at stake is theirs (personal), not sales.
    *_cues(
        "personal",
        CLEAR,
        "payroll",
        "won't get paid;will not get paid;wont get paid;won't be paid;will not be paid;"
        "not going to get paid;can't get paid;cannot get paid;can't pay my staff;"
        "can't pay our staff;cannot pay our staff;can't pay my employees;"
        "can't pay our employees;can't pay my team;can't run payroll;cannot run payroll;"
        "payroll failed;payroll is stuck;payroll didn't;payroll won't;payroll is due;"
        "payroll runs;payroll run;didn't get paid;did not get paid;haven't been paid;"
        "have not been paid;wages are late;paychecks are late;paycheck is late",
        "stake",
    ),
    *_cues(
        "personal",
        CLEAR,
        "studies",
        "scholarship;my scholarship;exam;exams;my exam;final exam;midterm;midterms;"
        "my grades;my coursework;my assignment;my dissertation;visa appointment;"
        "visa application;visa interview;student visa;work visa;immigration",
        "stake",
    ),
    *_cues(
        "personal",
        CLEAR,
        "health",
        "hospital;medical;my health;my surgery;surgery tomorrow;my prescription;"
        "my medication;my medicine;insulin;doctor's appointment;doctor appointment;chemo",
        "stake",
    ),
]

NOVICE_CUES: Final[list[Cue]] = _cues(
    "novice",
    CLEAR,
    "novice",
    "not technical;not very technical;not a techie;not tech savvy;not tech-savvy;"
    "not a developer;not a programmer;i'm new to;i am new to;new to this;beginner;newbie;"
    "no idea what;don't know what that means;what does that mean;what is a;what's a;"
    "stupid question;dumb question;i'm not good with;i am not good with;computer illiterate;"
    "where do i find;where do i click;how do i even",
    "novice",
)


class PhraseIndex:
    """Finds cue phrases in a word list in one pass.

    Plain phrases are looked up as word tuples in a dict per phrase length (a handful of
    hash lookups per word); phrases with "#"/"*" (or starting with a number) are matched
    word by word from a bucket keyed by their first word."""

    def __init__(self, cues: list[Cue]) -> None:
        self._plain: dict[tuple[str, ...], list[Cue]] = {}
        self._lengths: dict[str, list[int]] = {}  # first word -> plain lengths, longest first
        self._wild: dict[str, list[Cue]] = {}
        self._numeric: list[Cue] = []
        for cue in cues:
            if cue.words[0] == "#":
                self._numeric.append(cue)
            elif "#" in cue.words or "*" in cue.words:
                self._wild.setdefault(cue.words[0], []).append(cue)
            else:
                self._plain.setdefault(cue.words, []).append(cue)
                lengths = self._lengths.setdefault(cue.words[0], [])
                if len(cue.words) not in lengths:
                    lengths.append(len(cue.words))
        for lengths in self._lengths.values():
            lengths.sort(reverse=True)
        self._firsts = frozenset(self._lengths) | frozenset(self._wild)

    def find(self, ws: list[Word], lows: list[str] | None = None) -> list[tuple[Cue, int, int]]:
        """(cue, first word index, last word index + 1). At each position the longest
        match of each family wins, and matches of one family never overlap; families
        (tone, stake, …) are found independently in the same pass. ``lows`` are the
        words' lower-case forms when the caller has them."""
        if lows is None:
            lows = [w.low for w in ws]
        out: list[tuple[Cue, int, int]] = []
        n = len(lows)
        firsts = self._firsts
        numeric = self._numeric
        free_from: dict[str, int] = {}  # family -> first word index not yet covered
        for i, low in enumerate(lows):
            if low in firsts:
                candidates: list[tuple[Cue, int]] = []
                for k in self._lengths.get(low, ()):
                    if i + k <= n:
                        for cue in self._plain.get(tuple(lows[i : i + k]), ()):
                            candidates.append((cue, k))
                for cue in self._wild.get(low, ()):
                    if i + len(cue.words) <= n and _match(cue.words, lows, i):
                        candidates.append((cue, len(cue.words)))
            elif numeric and (low in FIRST_NUMBER_WORDS or low.isdigit()):
                candidates = [
                    (cue, len(cue.words))
                    for cue in self._numeric
                    if i + len(cue.words) <= n and _match(cue.words, lows, i)
                ]
            else:
                continue
            if len(candidates) > 1:
                candidates.sort(key=_LENGTH, reverse=True)  # stable: longest first
            for cue, k in candidates:
                if free_from.get(cue.family, 0) <= i:
                    out.append((cue, i, i + k))
                    free_from[cue.family] = i + k
        return out


def _is_number(low: str) -> bool:
    return low.isdigit() or low in NUMBER_WORDS


def _match(pattern: tuple[str, ...], lows: list[str], i: int) -> bool:
    for j, p in enumerate(pattern):
        low = lows[i + j]
        if p == low or p == "*" or (p == "#" and _is_number(low)):
            continue
        return False
    return True


# Words before a stake that put it in the past or call it off: "I was going to drop the
# class", "I almost cancelled", "I thought about switching". Looked for within this many
# words before the stake, in the same sentence.
AVERTED_WINDOW: Final = 6
AVERTING: Final[tuple[tuple[str, ...], ...]] = (
    ("was", "going", "to"),
    ("were", "going", "to"),
    ("was", "gonna"),
    ("was", "about", "to"),
    ("was", "ready", "to"),
    ("was", "planning", "to"),
    ("was", "close", "to"),
    ("came", "close", "to"),
    ("almost",),
    ("nearly",),
    ("thought", "about"),
    ("thought", "of"),
    ("considered",),
    ("was", "considering"),
    ("was", "thinking", "of"),
    ("was", "thinking", "about"),
)


# A candidate's length (no lambda: compiled, one keeps its function's variables on the heap).
_LENGTH: Final = operator.itemgetter(1)

# One pass over the words finds tone cues, stakes and novice cues together.
MESSAGE_INDEX: Final = PhraseIndex([*TONE_CUES, *STAKE_CUES, *NOVICE_CUES, *COMPLAINT_CUES])
