"""Is a sentence a question the customer asked, or a request?

"contains ?" is the baseline (DailyDialog act=question F1 0.878). Two refinements: a
question without its mark ("how do I export my data") still counts when it opens with a
question word and an auxiliary; and a request in question form ("could you send it
again?", "can we have a refund, please?") is a request, not a question; so are
suggestions and asking leave ("how about Friday?", "can I pay later?"), while an offer
asking a preference ("would you like…?") is a question. The rules were written from
English grammar and checked against DailyDialog's validation split; the bench reports its test
split."""

from __future__ import annotations

import re
from typing import Final

from calmdesk.engine.text import wordset

WH: Final = wordset("what what's whats why how how's when where where's which who who's whom whose")
AUX: Final = wordset(
    "do does did is are was were can could will would should shall have has had may might "
    "must am isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't "
    "shouldn't haven't hasn't"
)
SUBJECTS: Final = wordset("i you we it they he she this that there these those my your the")
# Openings of requests/offers/suggestions in question form.
REQUEST_OPENERS: Final[tuple[tuple[str, ...], ...]] = (
    ("could", "you"),
    ("can", "you"),
    ("would", "you"),
    ("will", "you"),
    ("would", "you", "mind"),
    ("do", "you", "mind"),
    ("let's",),
    ("please",),
    # Suggestions and asking leave: they want a yes, not information.
    ("why", "don't"),
    ("why", "not"),
    ("how", "about"),
    ("shall", "we"),
    ("shall", "i"),
    ("could", "i"),
    ("can", "i"),
    ("may", "i"),
    ("can", "we"),
    ("could", "we"),
)
# Openers that look like requests but ask what the other wants: questions.
OFFERS: Final[tuple[tuple[str, ...], ...]] = (("would", "you", "like"), ("would", "you", "prefer"))
# Embedded requests: "I wonder if you could…" asks for an action, not for information.
EMBEDDED_REQUESTS: Final = (
    " wonder if you could ",
    " wondering if you could ",
    " wonder whether you could ",
    " wondering whether you could ",
    " wonder if you can ",
    " wondering if you can ",
)
# Request openers that are still questions when they ask about the other's knowledge or
# ability to tell ("can you tell me why…", "could you explain…").
ASKING_VERBS: Final = wordset("tell explain confirm clarify let")
# Leading words skipped before looking at the opener ("So, how do I…", "Also can you…").
FILLERS: Final = wordset("so and but also ok okay well oh hi hey then um uh now sorry")
# Phrases that make a statement a question ("I wonder whether…", "any idea why…").
EMBEDDED: Final = (
    ("i", "wonder"),
    ("i'm", "wondering"),
    ("i", "was", "wondering"),
    ("any", "idea"),
    ("any", "ideas"),
    ("i'd", "like", "to", "know"),
    ("i", "would", "like", "to", "know"),
    ("is", "there", "a", "way"),
    ("is", "there", "any", "way"),
    ("not", "sure", "how"),
    ("not", "sure", "why"),
    ("not", "sure", "whether"),
    ("not", "sure", "if"),
)


def classify(sentence: str, low_words: list[str], joined: str = "") -> tuple[bool, bool]:
    """(is_question, is_request) for one sentence; ``joined`` is its words as `` a b c ``
    when the caller has it already."""
    lw = low_words
    k = 0
    while k < len(lw) - 1 and lw[k] in FILLERS:
        k += 1
    head = tuple(lw[k : k + 3])
    has_mark = "?" in sentence
    request = head[:1] in _OPENERS or head[:2] in _OPENERS or head[:3] in _OPENERS
    if request and len(head) >= 3 and (head[2] in ASKING_VERBS or head in OFFERS):
        request = False
    joined = joined or " " + " ".join(lw[:EMBEDDED_WINDOW]) + " "
    if "wonder" in joined and _EMBEDDED_REQUEST_RE.search(joined):  # each phrase has it
        return (False, True)
    if has_mark:
        if not request and "please" in lw and not ASKING_VERBS.intersection(lw):
            request = True
        return (not request, request)
    if _EMBEDDED_RE.search(joined):
        return (True, False)
    opens_like_question = len(head) >= 2 and (
        (head[0] in WH and (head[1] in AUX or head[1] in SUBJECTS))
        or (head[0] in AUX and head[1] in SUBJECTS and not sentence.rstrip().endswith((".", "!")))
    )
    if opens_like_question and not sentence.rstrip().endswith("!"):
        return (not request, request)
    return (False, request)


_OPENERS: Final = frozenset(REQUEST_OPENERS)
# Literal alternations, searched in one call (no quantifiers, so no backtracking).
_EMBEDDED_REQUEST_RE: Final = re.compile("|".join(re.escape(e) for e in EMBEDDED_REQUESTS))
# Embedded questions open a sentence: the first words are enough.
EMBEDDED_WINDOW: Final = 40
_EMBEDDED_STRINGS: Final = tuple(" " + " ".join(e) + " " for e in EMBEDDED)
_EMBEDDED_RE: Final = re.compile("|".join(re.escape(e) for e in _EMBEDDED_STRINGS))
