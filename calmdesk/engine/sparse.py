"""A small CSR matrix and an L2-regularised logistic regression trained with numpy only.

Used by ``train.py`` (never at inference). scikit-learn would do the same but is not a
dependency of calmdesk; these ~100 lines keep the lock small."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Csr:
    indptr: I64
    indices: I64
    data: F32
    n_cols: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def rows_of_entries(self) -> I64:
        counts = np.diff(self.indptr)
        return np.repeat(np.arange(self.n_rows, dtype=np.int64), counts)

    def take_rows(self, rows: I64) -> Csr:
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        counts = ends - starts
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        pos = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        pos = pos.astype(np.int64)
        return Csr(indptr, self.indices[pos], self.data[pos], self.n_cols)


def _segment_sum(values_t: F32, starts: I64, nonempty: I64, n_seg: int) -> F32:
    """Sums consecutive runs of columns of ``values_t`` (k, nnz) (runs begin at
    ``starts``, one per non-empty segment) into an (n_seg, k) matrix; empty segments stay
    zero. Works on the transposed, contiguous layout: ``reduceat`` along the last axis is
    several times faster than along the first."""
    out = np.zeros((n_seg, values_t.shape[0]), dtype=np.float32)
    if len(starts):
        out[nonempty] = np.add.reduceat(values_t, starts, axis=1).T
    return out


def _runs(indptr: I64) -> tuple[I64, I64]:
    counts = np.diff(indptr)
    nonempty = np.flatnonzero(counts > 0).astype(np.int64)
    return indptr[:-1][nonempty].astype(np.int64), nonempty


class Product:
    """X @ W and X.T @ G as one gather and one ``reduceat`` each (CSR for the first,
    a column-sorted copy for the second), no scipy needed."""

    def __init__(self, x: Csr) -> None:
        self.x = x
        self.rows = x.rows_of_entries()
        self.row_starts, self.row_nonempty = _runs(x.indptr)
        order = np.argsort(x.indices, kind="stable")
        self.t_rows = self.rows[order]
        self.t_data = x.data[order]
        col_counts = np.bincount(x.indices, minlength=x.n_cols)
        col_indptr = np.concatenate([[0], np.cumsum(col_counts)]).astype(np.int64)
        self.col_starts, self.col_nonempty = _runs(col_indptr)

    def matmul(self, w: F32) -> F32:  # X @ W
        contrib = np.take(np.ascontiguousarray(w.T), self.x.indices, axis=1) * self.x.data
        return _segment_sum(contrib, self.row_starts, self.row_nonempty, self.x.n_rows)

    def rmatmul(self, g: F32) -> F32:  # X.T @ G
        contrib = np.take(np.ascontiguousarray(g.T), self.t_rows, axis=1) * self.t_data
        return _segment_sum(contrib, self.col_starts, self.col_nonempty, self.x.n_cols)


def sigmoid(z: F32) -> F32:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))).astype(np.float32)


def fit_logistic(
    x: Csr,
    y: F32,
    *,
    l2: float,
    pos_weight_power: float,
    iterations: int,
    learning_rate: float,
    progress: bool = False,
    softmax: bool = False,
) -> tuple[F32, F32]:
    """One-vs-rest logistic regression (a sigmoid per column of ``y``), full-batch Adam.

    ``pos_weight_power`` up-weights rare positives by (negatives/positives) ** power, so a
    single decision threshold suits rare and common classes alike (the GoEmotions protocol
    picks one threshold per model)."""
    n, k = y.shape
    prod = Product(x)
    pos = y.sum(axis=0) + 1.0
    pos_weight = ((n - pos) / pos) ** pos_weight_power
    sample_w = np.where(y > 0, pos_weight[None, :], 1.0).astype(np.float32)
    norm = float(sample_w.sum() / k)
    y_dist = y / np.maximum(y.sum(axis=1, keepdims=True), 1.0)
    # Softmax rows are weighted by their rarest label's imbalance, to the same power.
    row_w = (y * pos_weight[None, :]).max(axis=1).astype(np.float32)
    row_w = row_w / row_w.mean()
    w = np.zeros((x.n_cols, k), dtype=np.float32)
    b = np.log(pos / (n - pos)).astype(np.float32)
    # Adam (Kingma & Ba 2015) with its published defaults for the moment decays.
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m_w, v_w = np.zeros_like(w), np.zeros_like(w)
    m_b, v_b = np.zeros_like(b), np.zeros_like(b)
    steps = range(iterations)
    if progress:
        from tqdm import tqdm

        steps = tqdm(steps, desc="train", unit="it", leave=False)
    for t in steps:
        z = prod.matmul(w) + b
        if softmax:
            # Multi-class view of multi-label rows: the target is the labels' share.
            e = np.exp(z - z.max(axis=1, keepdims=True))
            g = (e / e.sum(axis=1, keepdims=True) - y_dist) * row_w[:, None] / n
        else:
            g = (sigmoid(z) - y) * sample_w / norm
        gw = prod.rmatmul(g) + l2 * w
        gb = g.sum(axis=0)
        for p, gp, m, v in ((w, gw, m_w, v_w), (b, gb, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * gp
            v *= beta2
            v += (1 - beta2) * gp * gp
            mhat = m / (1 - beta1 ** (t + 1))
            vhat = v / (1 - beta2 ** (t + 1))
            p -= learning_rate * mhat / (np.sqrt(vhat) + eps)
    return w, b
