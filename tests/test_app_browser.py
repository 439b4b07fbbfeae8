"""The app in a real browser: headless Chromium (Debian package ``chromium``) loads the running
app, which must draw the decision with its figures, in English and Danish, and request nothing
from outside this machine."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

pytest.importorskip("streamlit", reason="the app extra is not installed: pip install -e '.[app]'")

from peer_econ.app.browser import find_chromium, render, running_app  # noqa: E402
from peer_econ.app.config import AppConfig  # noqa: E402

pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="chromium is not installed (apt-get install -y chromium); the browser test needs it",
)


def test_the_page_renders_in_chromium_and_stays_local(tmp_path: Path) -> None:
    import matplotlib.image

    shot = tmp_path / "app.png"
    with running_app(AppConfig(n_samples=300)) as url:
        page = render(url, "The decision", screenshot=shot)
        danish = render(url + "?lang=da", "Beslutningen")
    assert "At 200,000 DKK per QALY, fund no delivery form" in page.text
    assert "ICER table with dominance" in page.text and "Budget by year and payer" in page.text
    assert "Ved 200.000 kr. pr. QALY: finansiér ingen leveranceform" in danish.text
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1400)
    # not blank: a real share of the page is neither white nor one flat colour
    assert float(np.mean(pixels.min(axis=2) < 0.9)) > 0.05 and float(pixels.std()) > 0.1
    hosts = {urlsplit(u).hostname for u in page.requests + danish.requests if "://" in u}
    hosts.discard(None)
    assert hosts == {"127.0.0.1"}, hosts  # nothing phones home
