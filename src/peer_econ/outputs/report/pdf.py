"""Print a report to an A4 PDF through headless Chromium, when it is installed.

The page's print stylesheet sets A4 pages, page breaks before parts, tables that wrap instead of
being cut, and figures sized to the page. Chromium runs with a fresh profile and no network
services; nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from peer_econ.errors import PeerEconError

#: Browsers tried in order (first found on PATH wins); ``PEER_ECON_CHROMIUM`` overrides.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds Chromium may take to print.
TIMEOUT_S = 240


class PdfUnavailable(PeerEconError):
    """No PDF could be made (no Chromium, or Chromium failed); the HTML report is unaffected."""


def find_chromium() -> str | None:
    """Path of a Chromium-family browser, or ``None``."""
    chosen = os.environ.get("PEER_ECON_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


#: Chromium's switches for unattended use: headless, no sandbox (root in containers), nothing
#: fetched in the background, no first-run pages (the PDF printer and the app's browser check).
HEADLESS_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_command(browser: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The command line that prints ``page`` to ``pdf`` (headless, isolated, offline)."""
    return [
        browser,
        *HEADLESS_CHROMIUM_FLAGS,
        "--no-default-browser-check",
        "--disable-extensions",
        "--no-pdf-header-footer",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        page.resolve().as_uri(),
    ]


def print_pdf(page: Path | str, pdf: Path | str | None = None) -> Path:
    """Print an HTML report to PDF (default: same name, ``.pdf``) and return the PDF's path.

    Raises
    ------
    PdfUnavailable
        No Chromium found, or it failed or produced no file (one-line reason).
    """
    page = Path(page)
    target = page.with_suffix(".pdf") if pdf is None else Path(pdf)
    browser = find_chromium()
    if browser is None:
        raise PdfUnavailable(
            "no Chromium found (install it, e.g. 'apt-get install -y chromium', or set "
            "PEER_ECON_CHROMIUM to its path); report.html is complete without it"
        )
    with tempfile.TemporaryDirectory(prefix="peer-econ-pdf-") as work:
        temporary = Path(work) / "report.pdf"
        command = chromium_command(browser, page, temporary, Path(work) / "profile")
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium did not print the report ({exc})") from None
        if done.returncode != 0 or not temporary.is_file() or temporary.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise PdfUnavailable(f"Chromium failed (exit {done.returncode}): {last}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(temporary), target)
    return target


#: Width of the printable area of an A4 page with the stylesheet's margins, in CSS pixels
#: (210 mm - 2 x 12 mm at 96 px per inch).
A4_CONTENT_PX = round((210 - 24) / 25.4 * 96)

_CHECK = """<script>
window.addEventListener('load', function () {
  var out = [], body = document.body.getBoundingClientRect();
  function name(el) {
    var c = el.closest('table') && el.closest('table').caption;
    return (c ? c.textContent : el.tagName).slice(0, 70);
  }
  document.querySelectorAll('table, img, svg, pre, dl').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > body.right + 1 || r.left < body.left - 1) {
      out.push(el.tagName + ' "' + name(el) + '" is ' + Math.round(r.width) + ' px wide; the page '
               + Math.round(body.width) + ' px');
    }
  });
  document.querySelectorAll('td, th').forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1) {
      out.push('cell of "' + name(el) + '" overflows: ' + el.textContent.slice(0, 40));
    }
  });
  var p = document.createElement('pre');
  p.id = 'layout-check';
  p.textContent = JSON.stringify(out);
  document.body.appendChild(p);
});
</script>"""


def layout_problems(page: Path | str) -> list[str]:
    """Elements that would be cut off when the report is printed on A4.

    Lays out a copy of the page in headless Chromium at the printable width of an A4 page with
    the print stylesheet applied to the screen, and lists every table, figure or drawing wider
    than the page and every table cell whose content overflows it.

    Raises
    ------
    PdfUnavailable
        No Chromium found, or it failed.
    """
    import json
    import re

    browser = find_chromium()
    if browser is None:
        raise PdfUnavailable("no Chromium found; cannot lay the page out")
    html = Path(page).read_text(encoding="utf-8")
    html = html.replace("@media print{", "@media all{").replace("</body>", _CHECK + "</body>")
    with tempfile.TemporaryDirectory(prefix="peer-econ-layout-") as work:
        copy = Path(work) / "page.html"
        copy.write_text(html, encoding="utf-8")
        command = [
            *chromium_command(browser, copy, Path(work) / "unused.pdf", Path(work) / "profile"),
        ]
        command = [c for c in command if not c.startswith("--print-to-pdf")]
        command[-1:-1] = [
            f"--window-size={A4_CONTENT_PX},1200",
            "--force-device-scale-factor=1",
            "--hide-scrollbars",
            "--virtual-time-budget=20000",
            "--dump-dom",
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium did not lay the page out ({exc})") from None
    found = re.search(r'<pre id="layout-check">(.*?)</pre>', done.stdout, flags=re.S)
    if found is None:
        raise PdfUnavailable(f"Chromium gave no layout result (exit {done.returncode})")
    import html as html_module

    return [str(item) for item in json.loads(html_module.unescape(found.group(1)))]
