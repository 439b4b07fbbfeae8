"""Streamlit script of the commissioner app; ``peer-econ app`` runs it (``streamlit run``)."""

from peer_econ.app.page import main

main()
