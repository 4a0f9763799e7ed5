"""The learned tone model at inference: TF-IDF terms × a weight matrix, with numpy.

Weights load once, lazily, from ``data/tone.npz`` (see data/PROVENANCE.md). When the
file is missing the engine still runs on its support cues alone and says so."""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from calmdesk.engine.features import terms

DATA_DIR = Path(__file__).resolve().parent / "data"
TONE_FILE = DATA_DIR / "tone.npz"
POLITENESS_FILE = DATA_DIR / "politeness.npz"
F32 = npt.NDArray[np.float32]


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
            for key in z.files:
                if key.startswith("w_"):
                    name = key[2:]
                    self.heads[name] = Head(
                        classes=tuple(_blob_to_list(z[f"classes_{name}"])),
                        w=z[key].astype(np.float32),
                        b=z[f"b_{name}"].astype(np.float32),
                        threshold=float(z[f"threshold_{name}"][0]),
                        softmax=bool(z[f"softmax_{name}"][0])
                        if f"softmax_{name}" in z.files
                        else False,
                    )

    def term_ids(self, toks: list[str]) -> list[int]:
        get = self.index.get
        return [i for i in map(get, terms(toks)) if i is not None]

    def vector(self, ids: list[int]) -> tuple[npt.NDArray[np.int64], F32]:
        """The same arithmetic as training: (1 + log tf) × idf, L2-normalised."""
        counts = Counter(ids)
        keys = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        vals = (1.0 + np.log(tf)) * self.idf[keys]
        norm = float(np.sqrt(np.dot(vals, vals))) or 1.0
        return keys, (vals / norm).astype(np.float32)

    def probs(self, head: str, ids: list[int]) -> F32:
        h = self.heads[head]
        if not ids:
            return _activate(h, h.b)
        keys, vals = self.vector(ids)
        return _activate(h, vals @ h.w[keys] + h.b)

    def contributions(self, head: str, ids: list[int], cls: str) -> dict[int, float]:
        """How much each term id pushed ``cls`` up (for the spans that explain a tone)."""
        h = self.heads[head]
        if not ids:
            return {}
        keys, vals = self.vector(ids)
        col = h.classes.index(cls)
        contrib = vals * h.w[keys, col]
        return {int(k): float(c) for k, c in zip(keys, contrib, strict=True)}


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


def load(path: Path = TONE_FILE) -> LinearTextModel | None:
    """The model at ``path``, loaded on first use and shared; None if the file is absent."""
    model = _models.get(path, False)
    if model is not False:
        return model  # type: ignore[return-value]
    with _lock:
        if path not in _models:
            _models[path] = LinearTextModel(path) if path.exists() else None
        return _models[path]


def sentence_probs(model: LinearTextModel, head: str, ids_per_sentence: list[list[int]]) -> F32:
    """Probabilities for many sentences in one gather: (n_sentences, classes)."""
    h = model.heads[head]
    n = len(ids_per_sentence)
    if n == 0:
        return np.zeros((0, len(h.classes)), dtype=np.float32)
    flat: list[int] = []
    seg: list[int] = []
    weights: list[float] = []
    for s, ids in enumerate(ids_per_sentence):
        uniq = set(ids)
        if not uniq:
            continue
        idf = [model.idf_list[i] for i in uniq]
        norm = math.sqrt(sum(v * v for v in idf)) or 1.0
        flat.extend(uniq)
        seg.extend([s] * len(uniq))
        weights.extend(v / norm for v in idf)
    z = np.tile(h.b, (n, 1))
    if flat:
        rows = h.w[np.array(flat, dtype=np.int64)] * np.array(weights, dtype=np.float32)[:, None]
        np.add.at(z, np.array(seg, dtype=np.int64), rows)
    return _activate(h, z.astype(np.float32))
