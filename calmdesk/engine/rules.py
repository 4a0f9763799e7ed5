"""The reply coach's rule registry (F5): one place for codes, names, severities and the
documentation that ``calmdesk rules`` prints and ``docs/rules.md`` is generated from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from calmdesk.engine.types import Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    description: str
    bad: str
    good: str
    source: str  # the sentence of the seeds (../shared/seeds) the rule comes from
    # What a finding says, and what to do instead: ``str.format_map`` templates filled by
    # the check ("{phrase}": the words of the draft it points at).
    message: str = ""
    suggestion: str = ""
    # The severity of a finding the coach is unsure of (a guess at a name, a rhetorical
    # question, capitals in one word); None: this rule's findings are always sure.
    unsure: Severity | None = None
    # Other wordings of the same rule: (variant, message, suggestion).
    variants: tuple[tuple[str, str, str], ...] = ()

    @property
    def severities(self) -> str:
        """ "warning", or "warning (info when unsure)"."""
        if self.unsure is None or self.unsure == self.severity:
            return self.severity
        return f"{self.severity} ({self.unsure} when unsure)"


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "CD101",
        "defensive",
        "warning",
        "Defends the company or the agent instead of diagnosing the problem.",
        "This is not our fault; as I already said, the plugin works.",
        "Sorry this broke your launch. Let's find out what changed on your site.",
        "Instead of defending, diagnose.",
        message='"{phrase}" defends instead of diagnosing.',
        suggestion="Say what you will check or what you found, not whose fault it is.",
    ),
    Rule(
        "CD102",
        "blame",
        "warning",
        "Blames the customer for the problem.",
        "You must have deleted the file yourself.",
        "The file is no longer there. Could you tell me what happened just before?",
        "Most of the time, the customer is not attacking you.",
        message='"{phrase}" blames the customer.',
        suggestion="Describe what happened and ask what they did, without judging it.",
    ),
    Rule(
        "CD103",
        "bad-intent",
        "error",
        "Assumes the customer acted in bad faith or did not bother.",
        "You clearly didn't read the docs.",
        "This part of the docs is easy to miss: step 3 covers it.",
        "Instead of assuming, ask.",
        message="\"{phrase}\" assumes they didn't try or didn't care.",
        suggestion="Point to the answer kindly; the docs are easy to miss.",
    ),
    Rule(
        "CD104",
        "correcting",
        "info",
        'Corrects the customer ("Actually, …") where a clarifying question would help.',
        "Actually, that's not how exports work.",
        "To make sure I understand: are you exporting from the Reports page?",
        "Instead of correcting, clarify.",
        message='"{phrase}" corrects the customer.',
        suggestion='Ask a clarifying question instead: "To make sure I understand, …?"',
    ),
    Rule(
        "CD105",
        "dismissive",
        "warning",
        "Dismisses or minimises the problem, or is blunt about it.",
        "That's really messed up. Obviously you need a new key.",
        "I can see why that was confusing. A new key will fix it; here is how.",
        "Extreme bluntness in most cases was anything but graceful.",
        message='"{phrase}" sounds dismissive.',
        suggestion="Acknowledge the problem plainly and say what happens next.",
        unsure="info",
    ),
    Rule(
        "CD106",
        "sarcasm",
        "error",
        "Sarcasm: it always reads worse in writing than it was meant.",
        "Good luck with that.",
        "If that doesn't work, reply here and I'll look at it with you.",
        "If you respond emotionally, you escalate the situation.",
        message='"{phrase}" reads as sarcasm.',
        suggestion="Say it straight: what you will do, or what they can try.",
        unsure="info",
    ),
    Rule(
        "CD107",
        "reactive-tone",
        "warning",
        "Capitals or a run of exclamation marks: the draft reads heated. Acronyms, codes "
        "and names are not shouting; one capital word or two marks are unsure.",
        "I TOLD you to restart it!!!",
        "Could you restart it once more and tell me what you see?",
        "You will start reacting instead of responding.",
        message="Capitals read as shouting.",
        suggestion="Write it in lower case; use bold in the editor if a word must stand out.",
        unsure="info",
        variants=(
            (
                "exclamations",
                "A run of exclamation marks reads heated.",
                "One full stop will do; let the words carry it.",
            ),
        ),
    ),
    Rule(
        "CD108",
        "cold-canned",
        "info",
        "Only canned phrases: no name and nothing of the customer's situation.",
        "We apologize for any inconvenience. Your ticket has been escalated.",
        "Hi Maya, I'm sorry the export failed right before your board meeting.",
        "Write to your friend.",
        message="Only canned phrases: no name, nothing of their situation.",
        suggestion="Use their name and say in your words what happened to them.",
    ),
    Rule(
        "CD109",
        "hedged-guess",
        "warning",
        "A blind guess phrased as a question: ask a real question or give tested steps.",
        "Maybe using your Atlassian credentials will help?",
        "I tested this: sign in with your Atlassian email and password, then reload.",
        "The key is to avoid offering blind solutions.",
        message="A guess phrased as a question.",
        suggestion="Ask a clear question, or give steps you have tested.",
    ),
    Rule(
        "CD110",
        "unanswered-question",
        "warning",
        "The customer asked a question the draft does not address: by its words, by the "
        "kind of answer it wants (a time for when, a yes or no, a place, steps, a reason), "
        "or by saying what happens next. Rhetorical questions are left alone; unsure when "
        "the draft asks something back or the question is a request.",
        '(customer: "Will I lose my data?") Please update to 4.2.',
        "Your data stays where it is. Please update to 4.2.",
        "What exactly is happening on their site?",
        message='The customer asked "{question}" and the draft does not address it.',
        suggestion="Answer it, or say when you will know.",
        unsure="info",
        variants=(
            (
                "request",
                'The customer asked for "{question}" and the draft does not address it.',
                "Do it, or say when you will.",
            ),
        ),
    ),
    Rule(
        "CD111",
        "no-acknowledgement",
        "warning",
        "The customer reads upset or has a lot at stake, and the draft goes straight to "
        "business without acknowledging it (an apology, empathy, or an offer to help them). "
        "Unsure when the reading itself is unsure or only mildly upset.",
        '(customer: "I\'m losing clients because of this!") Update the plugin.',
        "I'm sorry, losing clients over this is serious. Updating the plugin fixes it.",
        "When someone feels heard and supported during a stressful moment, they remember.",
        message="The customer reads {tone} ({what}); the draft does not acknowledge it.",
        suggestion="Open with one honest sentence about what this costs them.",
        unsure="info",
    ),
    Rule(
        "CD112",
        "jargon",
        "warning",
        "Technical jargon towards a customer who reads as new to this anywhere in the "
        "thread; unsure when the word is only on the long list (FOLDOC).",
        '(customer: "I\'m not technical") Just flush the DNS cache and check the CNAME.',
        "Restart your computer, then open the site again.",
        "A question they can't find an answer to.",
        message='"{phrase}" may be jargon to this customer ({why}).',
        suggestion="Say what to click or type, in everyday words.",
        unsure="info",
    ),
    Rule(
        "CD113",
        "wrong-detail",
        "error",
        "A name, event, plan, price, amount, date, order number or place that contradicts "
        "the conversation; unsure when the name was guessed from a signature or the detail "
        "is a day or a platform (an agent may suggest another).",
        "(customer Adan, who wrote of an earthquake) Hi Adam, sorry about the hurricane.",
        "Hi Adan, I'm sorry about the earthquake.",
        "Internalize the pain they may be feeling.",
        message='"{phrase}" — the customer wrote "{theirs}".',
        suggestion='Check the detail against the conversation ("{theirs}"?).',
        unsure="info",
        variants=(
            ("name", '"{phrase}" — the customer\'s name is {name}.', 'Write "{name}".'),
            (
                "number",
                '"{phrase}" — the customer wrote "{theirs}".',
                "Copy numbers from the conversation rather than retyping them.",
            ),
        ),
    ),
    Rule(
        "CD114",
        "unreproduced-fix",
        "warning",
        "Proposes a fix for a technical problem nobody recorded reproducing.",
        "(not reproduced) Try clearing your cache, that should fix it.",
        "I reproduced it on 4.1 with your settings; updating to 4.2 fixed it here.",
        "Try replicating the problem the customer is experiencing.",
        message="Proposes a fix for a problem nobody has reproduced yet.",
        suggestion="Reproduce it first (and record it), or say what you tested and how.",
        unsure="info",
    ),
)

RULES_BY_CODE: Final[dict[str, Rule]] = {r.code: r for r in RULES}
_MESSAGES: Final[dict[tuple[str, str], tuple[str, str]]] = {
    **{(r.code, ""): (r.message, r.suggestion) for r in RULES},
    **{(r.code, v): (m, sg) for r in RULES for v, m, sg in r.variants},
}


def message_for(code: str, variant: str = "") -> tuple[str, str]:
    """(message, suggestion) templates of a rule, or of one of its variants."""
    return _MESSAGES[(code, variant)]


RULES_BY_NAME: Final[dict[str, Rule]] = {r.name: r for r in RULES}


def resolve(names_or_codes: object) -> frozenset[str]:
    """Rule codes for a mix of codes ("CD104") and names ("hedged-guess")."""
    out = set()
    for item in names_or_codes if isinstance(names_or_codes, (list, tuple, set, frozenset)) else ():
        key = str(item).strip()
        rule = RULES_BY_CODE.get(key.upper()) or RULES_BY_NAME.get(key.lower())
        if rule is not None:
            out.add(rule.code)
    return frozenset(out)


# How far the coach can be trusted, as measured (docs/rules.md prints it after the rules).
# The figures come from `calmdesk bench coach-precision`; update them with the rules.
MEASUREMENT: Final = """## How the coach is measured

Engine 2.0.0 (the coach's v2: severities that follow confidence, the thread-aware rules
below). Codes and names are unchanged since 1.x, so switched-off rules stay off.

**Severity follows confidence.** A finding the coach is sure of takes its rule's
severity; one it is unsure of takes the severity in brackets in the table (`info`). Only
warning-or-above findings of the heated rules (defensive, blame, bad-intent, dismissive,
sarcasm, reactive-tone) start the cool-down before Send.

**Data.** `support/twcs_agent_replies/twcs_pairs.csv` of the shared data: 5,673 customer
tweets and the brand agent's reply (Customer Support on Twitter, CC BY-NC-SA 4.0:
evaluation only). Replies are read as drafts: @handles, HTML entities, the sign-off
("-Becky", "^SC") and a part counter ("1/2") taken off; the tweet answered is the thread.

**Split by brand.** Brands ranked by their number of pairs (most first, ties by name):
even ranks are the tuning half (39 brands, 4,560 pairs, SpotifyCares the largest), odd
ranks the reporting half (39 brands, 1,113 pairs). The rules were tuned on the tuning
half only (`calmdesk bench coach-precision --half tuning`).

**Labels.** The first 300 reporting pairs by the SHA-256 of the agent tweet's id were
read and labelled by hand before the coach ran on them: `fine` (a reply a lead would not
correct) or the rule it breaks. 280 fine, 20 faulty (CD111 11, CD110 4, CD101 2, CD105 2,
CD108 1). Only ids and labels are kept: `calmdesk/engine/data/labels/twcs_coach_labels.csv`.

**Figures** (`calmdesk bench coach-precision`, reporting half):

| figure | value | target |
|---|---|---|
| fine replies with a warning or above (false alarms) | 9 of 280, 3.2 % | ≤ 10 %: met |
| faulty replies caught at warning or above | 5 of 20, 25 % (35 % counting info) | ≥ 70 %: not met |
| reporting pairs with a warning or above | 4.9 % of 1,113 | |
| rules firing most at warning or above | CD111 35, CD110 14, CD107 6, CD114 1 | |

**Precision at warning, per rule**, on the first 30 firings of each
(`calmdesk bench coach-precision --firings CODE`), each checked by hand: is it a fault a
lead would correct?

- CD111 no-acknowledgement: 18 of 30 right. Wrong on offers of help worded otherwise
  ("we want to check this out", "I'd be glad to test the line"), banter, check-ins.
- CD110 unanswered-question: 1 of 14 right. Wrong on rhetorical questions it does not
  know, answers in other words ("we do not have any information"), replies cut in parts.
- CD107 reactive-tone: 1 of 6 right. Wrong on brand banter in capitals ("WE DEMAND A
  RE-TASTE!") and a brand name (XFINITY).
- CD114 unreproduced-fix: 1 of 1 right.

No other rule fired at warning on the reporting half. What the coach misses most is a
reply that is correct but cold to an upset customer when the customer does not say how
they feel in so many words, and replies that defend ("It's made with real, high-quality
ingredients") without a defensive phrase.
"""


def rules_markdown() -> str:
    """docs/rules.md, generated (a test fails when the file drifts from this)."""
    lines = [
        "# Reply coach rules",
        "",
        "Generated from `calmdesk/engine/rules.py` by `calmdesk rules --markdown`; "
        "do not edit by hand.",
        'Switch a rule off by code or name (`check_reply(..., disabled={"CD104"})`).',
        "",
        "| code | name | severity | what it finds |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r.code} | {r.name} | {r.severities} | {r.description} |" for r in RULES]
    for r in RULES:
        lines += [
            "",
            f"## {r.code} {r.name}",
            "",
            r.description,
            "",
            f"- severity: `{r.severity}`"
            + (f", `{r.unsure}` when the coach is unsure" if r.severities != r.severity else ""),
            f"- bad: {r.bad}",
            f"- good: {r.good}",
            f'- why: "{r.source}"',
        ]
    return "\n".join([*lines, "", MEASUREMENT.rstrip("\n")]) + "\n"
