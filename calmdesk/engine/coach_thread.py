"""The coach's rules that compare a draft with the customer's messages: unanswered
questions (CD110), no acknowledgement (CD111), jargon for a novice (CD112), details that
differ (CD113) and unreproduced fixes (CD114). One function per rule (the details, one
per kind of detail); each reads the customer's messages with ``read_message``, kept in a
small cache as the agent types."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Final

from calmdesk.engine import cues
from calmdesk.engine.draft import GREETINGS, NOT_NAMES, STEM, Draft, Findings
from calmdesk.engine.native import ENGINE_DIR
from calmdesk.engine.reading import read_message
from calmdesk.engine.text import Word, words, wordset
from calmdesk.engine.tones import DISTRESSED_TONES
from calmdesk.engine.types import Reading, Thread

# Drafts and messages are read up to this many characters: an agent reply is never
# longer, and the coach must answer within milliseconds even when pasted a log.
MAX_DRAFT_CHARS: Final = 20_000
# Stop words ignored when asking "does the draft talk about the customer's question?".
STOP: Final = wordset(
    "a an the and or but if so to of in on at for with from by is are was were be been "
    "do does did have has had i you we they it this that these those my your our their "
    "me us them can could would should will shall may might must not no yes what why "
    "how when where which who there here just also still any some all about into it's "
    "i'm i've don't can't get got please thanks thank hi hello"
)


def _load_word_list() -> dict[str, str]:
    """``data/jargon.txt`` (built by ``calmdesk engine build-jargon``): word → kind."""
    path = ENGINE_DIR / "data" / "jargon.txt"
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            word, kind = line.split("\t", 1)
            out[word] = kind
    return out


_WORD_LIST: Final = _load_word_list()
# Acronyms of FOLDOC's technical entries ("CNAME", "TTL", "PEM"), matched as written.
JARGON_ACRONYMS: Final = frozenset(w for w, k in _WORD_LIST.items() if k == "acronym")
# FOLDOC's technical terms in lower case ("netmask", "traceroute"): unsure as jargon.
JARGON_TERMS: Final = frozenset(w for w, k in _WORD_LIST.items() if k == "term")
# Every capitalised FOLDOC headword ("ACME", "HTTP"): a name or an acronym, not shouting.
CAPITAL_NAMES: Final = frozenset(w for w, k in _WORD_LIST.items() if k != "term")
# Jargon beyond FOLDOC, from support threads (FOLDOC has no "CDN" or "webhook"): sure.
JARGON: Final = wordset(
    "dns cname mx ttl ssl tls pem cdn api endpoint endpoints localhost ftp sftp ssh php css "
    "html json yaml regex cron webhook webhooks payload repository repo deploy redeploy "
    "config sudo terminal cli oauth subdomain htaccess sql mysql database cache devtools "
    "console stacktrace traceback debug env uri smtp imap ip nginx apache kubernetes "
    "docker container npm pip git dkim spf dmarc csr"
)


def check_thread(d: Draft, thread: Thread, customer: list[str], f: Findings) -> None:
    last = read_thread_message(customer[-1][:MAX_DRAFT_CHARS])
    theirs = frozenset().union(*(message_words(m).lowset for m in customer))
    _check_questions(d, last, f)
    _check_acknowledgement(d, last, f)
    _check_jargon(d, customer, theirs, f)
    _check_name(d, thread, f)
    _check_contrasts(d, theirs, f)
    _check_numbers(d, theirs, [c for m in customer for c in message_words(m).codes], f)
    joined = "\n".join(customer)
    _check_plans(d, joined, theirs, f)
    _check_amounts(d, joined, f)
    _check_dates(d, joined, f)
    _check_fix(d, thread, last, theirs, f)


# A draft is re-checked as the agent types, against the same customer messages: their
# readings are kept (immutable, so sharing them is safe). 256 messages ≈ a busy inbox.
@functools.lru_cache(maxsize=256)
def read_thread_message(text: str) -> Reading:
    return read_message(text)


class MessageWords:
    """What the rules look up in one customer message, read once: its words (lower
    case), their stems, the codes and numbers in it, whether it says the customer is new
    to this or how they feel in so many words."""

    def __init__(self, text: str) -> None:
        ws = words(text[:MAX_DRAFT_CHARS])
        self.lowset = frozenset(w.low for w in ws)
        self.stems = frozenset(
            w[:STEM] for w in self.lowset if w not in STOP and len(w) > STEM_MIN_WORD
        )
        self.codes = [w for w in self.lowset if _is_code(w)]
        self.novice = bool(NOVICE_PHRASES.find(ws))
        # In words ("the worst", "so much trouble"), or only by marks ("!!!", "😡").
        self.complains = (
            bool(self.lowset & COMPLAINT_WORDS)
            or bool(COMPLAINT_PHRASES.find(ws))
            or STARRED.search(text) is not None
        )
        self.marks = any(m in text for m in COMPLAINT_MARKS)
        lows = [w.low for w in ws]
        self.fix_failed = any(_fix_failed(lows, i, j) for _, i, j in FIX_FAILED.find(ws, lows))


# Words longer than this count as a message's own words (CD108).
STEM_MIN_WORD: Final = 3


@functools.lru_cache(maxsize=256)
def message_words(text: str) -> MessageWords:
    return MessageWords(text)


# ---- CD110 unanswered question ------------------------------------------------------

# Share of a question's content words the draft must echo to count as addressing it:
# about a third ("change it under Settings" answers "how do I change my email?").
ADDRESSED_SHARE: Final = 0.3
# A request needs this many content words to be checked ("please help" is not concrete).
MIN_REQUEST_WORDS: Final = 2
# Two of a long question's words in the draft address it ("is there a lounge in Schiphol
# I can use?" → "we have a lounge in Amsterdam").
ECHOED_ENOUGH: Final = 2
# One word of a question this long said back is its topic ("Xbox"), not an answer.
LONG_QUESTION: Final = 4
# The kinds of answer the coach can see in a draft; a reason, a person or "what about
# India?" may be answered in any words, so a miss there is unsure.
SURE_KINDS: Final = frozenset({"time", "place", "amount", "steps", "yesno"})
# Questions that are not asked to be answered: a complaint ("Is being blind part of the
# job-spec?"), an exclamation ("what is this insanity?!"), small talk ("how are you?").
RHETORICAL_WORDS: Final = wordset(
    "wtf hell damn damned fuck fucking fucked shit shitty crap crappy stupid idiot idiots "
    "ridiculous insane insanity joke joking kidding seriously dumb pathetic bs lol lmao "
    "smh ffs jeez spec job-spec obviously"
)
RHETORICAL_OPENERS: Final = frozenset(
    {
        ("is", "being"),
        ("are", "you", "serious"),
        ("are", "you", "kidding"),
        ("are", "you", "joking"),
        ("do", "you", "even"),
        ("do", "you", "really"),
        ("how", "hard"),
        ("how", "difficult"),
        ("what's", "the", "point"),
        ("whats", "the", "point"),
        ("what", "is", "the"),
        ("who", "does"),
        ("why", "bother"),
        ("how", "dare"),
        ("really",),
        ("seriously",),
        ("is", "this", "how"),
        ("is", "that", "how"),
        ("what", "kind", "of"),
        ("how", "are", "you"),
        ("how's", "it", "going"),
        ("you", "know"),
        ("right",),
    }
)
# "#whypayprime?": a hashtag asks nobody.
_HASHTAG_QUESTION: Final = re.compile(r"#\w+\s*\?")
FILLERS: Final = wordset("so and but also ok okay well oh hi hey then um uh now sorry just")
AUX: Final = wordset(
    "do does did is are was were can could will would should shall have has had may might "
    "am isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't"
)
# The kind of answer a question wants, told by how it opens.
KIND_OPENERS: Final[dict[tuple[str, ...], str]] = {
    ("when",): "time",
    ("what", "time"): "time",
    ("how", "long"): "time",
    ("how", "soon"): "time",
    ("where",): "place",
    ("where's",): "place",
    ("how", "much"): "amount",
    ("how", "many"): "amount",
    # "how heavy is it?" wants a measure: "just over 15kgs".
    ("how", "heavy"): "amount",
    ("how", "big"): "amount",
    ("how", "far"): "amount",
    ("how", "old"): "amount",
    ("how", "fast"): "amount",
    ("why",): "reason",
    ("how", "come"): "reason",
    ("who",): "person",
    ("how",): "steps",
}
TIME_WORDS: Final = wordset(
    "today tomorrow tonight yesterday soon immediately instantly now shortly minute minutes "
    "hour hours day days week weeks month months year once until till within later yet "
    "asap morning afternoon evening midnight noon already currently monday tuesday "
    "wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december am pm hrs mins weekend date"
)
PLACE_WORDS: Final = wordset(
    "settings setting menu page site website app store shop branch counter desk gate "
    "terminal airport station online located location nearest near address tab section "
    "profile portal under link"
)
AMOUNT_WORDS: Final = wordset("free charge charged cost costs price fee fees refund credit")
STEP_VERBS: Final = wordset(
    "go open tap click select choose visit head use try enter type turn restart reinstall "
    "update sign log check follow press swipe navigate install download delete remove "
    "clear reset contact call add set change just simply first"
)
REASON_WORDS: Final = wordset(
    "because due since caused cause causing reason reasons means result outage known "
    "expected design policy maintenance issue"
)
YES_NO_WORDS: Final = wordset(
    "yes yep yeah yup no nope not unfortunately sadly can't cannot won't don't doesn't "
    "isn't aren't wasn't able unable possible only correct incorrect sure absolutely "
    "definitely course indeed true exactly"
)
# A reason given answers a yes or no: "Did you remove the soundtrack?" → "content gets
# removed because of licensing changes".
BECAUSE: Final = wordset("because due caused reason")
PERSON_WORDS: Final = wordset("team agent someone manager specialist colleague staff crew")
# Words after which a draft's verb mirrors the question's ("will I get …?" → "you get").
ANSWER_SUBJECTS: Final = wordset(
    "you you'll you'd you're it it'll it's they they'll we we'll we're will can i i'll"
)
# A subject and its verb in one word: a statement that answers.
SUBJECT_AUX: Final = wordset("you'll you're you've you'd it'll it's that's there's they're they'll")
# A question's modal said back answers it ("can I carry it?" → "so it can be carried").
MODALS: Final = wordset("can can't will won't could should would may might must")
# Subjects whose statement answers a yes/no question ("you can", "it will"; not "I am").
STATEMENT_SUBJECTS: Final = wordset("you it they there that this")
_URL: Final = re.compile(r"https?://|www\.|\.com\b|t\.co/")
_CLOCK: Final = re.compile(r"\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m|p\.m)|\d{1,2}:\d{2}", re.I)


def _check_questions(d: Draft, last: Reading, f: Findings) -> None:
    """CD110, for each question and concrete request of the customer's last message.
    When the draft answers one of them, the others it misses are unsure."""
    if not last.language_supported:
        return
    missed: list[tuple[int, int, dict[str, str], str, bool]] = []
    answered = False
    stated: frozenset[str] | None = None
    for fact in last.facts:
        if fact.kind not in {"question", "request"}:
            continue
        qlows = [w.low for w in words(fact.text)]
        content = [w for w in qlows if w not in STOP and len(w) > 2]
        request = fact.kind == "request"
        if len(content) < (MIN_REQUEST_WORDS if request else 1) or _rhetorical(fact.text, qlows):
            continue
        if stated is None:
            stated = _stated_stems(d)
        echoed = sum(1 for w in content if w[:STEM] in stated)
        kind = _kind(qlows)
        if (
            echoed / len(content) >= ADDRESSED_SHARE
            or echoed >= ECHOED_ENOUGH
            or "NEXT" in d.labels
            or ANSWERS[kind](d, qlows)
        ):
            answered = True
            continue
        # Sure only of a plain question (a mark, an answer of a kind the coach can see)
        # of which the draft says not one word, and which it does not answer with one.
        sure = (
            not request
            and not _asks_a_favour(qlows)
            and kind in SURE_KINDS
            and "?" in fact.text
            and (echoed == 0 or (echoed == 1 and len(content) >= LONG_QUESTION))
            and len(content) >= MIN_REQUEST_WORDS
            and "?" not in d.text
        )
        s, e = _topic_span(d, content)
        missed.append((s, e, {"question": _clip(fact.text)}, "request" if request else "", sure))
    for s, e, fields, variant, sure in missed:
        f.add("CD110", s, e, fields, variant=variant, sure=sure and not answered)


def _stated_stems(d: Draft) -> frozenset[str]:
    """The stems of the draft's statements: a question's words echoed in a question back
    ("Which game is it?") or in an offer on a condition ("If you need help with this game
    on Xbox One, we'd be happy to help!") do not answer it (seen on the tuning half)."""
    out: set[str] = set()
    k = 0
    ws, text = d.ws, d.text
    for s, e in d.sents:
        while k < len(ws) and ws[k].start < s:
            k += 1
        first = k
        while k < len(ws) and ws[k].end <= e:
            k += 1
        if text[s:e].rstrip().endswith("?") or (first < k and ws[first].low in CONDITIONS):
            continue
        out.update(w.low[:STEM] for w in ws[first:k])
    return frozenset(out)


CONDITIONS: Final = wordset("if")


# "Can you let me know their response?", "could you check my order?": a request worded
# as a question; the draft may do it rather than say yes (unsure, like a request).
FAVOUR_OPENERS: Final = frozenset(
    {
        ("can", "you"),
        ("could", "you"),
        ("would", "you"),
        ("will", "you"),
        ("can", "u"),
        # Asking leave after a condition ("If I get 500 RTs, can I have Premium free?"),
        # as the reading counts it when it opens the question.
        ("can", "i"),
        ("could", "i"),
        ("may", "i"),
        ("can", "we"),
        ("could", "we"),
    }
)


def _asks_a_favour(qlows: list[str]) -> bool:
    k = _clause_start(qlows)
    return tuple(qlows[k : k + 2]) in FAVOUR_OPENERS


def _rhetorical(text: str, qlows: list[str]) -> bool:
    k = 0
    while k < len(qlows) - 1 and qlows[k] in FILLERS:
        k += 1
    opening = qlows[k : k + 3]
    return (
        "?!" in text
        or "!?" in text
        or "??" in text
        or _HASHTAG_QUESTION.search(text) is not None
        or any(w in RHETORICAL_WORDS for w in qlows)
        or any(tuple(opening[:n]) in RHETORICAL_OPENERS for n in (1, 2, 3))
        or "part of the job" in " ".join(qlows)
    )


def _clause_start(qlows: list[str]) -> int:
    """Where the question's main clause opens: after fillers ("so", "ok"), and after a
    condition ("If I reinstall the game, will my progress still be there?")."""
    k = 0
    while k < len(qlows) - 1 and qlows[k] in FILLERS:
        k += 1
    if qlows[k : k + 1] == ["if"]:
        for j in range(k + 2, min(len(qlows) - 1, k + CONDITION_REACH)):
            if qlows[j] in AUX and qlows[j + 1] in CLAUSE_SUBJECTS:
                return j
    return k


def _kind(qlows: list[str]) -> str:
    """What the question wants: a time, a place, an amount, steps, a reason, a person, a
    yes or no, or something ("open")."""
    k = _clause_start(qlows)
    if qlows[k : k + 1] and qlows[k] in AUX:
        # "Do you know how heavy it is?", "can you tell me where…": the inner question.
        for j in range(k + 1, min(len(qlows) - 1, k + EMBEDDED_REACH)):
            if qlows[j] in WH:
                k = j
                break
    opening = qlows[k : k + 2]
    kind = KIND_OPENERS.get(tuple(opening)) or KIND_OPENERS.get(tuple(opening[:1]))
    if kind is not None:
        return kind
    return "yesno" if opening and opening[0] in AUX else "open"


# How far into a question opening with "if" its main clause is looked for, and the words
# that open that clause's subject.
CONDITION_REACH: Final = 20
CLAUSE_SUBJECTS: Final = wordset("i you we it they my your our the this that there he she")
# How far into an auxiliary's question an inner question word is looked for.
EMBEDDED_REACH: Final = 5
WH: Final = wordset("when where where's why how who what which")


def _answers_time(d: Draft, qlows: list[str]) -> bool:
    return bool(d.lowset & TIME_WORDS) or bool(_CLOCK.search(d.text))


def _answers_place(d: Draft, qlows: list[str]) -> bool:
    return bool(d.lowset & PLACE_WORDS) or bool(_URL.search(d.text))


def _answers_amount(d: Draft, qlows: list[str]) -> bool:
    return bool(d.lowset & AMOUNT_WORDS) or any(c.isdigit() or c in "$£€" for c in d.text)


def _answers_steps(d: Draft, qlows: list[str]) -> bool:
    """Steps: a sentence opening with a verb ("Open Settings…"), "you can …", or a link."""
    if _URL.search(d.text) or " you can " in f" {' '.join(d.lows)} ":
        return True
    return any(d.lows[k] in STEP_VERBS for k in d.starts)


def _answers_reason(d: Draft, qlows: list[str]) -> bool:
    return bool(d.lowset & REASON_WORDS)


def _answers_person(d: Draft, qlows: list[str]) -> bool:
    return bool(d.lowset & PERSON_WORDS)


def _answers_yes_no(d: Draft, qlows: list[str]) -> bool:
    """A yes or no; a statement ("you can still travel", "it's up to you"); or the
    question's verb said back ("will I get it…?" → "you get it")."""
    if d.lowset & (YES_NO_WORDS | SUBJECT_AUX | BECAUSE):
        return True
    lows = d.lows
    said = {lows[k + 1] for k in range(len(lows) - 1) if lows[k] in ANSWER_SUBJECTS}
    stated = {lows[k + 1] for k in range(len(lows) - 1) if lows[k] in STATEMENT_SUBJECTS}
    modal = {w for w in qlows if w in MODALS}
    return bool(stated & AUX or modal & d.lowset) or any(w in said for w in qlows)


def _answers_open(d: Draft, qlows: list[str]) -> bool:
    return False


ANSWERS: Final[dict[str, Callable[[Draft, list[str]], bool]]] = {
    "time": _answers_time,
    "place": _answers_place,
    "amount": _answers_amount,
    "steps": _answers_steps,
    "reason": _answers_reason,
    "person": _answers_person,
    "yesno": _answers_yes_no,
    "open": _answers_open,
}


def _topic_span(d: Draft, content: list[str]) -> tuple[int, int]:
    """The draft sentence closest to the question's topic (most of its words), else the
    first one after the greeting: never the greeting itself."""
    stems = {w[:STEM] for w in content}
    best, best_score = d.first_sentence(), 0
    for s, e in d.sents:
        if e <= d.body:
            continue
        score = sum(1 for w in words(d.text[s:e]) if w.low[:STEM] in stems)
        if score > best_score:
            best, best_score = (max(s, d.body), e), score
    return best


# ---- CD111 no acknowledgement ------------------------------------------------------

# Acknowledgement is expected when the customer's message is at least this intense.
DISTRESS_INTENSITY: Final = 0.5
# The coach is sure it was needed when the customer says it in so many words: "Nope,
# still the same" reads frustrated, yet a lead would not ask for an apology there (seen
# on the tuning half); "so disappointed", "the worst", "😡" would.
COMPLAINT_WORDS: Final = wordset(
    "disappointed disappointing disappointment terrible worst useless ridiculous awful "
    "horrible unacceptable sucks crying upset furious livid fuming disgusted disgusting "
    "pathetic appalling outrageous stealing stole scam fraud wtf rubbish incompetent "
    "ruined unbelievable insanity insane fuck fucked fucking crazy dumb dumbest idiot idiots "
    "moron morons fools horrifying horrific nightmare shambles disgrace joke rude inept "
    "ineptness inadequate ugh lied lying crooks crook crapped pissed "
    # Something bad happened to them, not only to their order.
    "accident injured threatened harassed assaulted unsafe scared terrified"
)
COMPLAINT_MARKS: Final = ("!!!", "???", "😡", "🤬", "😠", "😤", "😭")
# Swearing with its letters starred out is swearing all the same.
STARRED: Final = re.compile(r"\b[A-Za-z]\*{2,}(?:[A-Za-z]\b)?")
GLAD_TONES: Final = frozenset({"grateful", "positive"})
# How customers complain in more than one word ("so much trouble", "thanks for nothing").
COMPLAINT_TEXT: Final = (
    "so much trouble;don't care;do not care;doesn't care;no help;waste of time;"
    "waste of money;fed up;sick of;tired of;had enough;never again;not happy;not impressed;"
    "thanks for nothing;ripped off;rip off;no one seems to care;nobody seems to care;"
    "no one cares;nobody cares;similar complaints;what i pay for;what i'm paying for;"
    "done with you;i'm done with;i am done with"
)
COMPLAINT_PHRASES: Final = cues.PhraseIndex(
    [
        cues.Cue(tuple(p.split()), "complaint", 1.0, "complaint", "complaint")
        for p in COMPLAINT_TEXT.split(";")
    ]
)


# The customer says what they tried did not help: a reply that goes on to the next step
# (or asks for a DM) without a word for their trouble reads cold (seen on the tuning
# half's labelled replies: "Followed all the steps - still no change :(" → "Hmm. Can you
# DM us…"). Phrases of a failed fix, in their own words.
FIX_FAILED_TEXT: Final = (
    "didn't work;did not work;didnt work;doesn't work;didn't help;did not help;didnt help;"
    "doesn't help;no help;no luck;no joy;no change;no difference;nothing changed;"
    "nothing has changed;still the same;same problem;same issue;same error;same result;"
    "still not;still no;still doesn't;still does not;still can't;still cannot;still won't;"
    "still crashes;still having;still getting;still happening;still there;still broken;"
    "tried everything;tried all;already tried;already did;already done;already have;"
    "already uninstalled;already reinstalled;already restarted;followed all;"
    "followed the steps;to no avail;didn't fix;did not fix;not fixed;"
    # The trouble back, or never gone ("Nope, still", "issue persists", "keeps happening").
    "nope still;persists;hasn't gone away;has not gone away;keeps happening;"
    "keeps doing it;still happens;still have problems;still have issues;still have the;"
    "issue again;problem again;started again;starts again;happening again;"
    "don't help;do not help;reinstalled too;uninstalled and reinstalled;"
    # Help already asked for, elsewhere or before: the same trouble over again.
    "already contacted;already called;already messaged;already emailed;already reached;"
    "already spoke;already spoken;already asked;multiple times;several times;many times;"
    "every day about;call every day;called every day;"
    # Waiting on them, or help that did not help ("talked to a supervisor with no
    # assistance", "No one will get back to me").
    "no assistance;won't help;wont help;no one will get back;nobody will get back;"
    "get back to me on;still waiting;no response;no reply;haven't heard back;"
    "never heard back;not heard back;no one is able to help;nobody is able to help;"
    "no one can help;nobody can help;zero resolution;no resolution"
)
FIX_FAILED: Final = cues.PhraseIndex(
    [
        cues.Cue(tuple(p.split()), "fix failed", 1.0, "fix failed", "fix failed")
        for p in FIX_FAILED_TEXT.split(";")
    ]
)


# "I'm having exactly the same problem" (as someone else), "nothing has changed on my
# end" (they changed nothing): not a fix that failed (seen on the tuning half).
SAME_AS_OTHERS: Final = wordset("having had has exactly")
MY_SIDE: Final = (("on", "my", "end"), ("on", "my", "side"), ("at", "my", "end"))


def _fix_failed(lows: list[str], i: int, j: int) -> bool:
    if lows[i] == "same":
        before = [w for w in lows[max(0, i - 3) : i] if w not in {"the", "exact"}]
        if before and before[-1] in SAME_AS_OTHERS:
            return False
    return tuple(lows[j : j + 3]) not in MY_SIDE


def _check_acknowledgement(d: Draft, last: Reading, f: Findings) -> None:
    owns = "OWN" in d.labels
    thanks = _thanks_them(d)
    if not (owns or thanks) and _check_failed_fix(d, last, f):
        return
    upset = last.tone in DISTRESSED_TONES
    theirs = message_words(last.text)
    # Words of complaint ("what is this insanity?!", "the worlds dumbest driver") need
    # acknowledging whatever the tone; marks alone do unless the message reads glad
    # ("Can't wait!!!", "😭😭 thanks for your help!").
    said = theirs.complains
    shouts = theirs.marks and last.tone not in GLAD_TONES
    distressed = (
        (upset and last.intensity >= DISTRESS_INTENSITY)
        or last.priority in {"high", "urgent"}
        or said
        or shouts
    )
    if not distressed or owns or "ACK" in d.labels:
        return
    # To "the worst driver ever" or "y'all f***ed up", "Here to help!" and "Thanks for
    # your patience" are procedure: only an apology or a word of empathy acknowledges it
    # (seen on the tuning half's labelled replies). Else an offer to help will do.
    if not (said or shouts) and ("OFFER" in d.labels or thanks):
        return
    at_stake = bool(last.stakes) and last.priority in {"high", "urgent"}
    # They said it in so many words: sure whatever the reading's tone ("what is this
    # insanity?!" reads neutral).
    # Or they read upset and it is at stake, or they shout it ("What!!! Why did I get
    # this then!", "😡").
    sure = last.language_supported and (
        said or (upset and not last.is_unsure and (at_stake or theirs.marks))
    )
    what = last.stakes[0].text if last.stakes else last.tone
    s, e = d.first_sentence()
    f.add("CD111", s, e, {"tone": last.tone, "what": what}, sure=sure)


def _thanks_them(d: Draft) -> bool:
    """ "Thanks for trying", "we appreciate it": thanks for something they did; "thanks
    for your patience" is not, nor thanks for writing in ("Thanks for tweeting us about
    this!", "thanks for reaching out", "we appreciate your feedback"): that thanks anyone
    for anything (seen on the tuning half)."""
    return any(c.label == "THANKS" and not _canned_thanks(d.lows, j) for c, _, j in d.hits)


# What follows "thanks for" or "appreciate" when it thanks them for writing in.
CANNED_THANKS: Final = wordset(
    "reaching contacting tweeting writing messaging getting dropping sending following "
    "patience feedback message tweet note"
)


def _canned_thanks(lows: list[str], j: int) -> bool:
    nxt = lows[j : j + 2]
    if nxt[:1] and nxt[0] in {"your", "the", "all"}:
        nxt = nxt[1:]
    return bool(nxt) and nxt[0] in CANNED_THANKS


def _check_failed_fix(d: Draft, last: Reading, f: Findings) -> bool:
    """CD111 for a reply to "I already did that, still not working" that neither owns
    the trouble nor thanks them for it; True when it reported one. Always sure: on the
    tuning half's 297 labelled replies, being sure only with a sad face or "!" caught 7
    cold replies of the 22, with no false alarm of its own; always, 11, with three (a
    lead asks for a word for their trouble either way)."""
    if not message_words(last.text).fix_failed:
        return False
    s, e = d.first_sentence()
    f.add("CD111", s, e, {"tone": last.tone, "what": "a fix that did not help"}, sure=True)
    return True


# ---- CD112 jargon for a novice -----------------------------------------------------


def _check_jargon(d: Draft, customer: list[str], theirs: frozenset[str], f: Findings) -> None:
    """Reads every customer message for a novice cue ("I'm not a technical person" two
    messages ago counts), then the draft for one word of jargon they did not use."""
    if not any(_is_novice(m[:MAX_DRAFT_CHARS]) for m in customer):
        return
    for w in d.ws:
        if w.low in theirs:
            continue
        token = d.text[w.start : w.end]
        sure = token in JARGON_ACRONYMS or w.low in JARGON
        if sure or w.low in JARGON_TERMS:
            why = "the customer says they are new to this"
            f.add("CD112", w.start, w.end, {"phrase": token, "why": why}, sure=sure)
            return


# How customers say they are new to this, beyond the reading's novice cues.
NOVICE_TEXT: Final = (
    "not a technical person;not a tech person;not very good with computers;"
    "not good with computers;not good with technology;not great with computers;"
    "not a computer person;not computer savvy;no good with computers;"
    "don't understand computers;not very techy;not techy;i'm a beginner;"
    "not an it person;no technical knowledge;not technically minded"
)
NOVICE_PHRASES: Final = cues.PhraseIndex(
    [cues.Cue(tuple(p.split()), "novice", 1.0, "novice", "novice") for p in NOVICE_TEXT.split(";")]
)


def _is_novice(text: str) -> bool:
    return message_words(text).novice or read_thread_message(text).is_novice


# ---- CD113 details that differ ----------------------------------------------------

# Words of one kind: the draft naming one the customer did not, when they named another.
# Sure for events and people; unsure for days, platforms and payment (an agent may well
# suggest another browser or a day for the fix).
CONTRAST_SETS: Final[tuple[tuple[frozenset[str], bool], ...]] = (
    (
        wordset(
            "earthquake hurricane flood fire wildfire tornado storm tsunami blizzard "
            "typhoon cyclone landslide eruption"
        ),
        True,
    ),
    (wordset("wedding funeral birthday graduation surgery"), True),
    (wordset("mom mother dad father wife husband son daughter brother sister"), True),
    (wordset("monday tuesday wednesday thursday friday saturday sunday"), False),
    (
        wordset(
            "january february march april june july august september october november december"
        ),
        False,
    ),
    (wordset("windows mac macos linux ubuntu ios android chromeos"), False),
    (wordset("chrome firefox safari edge opera brave"), False),
    (wordset("iphone ipad android pixel galaxy kindle"), False),
    (wordset("paypal stripe visa mastercard amex klarna"), False),
    (wordset("yesterday today tomorrow"), False),
)


def _check_name(d: Draft, thread: Thread, f: Findings) -> None:
    """ "Hi Adam" to Adan. Unsure when the name was read from a signature, not given."""
    name = customer_first_name(thread)
    if not name:
        return
    ws, text = d.ws, d.text
    for i in range(min(3, len(ws) - 1)):
        if ws[i].low in GREETINGS:
            nxt = ws[i + 1]
            token = text[nxt.start : nxt.end]
            if token[:1].isupper() and nxt.low != name.lower() and nxt.low not in NOT_NAMES:
                sure = bool(thread.customer_name.strip())
                fields = {"phrase": token, "name": name}
                f.add("CD113", nxt.start, nxt.end, fields, variant="name", sure=sure)
            return


def _check_contrasts(d: Draft, theirs: frozenset[str], f: Findings) -> None:
    for w in d.ws:
        for group, sure in CONTRAST_SETS:
            if w.low in group and w.low not in theirs and theirs & group:
                said = sorted(theirs & group)[0]
                fields = {"phrase": d.text[w.start : w.end], "theirs": said}
                f.add("CD113", w.start, w.end, fields, sure=sure)
                break


def _check_numbers(d: Draft, theirs: frozenset[str], codes: list[str], f: Findings) -> None:
    """Order numbers and codes retyped with a slip ("48231" for "48213", "YIU8NN")."""
    if not codes:
        return
    for w in d.ws:
        if w.low in theirs or not _is_code(w.low):
            continue
        close = sorted(x for x in codes if len(x) == len(w.low) and _differs_little(x, w.low))
        if close:
            fields = {"phrase": d.text[w.start : w.end], "theirs": close[0]}
            f.add("CD113", w.start, w.end, fields, variant="number")


# Order numbers and codes have at least this many characters ("123" or "AB12").
MIN_CODE: Final = 3
MIN_MIXED_CODE: Final = 5
# A year is not a code: "2018" to a customer who wrote "2017" is usually right.
_YEAR: Final = re.compile(r"(?:19|20)\d\d")


def _is_code(word: str) -> bool:
    """ "48213", "YIU8NM": digits only (3 or more, not the "000" of "2,000"), or letters
    and digits mixed, 5 or more ("10k" is an amount)."""
    if not any(c.isdigit() for c in word) or _YEAR.fullmatch(word) is not None:
        return False
    if word.isdigit():
        return len(word) >= MIN_CODE and word.strip("0") != ""
    return len(word) >= MIN_MIXED_CODE


_PLAN: Final = re.compile(
    r"\b([A-Za-z][\w+\-]{1,20})\s+(?:plan|tier|package|membership|subscription|bundle)\b",
    re.I,
)
# Words before "plan" that do not name one ("your plan", "a new plan").
NOT_PLAN_NAMES: Final = wordset(
    "your my our the a an this that new current old same monthly annual yearly different "
    "other any every which data phone payment one their his her its family's whole"
)


def _plans(text: str) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for m in _PLAN.finditer(text):
        name = m.group(1).lower()
        if name not in NOT_PLAN_NAMES:
            out.setdefault(name, m.span(1))
    return out


def _check_plans(d: Draft, joined: str, theirs: frozenset[str], f: Findings) -> None:
    """ "Premium plan" to a customer on the "Pro plan"."""
    named = _plans(joined)
    if not named:
        return
    for name, (s, e) in _plans(d.text).items():
        if name not in named and name not in theirs:
            said = sorted(named)[0]
            f.add("CD113", s, e, {"phrase": d.text[s:e], "theirs": said.capitalize()})


_AMOUNT: Final = re.compile(r"([$£€])\s?(\d[\d,]*(?:\.\d{1,2})?)")


def _check_amounts(d: Draft, joined: str, f: Findings) -> None:
    """ "$59" to a customer who pays "$49": a price retyped with a slip (same currency,
    same number of digits, one or two differ). Other amounts (a refund, a fee) pass."""
    said = {(m.group(1), m.group(2).replace(",", "")) for m in _AMOUNT.finditer(joined)}
    if not said:
        return
    for m in _AMOUNT.finditer(d.text):
        cur, value = m.group(1), m.group(2).replace(",", "")
        if (cur, value) in said:
            continue
        close = sorted(
            v for c, v in said if c == cur and len(v) == len(value) and _differs_little(v, value)
        )
        if close:
            fields = {"phrase": m.group(), "theirs": cur + close[0]}
            f.add("CD113", m.start(), m.end(), fields, variant="number")


_MONTHS: Final = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_DATE: Final = re.compile(
    rf"\b(?P<m1>{_MONTHS})[a-z]{{0,6}}\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTHS})[a-z]{{0,6}}\b",
    re.I,
)


def _dates(text: str) -> list[tuple[str, str, int, int]]:
    """(month, day, start, end) of each "March 3" / "3rd of March" in ``text``."""
    out = []
    for m in _DATE.finditer(text):
        month = (m.group("m1") or m.group("m2") or "").lower()
        day = m.group("d1") or m.group("d2") or ""
        out.append((month, day.lstrip("0"), m.start(), m.end()))
    return out


def _check_dates(d: Draft, joined: str, f: Findings) -> None:
    """ "March 5" to a customer who wrote "March 3": same month, another day."""
    said = {(mo, day): joined[s:e] for mo, day, s, e in _dates(joined)}
    if not said:
        return
    for month, day, s, e in _dates(d.text):
        if (month, day) in said:
            continue
        same_month = sorted(v for (mo, _), v in said.items() if mo == month)
        if same_month:
            f.add("CD113", s, e, {"phrase": d.text[s:e], "theirs": same_month[0]})


# ---- CD114 unreproduced fix --------------------------------------------------------

BROKEN_WORDS: Final = wordset("error crash crashes crashed bug broken broke fails failed")


def _check_fix(
    d: Draft, thread: Thread, last: Reading, theirs: frozenset[str], f: Findings
) -> None:
    """A fix offered for a technical problem nobody has reproduced: sure when the draft
    claims it works ("that should fix it"), unsure when it suggests a try."""
    if thread.reproduced == "reproduced":
        return
    technical = any(
        x.kind in {"error", "error_code", "version", "url"} for x in last.facts
    ) or bool(BROKEN_WORDS & theirs)
    if not technical:
        return
    for c, i, _ in d.hits:
        if c.label == "FIX":
            s, e = d.sentence_of(d.ws[i].start)
            f.add("CD114", s, e, sure="FIX_CLAIM" in d.labels)
            return


# ---- the customer's name -----------------------------------------------------------


def customer_first_name(thread: Thread) -> str:
    """The customer's first name: from the thread, else from how they introduce or sign
    themselves ("I'm Adan", "my name is Adan", a last line "Adan" or "Adan Ruiz")."""
    if thread.customer_name.strip():
        return thread.customer_name.split()[0]
    for text in reversed(thread.customer_texts):
        lines = [ln.strip(" ,.-") for ln in text[-MAX_SIGN_OFF:].splitlines() if ln.strip()]
        if lines and 1 <= len(lines[-1].split()) <= 2 and len(lines) > 1:
            first = lines[-1].split()[0]
            if first[:1].isupper() and first.isalpha() and first.lower() not in SIGN_OFFS:
                return first
        ws = words(text[:MAX_DRAFT_CHARS])
        for i in range(len(ws) - 1):
            if _introduces(ws, i):
                nxt = text[ws[i + 1].start : ws[i + 1].end]
                if nxt[:1].isupper() and nxt.isalpha() and nxt.lower() not in SIGN_OFFS:
                    return nxt
    return ""


def _introduces(ws: list[Word], i: int) -> bool:
    """ "I'm …", "I am …", "my name is …"."""
    return ws[i].low in {"i'm", "im"} or (
        ws[i].low in {"am", "is"} and i > 0 and ws[i - 1].low in {"i", "name"}
    )


# Closing words that are not names, and how far from the end a sign-off is looked for.
SIGN_OFFS: Final = wordset("thanks thank regards cheers best sincerely thx ty sent from i the a")
MAX_SIGN_OFF: Final = 200


def _differs_little(a: str, b: str) -> bool:
    """Same length, at most two positions differ (a typo or a swap, "48213"/"48231")."""
    return sum(x != y for x, y in zip(a, b, strict=True)) <= 2


def _clip(s: str, n: int = 80) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"
