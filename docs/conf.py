"""Sphinx configuration: numpydoc API reference, sphinx-gallery built from examples/ (every example
executed at build time), MyST for the Markdown pages, sphinx-argparse for the command line."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from somcolor import __version__  # noqa: E402

project = "somcolor"
author = "the somcolor developers"
copyright = "2026, the somcolor developers (BSD-3-Clause)"
release = version = __version__

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "sphinxarg.ext",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
myst_heading_anchors = 3
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_default_options = {"member-order": "bysource"}

# Headless plotting; the gallery's examples write their files into a scratch folder, not the tree.
os.environ.setdefault("MPLBACKEND", "Agg")
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py",  # every example runs at build time
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
}

html_theme = "furo"
html_title = f"somcolor {__version__}"
