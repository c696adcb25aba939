"""
A learnt metric for k-nearest neighbours
========================================

:class:`~sklearn_losses.MetricLearningTransformer` learns an embedding in
which samples of a class are close, and plugs into a
:class:`~sklearn.pipeline.Pipeline` in front of
:class:`~sklearn.neighbors.KNeighborsClassifier` exactly like scikit-learn's
:class:`~sklearn.neighbors.NeighborhoodComponentsAnalysis`.  On the bundled
``vowel`` data (11 vowels, 13 features) we compare 3-NN on the standardised
features, on NCA's linear embedding and on the Proto-Triplet embedding,
then draw 2-D embeddings of the test set.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier, NeighborhoodComponentsAnalysis
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losses import MetricLearningTransformer
from sklearn_losses.datasets import load_dataset

warnings.filterwarnings("ignore")
X, y = load_dataset("vowel", return_X_y=True)
cv = StratifiedKFold(3, shuffle=True, random_state=0)
embeddings = {
    "Euclidean": [],
    "NCA": [NeighborhoodComponentsAnalysis(random_state=0)],
    "Proto-Triplet": [MetricLearningTransformer(max_iter=60, random_state=0)],
}
for name, step in embeddings.items():
    pipe = make_pipeline(StandardScaler(), *step, KNeighborsClassifier(3))
    print(f"{name:>13}: 3-NN accuracy {cross_val_score(pipe, X, y, cv=cv).mean():.3f}")

# %%
# Two-dimensional embeddings of held-out samples (``n_components=2``,
# without the final L2 normalisation so that the plane is used fully).
X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
steps = {
    "NCA": NeighborhoodComponentsAnalysis(n_components=2, random_state=0),
    "Proto-Triplet": MetricLearningTransformer(
        n_components=2, normalize=False, max_iter=60, random_state=0
    ),
}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, (name, step) in zip(axes, steps.items()):
    Z = step.fit(X_tr, y_tr).transform(X_te)
    ax.scatter(Z[:, 0], Z[:, 1], c=y_te, cmap="tab20", s=12)
    ax.set_title(f"{name}, 2-D embedding of the test set")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()
