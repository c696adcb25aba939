"""Progress over benchmark tasks: tqdm when installed, else one line a task.

Nothing is shown unless the caller asks (``progress=True`` or a sink).
"""

from __future__ import annotations

import sys

__all__ = ["make_progress"]


def _label(record):
    return f"{record['comparison']} | {record['method']} | {record['dataset']}"


class _Silent:
    def update(self, record):
        pass

    def close(self):
        pass


class _Lines:
    """One line per finished task, sent to ``sink``."""

    def __init__(self, sink, total, done):
        self.sink, self.total, self.done = sink, total, done
        if done:
            sink(f"[benchmark] {done}/{total} tasks read from the cache")

    def update(self, record):
        self.done += 1
        scores = ", ".join(
            f"{k}={v:.4f}" for k, v in (record.get("scores") or {}).items()
        )
        status = f"FAILED ({record['error']})" if record.get("error") else scores
        self.sink(
            f"[benchmark] {self.done}/{self.total} {_label(record)} | "
            f"fold {record['fold']}: {status}"
        )

    def close(self):
        pass


class _Bar:
    def __init__(self, tqdm, total, done):
        self.bar = tqdm(
            total=total, initial=done, unit="task", desc="benchmark", file=sys.stderr
        )

    def update(self, record):
        self.bar.set_postfix_str(_label(record), refresh=False)
        self.bar.update(1)

    def close(self):
        self.bar.close()


def _stderr(line):
    print(line, file=sys.stderr, flush=True)


def make_progress(progress, *, total, done=0):
    """A progress reporter with ``update(record)`` and ``close()``.

    Parameters
    ----------
    progress : bool or callable
        False: silent.  True: a tqdm bar on stderr, or lines on stderr when
        tqdm is not installed.  A callable: lines passed to it.
    total : int
        Number of tasks.
    done : int, default=0
        Tasks already finished (read from the cache).
    """
    if progress is False:
        return _Silent()
    if callable(progress):
        return _Lines(progress, total, done)
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _Lines(_stderr, total, done)
    return _Bar(tqdm, total, done)
