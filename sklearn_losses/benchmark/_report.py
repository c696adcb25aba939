"""Report of a benchmark run: summary table, plots, JSON and CSV.

:func:`summarize` computes, per comparison and dataset, the mean and
standard deviation over folds of the primary score of each of our methods
and each counterpart, the paired t-test and Wilcoxon p-values and the
win/tie/loss outcome; per comparison, the average ranks over datasets, the
Friedman test and the Nemenyi critical difference.  :func:`format_summary`
renders it as markdown, :func:`write_report` writes everything to disk.
"""

from __future__ import annotations

import csv
import json
import math
import os
from itertools import product
from numbers import Real
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from ._results import Results, _clean
from ._stats import (
    average_ranks,
    friedman_test,
    nemenyi_critical_difference,
    paired_tests,
    win_tie_loss,
)

__all__ = ["format_summary", "summarize", "write_report"]


def _alpha(results, alpha):
    return results.config.get("alpha", 0.05) if alpha is None else alpha


def _mean_std(values):
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if not values.size:
        return math.nan, math.nan
    std = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
    return float(np.mean(values)), std


def _times(results, comparison):
    fit = {}
    for r in results.records:
        if r["comparison"] == comparison and not r.get("error"):
            fit.setdefault((r["dataset"], r["method"]), []).append(r["fit_time"])
    return {k: float(np.mean(v)) for k, v in fit.items()}


def _pairs(results, info, table, alpha):
    metric = info["scoring"][0]
    times = _times(results, info["name"])
    rows = []
    for dataset, methods in table.items():
        for ours, theirs in product(info["ours"], info["counterparts"]):
            if ours not in methods or theirs not in methods:
                continue
            a, b = methods[ours], methods[theirs]
            tests = paired_tests(a, b)
            rows.append(
                {
                    "comparison": info["name"],
                    "dataset": dataset,
                    "metric": metric,
                    "ours": ours,
                    "counterpart": theirs,
                    "ours_mean": _mean_std(a)[0],
                    "ours_std": _mean_std(a)[1],
                    "counterpart_mean": _mean_std(b)[0],
                    "counterpart_std": _mean_std(b)[1],
                    "ttest_pvalue": tests["ttest_pvalue"],
                    "wilcoxon_pvalue": tests["wilcoxon_pvalue"],
                    "outcome": win_tie_loss(a, b, alpha=alpha),
                    "ours_fit_time": times.get((dataset, ours), math.nan),
                    "counterpart_fit_time": times.get((dataset, theirs), math.nan),
                }
            )
    return rows


def _ranking(info, table, alpha):
    methods = info["ours"] + info["counterparts"]
    datasets = [d for d in table if all(m in table[d] for m in methods)]
    means = np.array(
        [[np.nanmean(table[d][m]) for m in methods] for d in datasets]
    ).reshape(len(datasets), len(methods))
    out = {"methods": methods, "datasets": datasets}
    if len(datasets) >= 2 and len(methods) >= 2:
        ranks = average_ranks(means)
        stat, pvalue = friedman_test(means)
        out |= {
            "average_ranks": dict(zip(methods, map(float, ranks))),
            "friedman_statistic": stat,
            "friedman_pvalue": pvalue,
            "critical_difference": nemenyi_critical_difference(
                len(methods), len(datasets), alpha=alpha
            ),
        }
    return out


@validate_params(
    {"results": [Results], "alpha": [Interval(Real, 0, 1, closed="neither"), None]},
    prefer_skip_nested_validation=True,
)
def summarize(results, *, alpha=None):
    """Paired comparisons and rankings of a run.

    Parameters
    ----------
    results : Results
        What :func:`run_suite` returned.
    alpha : float, default=None
        Significance level of the win/tie/loss decisions (paired t-test)
        and of the Nemenyi critical difference; None takes the ``alpha``
        given to :func:`run_suite` (0.05 by default).

    Returns
    -------
    summary : dict
        ``rows``: one dict per comparison, dataset, our method and
        counterpart (means, standard deviations, p-values, outcome, mean
        fit times); ``comparisons``: per comparison the win/tie/loss counts
        of each pair, the average ranks, the Friedman test and the critical
        difference (when there are two datasets or more).
    """
    alpha = _alpha(results, alpha)
    rows, comparisons = [], {}
    for name in results.comparison_names():
        info = results.comparison(name)
        if not info["scoring"]:
            continue
        table = results.score_table(name)
        pair_rows = _pairs(results, info, table, alpha)
        counts = {}
        for row in pair_rows:
            key = f"{row['ours']} vs {row['counterpart']}"
            counts.setdefault(key, {"win": 0, "tie": 0, "loss": 0})
            counts[key][row["outcome"]] += 1
        rows += pair_rows
        comparisons[name] = {
            "metric": info["scoring"][0],
            "description": info.get("description", ""),
            "win_tie_loss": counts,
            **_ranking(info, table, alpha),
        }
    return {"alpha": alpha, "rows": rows, "comparisons": comparisons}


def _fmt(x, digits=3):
    return (
        "-"
        if x is None or (isinstance(x, float) and math.isnan(x))
        else (f"{x:.{digits}f}")
    )


def _pvalue(p):
    if p is None or math.isnan(p):
        return "-"
    return f"{p:.3g}" if p >= 1e-3 else "<0.001"


TABLE_HEADER = [
    "comparison",
    "dataset",
    "metric",
    "ours",
    "ours score",
    "counterpart",
    "counterpart score",
    "p (t-test)",
    "p (Wilcoxon)",
    "result",
    "fit s (ours/theirs)",
]


def table_rows(summary):
    """The summary rows as lists of strings (columns of ``TABLE_HEADER``)."""
    return [
        [
            r["comparison"],
            r["dataset"],
            r["metric"],
            r["ours"],
            f"{_fmt(r['ours_mean'])} ± {_fmt(r['ours_std'])}",
            r["counterpart"],
            f"{_fmt(r['counterpart_mean'])} ± {_fmt(r['counterpart_std'])}",
            _pvalue(r["ttest_pvalue"]),
            _pvalue(r["wilcoxon_pvalue"]),
            r["outcome"],
            f"{_fmt(r['ours_fit_time'], 2)}/{_fmt(r['counterpart_fit_time'], 2)}",
        ]
        for r in summary["rows"]
    ]


def _markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(map(str, r)) + " |" for r in rows])


@validate_params(
    {"results": [Results], "alpha": [Interval(Real, 0, 1, closed="neither"), None]},
    prefer_skip_nested_validation=True,
)
def format_summary(results, *, alpha=None):
    """The summary of a run as markdown text (what the CLI prints).

    Parameters
    ----------
    results : Results
        What :func:`run_suite` returned.
    alpha : float, default=None
        Significance level of the outcomes; None takes the run's.

    Returns
    -------
    text : str
        A table with one row per comparison, dataset and pair of methods
        (mean ± std over folds, p-values, win/tie/loss at ``alpha``, mean
        fit seconds), then per comparison the win/tie/loss counts and the
        average ranks with the Friedman p-value and critical difference.
    """
    alpha = _alpha(results, alpha)
    summary = summarize(results, alpha=alpha)
    parts = ["## Benchmark summary", ""]
    parts += [
        f"Scores are mean ± std over folds; result is our method's win/tie/loss "
        f"by a paired t-test at p < {alpha}.",
        "",
        _markdown(TABLE_HEADER, table_rows(summary)),
        "",
    ]
    for name, c in summary["comparisons"].items():
        counts = "; ".join(
            f"{pair}: {v['win']}/{v['tie']}/{v['loss']}"
            for pair, v in c["win_tie_loss"].items()
        )
        parts.append(f"- **{name}** ({c['metric']}): win/tie/loss {counts or '-'}")
        if "average_ranks" in c:
            ranks = ", ".join(f"{m} {r:.2f}" for m, r in c["average_ranks"].items())
            parts.append(
                f"  average ranks over {len(c['datasets'])} datasets: {ranks}; "
                f"Friedman p = {_pvalue(c['friedman_pvalue'])}; "
                f"Nemenyi CD = {_fmt(c['critical_difference'], 2)}"
            )
    if results.skipped:
        parts += ["", "Skipped:"]
        for s in results.skipped:
            what = s.get("method") or s.get("dataset")
            parts.append(f"- {s['comparison']} / {what}: {s['reason']}")
    if results.failures:
        parts += ["", f"{len(results.failures)} task(s) failed, for example:"]
        for r in results.failures[:3]:
            parts.append(
                f"- {r['comparison']} / {r['method']} / {r['dataset']} fold "
                f"{r['fold']}: {r['error'][:200]}"
            )
    return "\n".join(parts) + "\n"


def _write_csv(results, path):
    rows = results.to_rows()
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(_clean(rows))


@validate_params(
    {
        "results": [Results],
        "output": [str, os.PathLike],
        "alpha": [Interval(Real, 0, 1, closed="neither"), None],
        "plots": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def write_report(results, output, *, alpha=None, plots=True):
    """Write the results and their summary to ``output``.

    Parameters
    ----------
    results : Results
        What :func:`run_suite` returned.
    output : str or path-like
        Directory (created if needed).
    alpha : float, default=None
        Significance level of the outcomes and of the critical difference;
        None takes the run's.
    plots : bool, default=True
        Also draw PNG plots (needs matplotlib, imported here).

    Returns
    -------
    report : dict
        ``json``, ``csv``, ``markdown`` (paths), ``plots`` (list of paths)
        and ``summary`` (the markdown text, for printing).

    Notes
    -----
    Files written: ``results.json`` (configuration, comparisons, every
    task record, the summary, and a ``title``/``description``/``table``
    block that the documentation renders), ``results.csv`` (one row per
    task), ``summary.md``, and under ``plots/`` one
    ``<comparison>_scores.png`` (mean ± std per dataset and method) per
    comparison plus ``<comparison>_ranks.png`` (average ranks with the
    Nemenyi critical difference) where there are two datasets or more and
    at least three methods.
    """
    alpha = _alpha(results, alpha)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    summary = summarize(results, alpha=alpha)
    text = format_summary(results, alpha=alpha)
    data = results.to_dict() | {
        "title": "sklearn_losses vs scikit-learn",
        "description": (
            "Every estimator against its scikit-learn counterpart, "
            "mean ± std over CV folds; paired t-test at p < "
            f"{alpha} (win/tie/loss)."
        ),
        "table": {"header": TABLE_HEADER, "rows": table_rows(summary)},
        "summary": _clean(summary),
    }
    paths = {
        "json": output / "results.json",
        "csv": output / "results.csv",
        "markdown": output / "summary.md",
    }
    paths["json"].write_text(json.dumps(data, indent=1))
    _write_csv(results, paths["csv"])
    paths["markdown"].write_text(text)
    drawn = []
    if plots:
        from ._plots import plot_ranks, plot_scores

        for name, comp in summary["comparisons"].items():
            table = results.score_table(name)
            if table:
                drawn.append(plot_scores(table, comp, output / "plots" / name))
            if "critical_difference" in comp and len(comp["methods"]) >= 3:
                drawn.append(plot_ranks(comp, output / "plots" / name))
    return {**{k: str(v) for k, v in paths.items()}, "plots": drawn, "summary": text}
