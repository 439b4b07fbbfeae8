"""The local commissioner app (``peer-econ app``), built on Streamlit.

``config`` reads the app's settings, ``launch`` starts the Streamlit server from the command line,
``scenario`` turns the page's controls into library calls and results, ``export`` writes the
workbook and the run folder, and ``page`` lays it all out. Only ``page`` (and the script
``streamlit_app``) import Streamlit, which is the optional extra ``app``; the rest works without
it, so the command line can say how to install it.
"""
