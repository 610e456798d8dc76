"""Clustering speaker embeddings: spectral clustering with the speaker count from the eigengap (or given), then
clusters whose centroids are alike merged and tiny clusters folded into their nearest neighbour."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]
MAX_SPEAKERS = 10
MERGE_COSINE = 0.6  # clusters this alike are one voice: one FLEURS reader split in two is 0.63 alike; pyannote's two
# phone voices are 0.59, different people in AMI rooms ≤ 0.44
MIN_CLUSTER = 3  # windows; a smaller cluster (auto count only) joins its nearest neighbour


def _normalized(x: F32) -> F32:
    out: F32 = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    return out


def _pruned_affinity(emb: F32, pval: float = 0.02, min_keep: int = 6) -> F32:
    """Cosine affinities with each row's weakest links cut (keeping its strongest `pval` share), symmetrized."""
    n = len(emb)
    sim: F32 = np.clip(emb @ emb.T, 0.0, None).astype(np.float32)
    keep = max(min_keep, int(np.ceil(pval * n)))
    if keep < n:
        cut = np.argsort(sim, axis=1)[:, : n - keep]
        np.put_along_axis(sim, cut, 0.0, axis=1)
    out: F32 = 0.5 * (sim + sim.T)
    np.fill_diagonal(out, 0.0)
    return out


def _kmeans(x: F32, k: int, seed: int = 0, iters: int = 50) -> Labels:
    """k-means++ with a fixed seed, a few restarts, the lowest inertia kept."""
    rng = np.random.default_rng(seed)
    best, best_inertia = np.zeros(len(x), np.int64), np.inf
    for _ in range(5):
        centres = [x[rng.integers(len(x))]]
        for _ in range(1, k):
            d = np.min([np.sum((x - c) ** 2, axis=1) for c in centres], axis=0)
            centres.append(x[rng.choice(len(x), p=d / d.sum())] if d.sum() > 0 else x[rng.integers(len(x))])
        c = np.array(centres)
        labels = np.zeros(len(x), np.int64)
        for _ in range(iters):
            dist = ((x[:, None, :] - c[None]) ** 2).sum(-1)
            new = dist.argmin(1)
            if np.array_equal(new, labels) and _ > 0:
                break
            labels = new
            for j in range(k):
                if np.any(labels == j):
                    c[j] = x[labels == j].mean(0)
        inertia = float(((x - c[labels]) ** 2).sum())
        if inertia < best_inertia:
            best, best_inertia = labels, inertia
    return best


def _renumber(labels: Labels) -> Labels:
    """Labels 0, 1, 2… in order of first appearance."""
    order = {old: new for new, old in enumerate(dict.fromkeys(labels.tolist()))}
    return np.array([order[v] for v in labels.tolist()], np.int64)


def _merge_alike(emb: F32, labels: Labels, threshold: float) -> Labels:
    labels = labels.copy()
    while True:
        ids = np.unique(labels)
        if len(ids) < 2:
            return labels
        cent = _normalized(np.stack([emb[labels == i].mean(0) for i in ids]))
        sim = cent @ cent.T
        np.fill_diagonal(sim, -1.0)
        a, b = np.unravel_index(int(np.argmax(sim)), sim.shape)
        if sim[a, b] < threshold:
            return labels
        labels[labels == ids[b]] = ids[a]


def _fold_small(emb: F32, labels: Labels, min_size: int) -> Labels:
    labels = labels.copy()
    ids, counts = np.unique(labels, return_counts=True)
    big = ids[counts >= min_size]
    if len(big) == 0 or len(big) == len(ids):
        return labels
    cent = _normalized(np.stack([emb[labels == i].mean(0) for i in big]))
    for i in ids[counts < min_size]:
        rows = labels == i
        labels[rows] = big[np.argmax(emb[rows] @ cent.T, axis=1)]
    return labels


def cluster(embeddings: F32, speakers: int | None = None) -> Labels:
    """A speaker label for each embedding; `speakers` fixes the count, None finds it."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, np.int64)
    if n == 1 or speakers == 1:
        return np.zeros(n, np.int64)
    emb = _normalized(embeddings.astype(np.float32))
    if speakers is not None and speakers >= n:
        return np.arange(n, dtype=np.int64)
    affinity = _pruned_affinity(emb)
    laplacian = np.diag(affinity.sum(1)) - affinity
    values, vectors = np.linalg.eigh(laplacian)
    if speakers is None:
        top = min(MAX_SPEAKERS, n - 1)
        k = int(np.argmax(np.diff(values[: top + 1]))) + 1
    else:
        k = speakers
    labels = _kmeans(vectors[:, :k].astype(np.float32), k)
    if speakers is None:
        labels = _fold_small(emb, _merge_alike(emb, labels, MERGE_COSINE), MIN_CLUSTER)
    return _renumber(labels)
