"""
ALDR-KL under label noise
=========================

Uniform label noise on the training labels of the bundled ``vowel`` data
(11 classes); the test labels stay clean.  We compare cross-entropy with
ALDR-KL as the noise grows, and look at the per-sample temperatures
ALDR-KL learnt for corrupted and clean training samples.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_losses import LDRClassifier
from sklearn_losses.datasets import add_label_noise, load_dataset

warnings.filterwarnings("ignore")
X, y = load_dataset("vowel", return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

rates = [0.0, 0.3, 0.6]
scores = {"cross_entropy": [], "aldr_kl": []}
for rate in rates:
    y_noisy, mask = add_label_noise(y_tr, rate=rate, random_state=0, return_mask=True)
    for loss in scores:
        clf = LDRClassifier(loss=loss, max_iter=60, random_state=0).fit(X_tr, y_noisy)
        scores[loss].append(clf.score(X_te, y_te))

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for loss, acc in scores.items():
    ax1.plot(rates, acc, marker="o", label=loss)
ax1.set_xlabel("uniform noise rate on training labels")
ax1.set_ylabel("test accuracy (clean labels)")
ax1.legend()
ax2.hist(clf.lambdas_[mask], bins=20, alpha=0.6, label="corrupted", density=True)
ax2.hist(clf.lambdas_[~mask], bins=20, alpha=0.6, label="clean", density=True)
ax2.set_xlabel("ALDR-KL temperature after training (noise 0.6)")
ax2.legend()
plt.show()
