"""The learned tone model at inference: TF-IDF terms × a weight matrix, with numpy.

Weights load once, lazily, from ``data/tone.npz`` (see data/PROVENANCE.md). When the
file is missing the engine still runs on its support cues alone and says so."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from calmdesk.engine.features import PREFIX, terms
from calmdesk.engine.native import ENGINE_DIR

# The source folder's, also when this module runs compiled from the build folder.
DATA_DIR: Final = ENGINE_DIR / "data"
TONE_FILE: Final = DATA_DIR / "tone.npz"
POLITENESS_FILE: Final = DATA_DIR / "politeness.npz"
F32 = npt.NDArray[np.float32]


# Terms looked at when explaining a tone: the first few hundred distinct terms suffice.
MAX_EXPLAINED_TERMS: Final = 400


def _blob_to_list(blob: npt.NDArray[np.uint8]) -> list[str]:
    text = blob.tobytes().decode("utf-8")
    return text.split("\n") if text else []


@dataclass(frozen=True)
class Head:
    classes: tuple[str, ...]
    w: F32  # (vocab, classes)
    b: F32
    threshold: float
    softmax: bool  # one distribution over the classes, else a sigmoid per class
    b_list: tuple[float, ...]  # the bias as Python floats, for the per-message arithmetic


class FlatHead:
    """A head's weights as one flat list of Python floats, row by row (term × class).

    A message has a few dozen terms: summing their rows in a plain loop costs less than
    numpy's per-call overhead (converting the ids, gathering, the product, back to a
    list), and compiled by mypyc (``native.py``) the loop is C. Only the head that reads
    every message is kept this way (~10 MB for 40,000 terms × 8 tones)."""

    def __init__(self, head: Head) -> None:
        self.classes = head.classes
        self.n = len(head.classes)
        # The weights were stored as float16, so at most 65,536 distinct values: one float
        # object per value, shared by the list, keeps it at a third of the memory.
        shared: dict[float, float] = {}
        self.flat: list[float] = [shared.setdefault(v, v) for v in head.w.ravel().tolist()]
        self.bias: list[float] = list(head.b_list)
        self.threshold = head.threshold
        self.softmax = head.softmax

    def logits(self, keys: list[int], vals: list[float]) -> list[float]:
        """The bias plus each term's row times its TF-IDF value."""
        if self.n == TONE_CLASSES:
            return self._logits8(keys, vals)  # norm 1: x / 1.0 is x
        if len(keys) != len(vals):
            raise ValueError("keys and vals differ in length")
        n = self.n
        z = list(self.bias)
        flat = self.flat
        for i in range(len(keys)):
            base = keys[i] * n
            v = vals[i]
            for c in range(n):
                z[c] += v * flat[base + c]
        return z

    def logits_of(self, keys: list[int], raw: list[float], norm: float) -> list[float]:
        """``logits(keys, [v / norm for v in raw])``, dividing as it sums (the same
        floats, without the list of divided values)."""
        if self.n == SENTIMENT_CLASSES:
            return self._logits3(keys, raw, norm)
        if self.n != TONE_CLASSES:
            return self.logits(keys, [v / norm for v in raw])
        return self._logits8(keys, raw, norm)

    def _logits3(self, keys: list[int], vals: list[float], norm: float) -> list[float]:
        """``logits_of`` for the three sentiment classes, written out as ``_logits8``."""
        if len(keys) != len(vals):
            raise ValueError("keys and vals differ in length")
        flat = self.flat
        b = self.bias
        z0, z1, z2 = b[0], b[1], b[2]
        for i in range(len(keys)):
            base = keys[i] * 3
            v = vals[i] / norm
            z0 += v * flat[base]
            z1 += v * flat[base + 1]
            z2 += v * flat[base + 2]
        return [z0, z1, z2]

    def _logits8(self, keys: list[int], vals: list[float], norm: float = 1.0) -> list[float]:
        """``logits`` for the eight tones, written out: eight running sums in locals
        (unboxed floats when compiled) instead of a list written 8 times per term. The
        sums run in the same order as the general loop, so the result is the same."""
        if len(keys) != len(vals):
            raise ValueError("keys and vals differ in length")
        flat = self.flat
        b = self.bias
        z0, z1, z2, z3, z4, z5, z6, z7 = b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
        # Index loops, not zip(strict=True): compiled, that zip is a generic call.
        for i in range(len(keys)):
            base = keys[i] * 8
            v = vals[i] / norm
            z0 += v * flat[base]
            z1 += v * flat[base + 1]
            z2 += v * flat[base + 2]
            z3 += v * flat[base + 3]
            z4 += v * flat[base + 4]
            z5 += v * flat[base + 5]
            z6 += v * flat[base + 6]
            z7 += v * flat[base + 7]
        return [z0, z1, z2, z3, z4, z5, z6, z7]

    def logits_with(
        self, other: FlatHead, keys: list[int], vals: list[float], norm: float
    ) -> tuple[list[float], list[float]]:
        """``(self.logits_of(keys, vals, norm), other.logits_of(keys, vals, norm))`` for
        this eight-tone head and a three-class head over the same terms (the sentiment
        head), in one pass: each term's id and value are read once for both. Each sum
        runs in the same order as alone, so the results are the same floats."""
        if self.n != TONE_CLASSES or other.n != SENTIMENT_CLASSES:
            return self.logits_of(keys, vals, norm), other.logits_of(keys, vals, norm)
        if len(keys) != len(vals):
            raise ValueError("keys and vals differ in length")
        flat = self.flat
        b = self.bias
        z0, z1, z2, z3, z4, z5, z6, z7 = b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
        flat3 = other.flat
        b3 = other.bias
        s0, s1, s2 = b3[0], b3[1], b3[2]
        for i in range(len(keys)):
            k = keys[i]
            v = vals[i] / norm
            base = k * 8
            z0 += v * flat[base]
            z1 += v * flat[base + 1]
            z2 += v * flat[base + 2]
            z3 += v * flat[base + 3]
            z4 += v * flat[base + 4]
            z5 += v * flat[base + 5]
            z6 += v * flat[base + 6]
            z7 += v * flat[base + 7]
            base = k * 3
            s0 += v * flat3[base]
            s1 += v * flat3[base + 1]
            s2 += v * flat3[base + 2]
        return [z0, z1, z2, z3, z4, z5, z6, z7], [s0, s1, s2]

    def column(self, keys: list[int], cls: int) -> list[float]:
        """Class ``cls``'s weight for each term of ``keys``."""
        n = self.n
        flat = self.flat
        return [flat[k * n + cls] for k in keys]


# The head that reads every message (the others serve the benchmark's protocol).
READ_HEAD: Final = "tones"
TONE_CLASSES: Final = 8
SENTIMENT_CLASSES: Final = 3  # negative, neutral, positive (``sentiment.py``)

# Tokens whose term ids are remembered: the common words of a mailbox (an entry and its
# token cost ~200 bytes, so at most ~4 MB). When it is full it starts over, so it follows
# the words being read rather than keeping the first ones for ever.
TOKEN_CACHE_SIZE: Final = 20_000


class _TokenIds(dict[str, tuple[int, int]]):
    """Token → (its unigram id, the id of its prefix term: "annoy~" for "annoyed"), -1
    where the vocabulary has no such term; filled on first sight, so a common token costs
    one lookup in this small table instead of two in the vocabulary."""

    def __init__(self, index: dict[str, int]) -> None:
        super().__init__()
        self._index = index

    def __missing__(self, tok: str) -> tuple[int, int]:
        index = self._index
        prefix = index.get(tok[:PREFIX] + "~", -1) if len(tok) > PREFIX + 1 else -1
        ids = (index.get(tok, -1), prefix)
        if len(self) >= TOKEN_CACHE_SIZE:
            self.clear()  # start over: the words of this mailbox now, not of the first ones
        self[tok] = ids
        return ids


class LinearTextModel:
    """Sublinear-tf TF-IDF over unigrams+bigrams, then one sigmoid per class."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as z:
            vocab = _blob_to_list(z["vocab"])
            self.vocab: list[str] = vocab
            self.index: dict[str, int] = {t: i for i, t in enumerate(vocab)}
            self.idf: F32 = z["idf"].astype(np.float32)
            self.idf_list: list[float] = [float(v) for v in self.idf]
            self.heads: dict[str, Head] = {}
            self.flat_heads: dict[str, FlatHead] = {}
            self._token_ids = _TokenIds(self.index)
            # Bigrams by their two words' ids (a·V + b): an int key, no joined string.
            # A bigram whose word is no term of its own is looked up by its string.
            width = len(vocab)
            self._width = width
            self._pair_ids: dict[int, int] = {}
            self._loose_bigrams: dict[str, int] = {}
            # Whether a word begins a bigram of the vocabulary (a few thousand of the
            # words do): most adjacent pairs are no term, and one list index says so
            # before the pair's key is made and looked up.
            self._starts_pair: list[bool] = [False] * width
            for term, i in self.index.items():
                a, space, b = term.partition(" ")
                if not space:
                    continue
                ia, ib = self.index.get(a), self.index.get(b)
                if ia is None or ib is None:
                    self._loose_bigrams[term] = i
                else:
                    self._pair_ids[ia * width + ib] = i
                    self._starts_pair[ia] = True
            for key in z.files:
                if key.startswith("w_"):
                    name = key[2:]
                    w = z[key].astype(np.float32)
                    self.heads[name] = Head(
                        classes=tuple(_blob_to_list(z[f"classes_{name}"])),
                        w=w,
                        b=z[f"b_{name}"].astype(np.float32),
                        threshold=float(z[f"threshold_{name}"][0]),
                        softmax=bool(z[f"softmax_{name}"][0])
                        if f"softmax_{name}" in z.files
                        else False,
                        b_list=tuple(float(v) for v in z[f"b_{name}"]),
                    )
            if READ_HEAD in self.heads:
                self.flat_heads[READ_HEAD] = FlatHead(self.heads[READ_HEAD])

    def positional_ids(self, toks: list[str]) -> tuple[list[int], list[int], list[int]]:
        """Unigram and prefix ids per token and bigram ids per adjacent pair (-1: not in
        the vocabulary), so any run of tokens (a sentence) takes its terms without
        tokenizing again. Together, in that order, they are ``terms(toks)``."""
        cache = self._token_ids
        uni: list[int] = []
        pre: list[int] = []
        for tok in toks:
            u, p = cache[tok]
            uni.append(u)
            pre.append(p)
        # Bigrams by their two words' ids: an int key, no joined string.
        pair = self._pair_ids
        loose = self._loose_bigrams
        width = self._width
        starts = self._starts_pair
        bi: list[int] = []
        for n in range(len(toks) - 1):
            a = uni[n]
            b = uni[n + 1]
            if a >= 0 and b >= 0:
                bi.append(pair.get(a * width + b, -1) if starts[a] else -1)
            elif loose:
                bi.append(loose.get(toks[n] + " " + toks[n + 1], -1))
            else:
                bi.append(-1)
        return uni, bi, pre

    def term_ids(self, toks: list[str]) -> list[int]:
        get = self.index.get
        return [i for i in map(get, terms(toks)) if i is not None]

    def vector(self, ids: list[int]) -> tuple[list[int], list[float]]:
        """The same arithmetic as training: (1 + log tf) × idf, L2-normalised."""
        keys, raw, norm = self.raw_vector(ids)
        return keys, [v / norm for v in raw]

    def raw_vector(self, ids: list[int]) -> tuple[list[int], list[float], float]:
        """``vector`` before the division by its norm: (terms, (1 + log tf) × idf, norm).
        Whoever needs the values divides them (``FlatHead.logits_of`` as it sums), so a
        message's values are not made twice.

        Plain Python: a message has tens of distinct terms, where numpy's per-call
        overhead costs more than the arithmetic."""
        idf = self.idf_list
        if len(set(ids)) == len(ids):  # the usual case: every term once, tf weight 1
            keys = ids
            vals = [idf[k] for k in ids]
        else:
            counts: dict[int, int] = {}
            for i in ids:
                counts[i] = counts.get(i, 0) + 1
            keys = list(counts)
            vals = [(1.0 + math.log(c)) * idf[k] if c > 1 else idf[k] for k, c in counts.items()]
        total = 0.0
        for v in vals:
            total += v * v
        return keys, vals, math.sqrt(total) or 1.0

    def logits(self, head: str, keys: list[int], vals: list[float]) -> list[float]:
        h = self.heads[head]
        if not keys:
            return list(h.b_list)
        return logits_of_rows(h, h.w[keys], vals)

    def probs_list(self, head: str, keys: list[int], vals: list[float]) -> list[float]:
        return activate_list(self.heads[head], self.logits(head, keys, vals))

    def probs(self, head: str, ids: list[int]) -> F32:
        keys, vals = self.vector(ids)
        return np.array(self.probs_list(head, keys, vals), dtype=np.float32)


def logits_of_rows(h: Head, rows: F32, vals: list[float]) -> list[float]:
    """Logits from the weight rows of a text's terms (``h.w[keys]``, gathered once and
    shared with the sentences and the explanation) and their TF-IDF values."""
    z = np.dot(np.array(vals, dtype=np.float32), rows)
    return [float(a) + b for a, b in zip(z.tolist(), h.b_list, strict=True)]


def top_contributions(
    weights: list[float], keys: list[int], vals: list[float], top: int
) -> list[tuple[float, int]]:
    """The ``top`` (value × weight, term id) pairs, best first: what
    ``sorted(pairs, reverse=True)[:top]`` (and ``heapq.nlargest``) return, kept in one
    pass over the few dozen terms of a message instead of sorting them all."""
    if len(vals) != len(weights):
        raise ValueError("vals and weights differ in length")
    best: list[tuple[float, int]] = []
    if top <= 0:
        return best
    if len(keys) != len(vals):
        raise ValueError("keys and vals differ in length")
    for i in range(len(vals)):
        c = vals[i] * weights[i]
        k = keys[i]
        if len(best) == top:
            low, low_key = best[-1]
            if c < low or (c == low and k <= low_key):
                continue
            best.pop()
        i = len(best)
        while i > 0 and (best[i - 1][0] < c or (best[i - 1][0] == c and best[i - 1][1] < k)):
            i -= 1
        best.insert(i, (c, k))
    return best


def class_probs(
    h: FlatHead, ids_per_sentence: list[list[int]], idf: list[float], cls: str
) -> list[float]:
    """Each sentence's probability of ``cls``: its terms counted once (sentences are
    short; tf is almost always 1), idf-weighted and L2-normalised, as in training."""
    col = h.classes.index(cls)
    out: list[float] = []
    for ids in ids_per_sentence:
        uniq = list(dict.fromkeys(ids))
        total = 0.0
        for k in uniq:
            total += idf[k] * idf[k]
        norm = math.sqrt(total) or 1.0
        z = h.logits_of(uniq, [idf[k] for k in uniq], norm)
        out.append(activate_flat(h, z)[col])
    return out


def activate_flat(h: FlatHead, z: list[float]) -> list[float]:
    if h.softmax:
        top = z[0]
        for v in z:  # max(z), without the builtin's keyword parsing
            if v > top:
                top = v
        e = [math.exp(v - top) for v in z]
        total = 0.0
        for v in e:  # summed in order (``sum`` compensates from Python 3.12 on)
            total += v
        return [v / total for v in e]
    return [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, v)))) for v in z]


def activate_list(h: Head, z: list[float]) -> list[float]:
    if h.softmax:
        top = max(z)
        e = [math.exp(v - top) for v in z]
        total = sum(e)
        return [v / total for v in e]
    return [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, v)))) for v in z]


def _activate(h: Head, z: F32) -> F32:
    if h.softmax:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        out: F32 = (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)
        return out
    return _sigmoid(z)


def _sigmoid(z: F32) -> F32:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))).astype(np.float32)


_lock = threading.Lock()
_models: dict[Path, LinearTextModel | None] = {}


# The shipped tone model once looked up (empty before): every reading asks for it, and
# a Path is hashed by Python code, so this skips the table.
_tone_model: list[LinearTextModel | None] = []


def load_tone() -> LinearTextModel | None:
    """``load()`` of the shipped tone model, remembered after the first call."""
    if not _tone_model:
        _tone_model.append(load(TONE_FILE))
    return _tone_model[0]


def load(path: Path = TONE_FILE) -> LinearTextModel | None:
    """The model at ``path``, loaded on first use and shared; None if the file is absent."""
    model = _models.get(path, False)
    if model is not False:
        return model  # type: ignore[return-value]
    with _lock:
        if path not in _models:
            _models[path] = LinearTextModel(path) if path.exists() else None
        return _models[path]


def sentence_probs(
    model: LinearTextModel,
    head: str,
    ids_per_sentence: list[list[int]],
    rows: tuple[F32, dict[int, int]] | None = None,
) -> F32:
    """Probabilities for many sentences in one gather: (n_sentences, classes). Within a
    sentence a term counts once (sentences are short; tf is almost always 1). ``rows``:
    the whole text's weight rows and each term's row in them, when already gathered."""
    h = model.heads[head]
    n = len(ids_per_sentence)
    z = np.tile(h.b, (n, 1)).astype(np.float32)
    flat: list[int] = []
    starts: list[int] = []
    rows_of: list[int] = []
    weights: list[float] = []
    idf_list = model.idf_list
    for s, ids in enumerate(ids_per_sentence):
        uniq = list(dict.fromkeys(ids))
        if not uniq:
            continue
        idf = [idf_list[i] for i in uniq]
        norm = math.sqrt(sum(v * v for v in idf)) or 1.0
        starts.append(len(flat))
        rows_of.append(s)
        flat.extend(uniq)
        weights.extend(v / norm for v in idf)
    if flat:
        gathered = rows[0][[rows[1][i] for i in flat]] if rows is not None else h.w[flat]
        weighted = gathered * np.array(weights, dtype=np.float32)[:, None]
        z[rows_of] += np.add.reduceat(weighted, starts, axis=0)
    return _activate(h, z)


def politeness(text: str) -> float | None:
    """How polite a request reads, 0–1 (Stanford Politeness, top vs bottom quartile);
    None when the weights are not shipped."""
    from calmdesk.engine.features import tokens

    m = load(POLITENESS_FILE)
    if m is None:
        return None
    return float(m.probs("polite", m.term_ids(tokens(text)))[0])
