"""``check_reply``: the reply coach (F5), a linter for an agent's draft.

Each check returns findings with the draft span that triggered it, worded from the rule
table (``rules.py``). This module holds the rules that read the draft alone: phrases
(one word-level matcher, ``cues.PhraseIndex``), sentences and capitals. The rules that
compare the draft with the customer's messages are in ``coach_thread.py``.

Severity follows confidence: a finding the coach is sure of takes its rule's severity; one
it is unsure of (a word that is often innocent, one capital word) is ``info``."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from typing import Final

from calmdesk.engine import cues
from calmdesk.engine.coach_thread import (
    CAPITAL_NAMES,
    MAX_DRAFT_CHARS,
    STOP,
    check_thread,
    customer_first_name,
    message_words,
)
from calmdesk.engine.coach_thread import (
    read_thread_message as _read_thread_message,  # the bench clears its cache
)
from calmdesk.engine.draft import STEM, Draft, Findings
from calmdesk.engine.rules import resolve
from calmdesk.engine.text import Word, words, wordset
from calmdesk.engine.types import Finding, Thread

__all__ = [
    "MAX_DRAFT_CHARS",
    "PHRASES",
    "_read_thread_message",
    "check_reply",
    "customer_first_name",
]


def _p(code: str, phrases: str) -> list[cues.Cue]:
    """Each code is its own family: its phrases never hide another code's ("look into"
    is both an acknowledgement and what happens next)."""
    return [
        cues.Cue(tuple(p.split()), code, 1.0, code, code) for p in phrases.split(";") if p.strip()
    ]


PHRASES: Final = cues.PhraseIndex(
    [
        *_p(
            "CD101",
            "not our fault;isn't our fault;is not our fault;not my fault;as i already said;"
            "as i said;as i already explained;as i already mentioned;as previously stated;"
            "as stated before;as mentioned before;as i mentioned before;per my last email;"
            "per my previous email;per my last message;we are not responsible;"
            "we're not responsible;not responsible for;works fine on our end;"
            "works on our end;it works for me;works fine for me;nothing wrong with our;"
            "no one else has reported;nobody else has reported;you are the only one;"
            "you're the only one;that's not a bug;this is not a bug;we did nothing wrong;"
            "not on our side;we assure you;i assure you;"
            # "These delays are out of our control", "we do advise our call charges
            # online", "this could happen with any airline" (seen on the tuning half).
            "out of our control;beyond our control;outside our control;"
            "outside of our control;out of our hands;we do advise;we did advise;"
            "we did tell you;we did inform you;we did mention;we do mention;we do state;"
            "we did state;clearly stated;clearly states;as we said;like we said;"
            "as we mentioned;as we explained;could happen with any;can happen with any;"
            "happens with any;could happen to anyone;happens to everyone;"
            # "Hm, we haven't had any reported errors lately": nobody else has reported.
            "haven't had any reported;haven't had any reports;have not had any reports;"
            "haven't had any other reports;no other reports;"
            # The non-apology: sorry for how they feel, not for what happened ("We're
            # sorry you feel this way, Maggie. All charges are on our website"). "Sorry
            # to hear you feel that way" has heard them, and is left alone.
            "sorry you feel;sorry that you feel;sorry if you feel;sorry you felt;"
            "sorry if you felt;sorry that you felt;apologize that you feel;"
            "apologise that you feel;apologize if you feel;apologise if you feel;"
            "apologize you feel;apologise you feel;"
            # Telling the customer how to speak ("It's very upsetting to call us that").
            "to call us that;calling us names;to call us names;no need to be rude;"
            "no need for that language;no need to swear;please be respectful;"
            "keep it civil;watch your language;mind your language;language like that",
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
            "nothing more we can do;nothing else we can do;nothing more i can do;"
            "not much we can do;there's nothing we can;there is nothing we can;"
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
            # Acknowledgement, as real agents write it: an apology, empathy, or being
            # there for them ("Battery life is important, and we're here for you").
            "ACK",
            "sorry;apologize;apologise;apologies;apology;understand;frustrating;frustration;"
            "i can see;i hear you;we hear you;hear that;that must be;i know how;we know how;"
            "i realize;i realise;unfortunate;unfortunately;that sounds;i can imagine;"
            "must have been;here for you;we're with you;we are with you;i'm with you;"
            "with you on this;with you all the way;there with you;this together;"
            "it together;together we;work together;is important;are important;"
            "important to us;don't worry;do not worry;get you;disappointing;"
            "disappointed;not the experience;not what we;troubling;concerning;"
            "doesn't sound right;does not sound right;bummer;regret;yikes;oh no;not good;"
            "that's not right;not cool;we'd hate;hate to hear;sad to hear;we get it;"
            "never want;that's odd;that is odd;not ideal;on the case;feel this way;"
            "hope everyone;hope you're;can see how;make sure this;sad to see;sorry to see;"
            "take this seriously;very seriously;not on my watch;no fun;concerned",
        ),
        *_p(
            # An offer to help or to look: acknowledgement enough for a worried or hurried
            # customer, procedure to one who says it is the worst ("Here to help! Send us
            # a note" to "the worlds dumbest driver", seen on the tuning half) (CD111).
            "OFFER",
            "your patience;thank you for letting;thanks for letting;thanks for your patience;"
            "appreciate your patience;we're here;here to help;happy to help;glad to help;"
            "happy to assist;glad to assist;want to help;like to help;love to help;"
            "we can help;help you;to help;to assist;assist you;look into;looking into;"
            "check into;take a look;have a look;no worries;for you;sorted;straightened out;"
            "on it;we'd love to;check it out;we'll check;see what we can",
        ),
        *_p(
            # Acknowledgement of what the customer went through or did, not only an
            # offer to look ("We'll take a look backstage" is procedure): an apology,
            # empathy, thanks for their trouble, or surprise that it failed. A customer
            # whose fix did not help wants one of these (CD111).
            "OWN",
            "sorry;apologize;apologise;apologies;apology;understand;frustrating;frustration;"
            "i can see;i hear you;we hear you;hear that;that must be;i know how;we know how;"
            "unfortunate;unfortunately;that sounds;i can imagine;must have been;"
            "disappointing;disappointed;"
            "not the experience;troubling;concerning;doesn't sound right;does not sound right;"
            "doesn't sound good;does not sound good;not good;bummer;regret;yikes;oh no;"
            "that's not right;not cool;we'd hate;hate to hear;sad to hear;we get it;"
            "that's odd;that is odd;that's strange;that is strange;that's unusual;not ideal;"
            "feel this way;sad to see;sorry to see;don't worry;do not worry;don't give up;"
            "throw in the towel;hang in there;still on it;on the case;we're on it;saddened;"
            "gutted;not on my watch;no fun;not what we like to hear;not what we want to hear;"
            "not what we'd like to hear;concerned to hear;we're concerned;i'm concerned",
        ),
        *_p(
            # Thanks for their trouble ("Thanks for trying that", "we appreciate it"): enough
            # after a fix that failed, not for a customer who says it is the worst (CD111).
            # "Thanks for your patience" alone thanks nobody for anything they did.
            "THANKS",
            "thanks for;thank you for;thanks so much;appreciate",
        ),
        *_p(
            "FIX",
            "try;please clear;clear your;reinstall;re-install;update to;upgrade to;disable;"
            "should fix;will fix;this fixes;the fix is;to fix this;workaround;restart;"
            "should work;should solve;will solve;should resolve;will resolve;"
            "should do the trick;will do the trick",
        ),
        *_p(
            # A fix claimed to work (CD114 is sure of these; "try" alone is a suggestion).
            "FIX_CLAIM",
            "should fix;will fix;this fixes;the fix is;should work;should solve;will solve;"
            "should resolve;will resolve;should do the trick;will do the trick;that fixes",
        ),
        *_p(
            # What happens next: addresses a question even without answering it yet (CD110).
            "NEXT",
            "look into;looking into;check into;checking;look at;take a look;have a look;"
            "dm;dms;direct message;private message;send us;reach out;get back to you;"
            "follow up;find out;let you know;keep you posted;pass this on;pass it on;"
            "passed on;pass your;passed your;pass along;share this;working on;work on;"
            "we're on it;investigate;investigating;escalate;escalated;i'll write;"
            "i'll call;i'll email;i will write;i will call;we'll write;we'll call;"
            "no info;no information;don't have information;don't have any information;"
            "don't have any info;no details;not sure;can't confirm;cannot confirm;"
            "not able to;unable to;aren't able to;not possible;isn't possible;"
            "not available;isn't available;no plans;no news;nothing to share;"
            "stay tuned;keep an eye;at the moment;right now;for now;here's;here is;"
            "this link;the link;this article;feedback;info to share;news to share;"
            "new info;any news;passed onto;pass onto;right team;right folks;the team know;"
            "remind the team;get in touch;contact;reach;dm's;instructions",
        ),
    ]
)
# Words of acknowledgement that mean something else in their place (seen on the tuning
# half, where they hid a cold reply from CD111): "glad to hear that" is glad, "that
# sounds like a plan" agrees, "to better understand" asks, "so I can see what happened"
# is procedure, "get you to try" is a step, "which card is this concerning?" a
# preposition. A hit is kept unless the words around it say so.
GLAD_BEFORE: Final = wordset(
    "glad great happy good love nice pleased awesome delighted thrilled lovely amazing"
)
AGREES_AFTER: Final = wordset("like good great perfect awesome fun cool fair right about lovely")
ASKS_BEFORE: Final = wordset("to better us me")
PROCEDURE_BEFORE: Final = wordset("so as that")
STEP_AFTER: Final = wordset(
    "to into in a an the some any more that this these those on your started set"
)
SAID_OF_IT_BEFORE: Final = wordset(
    "is really very that's deeply extremely quite so it's most be definitely certainly truly was"
)
ACK_FAMILIES: Final = frozenset({"ACK", "OWN"})


def _in_context(lows: list[str], cue: cues.Cue, i: int, j: int) -> bool:
    """Keep a phrase hit unless its neighbours show it means something else (above)."""
    if cue.family not in ACK_FAMILIES:
        return True
    head = cue.words
    before = lows[i - 1] if i > 0 else ""
    after = lows[j] if j < len(lows) else ""
    if head == ("hear", "that"):
        return not (
            before in GLAD_BEFORE or (before == "to" and i > 1 and lows[i - 2] in GLAD_BEFORE)
        )
    if head == ("that", "sounds"):
        return after not in AGREES_AFTER
    if head == ("understand",):
        return before not in ASKS_BEFORE
    if head == ("i", "can", "see"):
        return before not in PROCEDURE_BEFORE and before != "far"
    if head == ("get", "you"):
        return after not in STEP_AFTER
    if head == ("concerning",):
        return before in SAID_OF_IT_BEFORE
    return True


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
# Reactive tone: exclamation marks in a row (two are unsure, three or "?!" are heated),
# or capital words.
EXCLAMATION_RUN: Final = re.compile(r"!{2,}|\?!|!\?")
HEATED_RUN: Final = 3
CAPS_MIN_LETTERS: Final = 4
# Product and protocol names written in capitals are names, not shouting (with the
# acronyms and names of FOLDOC, ``coach_thread.CAPITAL_NAMES``). Shorter ones ("CSV",
# "API", "URL") are under CAPS_MIN_LETTERS already.
ACRONYMS: Final = wordset(
    "HTML HTTPS HTTP JSON UUID ASAP FAQS NOTE CSV PDF SMTP IMAP YAML XLSX DOCX JPEG TIFF "
    "OAUTH SAML CNAME CORS REST GDPR HIPAA UNIX ASCII TOTP LDAP VOIP SFTP WIFI NGINX MYSQL "
    "AJAX CSRF ISBN IBAN SWIFT ACME"
)
# An identifier is one unbroken run of these characters ("ERR_SYNC_TIMEOUT", "SKU-44A");
# a capital word inside a run that also holds "_" or a digit is part of a code, and so is
# one right before a number ("HTTP 502").
_IDENTIFIER_RUN: Final = re.compile(r"[\w.\-/]{1,64}")
_NUMBER_AFTER: Final = re.compile(r"[ #:]{1,2}\d")
# Looked at most this far either side of the word, so a long unbroken run stays linear.
IDENTIFIER_REACH: Final = 64
# "sorry you feel this way": how the non-apology goes on.
FEEL_THIS_WAY: Final = frozenset(
    {("this", "way"), ("that", "way"), ("like", "that"), ("like", "this")}
)
# "is/are … out of our control": said of the trouble itself.
BE: Final = wordset("is are was were it's that's these those this that")
# Words that follow "you should have"/"you must have" when they inform, sympathise or own
# a mistake, not blame: "you should have received", "you must have been worried",
# "you shouldn't have to chase us".
NOT_BLAME_NEXT: Final = wordset(
    "received got gotten seen access a an the to heard been had felt waited our your it them one"
)
# What the customer did, in the forms "you should have …" takes ("made a backup").
DID: Final = wordset("made read told kept sent paid bought thought done set put run left lost")
# Words of the company owning it within a few words after: "you should have heard from us".
OWNING: Final = wordset("us we our we've we'd")
OWNING_REACH: Final = 6
# "we messed up", "I messed up": owning a mistake, not dismissing one.
FIRST_PERSON: Final = wordset("we i we've i've we'd i'd we really i really")
# Phrases that are dismissive only standing alone or opening a sentence: "Whatever." and
# "Relax, …" are; "whatever you need" and "relax and enjoy the flight" are not.
ALONE_ONLY: Final = frozenset(
    {("whatever",), ("relax",), ("obviously",), ("as", "if"), ("oh", "really"), ("yeah", "right")}
)
# Blunt more often than dismissive ("That's weird! Can you send…", "you'll just have to
# resync them"): unsure.
MILD: Final = frozenset({("that's", "weird"), ("you'll", "just", "have", "to"), ("no", "offense")})
# A smiley this close after a phrase, or an emoji (from U+2600, the symbols block on).
SMILEY_REACH: Final = 4
EMOJI_FROM: Final = 0x2600
# A capital word in a menu path ("select Logging in > I STILL NEED HELP") is a label.
MENU_REACH: Final = 40
_BY_PLACE: Final = operator.attrgetter("start", "end", "code")


def check_reply(draft: str, thread: Thread, *, disabled: Iterable[str] = ()) -> list[Finding]:
    """Lint a reply draft against its thread. ``disabled`` takes rule codes or names.
    Findings come sorted by position; spans index ``draft``."""
    if not isinstance(draft, str):
        raise TypeError(f"check_reply reads a str draft, not {type(draft).__name__}")
    findings = Findings(resolve(list(disabled)))
    text = draft[:MAX_DRAFT_CHARS]
    ws = words(text)
    if not ws:
        return []
    d = Draft(text, ws, PHRASES, _in_context)
    customer = [m for m in thread.customer_texts if m.strip()]
    _check_phrases(d, thread, customer, findings)
    _check_sentences(d, findings)
    _check_reactive(d, customer, findings)
    if customer:
        check_thread(d, thread, customer, findings)
    found = findings.found
    found.sort(key=_BY_PLACE)
    return found


# How sure a phrase is of its rule, in its place: not at all, unsure, or sure.
SKIP: Final = 0
UNSURE: Final = 1
SURE: Final = 2


def _check_phrases(d: Draft, thread: Thread, customer: list[str], f: Findings) -> None:
    for cue, i, j in d.hits:
        code = cue.label
        guard = PHRASE_GUARDS.get(code)
        if guard is None:
            continue
        sure = guard(d, i, j)
        if sure != SKIP:
            s, e = d.ws[i].start, d.ws[j - 1].end
            f.add(code, s, e, {"phrase": d.text[s:e]}, sure=sure == SURE)
    _check_canned(d, thread, customer, f)


def _check_canned(d: Draft, thread: Thread, customer: list[str], f: Findings) -> None:
    """CD108: one finding for the draft, on its first canned phrase, when nothing in it
    is the customer's (their name, a word of theirs)."""
    for cue, i, j in d.hits:
        if cue.label == "CD108":
            if _is_cold(d, thread, customer):
                f.add("CD108", d.ws[i].start, d.ws[j - 1].end)
            return


def _always(d: Draft, i: int, j: int) -> int:
    return SURE


def _defends(d: Draft, i: int, j: int) -> int:
    """ "you're not responsible for the charge" relieves them; it does not defend.
    "Out of our control" said of the trouble ("these delays are out of our control")
    defends; as a reason ("due to circumstances outside our control") it explains."""
    lows = d.lows
    if lows[i] == "not" and i > 0 and lows[i - 1] in {"you're", "are"}:
        return SKIP
    if lows[j - 1] in {"control", "hands"} and (i == 0 or lows[i - 1] not in BE):
        return SKIP
    if lows[j - 1] in {"feel", "felt"}:
        # Sorry for how they feel "this way", "like that": not "sorry you feel unwell".
        # Unsure beside a real acknowledgement ("We hear you, and we're sorry if you feel
        # that way"): then it is not all the customer hears.
        if tuple(lows[j : j + 2]) not in FEEL_THIS_WAY:
            return SKIP
        heard = d.hits_between("ACK", 0, len(lows)) > d.hits_between("ACK", i, j + 2)
        return UNSURE if heard else SURE
    return SURE


def _blames(d: Draft, i: int, j: int) -> int:
    """ "you should have received …" informs; "you should have heard from us sooner" and
    "you shouldn't have to chase us" own the mistake; "you should have no problem" and
    "you must have been worried" are no judgement. Blame judges something the customer
    did: "you should have" + what they did ("made a backup", "deleted")."""
    lows = d.lows
    if any(w in OWNING for w in lows[j : j + OWNING_REACH]):
        return SKIP
    if lows[j - 1] != "have":  # "you failed to", "user error", "your fault"…
        return SURE
    nxt = lows[j] if j < len(lows) else ""
    if nxt in NOT_BLAME_NEXT:
        return SKIP
    return SURE if nxt.endswith(("ed", "en", "ne")) or nxt in DID else SKIP


def _dismisses(d: Draft, i: int, j: int) -> int:
    lows = d.lows
    if lows[j - 2 : j] == ["messed", "up"] and i > 0 and lows[i - 1] in FIRST_PERSON:
        return SKIP
    if tuple(lows[i:j]) in MILD:
        return UNSURE
    return _alone(d, i, j)


def _sarcastic(d: Draft, i: int, j: int) -> int:
    """ "Nice try 😁" to a customer joking for a free month is banter, not sarcasm: a
    smiley right after makes the coach unsure."""
    after = d.text[d.ws[j - 1].end : d.ws[j - 1].end + SMILEY_REACH]
    if any(ord(c) >= EMOJI_FROM for c in after) or ":)" in after or ":-)" in after:
        return UNSURE
    return _alone(d, i, j)


def _alone(d: Draft, i: int, j: int) -> int:
    """A phrase of ALONE_ONLY counts opening a sentence or standing as one."""
    if tuple(d.lows[i:j]) not in ALONE_ONLY:
        return SURE
    if i in d.starts:
        return SURE
    after = d.text[d.ws[j - 1].end : d.ws[j - 1].end + 2].strip()
    return UNSURE if after[:1] in {".", "!", "?", ","} else SKIP


PHRASE_GUARDS: Final[dict[str, Callable[[Draft, int, int], int]]] = {
    "CD101": _defends,
    "CD102": _blames,
    "CD103": _always,
    "CD105": _dismisses,
    "CD106": _sarcastic,
}


def _is_cold(d: Draft, thread: Thread, customer: list[str]) -> bool:
    name = customer_first_name(thread).lower()
    if name and name in d.lowset:
        return False
    content = {w for w in d.lows if w not in STOP and len(w) > 3}
    own = frozenset().union(*(message_words(m).stems for m in customer))
    return not any(w[:STEM] in own for w in content)


def _check_sentences(d: Draft, f: Findings) -> None:
    ws, text = d.ws, d.text
    k = 0
    for s, e in d.sents:
        group: list[str] = []
        while k < len(ws) and ws[k].start < s:
            k += 1
        first = k
        while k < len(ws) and ws[k].end <= e:
            group.append(ws[k].low)
            k += 1
        if not group:
            continue
        if group[0] in CORRECTING_OPENERS:
            w = ws[first]
            f.add("CD104", w.start, w.end, {"phrase": text[w.start : w.end]})
        # "…will help?" ends a guess; "Is there anything else we may help you with?"
        # offers help.
        if text[s:e].rstrip().endswith("?") and (
            group[0] in HEDGES or tuple(group[-2:]) in HEDGED_ENDINGS
        ):
            f.add("CD109", s, e)


def _check_reactive(d: Draft, customer: list[str], f: Findings) -> None:
    """CD107: capital words (two in a row are sure, one alone is not: it may be a name)
    and runs of exclamation marks."""
    text = d.text
    caps = [
        k
        for k, w in enumerate(d.ws)
        if w.end - w.start >= CAPS_MIN_LETTERS
        and text[w.start : w.end].isupper()
        and text[w.start : w.end].isalpha()
        and text[w.start : w.end] not in ACRONYMS
        and text[w.start : w.end] not in CAPITAL_NAMES
        and not _is_identifier(text, w)
        and not _in_menu_path(text, w)
        and not _quotes_thread(text[w.start : w.end], customer)
    ]
    if caps:
        run = next((k for k in caps if _next_to_capitals(d, k)), -1)
        w = d.ws[run if run >= 0 else caps[0]]
        f.add("CD107", w.start, w.end, sure=run >= 0)
    m = EXCLAMATION_RUN.search(text)
    if m:
        heated = len(m.group()) >= HEATED_RUN or "?" in m.group()
        f.add("CD107", m.start(), m.end(), variant="exclamations", sure=heated)


def _next_to_capitals(d: Draft, k: int) -> bool:
    """ "FIXED IT", "NOT ACCEPTABLE": a capital word beside another (of two letters or
    more) is shouting, not a name."""
    for n in (k - 1, k + 1):
        if 0 <= n < len(d.ws):
            token = d.text[d.ws[n].start : d.ws[n].end]
            if len(token) >= 2 and token.isupper() and token.isalpha():
                return True
    return False


def _is_identifier(text: str, w: Word) -> bool:
    """ "SYNC" in "ERR_SYNC_TIMEOUT", "RC" in "4.2.1-RC", "HTTP" in "HTTP 502": the word's
    unbroken run of word characters, dots, dashes and slashes holds an underscore or a
    digit, or a number follows it."""
    m = _IDENTIFIER_RUN.match(text, _run_start(text, w.start))
    run = m.group() if m else ""
    return "_" in run or any(c.isdigit() for c in run) or bool(_NUMBER_AFTER.match(text, w.end))


def _in_menu_path(text: str, w: Word) -> bool:
    before = text[max(0, w.start - MENU_REACH) : w.start]
    return ">" in before or "→" in before


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
