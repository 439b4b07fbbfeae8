"""Everything that leaves the process: tables and run folders (atomic, with manifests), figures
(the only place matplotlib is imported) and the HTML report."""

from __future__ import annotations
