"""Weights derived from the data of one aggregation group: PCA, entropy, CRITIC and equal influence."""

from __future__ import annotations

import numpy as np

DERIVED = ("pca", "entropy", "critic", "equal_influence")


def _complete(X: np.ndarray) -> np.ndarray:
    return X[~np.isnan(X).any(axis=1)]


def pca(X: np.ndarray) -> tuple[np.ndarray, str]:
    """First principal component of the correlation matrix. Its sign is arbitrary, so it is turned to make the
    loadings sum positive; loadings still negative get weight 0 (reported) because a negative weight would reward
    a worse value."""
    Z = _complete(X)
    k = X.shape[1]
    if Z.shape[0] < 3 or k < 2:
        return np.ones(k), "数据不足，使用等权"
    R = np.corrcoef(Z, rowvar=False)
    vals, vecs = np.linalg.eigh(np.nan_to_num(R))
    v = vecs[:, -1]
    note = [f"第一主成分解释 {vals[-1] / vals.sum():.1%} 的方差"]
    if v.sum() < 0:
        v = -v
        note.append("符号已翻转")
    if (v < 0).any():
        note.append(f"{int((v < 0).sum())} 个负载荷置零")
        v = np.where(v < 0, 0.0, v)
    return v / v.sum(), "；".join(note)


def entropy(X: np.ndarray) -> tuple[np.ndarray, str]:
    """Shannon entropy method: p_ij = x_ij/Σ_i x_ij on values shifted to be non-negative, e_j = −Σ p ln p / ln n,
    w_j ∝ 1 − e_j."""
    Z = _complete(X)
    n = Z.shape[0]
    Z = Z - np.minimum(Z.min(axis=0), 0)
    P = Z / np.where(Z.sum(axis=0) == 0, 1, Z.sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -np.nansum(np.where(P > 0, P * np.log(P), 0), axis=0) / np.log(n)
    d = 1 - e
    return (d / d.sum() if d.sum() > 0 else np.ones(X.shape[1]) / X.shape[1]), ""


def critic(X: np.ndarray) -> tuple[np.ndarray, str]:
    """CRITIC: on min-max scaled columns, C_j = σ_j Σ_k (1 − r_jk); w_j ∝ C_j."""
    Z = _complete(X)
    rng = Z.max(axis=0) - Z.min(axis=0)
    S = (Z - Z.min(axis=0)) / np.where(rng == 0, 1, rng)
    sd = S.std(axis=0, ddof=1)
    R = np.nan_to_num(np.corrcoef(S, rowvar=False))
    c = sd * (1 - R).sum(axis=0)
    return c / c.sum(), ""


def equal_influence(X: np.ndarray, target: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """Weights whose children correlate with the (arithmetic) aggregate in the target proportions (equal by
    default), as COINr's get_opt_weights: minimise Σ (r_j/Σr − t_j)² over w in [0.01, 1]."""
    Z = _complete(X)
    k = X.shape[1]
    t = np.ones(k) / k if target is None else target / target.sum()
    Zs = (Z - Z.mean(axis=0)) / np.where(Z.std(axis=0) == 0, 1, Z.std(axis=0))

    def loss(w):
        y = Z @ w / w.sum()
        ys = (y - y.mean()) / (y.std() or 1)
        r = (Zs * ys[:, None]).mean(axis=0)
        return float(((r / r.sum() - t) ** 2).sum())

    from scipy.optimize import minimize  # imported here: SA workers start faster without SciPy's optimisers

    res = minimize(loss, np.ones(k) / k, method="L-BFGS-B", bounds=[(0.01, 1)] * k)
    w = res.x / res.x.sum()
    return w, f"残差 {res.fun:.2e}"


def derive(method: str, X: np.ndarray, target: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    if method == "equal_influence":
        return equal_influence(X, target)
    return {"pca": pca, "entropy": entropy, "critic": critic}[method](X)
