"""PASETO access, refresh and fresh-token authentication for Django REST framework."""

__all__ = [
    "__version__",
]


__version__ = "0.1.0"
