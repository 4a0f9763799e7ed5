"""Which known product problem a customer's message is about: TF-IDF over words (their
endings stripped: "crashes", "crashed" and "crash" are one) and character n-grams (3 to
5 letters, inside words), cosine against each problem's profile (the normalised sum of
its linked customer messages).

Pure functions over frozen dataclasses: ``build_index(problems)`` once, then
``suggest(index, text)`` per message. The explanation of a suggestion is the words the
message shares with the problem's messages, heaviest first."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from calmdesk.engine.text import sentence_spans

# Word features carry the explanation; character n-grams catch spelling variants and
# inflections ("crash", "crashes", "crashing"). Each block is normalised on its own and
# the two are mixed by these weights (a first choice, not tuned on the labelled set that
# calmdesk bench problems measures on).
WORD_WEIGHT = 0.6
CHAR_WEIGHT = 0.4
CHAR_NGRAMS = (3, 4, 5)
# Below this cosine a message is about none of the problems. Chosen for precision over
# recall (a wrong one-click suggestion costs the agent's attention); calmdesk bench
# problems prints precision and recall at this and nearby thresholds.
MIN_SCORE = 0.18
SHARED_TERMS = 5
# A profile keeps its heaviest features only: the tail of a problem seen in hundreds of
# messages is their other topics, and a short profile keeps a suggestion's cost flat.
PROFILE_FEATURES = 600
# A problem's stats keep the candidates for its profile only (its heaviest features
# before IDF), so merging all problems costs features of profiles, not of messages.
# A feature none of them keeps weighs as the rarest (``default_idf``).
STATS_FEATURES = 2000

# An error code (ERR_SYNC_TIMEOUT) is one word: it names the problem better than its parts.
_WORD = re.compile(r"[a-z0-9][a-z0-9_'’]*[a-z0-9]|[a-z0-9]", re.IGNORECASE)
_URL = re.compile(r"https?://\S+|www\.\S+|@\w+|\S+@\S+")
# Function words and the greetings and courtesies of every support message: they say
# nothing about which problem it is.
_STOPWORDS = """a about above after again all also am an and any are as at be because been before
    being but by can cannot could did do does doing don't dont for from had has have having
    he her here hers him his how i i'm im if in into is isn't it it's its just me more most
    my no not now of off on once only or other our out over own please same she should so
    some such than thank thanks that the their them then there these they this those to too
    under until up very was we were what when where which while who why will with would you
    your yours hi hello hey dear regards cheers best get got still yet again really one
    anyone someone something any way help can't cant im i've ive i'd you're we're it's"""
STOPWORDS = frozenset(_STOPWORDS.split())
# Endings stripped from a word, longest first, when the stem left has at least this many
# letters ("crashes" -> "crash", "played" -> "play", not "bus" -> "bu"). Customer tweets
# name a problem in few words, so two that say "album" and "albums" must share one.
# Word bigrams were dropped for the same reason: a short message rarely repeats two
# words in a row of any linked one, and the bigrams only spread its weight thinner (on
# the tuning half of calmdesk bench problems, recall rose from 0 to 0.19 at MIN_SCORE).
_ENDINGS = (("ing", 3), ("ed", 3), ("es", 3), ("s", 3))

Vector = dict[str, float]


@dataclass(frozen=True)
class ProblemProfile:
    problem_id: int
    vector: Mapping[str, float]


@dataclass(frozen=True)
class ProblemIndex:
    """What ``suggest`` needs: the IDF of every feature seen in linked messages and one
    profile per problem that has any."""

    idf: Mapping[str, float]
    default_idf: float
    profiles: tuple[ProblemProfile, ...]
    documents: int
    # Feature -> (position in ``profiles``, weight): a suggestion touches only the
    # problems that share a feature with the message, not every profile.
    postings: Mapping[str, tuple[tuple[int, float], ...]]


@dataclass(frozen=True)
class Suggestion:
    problem_id: int
    score: float
    shared_terms: tuple[str, ...]


def words(text: str) -> list[str]:
    text = _URL.sub(" ", text.lower())
    return [w.replace("’", "'") for w in _WORD.findall(text)]


def stem(word: str) -> str:
    """``word`` without its possessive and its plural or verb ending (see ``_ENDINGS``)."""
    if word.endswith("'s"):
        word = word[:-2]
    for ending, keep in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= keep:
            if ending == "s" and word.endswith("ss"):
                return word  # "access", "less"
            return word[: -len(ending)]
    return word


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def features(text: str) -> Counter[str]:
    """Content words, stemmed (``w:``), and character n-grams of each stem padded by
    spaces (``c:``)."""
    counts: Counter[str] = Counter()
    for word in map(stem, content_words(text)):
        counts["w:" + word] += 1
        padded = f" {word} "
        for n in CHAR_NGRAMS:
            for start in range(len(padded) - n + 1):
                counts["c:" + padded[start : start + n]] += 1
    return counts


def _weigh(counts: Mapping[str, int], idf: Mapping[str, float], default_idf: float) -> Vector:
    """Sublinear TF times IDF, each block (words, characters) normalised and weighted."""
    blocks: dict[str, Vector] = {"w": {}, "c": {}}
    for feature, count in counts.items():
        blocks[feature[0]][feature] = (1.0 + math.log(count)) * idf.get(feature, default_idf)
    vector: Vector = {}
    for block, weight in (("w", WORD_WEIGHT), ("c", CHAR_WEIGHT)):
        norm = math.sqrt(sum(v * v for v in blocks[block].values()))
        if norm:
            for feature, value in blocks[block].items():
                vector[feature] = weight * value / norm
    return vector


def _unit(vector: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else {}


@dataclass(frozen=True)
class ProblemStats:
    """What one problem's messages bring to an index, apart from every other problem's:
    computed once per change of that problem and kept, so a change elsewhere costs only
    ``merge_index`` (over features, not messages)."""

    documents: int
    document_frequency: Mapping[str, int]
    # The sum over its messages of each one's block-normalised sublinear TF.
    term_weight: Mapping[str, float]


def problem_stats(texts: Iterable[str]) -> ProblemStats:
    document_frequency: Counter[str] = Counter()
    term_weight: Vector = {}
    documents = 0
    for text in texts:
        counts = features(text)
        if not counts:
            continue
        documents += 1
        document_frequency.update(counts.keys())
        for feature, value in _weigh(counts, {}, 1.0).items():
            term_weight[feature] = term_weight.get(feature, 0.0) + value
    if len(term_weight) > STATS_FEATURES:
        term_weight = dict(heapq.nlargest(STATS_FEATURES, term_weight.items(), key=_second))
    kept = {f: document_frequency[f] for f in term_weight}
    return ProblemStats(documents, kept, term_weight)


def _second(pair: tuple[str, float]) -> float:
    return pair[1]


def build_index(problems: Mapping[int, Sequence[str]]) -> ProblemIndex:
    """``problems``: each problem's id and the texts of its linked customer messages."""
    return merge_index({pid: problem_stats(texts) for pid, texts in problems.items()})


def merge_index(stats: Mapping[int, ProblemStats]) -> ProblemIndex:
    """One index from each problem's stats: IDF over all their messages, each profile the
    problem's term weights times IDF, cut to its ``PROFILE_FEATURES`` heaviest."""
    document_frequency: Counter[str] = Counter()
    documents = 0
    for one in stats.values():
        document_frequency.update(one.document_frequency)
        documents += one.documents
    # Smoothed IDF (as scikit-learn's default): a feature in every document still weighs 1.
    idf = {f: math.log((1 + documents) / (1 + df)) + 1.0 for f, df in document_frequency.items()}
    default_idf = math.log(1 + documents) + 1.0
    profiles = []
    for pid, one in stats.items():
        weighted = {f: w * idf[f] for f, w in one.term_weight.items()}
        if len(weighted) > PROFILE_FEATURES:
            weighted = dict(heapq.nlargest(PROFILE_FEATURES, weighted.items(), key=_second))
        if weighted:
            profiles.append(ProblemProfile(pid, _unit(weighted)))
    postings: dict[str, list[tuple[int, float]]] = {}
    for position, profile in enumerate(profiles):
        for feature, value in profile.vector.items():
            postings.setdefault(feature, []).append((position, value))
    return ProblemIndex(
        idf,
        default_idf,
        tuple(profiles),
        documents,
        {feature: tuple(entries) for feature, entries in postings.items()},
    )


def _shared(
    query: Mapping[str, float], profile: Mapping[str, float], said: Mapping[str, str]
) -> tuple[str, ...]:
    """The heaviest words the message shares with the profile, as the message wrote
    them (``said``: stem -> its first word there), not as stems."""
    contributions = [
        (value * profile[f], said.get(f[2:], f[2:]))
        for f, value in query.items()
        if f.startswith("w:") and f in profile
    ]
    contributions.sort(key=lambda pair: (-pair[0], pair[1]))
    return tuple(term for _weight, term in contributions[:SHARED_TERMS])


def suggest(
    index: ProblemIndex,
    text: str,
    *,
    limit: int = 3,
    min_score: float = MIN_SCORE,
    exclude: Iterable[int] = (),
) -> list[Suggestion]:
    """The problems ``text`` is most likely about, best first, each scoring at least
    ``min_score``; ``exclude`` names problems already linked."""
    query = _unit(_weigh(features(text), index.idf, index.default_idf))
    if not query:
        return []
    skip = set(exclude)
    totals: dict[int, float] = {}
    for feature, value in query.items():
        for position, weight in index.postings.get(feature, ()):
            totals[position] = totals.get(position, 0.0) + value * weight
    scored = [
        (score, index.profiles[position])
        for position, score in totals.items()
        if score >= min_score and index.profiles[position].problem_id not in skip
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1].problem_id))
    said: dict[str, str] = {}
    for word in content_words(text):
        said.setdefault(stem(word), word)
    return [
        Suggestion(profile.problem_id, round(score, 4), _shared(query, profile.vector, said))
        for score, profile in scored[:limit]
    ]


@dataclass(frozen=True)
class Quote:
    """A sentence of message ``source`` (its position in the texts given) that says the
    problem most plainly."""

    source: int
    sentence: str
    score: float


# A quote says something on its own: not "Same here." and not a whole paragraph.
QUOTE_MIN_WORDS = 4
QUOTE_MAX_CHARS = 240


def telling_sentences(texts: Sequence[str], limit: int = 5) -> list[Quote]:
    """The sentences of ``texts`` (the customer messages of one problem) closest to what
    they have in common: each scored by cosine with the profile of all of them, at most
    one from each message, best first."""
    index = build_index({0: list(texts)})
    if not index.profiles:
        return []
    profile = index.profiles[0].vector
    best: dict[int, Quote] = {}
    for source, text in enumerate(texts):
        for start, end in sentence_spans(text):
            sentence = " ".join(text[start:end].split())
            if len(sentence) > QUOTE_MAX_CHARS or len(words(sentence)) < QUOTE_MIN_WORDS:
                continue
            vector = _unit(_weigh(features(sentence), index.idf, index.default_idf))
            score = sum(value * profile.get(f, 0.0) for f, value in vector.items())
            if score > 0 and (source not in best or score > best[source].score):
                best[source] = Quote(source, sentence, round(score, 4))
    return sorted(best.values(), key=lambda q: (-q.score, q.source))[:limit]
