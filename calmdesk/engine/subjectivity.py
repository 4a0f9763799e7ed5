"""Evaluative language: what makes a sentence an opinion or a feeling rather than a fact.

The tone model knows feelings (it learned GoEmotions); a sentence can carry no feeling
and still be a judgement ("the new editor is clumsy and slow"). These hand-written word
lists mark judgement, grading, stance and the telling of events. They were written from
general English usage; nothing is learned from an evaluation set. Which rules to keep and
their hand-set weights were checked on SUBJ's development lines only (every fifth line,
see ``evaluate.SUBJ_DEV_EVERY``); the other 8,000 lines are held out and only reported."""

from __future__ import annotations

import re
from typing import Final

from calmdesk.engine.text import wordset

# Judgement words: adjectives, adverbs, nouns and verbs that evaluate something.
EVALUATIVE: Final = wordset(
    "good great bad awful terrible horrible excellent amazing awesome wonderful fantastic "
    "brilliant superb outstanding perfect impressive remarkable marvelous marvellous "
    "superior mediocre poor weak solid decent nice lovely beautiful ugly "
    "gorgeous elegant clumsy sloppy messy neat slick polished crude "
    "boring dull tedious tiresome bland lifeless stale tired predictable formulaic "
    "generic derivative original fresh clever witty funny hilarious amusing silly "
    "stupid dumb idiotic absurd ridiculous ludicrous pointless senseless meaningless "
    "interesting fascinating intriguing compelling engaging gripping riveting captivating "
    "entertaining enjoyable fun delightful charming cute touching moving "
    "heartfelt poignant powerful haunting memorable forgettable unforgettable "
    "disappointing disappointed satisfying unsatisfying rewarding worthwhile worthless "
    "useless useful helpful unhelpful handy convenient inconvenient annoying irritating "
    "frustrating confusing confused unclear obvious subtle thoughtful "
    "thoughtless careless lazy shallow profound pretentious preachy "
    "sentimental mawkish cheesy corny sappy overwrought overblown overlong overrated "
    "underrated bloated slow sluggish snappy smooth buggy flaky unreliable "
    "reliable unstable pathetic lame shoddy second-rate first-rate top-notch "
    "worst worse finest greatest weakest strongest "
    "masterpiece mess failure gem pleasure delight bore "
    "waste letdown flawed flawless uneven inconsistent consistent "
    "ambitious pretentious gratuitous excessive refreshing inspiring inspired uninspired "
    "lackluster lacklustre competent incompetent effective ineffective impressive "
    "unimpressive surprising unsurprising striking stunning dazzling breathtaking "
    "wonderfully beautifully terribly awfully badly poorly brilliantly perfectly "
    "painfully sadly happily fortunately unfortunately thankfully hopefully honestly "
    "frankly truly really genuinely simply merely barely hardly utterly totally "
    "absolutely completely entirely quite rather fairly overly "
    "hate hated hates dislike enjoy enjoyed admire admired "
    "appreciate deserve deserves fails succeed succeeds "
    "worth unworthy must-see lacks lacking wasted shines shine sparkles sings "
    "recommend recommended avoid  "
    "suffers suffer authentic soulless cliche cliches clichéd superficial silly inept ineptly "
    "subtly beauty humor humour charm charming wit mesmerizing mesmerising graceful artful "
    "artfully enlightening affecting affectingly charitable quirky unlikable likable "
    "likeable sensational melodrama melodramatic improbable implausible plausible "
    "convincing unconvincing heavy-handed clunky awkward tasteless tasteful grating "
    "hollow empty rich vivid lively energetic buoyant contemplative thoughtful insightful "
    "self-indulgent indulgent cloying trite banal hackneyed stilted wooden "
    # quality, high and low
    "terrific spectacular splendid magnificent exquisite sublime stellar phenomenal "
    "extraordinary exceptional incredible astonishing astounding admirable commendable "
    "laudable fine adequate acceptable passable serviceable satisfactory "
    "unsatisfactory inadequate middling ordinary unremarkable unexceptional monotonous "
    "repetitive uninteresting unfunny unwatchable unbearable intolerable insufferable "
    "excruciating dreadful atrocious abysmal appalling lousy crappy rotten dismal "
    "wretched pitiful laughable embarrassing dud fluff drivel nonsense garbage rubbish "
    "trash junk disaster triumph achievement treat "
    # how it feels to meet it
    "creepy eerie chilling spooky suspenseful taut thrilling exciting exhilarating "
    "electrifying rousing stirring uplifting heartwarming heartbreaking tender "
    "absorbing involving engrossing enthralling spellbinding hypnotic watchable "
    "lovable adorable endearing appealing unappealing pleasant unpleasant agreeable "
    "disagreeable maddening infuriating exasperating fulfilling "
    # mind and craft
    "smart intelligent shrewd astute perceptive incisive nuanced sophisticated layered "
    "intricate simplistic naive juvenile childish puerile sophomoric sincere earnest "
    "phony contrived forced manipulative exploitative cynical smug condescending "
    "patronizing nasty vile repulsive offensive crass vulgar raunchy accomplished "
    "skillful skilful skilled talented gifted masterful masterly deft adroit assured "
    "amateurish slapdash haphazard incoherent coherent muddled convoluted aimless "
    "meandering rambling plodding ponderous leaden turgid brisk breezy zippy crisp "
    "overdone understated restrained needless superfluous unnecessary noteworthy "
    "wise foolish preposterous outlandish believable unbelievable credible "
    "virtuosity craftsmanship artistry finesse flair panache verve shame pity "
    # verbs that grade
    "excels excel soars soar dazzles impresses impress disappoints disappoint falters "
    "flounders misfires resonates captivates charms entertains amuses bores irritates "
    "grates overstays thrives "
    # more of the same, general usage
    "difficult easy mundane gimmick gimmicky disquieting unsettling abrasive stylish "
    "stylized originality cliché inarticulate articulate eloquent bizarre weird "
    "strange odd awkwardly refreshingly surprisingly disappointingly oddly "
    "pleasantly unpleasantly hilariously annoyingly "
    # praise: invention, craft, spirit and worth
    "ingenious inventive imaginative resourceful audacious bold daring enchanting "
    "luminous radiant resonant evocative expressive poetic lyrical transcendent wry droll "
    "sly playful whimsical winning winsome warmhearted vibrant worthy estimable persuasive "
    "cogent illuminating revealing accomplished assured graceful gracious tactful "
    "uproarious riotous funniest wittiest cleverest smartest irresistible infectious "
    "invigorating bracing heady uncanny spellbinding magical wondrous glorious exuberant "
    "joyous joyful jubilant spirited zesty unpretentious unassuming meaningful fruitful "
    "literate erudite provocative stimulating "
    # blame: dullness, excess, foolishness, botching and sugar
    "dreary drab dingy grim wearisome wearying exhausting numbing inane vapid insipid "
    "tepid limp listless flimsy slight weightless asinine moronic imbecilic witless "
    "brainless mindless bombastic grandiose pompous overbearing overheated strident "
    "shrill murky garbled chintzy tacky tawdry mushy gooey syrupy saccharine treacly "
    "sugary schmaltzy soppy maudlin cartoonish goofy zany wacky kooky clunker stinker "
    "fiasco debacle rehash retread knockoff ripoff icky yucky disgusting revolting "
    "nauseating sickening obnoxious misguided misjudged misconceived wrongheaded botched "
    "bungled innocuous inoffensive toothless anemic anaemic skippable disposable "
    "throwaway nonsensical illogical interminable protracted "
    # more praise: grace, polish, rarity and force
    "adept alluring amiable beguiling blissful commanding distinctive "
    "effortless enriching entrancing exemplary faultless felicitous fetching genial "
    "harmonious heavenly idyllic immaculate impeccable incomparable indelible inimitable "
    "inspirational intoxicating invaluable jaunty laudable lucid lush majestic matchless "
    "miraculous nifty nimble peerless pleasing praiseworthy priceless prodigious "
    "proficient rapturous ravishing resplendent rollicking sparkling sprightly "
    "sterling stupendous suave sumptuous superlative timeless unmatched unparalleled "
    "unrivaled unrivalled versatile virtuoso vivacious wholesome zestful passionate "
    "forceful penetrating heroic nurturing affecting evocative ably deftly superbly "
    "expertly "
    # more blame: crudeness, muddle, triviality and poverty
    "abominable abhorrent amateurish barren belabored belaboured bewildering "
    "boorish brash callous clueless cluttered coarse contemptible creaky cumbersome "
    "cursory deadening deficient deplorable despicable detestable disjointed disorganized "
    "disorganised distasteful dopey dorky facile feeble fatuous flabby "
    "frivolous fussy garish gaudy glib grotesque hideous horrendous horrid humdrum hokey "
    "hoary incomprehensible inconsequential indifferent inexcusable inferior "
    "insignificant insincere irksome irrelevant jumbled klutzy lackadaisical lugubrious "
    "meager meagre meretricious miserable negligible obtuse overcooked overpriced "
    "overstuffed paltry pedestrian perfunctory prosaic questionable rancid repellent "
    "repugnant risible rote rudimentary scattershot schlocky shabby shameless sketchy "
    "sleazy smarmy spotty squalid stodgy subpar substandard thankless threadbare trashy "
    "trivial uncouth underwhelming undistinguished unfocused unimaginative uninvolving "
    "unoriginal unwieldy vacuous wasteful wobbly woeful rancorous demented rude imperious "
    "tangled "
    # what it does to whoever meets it
    "harrowing wrenching heartrending devastating searing shattering scathing biting "
    "caustic acerbic trenchant stinging withering unnerving disturbing sobering "
    "depressing bleak soothing cathartic jarring numbing bewitching beguiling "
    # qualities named as nouns: what a thing has or lacks
    "brilliance grandeur dignity clarity resonance strengths weakness "
    "weaknesses flaw flaws merit merits virtues shortcoming shortcomings pitfalls feat "
    "delights knack gusto zeal aplomb sweetness warmth nuance nuances "
    "subtlety ingenuity imagination passion sincerity conviction courage tedium banality "
    "mediocrity ineptitude incompetence pretension pretensions silliness stupidity "
    "absurdity excesses shallowness emptiness sloppiness clumsiness "
    # a few more ways to grade
    "pale operatic weighty flashy gritty reverent fearless savvy unrelenting genteel "
    "decadent languid languorous unaffected stark punchy edgy trendy quaint noble mere"
)
# Judgements written with a hyphen ("thought-provoking", "well-made"): the tokenizer
# splits them, so they are looked for in the sentence's lower-cased text.
HYPHENATED: Final = (
    "thought-provoking",
    "must-see",
    "heavy-handed",
    "second-rate",
    "first-rate",
    "top-notch",
    "mean-spirited",
    "over-the-top",
    "far-fetched",
    "so-so",
    "half-baked",
    "ham-fisted",
    "by-the-numbers",
    "run-of-the-mill",
    "hit-and-miss",
    "hit-or-miss",
    "feel-good",
    "laugh-out-loud",
    "jaw-dropping",
    "eye-opening",
    "heart-warming",
    "heart-wrenching",
    "mind-numbing",
    "awe-inspiring",
    "self-indulgent",
    "well-",
    "ill-",
    "badly-",
    "poorly-",
    "beautifully-",
    "half-hearted",
    "high-quality",
    "low-quality",
    "low-budget",
    "user-friendly",
    "sweet-natured",
    "side-splitting",
    "rip-off",
    "drawn-out",
    "ill-advised",
)
_HYPHENATED_RE: Final = re.compile("|".join(re.escape(h) for h in HYPHENATED))
# Stance: the writer speaking for themself.
STANCE: Final = wordset("i i'm i've i'd me my we we're us our you you'll you're your")
OPINION_PHRASES: Final = (
    " i think ",
    " i feel ",
    " i believe ",
    " in my opinion ",
    " seems ",
    " feels like ",
    " i guess ",
    " i suppose ",
    " i wish ",
    " i hope ",
    " to be honest ",
    " feel like ",
    " looks like ",
    " sounds like ",
    " no doubt ",
    " of course ",
    # likeness and comparison: the writer's picture of the thing, not the thing
    " as if ",
    " as though ",
    " kind of ",
    " sort of ",
    " not so much ",
    " about as ",
    " such a ",
    " like a ",
    " like an ",
    " more like ",
    " less like ",
)
# Evidence weights (0–1, as in cues.py): one judgement word is a clear sign, two settle it;
# a stance word alone only hints (plenty of facts are told in the first person).
JUDGEMENT_WEIGHT: Final = 0.6
# A manner adverb ("expertly", "ineptly") judges how something is done; weaker alone.
MANNER_WEIGHT: Final = 0.3
NOT_MANNER: Final = wordset(
    "only early family likely daily weekly monthly yearly finally actually usually really "
    "nearly recently currently apparently suddenly eventually immediately directly "
    "especially probably certainly exactly simply already friendly lonely reply rely "
    "apply supply italy july holy ugly silly jelly belly billy emily sally molly kelly "
    "butterfly dragonfly firefly bully rally ally assembly anomaly monopoly lily polly "
    "technically naturally partly mostly largely mainly slightly initially originally"
)
# Third-person narration with no stance and no judgement tells events: a fact.
NARRATIVE: Final = wordset("he she his her him they their them himself herself themselves")
NARRATIVE_DAMPING: Final = 0.6
# Events told in the third person: verbs that move a story or a report on ("she finds",
# "he decides", "they discover") and the clauses that time them ("when", "after").
EVENT_WORDS: Final = wordset(
    "finds discovers decides becomes meets learns begins tries falls goes gets sets "
    "must follows lives returns arrives leaves joins struggles realizes realises "
    "when after until where whose named called then later eventually soon"
)
# The people a story is about, named by their role rather than by "I" or "you": "the
# detective", "his wife", "a young girl". They mark an account of others, as "he" does.
PEOPLE: Final = wordset(
    "man woman men women boy girl kids children teenager teens "
    "father mother son daughter brother sister boyfriend girlfriend uncle aunt "
    "grandmother grandfather parents wife husband "
    "detective doctor lawyer attorney professor teacher student agent officer police cop "
    "soldier journalist reporter priest king queen prince princess scientist businessman boss"
)
NARRATION_MARKERS: Final = EVENT_WORDS | PEOPLE
MAX_NARRATION_MARKERS: Final = 2  # two markers are narration enough; more change nothing
# Three judgement words in one sentence make it a review of the story, not its telling
# ("a meandering, inarticulate and disappointing film about a man who...").
JUDGED_NOT_NARRATION: Final = 3
# Degree and comparison: the writer grades what they describe ("too long", "much
# better", "not enough"). Each such word hints at a judgement, weaker than a judgement
# word; words already in EVALUATIVE ("quite", "really") are counted there.
DEGREE: Final = wordset(
    "too enough much so very pretty almost even more most less least better best "
    "probably maybe perhaps somehow"
)
DEGREE_WEIGHT: Final = 0.3  # a little above a stance word: grading is about the thing
MAX_DEGREE_WORDS: Final = 2
# "it's", "that's", "this": a verdict about the thing at hand usually follows.
VERDICT: Final = wordset("it's that's there's this")
VERDICT_WEIGHT: Final = 0.3  # as a grading word
# Negation and hedging modals take a position on what is or should be ("should have",
# "isn't"); weak alone, since "it doesn't open" is also a plain report.
NEGATION: Final = wordset("not never isn't doesn't don't can't won't nothing none")
NEGATION_WEIGHT: Final = 0.1
HEDGING_MODALS: Final = wordset("should could might may should've could've would've might've")
MODAL_WEIGHT: Final = 0.1
STANCE_WEIGHT: Final = 0.2
OPINION_WEIGHT: Final = 0.6
EXCLAMATION_WEIGHT: Final = 0.3


def evaluative_evidence(lowset: set[str], joined: str, chunk: str) -> float:
    """How surely a sentence evaluates or takes a stance (0–1), from its distinct words
    (``lowset``) and their space-joined form (`` a b c ``)."""
    # One pass over the words, each looked up once in ``_ROLES``, counts what the word
    # lists hold of the sentence (what ``len(LIST & lowset)`` counts, without the sets).
    judged = manner = degree = 0
    seen = 0
    roles = _ROLES
    for w in lowset:
        r = roles.get(w, 0)
        if r:
            seen |= r
            if r & _EVALUATIVE:
                judged += 1
            if r & _DEGREE:
                degree += 1
        if not r & _NOT_MANNER and len(w) > 4 and w.endswith("ly"):
            manner += 1
    if "-" in chunk:
        judged += len(_HYPHENATED_RE.findall(chunk.lower()))
    miss = (1 - JUDGEMENT_WEIGHT) ** judged * (1 - MANNER_WEIGHT) ** manner
    if seen & _STANCE:
        miss *= 1 - STANCE_WEIGHT
    if degree:
        miss *= (1 - DEGREE_WEIGHT) ** min(degree, MAX_DEGREE_WORDS)
    if seen & _VERDICT:
        miss *= 1 - VERDICT_WEIGHT
    if seen & _NEGATION:
        miss *= 1 - NEGATION_WEIGHT
    if seen & _HEDGING:
        miss *= 1 - MODAL_WEIGHT
    if "!" in chunk:
        miss *= 1 - EXCLAMATION_WEIGHT
    if miss < 1 and seen & _OPINION_OPENER and _OPINION_RE.search(joined):
        miss *= 1 - OPINION_WEIGHT
    return 1 - miss


_OPINION_RE: Final = re.compile("|".join(re.escape(p) for p in OPINION_PHRASES))
# Each phrase's first word: without one of them in the sentence, the search is skipped.
_OPINION_FIRST: Final = frozenset(p.split()[0] for p in OPINION_PHRASES)

# Which of the lists each word is on, as bits: a sentence's words are looked up once.
_EVALUATIVE: Final = 1
_STANCE: Final = 2
_DEGREE: Final = 4
_VERDICT: Final = 8
_NEGATION: Final = 16
_HEDGING: Final = 32
_OPINION_OPENER: Final = 64
_NOT_MANNER: Final = 128
_NARRATIVE: Final = 256
_NARRATION_MARKER: Final = 512


def _word_roles() -> dict[str, int]:
    roles: dict[str, int] = {}
    for bit, words in (
        (_EVALUATIVE, EVALUATIVE),
        (_STANCE, STANCE),
        (_DEGREE, DEGREE),
        (_VERDICT, VERDICT),
        (_NEGATION, NEGATION),
        (_HEDGING, HEDGING_MODALS),
        (_OPINION_OPENER, _OPINION_FIRST),
        (_NOT_MANNER, NOT_MANNER),
        (_NARRATIVE, NARRATIVE),
        (_NARRATION_MARKER, NARRATION_MARKERS),
    ):
        for w in words:
            roles[w] = roles.get(w, 0) | bit
    return roles


_ROLES: Final = _word_roles()


def is_narration(lowset: set[str]) -> bool:
    """Third person, no first/second person, no judgement word: someone tells events."""
    return (
        not NARRATIVE.isdisjoint(lowset)
        and STANCE.isdisjoint(lowset)
        and EVALUATIVE.isdisjoint(lowset)
    )


def narration_damping(lowset: set[str]) -> float:
    """What is left of a sentence's emotional score when it tells events: each marker of
    narration (a third-person pronoun, an event verb, a "when"/"after" clause, a person
    named by role) damps it, unless the writer speaks for themself or judges three times."""
    markers = judged = 0
    roles = _ROLES
    for w in lowset:
        r = roles.get(w, 0)
        if r:
            if r & _STANCE:
                return 1.0
            if r & _NARRATIVE:
                markers += 1
            if r & _NARRATION_MARKER:
                markers += 1
            if r & _EVALUATIVE:
                judged += 1
    if not markers or judged >= JUDGED_NOT_NARRATION:
        return 1.0
    return NARRATIVE_DAMPING ** min(markers, MAX_NARRATION_MARKERS)


# Support facts: a sentence that tells a step taken, what works and what does not, a
# deadline or what an error says is information for the agent even when feeling runs
# through it ("OK, it works on Chrome now but still not on Safari."), so its emotional
# score is damped as a sentence with a number or a path is (``reading.FACT_DAMPING``).
STEP_VERBS: Final = wordset(
    "tried cleared restarted reinstalled installed uninstalled updated upgraded followed "
    "checked disabled enabled deleted reset changed logged rebooted removed added ran "
    "switched contacted emptied downloaded uploaded created edited re-installed"
)
FIRST_PERSON: Final = wordset("i i've we we've")
SUPPORT_FACT_PHRASES: Final = (
    # what works where, and what does not
    " works on ",
    " works in ",
    " works with ",
    " works fine on ",
    " works fine in ",
    " working on ",
    " working in ",
    " but not on ",
    " but not in ",
    " still not on ",
    " still not in ",
    " doesn't work on ",
    " doesn't work in ",
    " does not work on ",
    " does not work in ",
    " nothing happens ",
    # deadlines
    " due at ",
    " due by ",
    " due in ",
    " due on ",
    " due tomorrow ",
    " due tonight ",
    " due today ",
    " deadline is ",
    " by midnight ",
    # what an error says
    " error says ",
    " error message ",
    " error code ",
    " it says ",
    " it shows ",
    " message says ",
    " pops up ",
    " i get an error ",
    " i get the error ",
    " i got an error ",
)
_SUPPORT_FACT_RE: Final = re.compile("|".join(re.escape(p) for p in SUPPORT_FACT_PHRASES))
_SUPPORT_FACT_WORDS: Final = frozenset(
    w for p in SUPPORT_FACT_PHRASES for w in p.split() if w not in {"on", "in", "is", "at", "by"}
)


def reports_support_fact(lows: list[str], lowset: set[str], joined: str) -> bool:
    """True when the sentence (its words, their set, and `` a b c `` form) tells a step
    the writer took ("I already tried Firefox"), what works where, a deadline, or what an
    error says."""
    if not FIRST_PERSON.isdisjoint(lowset) and not STEP_VERBS.isdisjoint(lowset):
        for k in range(len(lows) - 1):
            if lows[k] in STEP_VERBS and lows[k + 1] != "to":  # not "I tried to like it"
                return True
    if _SUPPORT_FACT_WORDS.isdisjoint(lowset):
        return False
    return _SUPPORT_FACT_RE.search(joined) is not None


# A call for attention and nothing else, "Hello??", "Anyone there?": no information, and
# impatience in the asking, so it is never kept as a fact.
PHATIC: Final = wordset(
    "hello helloo hellooo hi hey anyone anybody someone somebody there is are you guys "
    "yo ok okay so um erm"
)


def is_phatic_call(lowset: set[str], chunk: str) -> bool:
    """True when every word of the sentence calls for attention and it asks ("Hello??")."""
    return "?" in chunk and bool(lowset) and lowset <= PHATIC
