"""
AnyLoss: train for the F1 score you are judged by
=================================================

On the bundled ``yeast4`` data (51 positives in 1,484 samples, imbalance
ratio 28) a network trained with binary cross-entropy and thresholded at
0.5 rarely predicts the minority class.  :class:`~sklearn_losses.AnyLossClassifier`
trains the same network on one minus a soft F1 score, and is compared
with class-weighted cross-entropy and with scikit-learn's
:class:`~sklearn.model_selection.TunedThresholdClassifierCV`, which tunes
the decision threshold of a logistic regression for F1 after the fact.

On this set threshold tuning is a strong rival (on one split, and in the
benchmark's 5x2 cross-validation: F1 0.407 against AnyLoss's 0.404); over
the 14 bundled imbalanced sets of ``sklearn-losses benchmark anyloss``
AnyLoss has the best average F1 rank (:doc:`/benchmarks`).
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_losses import AnyLossClassifier, EnsLossClassifier
from sklearn_losses.datasets import load_dataset

warnings.filterwarnings("ignore")
X, y = load_dataset("yeast4", return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

net = {
    "hidden_layer_sizes": (64,),
    "max_iter": 100,
    "batch_size": 128,
    "random_state": 0,
}
models = {
    "BCE": (EnsLossClassifier(loss="logistic", **net), None),
    "weighted BCE": (
        EnsLossClassifier(loss="logistic", **net),
        compute_sample_weight("balanced", y_tr),
    ),
    "threshold-tuned\nLogReg": (
        TunedThresholdClassifierCV(LogisticRegression(), scoring="f1"),
        None,
    ),
    "AnyLoss(F1)": (AnyLossClassifier(metric="f1", **net), None),
}
scores = {}
for name, (model, weight) in models.items():
    fit_params = {} if weight is None else {"sample_weight": weight}
    model.fit(X_tr, y_tr, **fit_params)
    scores[name] = f1_score(y_te, model.predict(X_te))

# %%
# The F1 score of the minority class on the held-out half.
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.bar(list(scores), list(scores.values()), color=["C7", "C7", "C1", "C0"])
for i, v in enumerate(scores.values()):
    ax.text(i, v + 0.01, f"{v:.3f}", ha="center")
ax.set_ylabel("test F1 (minority class)")
ax.set_ylim(0, max(scores.values()) + 0.1)
ax.set_title(f"yeast4: {int(y.sum())} positives of {len(y)}")
fig.tight_layout()
plt.show()
print({k.replace("\n", " "): round(v, 3) for k, v in scores.items()})
print(
    "predicted positives on the test half:",
    int(np.sum(models["AnyLoss(F1)"][0].predict(X_te))),
)
