"""PNG plots of a benchmark run (matplotlib is imported only here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_ranks", "plot_scores"]


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - matplotlib is optional
        raise ImportError(
            "The benchmark plots need matplotlib: pip install sklearn-losses[benchmark]"
        ) from exc
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_scores(table, comp, stem):
    """Mean ± std over folds of every method on every dataset.

    Parameters
    ----------
    table : dict
        ``{dataset: {method: fold scores}}`` (:meth:`Results.score_table`).
    comp : dict
        The comparison's summary (``methods``, ``metric``).
    stem : Path
        Output path without suffix; ``_scores.png`` is appended.

    Returns
    -------
    path : str
    """
    plt = _pyplot()
    datasets = list(table)
    methods = [m for m in comp["methods"] if any(m in table[d] for d in datasets)]
    width = 0.8 / max(len(methods), 1)
    fig, ax = plt.subplots(figsize=(max(5, 1.4 * len(datasets) + 2), 3.8))
    for i, method in enumerate(methods):
        scores = [table[d].get(method, np.array([np.nan])) for d in datasets]
        means = [np.nanmean(s) if np.isfinite(s).any() else np.nan for s in scores]
        stds = [
            np.nanstd(s, ddof=1) if np.isfinite(s).sum() > 1 else 0.0 for s in scores
        ]
        x = np.arange(len(datasets)) + (i - (len(methods) - 1) / 2) * width
        ax.errorbar(x, means, yerr=stds, fmt="o", capsize=3, label=method)
    ax.set_xticks(np.arange(len(datasets)), datasets, rotation=20, ha="right")
    ax.set_ylabel(comp["metric"])
    ax.set_title(f"{Path(stem).name}: {comp['metric']} (mean ± std over folds)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return _save(plt, fig, stem, "_scores.png")


def _cliques(names, ranks, cd):
    """Maximal runs of methods (sorted by rank) closer than ``cd``."""
    order = np.argsort(ranks)
    groups = []
    for start in range(len(order)):
        end = start
        while end + 1 < len(order) and ranks[order[end + 1]] - ranks[order[start]] < cd:
            end += 1
        if end > start and not any(g[0] <= start and end <= g[1] for g in groups):
            groups.append((start, end))
    return [(ranks[order[a]], ranks[order[b]]) for a, b in groups]


def plot_ranks(comp, stem):
    """Critical-difference diagram: average ranks and the Nemenyi CD.

    Methods joined by a thick bar are not significantly different (their
    average ranks differ by less than the critical difference).

    Parameters
    ----------
    comp : dict
        The comparison's summary (``average_ranks``,
        ``critical_difference``, ``friedman_pvalue``, ``datasets``).
    stem : Path
        Output path without suffix; ``_ranks.png`` is appended.

    Returns
    -------
    path : str
    """
    plt = _pyplot()
    names = list(comp["average_ranks"])
    ranks = np.array([comp["average_ranks"][m] for m in names])
    cd, k = comp["critical_difference"], len(names)
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.35 * k))
    ax.set_xlim(0.8, k + 0.2)
    ax.set_ylim(-k - 1, 2)
    ax.hlines(0, 1, k, color="k")
    for r in range(1, k + 1):
        ax.vlines(r, -0.1, 0.1, color="k")
        ax.text(r, 0.25, str(r), ha="center", fontsize=8)
    ax.hlines(1.3, 1, 1 + cd, color="tab:red", lw=2)
    ax.text(1 + cd / 2, 1.5, f"CD = {cd:.2f}", ha="center", fontsize=8)
    for i, idx in enumerate(np.argsort(ranks)):
        y = -1 - i
        ax.plot([ranks[idx], ranks[idx]], [0, y], color="0.4", lw=0.8)
        ax.text(ranks[idx] + 0.03, y, f"{names[idx]} ({ranks[idx]:.2f})", va="center")
    for j, (lo, hi) in enumerate(_cliques(names, ranks, cd)):
        ax.hlines(-0.4 - 0.25 * j, lo - 0.02, hi + 0.02, color="k", lw=4)
    ax.axis("off")
    ax.set_title(
        f"{Path(stem).name}: average ranks over {len(comp['datasets'])} datasets "
        f"(Friedman p = {comp['friedman_pvalue']:.3g})",
        fontsize=9,
    )
    fig.tight_layout()
    return _save(plt, fig, stem, "_ranks.png")


def _save(plt, fig, stem, suffix):
    path = Path(str(stem) + suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)
