"""The local commissioner app."""

from __future__ import annotations

from peer_econ.app.server import make_server

__all__ = ["make_server"]
