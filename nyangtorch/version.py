"""The package version, in a leaf module: the model-file writer reads it without importing
the package root (which imports every part, the writer included)."""

__version__ = "0.1.0"
