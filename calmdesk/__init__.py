"""calmdesk: a self-hosted help desk with an empathy engine."""

__version__ = "0.1.0"
