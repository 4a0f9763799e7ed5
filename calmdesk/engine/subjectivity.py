"""Evaluative language: what makes a sentence an opinion or a feeling rather than a fact.

The tone model knows feelings (it learned GoEmotions); a sentence can carry no feeling
and still be a judgement ("the new editor is clumsy and slow"). These hand-written word
lists mark judgement, intensity and stance. They were written from general English usage
and are not learned from any evaluation set (SUBJ is only used to report accuracy)."""

from __future__ import annotations

import re

from calmdesk.engine.text import wordset

# Judgement words: adjectives, adverbs, nouns and verbs that evaluate something.
EVALUATIVE = wordset(
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
    "self-indulgent indulgent cloying trite banal hackneyed stilted wooden"
)
# Stance: the writer speaking for themself.
STANCE = wordset("i i'm i've i'd me my we we're us our you you'll you're your")
OPINION_PHRASES = (
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
)
# Evidence weights (0–1, as in cues.py): one judgement word is a clear sign, two settle it;
# a stance word alone only hints (plenty of facts are told in the first person).
JUDGEMENT_WEIGHT = 0.6
# A manner adverb ("expertly", "ineptly") judges how something is done; weaker alone.
MANNER_WEIGHT = 0.3
NOT_MANNER = wordset(
    "only early family likely daily weekly monthly yearly finally actually usually really "
    "nearly recently currently apparently suddenly eventually immediately directly "
    "especially probably certainly exactly simply already friendly lonely reply rely "
    "apply supply italy july holy ugly silly jelly belly billy emily sally molly kelly "
    "butterfly dragonfly firefly bully rally ally assembly anomaly monopoly lily polly "
    "technically naturally partly mostly largely mainly slightly initially originally"
)
# Third-person narration with no stance and no judgement tells events: a fact.
NARRATIVE = wordset("he she his her him they their them himself herself themselves")
NARRATIVE_DAMPING = 0.6
STANCE_WEIGHT = 0.2
OPINION_WEIGHT = 0.6
EXCLAMATION_WEIGHT = 0.3


def evaluative_evidence(lowset: set[str], joined: str, chunk: str) -> float:
    """How surely a sentence evaluates or takes a stance (0–1), from its distinct words
    (``lowset``) and their space-joined form (`` a b c ``)."""
    judged = len(EVALUATIVE & lowset)
    manner = 0
    if "ly " in joined:
        manner = sum(1 for w in lowset if w.endswith("ly") and len(w) > 4 and w not in NOT_MANNER)
    miss = (1 - JUDGEMENT_WEIGHT) ** judged * (1 - MANNER_WEIGHT) ** manner
    if not STANCE.isdisjoint(lowset):
        miss *= 1 - STANCE_WEIGHT
    if "!" in chunk:
        miss *= 1 - EXCLAMATION_WEIGHT
    if miss < 1 and _OPINION_RE.search(joined):
        miss *= 1 - OPINION_WEIGHT
    return 1 - miss


_OPINION_RE = re.compile("|".join(re.escape(p) for p in OPINION_PHRASES))


def is_narration(lowset: set[str]) -> bool:
    """Third person, no first/second person, no judgement word: someone tells events."""
    return (
        not NARRATIVE.isdisjoint(lowset)
        and STANCE.isdisjoint(lowset)
        and EVALUATIVE.isdisjoint(lowset)
    )
