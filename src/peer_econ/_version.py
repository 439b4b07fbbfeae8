"""The package version (one place; read by the CLI and the manifest)."""

__version__ = "0.1.0"
