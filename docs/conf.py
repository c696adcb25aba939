"""Sphinx configuration of the sklearn_losses documentation.

Builds offline with warnings as errors (``sphinx-build -W``): intersphinx is
off unless ``SKLEARN_LOSSES_INTERSPHINX=1`` asks for it, and the gallery
examples use bundled data only.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from _generate import write_generated

import sklearn_losses

project = "sklearn_losses"
author = "The sklearn_losses developers"
copyright = "2026, The sklearn_losses developers"
version = release = sklearn_losses.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    # Methods generated or inherited from scikit-learn, whose docstrings
    # cross-reference scikit-learn's own docs.
    "exclude-members": (
        "score, set_fit_request, set_score_request, set_transform_request, "
        "set_partial_fit_request, get_metadata_routing, set_output, fit_transform"
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.py", "sg_execution_times.rst"]

intersphinx_mapping = {}
if os.environ.get("SKLEARN_LOSSES_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "torch": ("https://docs.pytorch.org/docs/stable", None),
    }

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}

html_theme = "pydata_sphinx_theme"
html_title = "sklearn_losses"
html_static_path = ["_static"]
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2}
# Sphinx-gallery writes a timing page that no toctree lists.
suppress_warnings = ["toc.not_included"]

write_generated(HERE / "generated")
