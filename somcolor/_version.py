"""The version of somcolor, in one place: the package, its metadata (pyproject.toml) and ``--version``."""

__version__ = "0.5.0"
