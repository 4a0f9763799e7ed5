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


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "CD101",
        "defensive",
        "warning",
        "Defends the company or the agent instead of diagnosing the problem.",
        "This is not our fault; as I already said, the plugin works.",
        "Sorry this broke your launch. Let's find out what changed on your site.",
        "Instead of defending, diagnose.",
    ),
    Rule(
        "CD102",
        "blame",
        "warning",
        "Blames the customer for the problem.",
        "You must have deleted the file yourself.",
        "The file is no longer there. Could you tell me what happened just before?",
        "Most of the time, the customer is not attacking you.",
    ),
    Rule(
        "CD103",
        "bad-intent",
        "error",
        "Assumes the customer acted in bad faith or did not bother.",
        "You clearly didn't read the docs.",
        "This part of the docs is easy to miss: step 3 covers it.",
        "Instead of assuming, ask.",
    ),
    Rule(
        "CD104",
        "correcting",
        "info",
        'Corrects the customer ("Actually, …") where a clarifying question would help.',
        "Actually, that's not how exports work.",
        "To make sure I understand: are you exporting from the Reports page?",
        "Instead of correcting, clarify.",
    ),
    Rule(
        "CD105",
        "dismissive",
        "warning",
        "Dismisses or minimises the problem, or is blunt about it.",
        "That's really messed up. Obviously you need a new key.",
        "I can see why that was confusing. A new key will fix it; here is how.",
        "Extreme bluntness in most cases was anything but graceful.",
    ),
    Rule(
        "CD106",
        "sarcasm",
        "error",
        "Sarcasm: it always reads worse in writing than it was meant.",
        "Good luck with that.",
        "If that doesn't work, reply here and I'll look at it with you.",
        "If you respond emotionally, you escalate the situation.",
    ),
    Rule(
        "CD107",
        "reactive-tone",
        "warning",
        "Capitals or a run of exclamation marks: the draft reads heated.",
        "I TOLD you to restart it!!!",
        "Could you restart it once more and tell me what you see?",
        "You will start reacting instead of responding.",
    ),
    Rule(
        "CD108",
        "cold-canned",
        "info",
        "Only canned phrases: no name and nothing of the customer's situation.",
        "We apologize for any inconvenience. Your ticket has been escalated.",
        "Hi Maya, I'm sorry the export failed right before your board meeting.",
        "Write to your friend.",
    ),
    Rule(
        "CD109",
        "hedged-guess",
        "warning",
        "A blind guess phrased as a question: ask a real question or give tested steps.",
        "Maybe using your Atlassian credentials will help?",
        "I tested this: sign in with your Atlassian email and password, then reload.",
        "The key is to avoid offering blind solutions.",
    ),
    Rule(
        "CD110",
        "unanswered-question",
        "warning",
        "The customer asked a question the draft does not address.",
        '(customer: "Will I lose my data?") Please update to 4.2.',
        "Your data stays where it is. Please update to 4.2.",
        "What exactly is happening on their site?",
    ),
    Rule(
        "CD111",
        "no-acknowledgement",
        "warning",
        "The customer reads upset or has a lot at stake, and the draft goes straight to "
        "business without acknowledging it.",
        '(customer: "I\'m losing clients because of this!") Update the plugin.',
        "I'm sorry, losing clients over this is serious. Updating the plugin fixes it.",
        "When someone feels heard and supported during a stressful moment, they remember.",
    ),
    Rule(
        "CD112",
        "jargon",
        "info",
        "Technical jargon towards a customer who reads as new to this.",
        '(customer: "I\'m not technical") Just flush the DNS cache and check the CNAME.',
        "Restart your computer, then open the site again.",
        "A question they can't find an answer to.",
    ),
    Rule(
        "CD113",
        "wrong-detail",
        "error",
        "A name, event, product, number, date or place that contradicts the conversation.",
        "(customer Adan, who wrote of an earthquake) Hi Adam, sorry about the hurricane.",
        "Hi Adan, I'm sorry about the earthquake.",
        "Internalize the pain they may be feeling.",
    ),
    Rule(
        "CD114",
        "unreproduced-fix",
        "warning",
        "Proposes a fix for a technical problem nobody recorded reproducing.",
        "(not reproduced) Try clearing your cache, that should fix it.",
        "I reproduced it on 4.1 with your settings; updating to 4.2 fixed it here.",
        "Try replicating the problem the customer is experiencing.",
    ),
)

RULES_BY_CODE: Final[dict[str, Rule]] = {r.code: r for r in RULES}
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
    lines += [f"| {r.code} | {r.name} | {r.severity} | {r.description} |" for r in RULES]
    for r in RULES:
        lines += [
            "",
            f"## {r.code} {r.name}",
            "",
            r.description,
            "",
            f"- default severity: `{r.severity}`",
            f"- bad: {r.bad}",
            f"- good: {r.good}",
            f'- why: "{r.source}"',
        ]
    return "\n".join(lines) + "\n"
