"""``check_reply``: the reply coach (F5), a linter for an agent's draft.

Each check returns findings with the draft span that triggered it. Phrase rules share one
word-level matcher (``cues.PhraseIndex``); the thread-aware rules (unanswered questions,
acknowledgement, jargon, wrong details, unreproduced fixes) read the customer's messages
with ``read_message``."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable
from typing import Final

from calmdesk.engine import cues
from calmdesk.engine.reading import read_message
from calmdesk.engine.rules import RULES_BY_CODE, resolve
from calmdesk.engine.text import Word, sentence_spans, words, wordset
from calmdesk.engine.tones import DISTRESSED_TONES
from calmdesk.engine.types import Finding, Reading, Thread

# add(code, start, end, message, suggestion): how each check reports a finding.
_Add = Callable[[str, int, int, str, str], None]

# Drafts are read up to this many characters: an agent reply is never longer, and the
# coach must answer within milliseconds even when pasted a log.
MAX_DRAFT_CHARS: Final = 20_000


def _p(code: str, phrases: str) -> list[cues.Cue]:
    return [cues.Cue(tuple(p.split()), code, 1.0, code) for p in phrases.split(";") if p.strip()]


PHRASES: Final = cues.PhraseIndex(
    [
        *_p(
            "CD101",
            "not our fault;isn't our fault;is not our fault;not my fault;as i already said;"
            "as i said;as i already explained;as i already mentioned;as previously stated;"
            "as stated before;as mentioned before;as i mentioned before;per my last email;"
            "per my previous email;per my last message;we are not responsible;"
            "we're not responsible;not responsible for;works fine on our end;"
            "works on our end;works for me;nothing wrong with our;no one else has reported;"
            "nobody else has reported;you are the only one;you're the only one;"
            "that's not a bug;this is not a bug;we did nothing wrong;not on our side",
        ),
        *_p(
            "CD102",
            "you must have;you should have;you shouldn't have;you failed to;your fault;"
            "you forgot to;user error;you didn't follow;you did not follow;you caused;"
            "you broke;you messed up;because you didn't;because you did not",
        ),
        *_p(
            "CD103",
            "you clearly didn't;you clearly did not;you obviously didn't;you obviously did not;"
            "you clearly;didn't bother;did not bother;if you had read;if you'd read;"
            "did you even read;did you even try;you didn't read;you did not read;you ignored;"
            "rtfm;read the manual;as anyone can see;you just want;you're trying to get",
        ),
        *_p(
            "CD105",
            "obviously;really messed up;messed up;calm down;relax;no big deal;not a big deal;"
            "whatever;deal with it;it is what it is;nothing we can do;nothing i can do;"
            "can't help you;cannot help you;not my problem;not our problem;that's weird;"
            "no offense;simply not possible;that's just how it is;you'll just have to",
        ),
        *_p(
            "CD106",
            "good luck with that;nice try;yeah right;thanks for nothing;as if;what a surprise;"
            "big surprise;oh really;sure you did;congratulations on breaking;"
            "shocking i know;who would have thought",
        ),
        *_p(
            "CD108",
            "we apologize for any inconvenience;we apologise for any inconvenience;"
            "sorry for any inconvenience;your ticket has been;thank you for contacting;"
            "thank you for reaching out;please be advised;we value your business;rest assured;"
            "we regret to inform;do not hesitate to contact;don't hesitate to contact;"
            "your request has been;we have received your;your case number",
        ),
        *_p(
            "ACK",
            "sorry;apologize;apologise;apologies;understand;frustrating;frustration;"
            "i can see;i hear you;that must be;i know how;your patience;i realize;i realise;"
            "hear that;unfortunate;that sounds;i can imagine;must have been;thank you for "
            "letting;thanks for letting;thanks for your patience;appreciate your patience",
        ),
        *_p(
            "FIX",
            "try;please clear;clear your;reinstall;re-install;update to;upgrade to;disable;"
            "should fix;will fix;this fixes;the fix is;to fix this;workaround;restart;"
            "should work;should solve;will solve;should resolve;will resolve",
        ),
    ]
)
# Correcting: a sentence that opens with one of these.
CORRECTING_OPENERS: Final = frozenset({"actually", "technically", "wrong", "incorrect"})
# A hedged guess: a question opening with a hedge, or ending on "will/might … help?".
HEDGES: Final = wordset("maybe perhaps possibly probably")
HEDGED_ENDINGS: Final = (
    ("will", "help"),
    ("might", "help"),
    ("may", "help"),
    ("would", "help"),
    ("could", "help"),
    ("should", "work"),
    ("might", "work"),
    ("will", "work"),
    ("fix", "it"),
    ("should", "help"),
)
# Reactive tone: this many exclamation marks in a row, or capital words in a row.
EXCLAMATION_RUN: Final = re.compile(r"!{2,}|\?!|!\?")
CAPS_MIN_LETTERS: Final = 4
# Product and protocol names written in capitals are names, not shouting. Shorter ones
# ("CSV", "API", "URL", "PDF", "DNS", "SSL") are under CAPS_MIN_LETTERS already.
ACRONYMS: Final = wordset(
    "HTML HTTPS HTTP JSON UUID ASAP FAQS NOTE CSV PDF SMTP IMAP YAML XLSX DOCX JPEG TIFF "
    "OAUTH SAML CNAME CORS REST GDPR HIPAA UNIX ASCII TOTP LDAP VOIP SFTP WIFI NGINX MYSQL "
    "AJAX CSRF ISBN IBAN SWIFT"
)
# An identifier is one unbroken run of these characters ("ERR_SYNC_TIMEOUT", "V4.2.1-RC");
# a capital word inside a run that also holds "_" or a digit is part of a code.
# Looked at most this far either side of the word, so a long unbroken run stays linear.
_IDENTIFIER_RUN: Final = re.compile(r"[\w.\-/]{1,64}")
IDENTIFIER_REACH: Final = 64
JARGON: Final = wordset(
    "dns cname mx ttl ssl tls api endpoint endpoints localhost ftp sftp ssh php css html "
    "json yaml regex cron webhook webhooks payload repository repo deploy redeploy config "
    "sudo terminal cli oauth subdomain htaccess sql mysql database cache dev-tools devtools "
    "console stacktrace traceback debug env var vars uri smtp imap ip cdn nginx apache "
    "kubernetes docker container npm pip git"
)
# Stop words ignored when asking "does the draft talk about the customer's question?".
STOP: Final = wordset(
    "a an the and or but if so to of in on at for with from by is are was were be been "
    "do does did have has had i you we they it this that these those my your our their "
    "me us them can could would should will shall may might must not no yes what why "
    "how when where which who there here just also still any some all about into it's "
    "i'm i've don't can't get got please thanks thank hi hello"
)
# Share of a question's content words the draft must echo to count as addressing it:
# about a third ("change it under Settings" answers "how do I change my email?").
ADDRESSED_SHARE: Final = 0.3
# A request needs this many content words to be checked ("please help" is not concrete).
MIN_REQUEST_WORDS: Final = 2
# Word prefix length used to match "export"/"exporting" (a light stemmer).
STEM: Final = 5
CONTRAST_SETS: Final[tuple[frozenset[str], ...]] = (
    wordset(
        "earthquake hurricane flood fire wildfire tornado storm tsunami blizzard "
        "typhoon cyclone landslide eruption"
    ),
    wordset("monday tuesday wednesday thursday friday saturday sunday"),
    wordset("january february march april june july august september october november december"),
    wordset("windows mac macos linux ubuntu ios android chromeos"),
    wordset("chrome firefox safari edge opera brave"),
    wordset("iphone ipad android pixel galaxy kindle"),
    wordset("paypal stripe visa mastercard amex klarna"),
    wordset("wedding funeral birthday graduation surgery"),
    wordset("mom mother dad father wife husband son daughter brother sister"),
    wordset("yesterday today tomorrow"),
)
GREETINGS: Final = wordset("hi hello dear hey")
# Acknowledgement is expected when the customer's message is at least this intense.
DISTRESS_INTENSITY: Final = 0.5


_BY_PLACE: Final = operator.attrgetter("start", "end", "code")


def check_reply(draft: str, thread: Thread, *, disabled: Iterable[str] = ()) -> list[Finding]:
    """Lint a reply draft against its thread. ``disabled`` takes rule codes or names.
    Findings come sorted by position; spans index ``draft``."""
    if not isinstance(draft, str):
        raise TypeError(f"check_reply reads a str draft, not {type(draft).__name__}")
    findings = _Findings(resolve(list(disabled)))
    add = findings.add
    text = draft[:MAX_DRAFT_CHARS]
    ws = words(text)
    if not ws:
        return []
    lows = [w.low for w in ws]
    sents = sentence_spans(text)
    hits = PHRASES.find(ws)
    customer = [m for m in thread.customer_texts if m.strip()]
    last = _read_thread_message(customer[-1][:MAX_DRAFT_CHARS]) if customer else None
    thread_words = {w.low for m in customer for w in words(m[:MAX_DRAFT_CHARS])}

    seen: set[str] = set()
    for cue, i, j in hits:
        code = cue.label
        s, e = ws[i].start, ws[j - 1].end
        phrase = text[s:e]
        if code == "CD101":
            add(
                code,
                s,
                e,
                f'"{phrase}" defends instead of diagnosing.',
                "Say what you will check or what you found, not whose fault it is.",
            )
        elif code == "CD102" and not _followed_by_seeing(lows, j):
            add(
                code,
                s,
                e,
                f'"{phrase}" blames the customer.',
                "Describe what happened and ask what they did, without judging it.",
            )
        elif code == "CD103":
            add(
                code,
                s,
                e,
                f"\"{phrase}\" assumes they didn't try or didn't care.",
                "Point to the answer kindly; the docs are easy to miss.",
            )
        elif code == "CD105":
            add(
                code,
                s,
                e,
                f'"{phrase}" sounds dismissive.',
                "Acknowledge the problem plainly and say what happens next.",
            )
        elif code == "CD106":
            add(
                code,
                s,
                e,
                f'"{phrase}" reads as sarcasm.',
                "Say it straight: what you will do, or what they can try.",
            )
        elif code == "CD108" and "CD108" not in seen:
            seen.add("CD108")
            if _is_cold(text, lows, thread, thread_words):
                add(
                    code,
                    s,
                    e,
                    "Only canned phrases: no name, nothing of their situation.",
                    "Use their name and say in your words what happened to them.",
                )
    _check_sentences(text, ws, sents, add)
    _check_reactive(text, ws, customer, add)
    if last is not None:
        _check_thread(text, ws, lows, sents, hits, thread, last, thread_words, add)
    found = findings.found
    found.sort(key=_BY_PLACE)
    return found


class _Findings:
    """One check's findings, less the rules switched off. (A class, not a closure:
    compiled, a nested function keeps its enclosing function's variables on the heap.)"""

    def __init__(self, off: frozenset[str]) -> None:
        self.off = off
        self.found: list[Finding] = []

    def add(self, code: str, start: int, end: int, message: str, suggestion: str) -> None:
        if code in self.off:
            return
        rule = RULES_BY_CODE[code]
        self.found.append(Finding(code, rule.name, rule.severity, start, end, message, suggestion))


# A draft is re-checked as the agent types, against the same customer message: its
# reading is kept (it is immutable, so sharing it is safe). 256 threads ≈ a busy inbox.
@functools.lru_cache(maxsize=256)
def _read_thread_message(text: str) -> Reading:
    return read_message(text)


def _followed_by_seeing(lows: list[str], j: int) -> bool:
    """ "you should have received/got/seen …" informs; it does not blame."""
    return j < len(lows) and lows[j] in {
        "received",
        "got",
        "gotten",
        "seen",
        "access",
        "a",
        "an",
        "the",
    }


def _is_cold(text: str, lows: list[str], thread: Thread, thread_words: set[str]) -> bool:
    name = customer_first_name(thread).lower()
    if name and name in lows:
        return False
    content = {w for w in lows if w not in STOP and len(w) > 3}
    own = {w[:STEM] for w in thread_words if w not in STOP and len(w) > 3}
    return not any(w[:STEM] in own for w in content)


def _check_sentences(text: str, ws: list[Word], sents: list[tuple[int, int]], add: _Add) -> None:
    k = 0
    for s, e in sents:
        group: list[str] = []
        while k < len(ws) and ws[k].start < s:
            k += 1
        first = k
        while k < len(ws) and ws[k].end <= e:
            group.append(ws[k].low)
            k += 1
        if not group:
            continue
        chunk = text[s:e]
        if group[0] in CORRECTING_OPENERS:
            add(
                "CD104",
                ws[first].start,
                ws[first].end,
                f'"{text[ws[first].start : ws[first].end]}" corrects the customer.',
                'Ask a clarifying question instead: "To make sure I understand, …?"',
            )
        if chunk.rstrip().endswith("?") and (
            group[0] in HEDGES
            or any(tuple(group[i : i + 2]) in HEDGED_ENDINGS for i in range(len(group) - 1))
        ):
            add(
                "CD109",
                s,
                e,
                "A guess phrased as a question.",
                "Ask a clear question, or give steps you have tested.",
            )


def _check_reactive(text: str, ws: list[Word], customer: list[str], add: _Add) -> None:
    caps = [
        w
        for w in ws
        if w.end - w.start >= CAPS_MIN_LETTERS
        and text[w.start : w.end].isupper()
        and text[w.start : w.end] not in ACRONYMS
        and text[w.start : w.end].isalpha()
        and not _is_identifier(text, w)
        and not _quotes_thread(text[w.start : w.end], customer)
    ]
    if caps:
        w = caps[0]
        add(
            "CD107",
            w.start,
            w.end,
            "Capitals read as shouting.",
            "Write it in lower case; use bold in the editor if a word must stand out.",
        )
    m = EXCLAMATION_RUN.search(text)
    if m:
        add(
            "CD107",
            m.start(),
            m.end(),
            "A run of exclamation marks reads heated.",
            "One full stop will do; let the words carry it.",
        )


def _is_identifier(text: str, w: Word) -> bool:
    """ "SYNC" in "ERR_SYNC_TIMEOUT" or "RC" in "4.2.1-RC": the word's unbroken run of
    word characters, dots, dashes and slashes holds an underscore or a digit."""
    m = _IDENTIFIER_RUN.match(text, _run_start(text, w.start))
    run = m.group() if m else ""
    return "_" in run or any(c.isdigit() for c in run)


def _run_start(text: str, i: int) -> int:
    stop = max(0, i - IDENTIFIER_REACH)
    while i > stop and (text[i - 1].isalnum() or text[i - 1] in "_.-/"):
        i -= 1
    return i


def _quotes_thread(word: str, customer: list[str]) -> bool:
    """A capital word the customer wrote themselves (an error code, a product name) is
    quoted back, not shouted: matched case-sensitively, as a whole word."""
    pattern = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])")
    return any(pattern.search(m) for m in customer)


def _check_thread(
    text: str,
    ws: list[Word],
    lows: list[str],
    sents: list[tuple[int, int]],
    hits: list[tuple[cues.Cue, int, int]],
    thread: Thread,
    last: Reading,
    thread_words: set[str],
    add: _Add,
) -> None:
    draft_stems = {w[:STEM] for w in lows if w not in STOP}
    first_sentence = sents[0] if sents else (0, len(text))
    # CD110 unanswered questions (and requests with something concrete in them)
    for fact in last.facts:
        if fact.kind not in {"question", "request"}:
            continue
        content = [w.low for w in words(fact.text) if w.low not in STOP and len(w.low) > 2]
        if len(content) < (1 if fact.kind == "question" else MIN_REQUEST_WORDS):
            continue
        echoed = sum(1 for w in content if w[:STEM] in draft_stems)
        if echoed / len(content) < ADDRESSED_SHARE:
            verb = "asked" if fact.kind == "question" else "asked for"
            add(
                "CD110",
                0,
                min(len(text), first_sentence[1]),
                f'The customer {verb} "{_clip(fact.text)}" and the draft does not address it.',
                "Answer it, or say when you will know.",
            )
    # CD111 no acknowledgement
    distressed = (
        last.tone in DISTRESSED_TONES and last.intensity >= DISTRESS_INTENSITY
    ) or last.priority in {"high", "urgent"}
    if distressed and not any(c.label == "ACK" for c, _, _ in hits):
        what = last.stakes[0].text if last.stakes else last.tone
        add(
            "CD111",
            first_sentence[0],
            first_sentence[1],
            f"The customer reads {last.tone} ({what}); the draft does not acknowledge it.",
            "Open with one honest sentence about what this costs them.",
        )
    # CD112 jargon for a novice
    if last.is_novice:
        for w in ws:
            if w.low in JARGON and w.low not in thread_words:
                add(
                    "CD112",
                    w.start,
                    w.end,
                    f'"{text[w.start : w.end]}" may be jargon to this customer.',
                    "Say what to click or type, in everyday words.",
                )
                break
    # CD113 wrong details
    _check_wrong_details(text, ws, lows, thread, thread_words, add)
    # CD114 unreproduced fix
    technical = any(
        f.kind in {"error", "error_code", "version", "url"} for f in last.facts
    ) or bool(
        {"error", "crash", "crashes", "crashed", "bug", "broken", "broke", "fails", "failed"}
        & thread_words
    )
    if technical and thread.reproduced != "reproduced":
        for c, i, j in hits:
            if c.label == "FIX":
                s = next((a for a, b in sents if a <= ws[i].start < b), ws[i].start)
                e = next((b for a, b in sents if a <= ws[i].start < b), ws[j - 1].end)
                add(
                    "CD114",
                    s,
                    e,
                    "Proposes a fix for a problem nobody has reproduced yet.",
                    "Reproduce it first (and record it), or say what you tested and how.",
                )
                break


def _check_wrong_details(
    text: str, ws: list[Word], lows: list[str], thread: Thread, thread_words: set[str], add: _Add
) -> None:
    name = customer_first_name(thread)
    for i, w in enumerate(ws[:-1]):
        if w.low in GREETINGS and i < 3:
            nxt = ws[i + 1]
            token = text[nxt.start : nxt.end]
            if (
                name
                and token[:1].isupper()
                and nxt.low != name.lower()
                and nxt.low not in {"there", "team", "all", "everyone", "again"}
            ):
                add(
                    "CD113",
                    nxt.start,
                    nxt.end,
                    f'"{token}" — the customer\'s name is {name}.',
                    f'Write "{name}".',
                )
            break
    for w in ws:
        for group in CONTRAST_SETS:
            if w.low in group and w.low not in thread_words and thread_words & group:
                theirs = sorted(thread_words & group)[0]
                add(
                    "CD113",
                    w.start,
                    w.end,
                    f'"{text[w.start : w.end]}" — the customer wrote "{theirs}".',
                    f'Check the detail against the conversation ("{theirs}"?).',
                )
                break
    thread_numbers = {x for x in thread_words if x.isdigit() and len(x) >= 3}
    for w in ws:
        if w.low.isdigit() and len(w.low) >= 3 and w.low not in thread_numbers:
            close = [
                x for x in thread_numbers if len(x) == len(w.low) and _differs_little(x, w.low)
            ]
            if close:
                add(
                    "CD113",
                    w.start,
                    w.end,
                    f'"{w.low}" — the customer wrote "{close[0]}".',
                    "Copy numbers from the conversation rather than retyping them.",
                )


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
            intro = ws[i].low in {"i'm", "im"} or (
                ws[i].low in {"am", "is"} and i > 0 and ws[i - 1].low in {"i", "name"}
            )
            nxt = text[ws[i + 1].start : ws[i + 1].end]
            if intro and nxt[:1].isupper() and nxt.isalpha() and nxt.lower() not in SIGN_OFFS:
                return nxt
    return ""


# Closing words that are not names, and how far from the end a sign-off is looked for.
SIGN_OFFS: Final = wordset("thanks thank regards cheers best sincerely thx ty sent from i the a")
MAX_SIGN_OFF: Final = 200


def _differs_little(a: str, b: str) -> bool:
    """Same length, at most two positions differ (a typo or a swap, "48213"/"48231")."""
    return sum(x != y for x, y in zip(a, b, strict=True)) <= 2


def _clip(s: str, n: int = 80) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"
