"""Lectio: course resource lists for universities."""

__version__ = "0.1.0"
