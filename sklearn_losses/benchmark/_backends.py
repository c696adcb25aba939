"""joblib backends for the benchmark, Dask included.

Every benchmark task goes through ``joblib.Parallel`` inside
``joblib.parallel_config(backend=...)``, so the same code runs on local
processes (``loky``, the default) or on a Dask cluster (``dask``).

Running on a cluster
--------------------
Install the extra (``pip install sklearn-losses[dask]``, which brings
``dask[distributed]``) on the machine that drives the run *and* on every
worker, with the same versions of sklearn_losses, scikit-learn, torch and
skorch.  Start a scheduler and workers, for example::

    dask scheduler                                   # on host A, port 8786
    dask worker tcp://hostA:8786 --nworkers 8 --nthreads 1   # on each node

(or with ``dask-jobqueue`` / ``dask-kubernetes`` on a batch system or
Kubernetes), then point the benchmark at the scheduler::

    sklearn-losses benchmark --suite full --backend dask \\
        --scheduler tcp://hostA:8786 --output results/

One thread per worker process is the right shape: torch and BLAS threads
inside a task compete with the other tasks otherwise.  The driver loads the
datasets, ships them to the workers (joblib scatters large arrays once) and
writes the cache and the report, so the workers need no shared file system
and no network access to OpenML.  Without ``--scheduler`` a
``LocalCluster`` with ``max(n_jobs, 2)`` single-threaded worker processes on
127.0.0.1 is started for the run and closed afterwards.

Your own searches work the same way: any scikit-learn code that uses joblib
(``GridSearchCV``, ``cross_validate``, ``permutation_importance``) runs on
the cluster inside the same context manager::

    import joblib
    from dask.distributed import Client
    from sklearn.model_selection import GridSearchCV

    client = Client("tcp://hostA:8786")
    with joblib.parallel_config(backend="dask"):
        GridSearchCV(pipe, grid, cv=5, n_jobs=-1).fit(X, y)

Put scripts that start a ``LocalCluster`` under
``if __name__ == "__main__":``: worker processes re-import the main module.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["BACKENDS", "parallel_backend"]

#: The joblib backends accepted by :func:`run_suite` and the CLI.
BACKENDS = ("loky", "threading", "multiprocessing", "sequential", "dask")

_DASK_MISSING = (
    "The dask backend needs dask.distributed, which is not installed: "
    "pip install sklearn-losses[dask]"
)


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(_DASK_MISSING) from exc
    return distributed


def _local_workers(n_jobs):
    if n_jobs is None or n_jobs == 1:
        return 2
    if n_jobs < 0:
        return max(2, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(2, n_jobs)


@contextlib.contextmanager
def _dask_client(n_jobs, scheduler):
    distributed = _import_distributed()
    if scheduler is not None and not isinstance(scheduler, str):
        yield scheduler, {"scheduler": str(scheduler.scheduler.address)}
        return
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except OSError as exc:
            raise OSError(
                f"Could not connect to the Dask scheduler at {scheduler!r}: {exc}"
            ) from exc
        with client:
            yield client, {"scheduler": scheduler}
        return
    try:  # a client the caller already made
        client = distributed.get_client()
    except ValueError:
        client = None
    if client is not None:
        yield client, {"scheduler": str(client.scheduler.address)}
        return
    n_workers = _local_workers(n_jobs)
    with (
        distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client, {"scheduler": "LocalCluster", "n_workers": n_workers}


@contextlib.contextmanager
def parallel_backend(backend, n_jobs, scheduler=None):
    """Context giving ``(n_jobs for Parallel, description)`` under ``backend``.

    Parameters
    ----------
    backend : str
        One of :data:`BACKENDS`.
    n_jobs : int or None
        joblib's ``n_jobs`` (local backends) or the number of local Dask
        workers to start when there is no cluster.
    scheduler : str or distributed.Client, default=None
        Dask only: scheduler address or client.
    """
    import joblib

    if backend != "dask":
        if scheduler is not None:
            raise ValueError(
                f"`scheduler` is only used with backend='dask'; got backend="
                f"{backend!r} and scheduler={scheduler!r}."
            )
        with joblib.parallel_config(backend=backend):
            yield n_jobs, {"backend": backend}
        return
    with _dask_client(n_jobs, scheduler) as (client, info):
        with joblib.parallel_config(backend="dask"):
            yield -1, {"backend": "dask", **info}
