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
        "Defends the company or the agent instead of diagnosing the problem: whose fault "
        'it is, what was said before, the non-apology ("sorry you feel this way"), telling '
        "the customer how to speak. Unsure when the non-apology stands beside a real "
        'acknowledgement ("We hear you").',
        "This is not our fault; as I already said, the plugin works.",
        "Sorry this broke your launch. Let's find out what changed on your site.",
        "Instead of defending, diagnose.",
        message='"{phrase}" defends instead of diagnosing.',
        suggestion="Say what you will check or what you found, not whose fault it is.",
        unsure="info",
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
        "Unsure when the reading itself is unsure or only mildly upset. Sure when they say "
        'a fix did not help or they asked before ("still not working", "already '
        'contacted you") and the draft neither owns it nor thanks them for trying; sure when '
        'they say it is bad in so many words ("the worst", "so much trouble", swearing), '
        'where an offer to help ("Here to help!") is not enough: an apology or empathy is.',
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
below) and 2.2.0 (CD111 tuned on labelled faulty replies, below). Codes and names are
unchanged since 1.x, so switched-off rules stay off.

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

**Figures** (`calmdesk bench coach-precision`, reporting half), engine 2.0.0, 2.2.0, the
coach after 2.2.0 (tuned on 711 labelled tuning-half replies, below) and after 2.3.0
(acknowledgement read in its place, the non-apology, questions said back; below). The
engine's version moves with the reading's:

| figure | 2.2.0 | after 2.2.0 | after 2.3.0 | target |
|---|---|---|---|---|
| false alarms: fine with a warning+ | 11/280, 3.9 % | 18/280, 6.4 % | 21/280, 7.5 % | ≤ 10 %: met |
| faulty caught at warning+ (with info) | 5/20, 25 % (30 %) | 5/20, 25 % | 5/20, 25 % | ≥ 70 % |
| reporting pairs with a warning+ | 6.7 % of 1,113 | 9.6 % | 10.5 % | |

The 70 % is missed in all three (after 2.2.0 and after 2.3.0 also 30 % with info). Firing
most at warning+: 2.2.0 CD111 56, CD110 14, CD107 6; after 2.2.0 CD111 88, CD110 14,
CD107 6; after 2.3.0 CD111 93, CD110 16, CD107 6, CD101 4.

The same on the tuning half (`calmdesk bench coach-precision --half tuning`, its 711
labels): after 2.2.0, false alarms 9/614 (1.5 %), caught 68/97 (70.1 %; 74.2 % with
info); after 2.3.0, false alarms 11/614 (1.8 %), caught 76/97 (78.4 %; 82.5 % with info).

2.0.0: false alarms 9/280 (3.2 %), caught 5/20 (35 % with info), 4.9 % of the pairs with a
warning+, firing most CD111 35, CD110 14, CD107 6.

(CD114 fired once at warning in each, CD101 once in 2.2.0 and after it, 4 times after
2.3.0.) Measured on a 2-core machine shared with other work; the figures do not depend on
its speed.

**Engine 2.2.0: tuned on labelled faulty replies of the tuning half.** The rules of 2.0.0
were tuned on the tuning half's replies without labels, so only false alarms could be
seen there. For 2.2.0 the tuning half's first 300 pairs by the same key were labelled the
same way, blind to the coach, and committed before the coach ran on them
(`calmdesk/engine/data/labels/twcs_coach_tuning_labels.csv`: 297 pairs; left out, a reply
to another tweet, a cut-off fragment and a Spanish reply to English thanks): 270 fine, 27
faulty (CD111 22, CD101 3, CD110 2). The criterion for CD111: the customer is upset, or
says a step did not help or that they asked before, and the reply goes to the next step
or a DM without a word for their trouble (an apology, thanks for trying, "that's odd",
"we hear you"); an offer to look is procedure, not acknowledgement. What changed: a
customer whose fix failed or who asked before ("still not working", "nothing changed",
"tried everything", "already contacted") and a reply without such a word is a sure CD111
(`coach_thread._check_failed_fix`); words of complaint ask for acknowledgement whatever
the tone; "we assure you" is defensive (CD101). On the tuning half: caught 1 → 13 of 27,
false alarms 1 → 4 of 270. On the reporting half, measured once after the change: caught
5 → 5 of 20, false alarms 9 → 11 of 280.

**After 2.2.0: more tuning labels, more of them from other brands.** Three more sets of
tuning-half pairs, each labelled blind to the coach with the same criterion and committed
before the coach ran on them, appended to the same file: ranks 300–499 by the same key
(193 labelled: 162 fine, 31 faulty, mostly SpotifyCares again); then brands other than
SpotifyCares only, ranks 500 and on: the first 170 such (140 labelled: 119 fine, 21
faulty) and the next 90 (81 labelled: 63 fine, 18 faulty). Left out: replies not in
English, cut-off parts of a split reply, and 6 pairs whose coach firings had been seen
while checking precision. All 711: 614 fine, 97 faulty (CD111 76, CD101 9, CD110 6, CD108
3, CD104 1, CD105 1, CD113 1). Each new set was first measured as it came, on rules not
yet tuned on it: the first non-Spotify set caught 3 of 21 with 2 false alarms of 119,
the second, after tuning on the first, 7 of 18 with none of 63.

What changed (`coach_thread._check_acknowledgement`): words of complaint (swearing,
starred out or not, insults, "so much trouble", "no one seems to care", "done with you",
an accident) make CD111 sure whatever the reading's tone, and there an offer to help
("Here to help! Send us a note") or "thanks for your patience" is procedure: only an
apology or a word of empathy acknowledges it; marks alone ("!!!", "???", "😡") ask the
same unless the message reads glad, and are sure when the reading is upset; more ways of
saying a fix failed or that they are waiting on you ("Nope, still", "persists", "keeps
happening", "no one will get back to me", "with no assistance"), but not "having exactly
the same problem" (as someone else) or "nothing has changed on my end". CD101: "these
delays are out of our control" (not "due to circumstances outside our control"), "we do
advise …", "this could happen with any airline", "we haven't had any reported errors".
CD105: "there's nothing more we can do". CD110: a modal said back anywhere answers ("or
can I carry it home?" → "it can be carried"), "how heavy" wants a measure, "Can you let
me know …?" is a request (unsure), and "let us know" is no longer what happens next.

On the tuning half (`calmdesk bench coach-precision --half tuning`, all 711 labels):
caught 32 → 68 of 97 (70 %), false alarms 10 → 9 of 614; on its 297 first labels alone
(2.2.0's), caught 13 → 19 of 27, false alarms 4 → 4 of 270. On the reporting half,
measured after the tuning (twice: before and after its last step, the same figures):
caught 5 → 5 of 20, false alarms 11 → 18 of 280. The catch did not carry over, and the
false alarms rose though they did not on any tuning label set. A likely reason is in the
counts: the reporting labels call 20 of 300 replies faulty, the later tuning sets 70 of
414 (17 %; of their 259 from brands other than SpotifyCares, 53: 20 %), so what a lead
"would correct" was read more strictly in the later sets than in the reporting labels,
and the coach tuned on them warns on replies the reporting labels call fine. The
reporting labels were not read again to find out (that would tune on them). The 70 %
target needs labels read with one criterion across both halves, and more faulty replies
in the reporting sample than 20.

**After 2.3.0: acknowledgement read in its place, the non-apology, questions said
back.** Tuned on the tuning half's 711 labels and its unlabelled replies only (the 29
faulty replies the coach missed there, and every warning that changed across the half's
4,560 pairs); the reporting half was run once, at the end, for the figures above, and
none of its replies or firings were read. What changed:

- CD111: a word of acknowledgement counts only where it acknowledges (`coach._in_context`,
  a check of the words either side of the hit): not "glad to hear that", "that sounds
  like a plan", "to better understand", "so I can see what happened", "get you to try",
  "which card is this concerning?"; "with you" and "together" count only as "we're with
  you", "with you on this", "work on this together" (no longer "in contact with you",
  "together with the error message"); "your concern" ("send us details regarding your
  concern") is procedure. Thanks for writing in ("Thanks for tweeting us", "thank you for
  following up with us", "we appreciate your feedback") is not thanks for their trouble.
  "pissed" is a word of complaint.
- CD101: the non-apology ("We're sorry you feel this way", "I do apologize that you feel
  this way"; not "sorry to hear you feel that way"), unsure beside a real acknowledgement
  ("We hear you, and we're sorry if you feel that way"); telling the customer how to
  speak ("It's very upsetting to call us that", "no need to be rude", "keep it civil").
  CD101 can now be `info`.
- CD110: the question's words said back in a question or in an offer on a condition ("If
  you need help with this game on Xbox One, we'd be happy to help!") do not answer it, and
  one word of a question of four or more (its topic, "Xbox") is not an answer either; a
  question after a condition ("If I reinstall the game, will my progress still be
  there?") is read by its main clause, and asking leave there ("…, can I have Premium
  free?") is a request (unsure); a reason ("because of licensing changes") answers a yes
  or no.
- Spans: "Hi Ashley. Which U.S. based card…" greets Ashley alone, and an initialism
  before a word in lower case does not end the sentence (the span was "S.").

On the tuning half: caught 68 → 76 of 97, false alarms 9 → 11 of 614 (SpotifyCares 29 of
35 caught before and after, 6 → 7 false alarms of 350; the other brands 39 → 47 of 62,
3 → 4 of 264). Tried and left out, as the tuning labels called more of their new warnings
fine than faulty: casual swearing ("shit", "crap", "bs") as words of complaint (6 warnings
on glad or joking messages such as "oh shit oh right thank u"), sad faces (":(", "😞") as
marks (3 labelled fine replies warned, no faulty one caught), and an offer to look not
being enough when the reading is upset with something at stake (1 caught, 4 false
alarms). The non-apology warns on 23 unlabelled SpotifyCares replies of the tuning half
("We're sorry you feel that way. Rest assured, your feedback will be passed on…"), a
house phrase there; the two labelled ones of that brand were labelled fine (one still
warns, one is now unsure), the BA and UPS ones faulty. On the reporting half, measured
once after the tuning: caught 5 → 5 of 20, false alarms 18 → 21 of 280 (7.5 %). The
reading's own changes of the same days (sentiment) do not move the coach: with the rules
before this step and today's reading the tuning half gives the same 68 of 97 and 9 of 614.

The two halves' labels were checked against the written criterion before tuning. The
tuning labels disagree with themselves on the commonest pattern: a reply that goes on to
the next step after "still not working" is labelled CD111 in most cases ("nope, still" →
"Hmm. Could you DM us…") but fine in some ("Still no joy…" → "Can you let us know your
device…", "had already tried that to no avail" → "Hmm. Would you know…", "still doesn't
solve problem" → "We've replied to your DM"), and so is an offer to look after swearing.
No label was changed: the coach's firings on those replies had been seen, and turning
them to CD111 would have fitted the labels to the coach and made the tuning half stricter
still, while the counts (20 faulty of 300 reporting labels, 97 of 711 tuning labels)
point the other way.

**Precision at warning, per rule** (measured after 2.2.0, not again after 2.3.0), on the
first 30 firings of each
(`calmdesk bench coach-precision --firings CODE`), each checked by hand: is it a fault a
lead would correct?

- CD111 no-acknowledgement: 20 of 30 right after 2.2.0 (2.2.0: 20 of 30; 2.0.0: 18 of
  30). Right: "Great news!" to "that's so gah damn dumb", "I can look into that for you"
  to "I need you idiots to stop sending me to collections", a workaround link to "still
  doesn't work", policy explained to "#MoneyStolen :(", "I assure you, I'm a real
  person". Wrong on later turns of a thread ("Just checking in", "Finally could you …"),
  calm requests read as stakes ("cancellation", "refund"), "We're here for you … together"
  after a failed fix, a cut-off part, banter ("Agreed.").
- CD110 unanswered-question: 2 of 14 right (2.2.0: 1 of 14). Wrong on rhetorical
  questions it does not know ("Do you guys even care?", "Isn't this the cutest…?"),
  answers in other words ("we do not have any information on this"), replies cut in parts.
- CD107 reactive-tone: 1 of 6 right (unchanged). Wrong on brand banter in capitals ("WE
  DEMAND A RE-TASTE!") and a brand name (XFINITY).
- CD101 defensive: 1 of 1 right ("I assure you, I'm a real person" to "same stupid
  answers").
- CD114 unreproduced-fix: 1 of 1 right.

What the coach misses most on the reporting half is unchanged: a reply that is correct
but cold to an upset customer when the customer does not say how they feel in so many
words, and replies that defend ("It's made with real, high-quality ingredients") without
a defensive phrase.
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
