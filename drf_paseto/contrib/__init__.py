"""Integrations with optional third-party packages, each imported only when its package is."""
