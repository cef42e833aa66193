"""briefgen: a static site generator for incident briefings."""

__version__ = "0.1.0"
