"""Pages generated at build time from the registries and benchmark JSON.

The loss catalogue comes from :mod:`sklearn_losses.losses`' registry and the
dataset table from :func:`sklearn_losses.datasets.list_datasets`, so the docs
cannot drift from the code.  Benchmark result tables are rendered from the
JSON files under ``docs/benchmarks/``, each followed by the PNG figures the
command wrote next to it (``<name>*.png``).
"""

from __future__ import annotations

import json
from pathlib import Path


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = " ".join("=" * w for w in widths)
    fmt = lambda row: " ".join(str(c).ljust(w) for c, w in zip(row, widths))  # noqa
    return "\n".join([line, fmt(header), line, *map(fmt, rows), line]) + "\n"


def loss_catalogue() -> str:
    from sklearn_losses.losses import list_losses, loss_info

    out = []
    for task in ("binary", "multiclass", "embedding"):
        rows = []
        for name in list_losses(task):
            info = loss_info(name)
            params = ", ".join(f"{k}={v!r}" for k, v in info.params.items()) or "-"
            rows.append(
                [
                    f"``{name}``",
                    f":class:`~sklearn_losses.losses.{info.module.__name__}`",
                    params,
                    "yes" if info.has_proba else "no",
                    info.reference or "-",
                ]
            )
        title = f"{task.capitalize()} losses"
        out += [title, "-" * len(title), ""]
        if rows:
            out.append(
                _table(
                    [
                        "name",
                        "module",
                        "parameters (defaults)",
                        "probabilities",
                        "reference",
                    ],
                    rows,
                )
            )
    return "\n".join(out)


def dataset_table() -> str:
    try:
        from sklearn_losses.datasets import list_datasets
    except ImportError:
        return "The dataset package is not available.\n"
    rows = []
    for d in list_datasets():
        rows.append(
            [
                d["name"],
                d["task"],
                d["n_samples"],
                d["n_features"],
                d["n_classes"],
                f"{d['imbalance_ratio']:.1f}",
                d.get("openml_id") or "-",
            ]
        )
    return _table(["name", "group", "n", "d", "classes", "IR", "OpenML id"], rows)


def benchmark_tables(results_dir: Path) -> str:
    out = []
    for path in sorted(results_dir.glob("*.json")):
        data = json.loads(path.read_text())
        table = data.get("table")
        if not table:
            continue
        title = data.get("title", path.stem)
        out += [title, "-" * len(title), ""]
        if data.get("description"):
            out += [data["description"], ""]
        out.append(
            _table(table["header"], [[str(c) for c in r] for r in table["rows"]])
        )
        # The figures the command wrote next to the JSON (<stem>*.png).
        for png in sorted(results_dir.glob(f"{path.stem}*.png")):
            out += [f".. image:: /{results_dir.name}/{png.name}", "   :width: 100%", ""]
    return "\n".join(out) or "No benchmark results have been recorded yet.\n"


def write_generated(target: Path) -> None:
    target.mkdir(exist_ok=True)
    here = target.parent
    pages = {
        "loss_catalogue.rst": loss_catalogue(),
        "dataset_table.rst": dataset_table(),
        "benchmark_tables.rst": benchmark_tables(here / "benchmarks"),
    }
    for name, text in pages.items():
        path = target / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
