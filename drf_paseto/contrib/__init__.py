"""Integrations with optional third-party packages, each imported only when its package is."""

__all__: list[str] = []
