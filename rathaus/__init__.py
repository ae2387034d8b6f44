"""Rathaus: an open-source digital town hall for German municipalities."""

__version__ = "0.1.0"
