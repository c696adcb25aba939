"""Project-wide walkers: public names, test layout, the one-training-loop rule,
estimator conventions and documented parameters."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from sklearn.base import clone

import sklearn_losses

PACKAGE_DIR = Path(sklearn_losses.__file__).parent
ESTIMATORS = [
    "EnsLossClassifier",
    "LDRClassifier",
    "AnyLossClassifier",
    "LinearProbeClassifier",
    "MetricLearningTransformer",
]
PUBLIC_PACKAGES = [
    "sklearn_losses",
    "sklearn_losses.losses",
    "sklearn_losses.datasets",
    "sklearn_losses.benchmark",
    "sklearn_losses._engine",
]


def _subpackages():
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], "sklearn_losses."):
        if info.ispkg and not info.name.split(".")[-1] == "tests":
            yield info.name


@pytest.mark.parametrize("name", list(_subpackages()))
def test_every_subpackage_has_tests(name):
    path = Path(importlib.import_module(name).__file__).parent
    if path.name == "_papers":
        pytest.skip("benchmark modules are exercised by the benchmark tests")
    assert (path / "tests" / "__init__.py").exists(), f"{name} has no tests package"


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_all_names_exist(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


def test_only_the_engine_steps_the_optimizer():
    pattern = re.compile(r"\.backward\(|optimizer_?\.step\(|\bopt\.step\(")
    offenders = []
    for path in PACKAGE_DIR.rglob("*.py"):
        rel = path.relative_to(PACKAGE_DIR)
        if rel.parts[0] == "_engine" or "tests" in rel.parts:
            continue
        if "benchmark" in rel.parts and path.name == "engine.py":
            continue  # the bare torch loop the engine is measured against
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{rel}:{lineno}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


@pytest.fixture(params=ESTIMATORS)
def estimator_class(request):
    try:
        return getattr(sklearn_losses, request.param)
    except (ImportError, AttributeError) as exc:  # pragma: no cover
        pytest.fail(f"{request.param} cannot be imported: {exc}")


def test_estimator_conventions(estimator_class):
    est = estimator_class()
    params = inspect.signature(estimator_class.__init__).parameters
    assert all(
        p.kind is inspect.Parameter.KEYWORD_ONLY
        for n, p in params.items()
        if n != "self"
    ), "__init__ arguments must be keyword-only"
    assert set(estimator_class._parameter_constraints) == set(params) - {"self"}
    assert clone(est).get_params() == est.get_params()
    params = est.get_params(deep=False)
    assert not [
        k
        for k in vars(est)
        if k.endswith("_") and not k.startswith("_") and k not in params
    ], "no fitted attribute may be set in __init__"


def test_estimator_docstrings_document_every_parameter(estimator_class):
    from numpydoc.docscrape import ClassDoc

    doc = ClassDoc(estimator_class)
    documented = {p.name.split(" : ")[0] for p in doc["Parameters"]}
    documented = {n.strip() for name in documented for n in name.split(",")}
    params = set(inspect.signature(estimator_class.__init__).parameters) - {"self"}
    assert params <= documented, f"undocumented: {sorted(params - documented)}"
    assert doc["Examples"], "an Examples section is required"
    for attr in ("classes_", "n_features_in_", "n_iter_", "loss_curve_", "net_"):
        if attr == "classes_" and "Transformer" in estimator_class.__name__:
            continue
        names = {a.name.split(" : ")[0] for a in doc["Attributes"]}
        assert attr in names or estimator_class.__name__ == "LinearProbeClassifier"
