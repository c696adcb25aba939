"""
EnsLoss against the logistic loss on a small, overfitting-prone set
===================================================================

A wide three-layer network on the bundled ``sonar`` data (208 samples, 60
features) overfits the logistic loss quickly.  EnsLoss draws a new random
calibrated loss at every minibatch.  We train both with the same network,
optimizer and epochs, and plot the test accuracy along training
(``warm_start`` continues the same network, one epoch at a time).
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_losses import EnsLossClassifier
from sklearn_losses.datasets import load_dataset

warnings.filterwarnings("ignore")
X, y = load_dataset("sonar", return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

curves = {}
for loss in ("ensloss", "logistic"):
    clf = EnsLossClassifier(
        loss=loss,
        hidden_layer_sizes=(256, 256, 256),
        batch_norm=True,
        max_iter=1,
        batch_size=32,
        warm_start=True,
        random_state=0,
    )
    curves[loss] = [clf.fit(X_tr, y_tr).score(X_te, y_te) for _ in range(60)]

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for loss, acc in curves.items():
    ax.plot(np.arange(1, 61), acc, label=loss)
ax.set_xlabel("epoch")
ax.set_ylabel("test accuracy")
ax.set_title("sonar, MLP(256, 256, 256) with batch norm")
ax.legend()
plt.show()
