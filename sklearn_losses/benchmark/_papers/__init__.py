"""Registry of the paper benchmarks (``sklearn-losses benchmark <paper>``).

Each name in :data:`PAPERS` is a module ``_papers/<name>.py`` exposing

* ``NAME`` (the subcommand) and ``DESCRIPTION`` (one line for the help);
* ``add_arguments(parser)``: its own options (argparse);
* ``run(*, output, n_jobs=1, seed=0, quick=False, **options) -> dict``:
  runs the protocol, writes its files under ``output`` and returns a
  report dict (with a ``table`` of ``header`` and ``rows`` where it has
  one).

Modules are imported lazily; one that is missing (not written yet) or fails
to import is reported as unavailable instead of breaking the command line.
"""

from __future__ import annotations

import importlib

__all__ = ["PAPERS", "available_papers", "load_paper"]

PAPERS = ("engine", "ensloss", "ldr", "anyloss", "linear_probe", "metric_learning")

_REQUIRED = ("NAME", "DESCRIPTION", "add_arguments", "run")


def load_paper(name):
    """Import the paper module ``name``.

    Parameters
    ----------
    name : str
        One of :data:`PAPERS`.

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ValueError
        If ``name`` is not registered.
    ImportError
        If the module is missing, fails to import, or lacks one of ``NAME``,
        ``DESCRIPTION``, ``add_arguments`` and ``run``.
    """
    if name not in PAPERS:
        raise ValueError(
            f"Unknown paper benchmark {name!r}; valid names: {', '.join(PAPERS)}."
        )
    qualified = f"{__name__}.{name}"
    try:
        module = importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        reason = "module missing" if exc.name == qualified else f"{exc}"
        raise ImportError(
            f"The paper benchmark {name!r} is not available: {reason}"
        ) from exc
    except ImportError as exc:
        raise ImportError(
            f"The paper benchmark {name!r} is not available: {exc}"
        ) from exc
    except Exception as exc:  # a broken module must not break the CLI
        raise ImportError(
            f"The paper benchmark {name!r} failed to import: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    missing = [attr for attr in _REQUIRED if not hasattr(module, attr)]
    if missing:
        raise ImportError(f"The paper benchmark {name!r} lacks {', '.join(missing)}.")
    return module


def available_papers():
    """Split :data:`PAPERS` into importable modules and unavailable ones.

    Returns
    -------
    available : dict
        ``{name: module}`` in registry order.
    unavailable : dict
        ``{name: reason}``.
    """
    available, unavailable = {}, {}
    for name in PAPERS:
        try:
            available[name] = load_paper(name)
        except ImportError as exc:
            unavailable[name] = str(exc)
    return available, unavailable
