"""Docstring fragments shared by the estimators (imbalanced-learn's pattern).

Estimator docstrings carry ``{network_params}`` and ``{training_params}``
placeholders filled by :class:`Substitution`, so the wording of the shared
parameters never diverges between estimators.
"""

from __future__ import annotations

__all__ = ["Substitution", "_NETWORK_PARAMS", "_TRAINING_PARAMS"]


class Substitution:
    """Decorator that replaces ``{name}`` placeholders in a docstring.

    Only the named placeholders are replaced, so the rest of the docstring
    (LaTeX such as ``\\frac{1}{K}``, dict literals) needs no escaping.
    """

    def __init__(self, **fragments: str):
        self.fragments = fragments

    def __call__(self, obj):
        if obj.__doc__:
            doc = obj.__doc__
            for name, text in self.fragments.items():
                doc = doc.replace("{" + name + "}", text)
            obj.__doc__ = doc
        return obj


_NETWORK_PARAMS = """hidden_layer_sizes : tuple of int, default={hidden_default}
        Widths of the hidden layers of the default network, as in
        :class:`~sklearn.neural_network.MLPClassifier`; ``()`` gives a linear
        model.  Ignored when ``module`` is given.

    activation : {{"relu", "tanh", "logistic", "identity", "gelu", "elu"}}, \
default="relu"
        Activation of the hidden layers.

    batch_norm : bool, default=False
        Add ``BatchNorm1d`` after each activation (the block order of the
        EnsLoss paper's MLP).

    dropout : float, default=0.0
        Dropout probability after each hidden block, in [0, 1).

    module : torch.nn.Module, callable or None, default=None
        A custom network instead of the default MLP: a module instance
        (deep-copied at every fit) or a callable such as a module class,
        called as ``module(n_features, n_outputs)``."""

_TRAINING_PARAMS = """optimizer : {{"adam", "adamw", "sgd"}} or torch optimizer class, \
default="adam"
        ``"adam"`` and ``"adamw"`` use the fused implementation where the
        device supports it; ``"sgd"`` uses ``momentum``.

    learning_rate_init : float, default={lr_default}
        Learning rate, > 0.

    lr_schedule : {{"constant", "cosine"}}, default="constant"
        ``"cosine"`` anneals the learning rate to 0 over ``max_iter`` epochs.

    momentum : float, default=0.9
        Momentum of ``optimizer="sgd"``, in [0, 1].

    alpha : float, default={alpha_default}
        L2 penalty on the weights (not biases), with
        :class:`~sklearn.neural_network.MLPClassifier`'s meaning: the term
        ``alpha / (2 * batch_size) * ||W||^2`` is added to each batch loss,
        i.e. a weight decay of ``alpha / batch_size``.

    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, n_samples)``.  A final
        training batch of one sample is merged into the previous batch.

    max_iter : int, default={max_iter_default}
        Maximum number of epochs, >= 1.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified)
        and stop when the validation score stops improving; the weights of
        the best epoch are restored.

    validation_fraction : float, default=0.1
        Fraction held out when ``early_stopping=True``, in (0, 1).

    n_iter_no_change : int, default=10
        Epochs without an improvement larger than ``tol`` before stopping.

    tol : float, default=1e-4
        Minimum improvement of the monitored value (training loss, or the
        validation score with ``early_stopping=True``), >= 0.

    device : {{"cpu", "cuda", "auto"}}, default="cpu"
        Where the network trains; ``"auto"`` picks CUDA when available.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the batch order, dropout and any
        random draws of the loss.  An int gives identical results on every
        fit.

    verbose : int, default=0
        0 prints nothing; >= 1 prints one line per epoch, prefixed with the
        estimator's class name.

    warm_start : bool, default=False
        Continue training the fitted network on the next call to ``fit``
        (the classes must be the same)."""
