"""The ``sklearn-losses`` command line: a thin layer over the benchmark API.

``sklearn-losses benchmark [options]`` runs a default suite
(:func:`~sklearn_losses.benchmark.run_suite` on
:func:`~sklearn_losses.benchmark.get_suite`), writes the report
(:func:`~sklearn_losses.benchmark.write_report`) and prints the summary
table.  ``sklearn-losses benchmark <paper> [options]`` runs one paper's
protocol from :mod:`sklearn_losses.benchmark._papers`.  Every option maps
onto one argument of those functions; the choices (suites, estimators,
backends, papers) are read from the library.

Exit status: 0 on success, 1 on a runtime error (one line on stderr, such
as an unknown dataset with the list of valid names) or when some benchmark
task failed, 2 on a command-line error (argparse), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]

PROG = "sklearn-losses"
# user-facing errors get one line; anything else is a bug and keeps its traceback
_RUNTIME_ERRORS = (ValueError, ImportError, OSError)


def _positive_or_minus(text):
    """joblib's n_jobs: a non-zero integer."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    if value == 0:
        raise argparse.ArgumentTypeError("must be a positive integer or -1 (all cores)")
    return value


def _non_negative(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _probability(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {value}")
    return value


def _common(parser, suppress):
    """--output, --n-jobs, --seed: shared by the suite and the papers.

    A paper subparser suppresses the defaults, so that values given before
    the paper name (``benchmark --output X ensloss``) are kept.
    """

    def default(value):
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        default=default(Path("benchmark_results")),
        help="directory for results, plots and the task cache "
        "(default: ./benchmark_results)",
    )
    parser.add_argument(
        "--n-jobs",
        type=_positive_or_minus,
        metavar="N",
        default=default(1),
        help="parallel tasks, -1 for all cores (default: 1)",
    )
    parser.add_argument(
        "--seed",
        type=_non_negative,
        metavar="INT",
        default=default(0),
        help="seed of folds, noise and estimators (default: 0)",
    )


def _suite_options(parser):
    from . import _suites
    from ._backends import BACKENDS

    suites = [c for name in _suites.SUITES for c in _suites.get_suite(name)]
    names = sorted({c.name for c in suites} | {c.estimator for c in suites} - {""})
    parser.add_argument(
        "--suite",
        choices=_suites.SUITES,
        default="quick",
        help="budget (default: quick)",
    )
    parser.add_argument(
        "--estimators",
        nargs="+",
        choices=names,
        metavar="NAME",
        help=f"run only these comparisons: {', '.join(names)}",
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        metavar="NAME",
        help="run every comparison on these datasets instead of its own",
    )
    parser.add_argument(
        "--openml",
        nargs="+",
        type=int,
        metavar="ID",
        help="add OpenML datasets by id (read through the OpenML cache)",
    )
    parser.add_argument(
        "--data-home", type=Path, metavar="DIR", help="OpenML cache directory"
    )
    _common(parser, suppress=False)
    parser.add_argument(
        "--backend", choices=BACKENDS, default="loky", help="joblib backend"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); only with --backend dask",
    )
    parser.add_argument(
        "--alpha",
        type=_probability,
        default=0.05,
        help="significance level of the paired tests (default: 0.05)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="do not show a progress bar"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="recompute every task instead of reading finished ones from "
        "OUTPUT/cache (after changing an estimator's code)",
    )


def _paper_parsers(bench):
    from ._papers import available_papers

    available, unavailable = available_papers()
    if not available:
        return {}, unavailable
    papers = bench.add_subparsers(
        dest="paper", metavar="[PAPER]", title="paper benchmarks"
    )
    papers.required = False
    dests = {}
    for name, module in available.items():
        sub = papers.add_parser(
            name, help=module.DESCRIPTION, description=module.DESCRIPTION
        )
        _common(sub, suppress=True)
        sub.add_argument(
            "--quick", action="store_true", help="a small budget, for a smoke test"
        )
        before = {a.dest for a in sub._actions}
        module.add_arguments(sub)
        dests[name] = [a.dest for a in sub._actions if a.dest not in before]
    return dests, unavailable


def build_parser():
    """The parser, its ``benchmark`` subparser and each paper's option names."""
    from sklearn_losses import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Recent loss-function research as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    bench = commands.add_parser(
        "benchmark",
        help="compare every estimator with its scikit-learn counterpart",
        description="Run a benchmark suite (default) or a paper's protocol "
        "(sklearn-losses benchmark PAPER --help).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _suite_options(bench)
    dests, unavailable = _paper_parsers(bench)
    if unavailable:
        bench.epilog = "paper benchmarks not available here: " + "; ".join(
            f"{name} ({reason.split(': ', 1)[-1]})"
            for name, reason in unavailable.items()
        )
    return parser, bench, dests


def _one_line(exc):
    return " ".join(str(exc).split()) or type(exc).__name__


def _markdown(table):
    header, rows = table["header"], table["rows"]
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(map(str, r)) + " |" for r in rows])


def _run_paper(ns, dests):
    from ._papers import load_paper

    module = load_paper(ns.paper)
    options = {dest: getattr(ns, dest) for dest in dests[ns.paper]}
    report = module.run(
        output=ns.output, n_jobs=ns.n_jobs, seed=ns.seed, quick=ns.quick, **options
    )
    if isinstance(report, dict) and report.get("table"):
        print(_markdown(report["table"]))
    print(f"\nResults written under {ns.output}")
    return 0


def _run_suite(ns):
    from . import run_suite, write_report

    datasets = list(ns.datasets or []) + [f"openml:{i}" for i in ns.openml or []]
    results = run_suite(
        ns.suite,
        datasets=datasets or None,
        estimators=ns.estimators,
        n_jobs=ns.n_jobs,
        backend=ns.backend,
        scheduler=ns.scheduler,
        output=ns.output,
        seed=ns.seed,
        progress=not ns.no_progress,
        use_cache=not ns.no_cache,
        data_home=ns.data_home,
        alpha=ns.alpha,
    )
    report = write_report(results, ns.output, alpha=ns.alpha)
    print(report["summary"])
    config = results.config
    print(
        f"{config['n_tasks']} tasks ({results.n_computed} computed, "
        f"{results.n_cached} from the cache) in {config['wall_time']:.1f} s."
    )
    print(
        f"Wrote {report['json']}, {report['csv']}, {report['markdown']} "
        f"and {len(report['plots'])} plots under {Path(ns.output) / 'plots'}."
    )
    if results.failures:
        print(
            f"{PROG} benchmark: error: {len(results.failures)} task(s) failed; "
            f"see {report['json']}",
            file=sys.stderr,
        )
        return 1
    return 0


def _check(parser, ns, bench_defaults):
    if ns.paper is None:
        if ns.scheduler is not None and ns.backend != "dask":
            parser.error("--scheduler needs --backend dask")
        if ns.data_home is not None and not ns.openml:
            parser.error("--data-home is only used with --openml")
        return
    given = [
        f"--{dest.replace('_', '-')}"
        for dest in ("suite", "estimators", "openml", "backend", "scheduler")
        if getattr(ns, dest, None) != bench_defaults[dest]
    ]
    if given:
        parser.error(
            f"{', '.join(given)} apply to the default suite, not to the paper "
            f"benchmark {ns.paper!r}"
        )


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 on a runtime error or failed tasks, 2 on an argument
        error, 130 when interrupted.
    """
    parser, bench, dests = build_parser()
    try:
        ns = parser.parse_args(argv)
        ns.paper = getattr(ns, "paper", None)
        _check(bench, ns, {a.dest: a.default for a in bench._actions})
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return _run_paper(ns, dests) if ns.paper else _run_suite(ns)
    except KeyboardInterrupt:
        print(
            f"\n{PROG} benchmark: interrupted; finished tasks are cached under "
            f"{ns.output}/cache, run the same command again to resume.",
            file=sys.stderr,
        )
        return 130
    except _RUNTIME_ERRORS as exc:
        print(f"{PROG} benchmark: error: {_one_line(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
