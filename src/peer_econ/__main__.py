"""``python -m peer_econ``: the same command line as ``peer-econ``."""

from peer_econ.cli import app

app(prog_name="peer-econ")
