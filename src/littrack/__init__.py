"""littrack: track a field's literature as data."""

__version__ = "0.1.0"
