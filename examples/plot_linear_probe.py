"""
===========================================================
Linear probes: naive Bayes vs logistic regression
===========================================================

:class:`~sklearn_losses.LinearProbeClassifier` fits one linear softmax model
on fixed features in one of two ways (Zheng et al., ICML 2023):

* ``head="naive_bayes"`` (generative) estimates class means, one variance
  per feature shared by the classes, and class priors, in closed form;
* ``head="logistic"`` (discriminative) minimises the L2-penalised
  cross-entropy with L-BFGS.

Naive Bayes needs fewer samples to reach its asymptotic error (O(log d)
against O(d)), logistic regression reaches a lower one when the Gaussian
model is wrong.  :func:`~sklearn_losses.probe.probe_learning_curve` measures
both with the paper's protocol (random subsets of m samples, min-max scaling
fitted on the subset, repeats):

* on the paper's simulation (Gaussian classes with a shared diagonal
  covariance: naive Bayes is the true model) naive Bayes is near the Bayes
  error with a few dozen samples, logistic regression needs several times
  more;
* on the bundled digits (pixels: the model is wrong) logistic regression is
  better at every size.

The right panel shows why the head is *not* scikit-learn's
:class:`~sklearn.naive_bayes.GaussianNB`: with per-class variances
GaussianNB draws a quadratic boundary, the probe's shared variance a straight
one.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.naive_bayes import GaussianNB

from sklearn_losses import LinearProbeClassifier
from sklearn_losses.probe import plot_probe_learning_curve, probe_learning_curve

# %%
# The paper's simulation: naive Bayes is the true model
# -----------------------------------------------------
# Three classes with means -5/3, 1/3 and 4/3 on every coordinate, shared
# covariance diag(d, ..., d, 1, ..., 1) (Zheng et al.'s "easy" setting).
rng = np.random.default_rng(0)
d = 100
centers = np.array([-5, 1, 4]) / 3
sd = np.sqrt(np.where(np.arange(d) < d // 2, d, 1.0))


def draw(n):
    labels = rng.integers(0, 3, n)
    return centers[labels, None] + rng.normal(size=(n, d)) * sd, labels


X_sim, y_sim = draw(2000)
X_sim_test, y_sim_test = draw(5000)
sim = probe_learning_curve(
    X_sim,
    y_sim,
    X_test=X_sim_test,
    y_test=y_sim_test,
    train_sizes=[6, 12, 25, 50, 100, 200, 500, 2000],
    n_repeats=3,
    random_state=0,
)

# %%
# Digits: the model is wrong
# --------------------------
X, y = load_digits(return_X_y=True)
digits = probe_learning_curve(
    X, y, train_sizes=[20, 50, 100, 200, 500, 1347], n_repeats=3, random_state=0
)
for name, curve in [("simulation", sim), ("digits", digits)]:
    print(name, "crossover size:", curve.crossover_size)
    for head, err in curve.error_mean.items():
        print(f"{head:>12}: " + "  ".join(f"{100 * e:5.1f}" for e in err))

# %%
# Shared variance (linear) vs per-class variances (quadratic)
# -----------------------------------------------------------
X2 = np.vstack([rng.normal(0, 0.6, (150, 2)), rng.normal([2.0, 0.5], 1.6, (150, 2))])
y2 = np.repeat([0, 1], 150)
probe = LinearProbeClassifier(head="naive_bayes").fit(X2, y2)
gnb = GaussianNB().fit(X2, y2)

fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(14, 4))
plot_probe_learning_curve(sim, ax=ax0)
ax0.set_title("simulation (naive Bayes is the true model)")
plot_probe_learning_curve(digits, ax=ax1)
ax1.set_title("digits: test error vs training size")

grid = np.stack(
    np.meshgrid(np.linspace(-4, 7, 300), np.linspace(-5, 6, 300)), axis=-1
).reshape(-1, 2)
for model, color, name in [
    (probe, "C0", "probe (shared variance)"),
    (gnb, "C3", "GaussianNB"),
]:
    proba = model.predict_proba(grid)[:, 1].reshape(300, 300)
    ax2.contour(
        grid[:, 0].reshape(300, 300),
        grid[:, 1].reshape(300, 300),
        proba,
        levels=[0.5],
        colors=color,
    )
    ax2.plot([], [], color=color, label=f"{name}: {model.score(X2, y2):.2f}")
ax2.scatter(*X2.T, c=y2, cmap="coolwarm", s=6, alpha=0.6)
ax2.set_title("decision boundaries (training accuracy)")
ax2.legend(frameon=False, loc="lower right")
fig.tight_layout()
plt.show()
