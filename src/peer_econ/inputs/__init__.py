"""Reading and validating the files of an inputs folder into model objects.

Every reader collects all problems of a file and raises one :class:`~peer_econ.errors.InputError`
naming file, row, column, the value found and what is allowed.
"""

from __future__ import annotations

from peer_econ.inputs.load import load_inputs, overrides_from_mapping, parse_overrides
from peer_econ.inputs.psa_files import read_psa_csv, read_psa_files
from peer_econ.inputs.scenarios import read_scenarios

__all__ = [
    "load_inputs",
    "overrides_from_mapping",
    "parse_overrides",
    "read_psa_csv",
    "read_psa_files",
    "read_scenarios",
]
