"""The report: built from the run folder alone, reproducible byte for byte, CHEERS 2022 complete,
plain words, consistent numbers, offline, in English and Danish."""

from __future__ import annotations

import json
import math
import re
import shutil
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from peer_econ.outputs.language import Language
from peer_econ.outputs.report import RunWarning, build_report, write_report, write_run
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.render import Prose
from peer_econ.outputs.report.tables import read_run_folder
from peer_econ.runs.full import RUN_WRITERS
from peer_econ.runs.pipeline import run
from reference.cells import number

INPUTS = Path("inputs")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full run (every writer, enough samples for value of information)."""
    target = tmp_path_factory.mktemp("report") / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunWarning)
        write_run(run(INPUTS, n_samples=250, seed=11), target, writers=RUN_WRITERS)
    return target


@pytest.fixture(scope="module")
def html(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def danish(folder: Path) -> str:
    return build_report(folder, "da")


class Page(HTMLParser):
    """Text of a page by section, ids, links, headings and the CHEERS table rows."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.term_links: list[str] = []
        self.headings: list[str] = []
        self.text_by_section: dict[str, list[str]] = {}
        self._section = "header"
        self._skip = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "section":
            self._section = str(a.get("id"))
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
            if a.get("class") == "term":
                self.term_links.append(str(a["href"]))
        if tag in ("style", "svg"):
            self._skip += 1
        if tag in ("h2", "h3"):
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = "between"
        if tag in ("style", "svg"):
            self._skip -= 1
        if tag in ("h2", "h3") and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text_by_section.setdefault(self._section, []).append(data)
        if self._heading is not None:
            self._heading.append(data)

    def text(
        self, section: str | None = None, *, without: tuple[str, ...] = (), sep: str = ""
    ) -> str:
        if section is not None:
            return sep.join(self.text_by_section.get(section, [])).replace("\u00a0", " ")
        text = " ".join("".join(v) for k, v in self.text_by_section.items() if k not in without)
        return text.replace("\u00a0", " ")


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    return parser


# --- the architecture --------------------------------------------------------------------


def test_report_command_reproduces_report_byte_for_byte(folder: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peer_econ.cli import app

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    original = (copy / "report.html").read_bytes()
    (copy / "report.html").unlink()
    result = CliRunner().invoke(app, ["report", str(copy)])
    assert result.exit_code == 0, result.output
    assert (copy / "report.html").read_bytes() == original
    assert write_report(copy).read_bytes() == original  # the API twin


def test_report_reads_only_the_folder(folder: Path, tmp_path: Path) -> None:
    """Changing a table in the folder changes the report: nothing is recomputed."""
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    table = pd.read_csv(copy / "funding_comparison.csv")
    table.loc[table["strategy"] == "peer_volunteer", "cost_per_participant"] = 1234.0
    table.to_csv(copy / "funding_comparison.csv", index=False)
    decision = parse(write_report(copy).read_text(encoding="utf-8")).text("decision")
    assert "1,234 DKK per enrolled participant" in decision


def test_run_info_holds_what_the_report_needs(folder: Path) -> None:
    info = json.loads((folder / "run_info.json").read_text(encoding="utf-8"))
    assert info["labels"]["parameter"]["decay_months"]["da"]
    assert info["labels"]["strategy"]["sau"] == {"en": "Service as usual", "da": "Vanlig indsats"}
    assert set(info["statements"]) == {
        "analysis_plan", "engagement_approach", "engagement_effect", "funding",
        "conflicts_of_interest",
    }  # fmt: skip
    assert info["facts"]["budget"]["municipalities"] == 5
    assert info["facts"]["voi"]["computed"] is True
    assert "created_utc" not in info  # timestamps only in the manifest


def test_report_without_extra_writers_still_renders(tmp_path: Path) -> None:
    folder = write_run(run(INPUTS, n_samples=30, seed=2), tmp_path / "bare")
    page = parse((folder / "report.html").read_text(encoding="utf-8"))
    assert "Recommendation:" in page.text("decision")
    assert "cheers" in page.ids and "parameters" in page.ids


# --- CHEERS 2022 ---------------------------------------------------------------------------


def cheers_rows(page: str) -> list[tuple[int, str, str]]:
    """(item, link target, status) of each row of the checklist table."""
    section = page[page.index('<section id="cheers">') :]
    section = section[: section.index("</section>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", section, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if not cells:
            continue
        link = re.search(r'href="#([^"]+)"', cells[2])
        rows.append((int(cells[0]), link.group(1) if link else "", cells[3]))
    return rows


def test_all_28_cheers_items_are_mapped_to_a_section(html: str) -> None:
    rows = cheers_rows(html)
    page = parse(html)
    assert [item for item, _, _ in rows] == list(range(1, 29))
    for item, target, status in rows:
        assert target in page.ids, f"item {item} points at a missing section"
        assert "not reported" not in status, f"item {item} is not reported"
    statuses = {item: status for item, _, status in rows}
    for item in (4, 21, 25, 27, 28):  # inputs/report.toml is empty: flagged, never invented
        assert statuses[item].startswith("not provided by the analyst")


def test_statements_from_report_toml_are_shown_as_given(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    info = json.loads((copy / "run_info.json").read_text(encoding="utf-8"))
    info["statements"]["funding"] = "Funded by <b>nobody</b> in particular."
    (copy / "run_info.json").write_text(json.dumps(info), encoding="utf-8")
    page = write_report(copy).read_text(encoding="utf-8")
    assert "As stated by the analyst: Funded by &lt;b&gt;nobody&lt;/b&gt; in particular." in page
    assert dict((i, s) for i, _, s in cheers_rows(page))[27] == "reported"


# --- plain words ----------------------------------------------------------------------------


def codes() -> dict[str, list[str]]:
    """Codes of the inputs folder that must never appear in prose (those with an underscore;
    codes that are ordinary words, such as 'region' or 'venue', are words in prose)."""
    params = pd.read_csv(INPUTS / "parameters.csv")["name"].tolist()
    items = pd.read_csv(INPUTS / "cost_items.csv")
    found = {
        "parameter": params,
        "strategy": pd.read_csv(INPUTS / "strategies.csv")["strategy"].tolist(),
        "cost item": items["item"].tolist(),
        "payer": items["payer"].unique().tolist(),
        "perspective": ["health_and_social_care", "limited_societal"],
    }
    return {kind: [c for c in names if "_" in c] for kind, names in found.items()}


def test_every_parameter_code_has_an_underscore_so_the_scan_below_covers_it() -> None:
    assert all("_" in name for name in pd.read_csv(INPUTS / "parameters.csv")["name"])


@pytest.mark.parametrize("lang", ["en", "da"])
def test_no_code_names_outside_the_parameter_table(folder: Path, lang: str) -> None:
    page = parse(build_report(folder, lang))
    text = page.text(without=("parameters",))
    leaks = [
        f"{kind} {code}"
        for kind, names in codes().items()
        for code in names
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)
    ]
    assert leaks == []
    assert "decay_months" in page.text("parameters")  # the one place codes are listed


def test_negative_icers_are_never_printed() -> None:
    ctx = Context.__new__(Context)
    object.__setattr__(ctx, "lang", Language("en"))
    words = {
        "dominant": Context.icer(ctx, -100.0, 0.01),
        "dominated": Context.icer(ctx, 100.0, -0.01),
        "ratio": Context.icer(ctx, 1000.0, 0.01),
        "saves": Context.icer(ctx, -1000.0, -0.01),
    }
    assert words["dominant"].startswith("dominant")
    assert words["dominated"].startswith("dominated")
    assert words["ratio"] == "100,000\u00a0DKK per QALY"
    assert words["saves"] == "saves 100,000 DKK per QALY lost"


# --- numbers on page one --------------------------------------------------------------------


def _cards(html: str) -> dict[str, str]:
    """Text of each decision card by its title."""
    section = html[html.index('<section id="decision">') :]
    section = section[: section.index("</section>")]
    out = {}
    for card in re.findall(r"<article[^>]*>(.*?)</article>", section, flags=re.S):
        heading = re.search(r"<h4>(.*?)<span", card, flags=re.S)
        assert heading is not None, card
        title = re.sub(r"<[^>]+>", "", heading.group(1))
        out[title.strip()] = re.sub(r"<[^>]+>", "", card).replace("\u00a0", " ")
    return out


def test_every_number_on_page_one_equals_its_table_value(folder: Path, html: str) -> None:
    lang = Language("en")
    n, pct = lang.number, lambda p: lang.percent(p).replace("\u00a0", " ")
    labels = dict(pd.read_csv(INPUTS / "strategies.csv")[["strategy", "label"]].values)
    comparison = pd.read_csv(folder / "funding_comparison.csv").set_index("strategy")
    points = pd.read_csv(folder / "decision_points.csv")
    points = points[points["wtp"] == 200_000].set_index("strategy")
    trial_points = pd.read_csv(folder / "trial_period" / "decision_points.csv")
    trial_points = trial_points[trial_points["wtp"] == 200_000].set_index("strategy")
    durability = pd.read_csv(folder / "threshold_durability.csv").set_index("strategy")
    thresholds = pd.read_csv(folder / "multiplier_thresholds.csv").set_index("strategy")
    head = pd.read_csv(folder / "headline.csv").set_index("strategy")
    trial = pd.read_csv(folder / "trial_period.csv").set_index("strategy")
    cards = _cards(html)
    expected: set[str] = {"200,000", "20,000", "30,000", "176,000", "264,000", "12", "36", "3"}
    expected.add("2024")  # price year
    expected |= {"4", "5", "1", "2"}  # scale, options, year 1, labels "(1 paid + 1 volunteer)"
    capacity = pd.read_csv(folder / "capacity.csv")
    people = capacity[(capacity["strategy"] == "peer_volunteer")
                      & (capacity["quantity"] == "participants")]["mean"].iloc[-1]  # fmt: skip
    expected.add(n(people))
    for name in comparison.index:
        card = cards[labels[name]]
        row = comparison.loc[name]
        values = [
            f"{n(row['cost_per_participant'])} DKK per enrolled participant",
            f"{n(row['budget_year1'])} DKK in year 1",
            f"then {n(row['budget_steady_year'])} DKK a year",
            f"{pct(points.loc[name, 'prob_ce'])} chance of being cost-effective against service "
            "as usual at 200,000 DKK per QALY",
            f"{pct(points.loc[name, 'prob_best'])} chance of being the best of all 5 options",
        ]
        for value in values:
            assert value in card, (name, value)
        for column in row.index:
            if column.startswith("budget_") and row[column] > 0:
                expected.add(n(row[column]))
        share_total = sum(row[c] for c in row.index if c.startswith("budget_")
                          and c not in ("budget_year1", "budget_steady_year"))  # fmt: skip
        for column in row.index:
            if column.startswith("budget_") and column[7:] in ("municipality", "ngo_grant"):
                expected.add(pct(row[column] / share_total).split()[0])
        expected |= {n(row["cost_per_participant"]), n(row["budget_year1"])}
        expected |= {n(row["rests_on_swing"])}
        if name in thresholds.index:  # the effect multiplier its standing rests on
            line = thresholds.loc[name]
            expected |= {n(line["cost_vs_reference"]), lang.number(line["threshold"], 2),
                         lang.number(line["assumed"], 2), n(100 * (line["threshold"] - 1)),
                         pct(line["prob_best"]).split()[0]}  # fmt: skip
        expected |= {pct(points.loc[name, "prob_ce"]).split()[0],
                     pct(points.loc[name, "prob_best"]).split()[0]}  # fmt: skip
        expected |= {pct(trial_points.loc[name, "prob_ce"]).split()[0]}
        expected |= {n(head.loc[name, "icer"]), n(trial.loc[name, "icer"])}
        expected.add(lang.number(durability.loc[name, "threshold"], 1))
    # service as usual is best at 200,000 DKK/QALY (volunteer ICER about 225,000): the card
    # says how long the gain would have to last, longer than the 12 months of the base case
    assert number(durability.loc["peer_volunteer", "threshold"]) > 12
    assert number(durability.loc["peer_volunteer", "base_inmb"]) < 0
    threshold = lang.number(durability.loc["peer_volunteer", "threshold"], 1)
    assert f"gain lasted at least {threshold} months" in cards["PEER (volunteer peers)"]
    text = parse(html).text("decision", sep=" ")
    numbers = set(re.findall(r"\d[\d,]*(?:\.\d+)?", text))
    assert numbers - expected == set()


# --- glossary, links, resources -------------------------------------------------------------


def test_glossary_anchors_resolve_and_terms_link_on_first_use_only(html: str) -> None:
    page = parse(html)
    internal = [h[1:] for h in page.hrefs if h.startswith("#")]
    assert internal and all(target in page.ids for target in internal)
    for term in (
        "icer",
        "qaly",
        "nmb",
        "inmb",
        "ceac",
        "ceaf",
        "evpi",
        "evppi",
        "evsi",
        "enbs",
        "dominance",
        "extended-dominance",
        "smd",
        "psa",
        "wtp",
        "qpr15",
        "mansa",
        "wsas",
    ):
        assert page.term_links.count(f"#g-{term}") == 1, term  # fmt: skip


def test_prose_links_only_the_first_use_and_never_inside_tags() -> None:
    prose = Prose([("g-qaly", ["QALYs", "QALY"]), ("g-wtp", ["willingness to pay"])], frozenset())
    first = str(prose("**QALY** gains per QALY at a Willingness to pay of 1"))
    assert first == (
        '<b><a class="term" href="#g-qaly">QALY</a></b> gains per QALY at a '
        '<a class="term" href="#g-wtp">Willingness to pay</a> of 1'
    )
    assert str(prose("QALYs <i>")) == "QALYs &lt;i&gt;"  # escaped, no second link


def test_no_external_resources(html: str, danish: str) -> None:
    for page in (html, danish):
        assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page)
        assert "<script" not in page and "<link" not in page and "@import" not in page
        assert "url(" not in page
        assert "data:image/png;base64," in page  # figures embedded


# --- language and print ------------------------------------------------------------------


def test_danish_report_has_danish_titles_and_number_formats(html: str, danish: str) -> None:
    english_titles = set(parse(html).headings)
    danish_page = parse(danish)
    shared = [h for h in danish_page.headings if h in english_titles]
    assert shared == []
    english_catalogue = {Language("en").t(k) for k in Language("en").keys() if k.endswith("title")}
    assert not [h for h in danish_page.headings if h in english_catalogue]
    decision = danish_page.text("decision")
    assert re.search(r"\d{1,3}\.\d{3} kr\. pr\. tilmeldt deltager", decision)
    assert "DKK" not in danish_page.text(without=("parameters", "references"))
    assert '<html lang="da">' in danish


def test_what_if_banner_names_each_change(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peer_econ.cli import app

    out = tmp_path / "w"
    args = ["run", "--n-samples", "30", "--set", "participants_per_group=10",
            "--perspective", "societal", "--out", str(out)]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    header = parse((out / "report.html").read_text(encoding="utf-8")).text("header")
    assert "What-if" in header
    assert "Participants enrolled per group set to 10 (inputs: 8)." in header
    assert "Perspective set to Societal (inputs: Health and social care)." in header


def test_value_of_information_messages_are_the_same_everywhere(html: str) -> None:
    page = parse(html)
    messages, voi = page.text("key-messages"), page.text("voi")
    trial = [s for s in re.split(r"(?<=\.)\s", voi) if s.startswith("A new trial")]
    assert len(trial) == 1 and trial[0] in messages
    assert "DKK per QALY" in trial[0]  # it names the range of willingness to pay it holds for


def test_voi_section_says_which_samples_the_regressions_used(
    folder: Path, html: str, tmp_path: Path
) -> None:
    """All samples: one sentence with the count. A subsample: the counts and the EVPI on the
    subsample against all samples with its standard error, as in voi_sampling.csv."""
    voi = parse(html).text("voi")
    assert "The EVPPI and EVSI regressions use all 250 PSA samples." in voi
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    pd.DataFrame(
        [{"n_samples_psa": 1_000_000, "n_samples_voi": 20_000, "wtp": 200_000.0,
          "evpi_psa": 553.6, "evpi_voi": 559.2, "evpi_voi_se": 5.7}]
    ).to_csv(copy / "voi_sampling.csv", index=False)  # fmt: skip
    text = re.sub(r"\s+", " ", parse(write_report(copy).read_text(encoding="utf-8")).text("voi"))
    assert (
        "use the first 20,000 of the 1,000,000 PSA samples" in text
        and "559 DKK per person on those samples against 554 DKK on all of them "
        "(Monte Carlo standard error 6 DKK)"
        in text
    ), text
    danish = re.sub(r"\s+", " ", parse(build_report(copy, "da")).text("voi"))
    assert "de første 20.000 af de 1.000.000 PSA-træk" in danish


def test_no_banner_without_changes(html: str) -> None:
    assert "What-if" not in parse(html).text("header")


def test_report_of_a_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peer_econ.cli import app

    result = CliRunner().invoke(app, ["report", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert "run folder not found" in result.output


def test_pdf_without_chromium_says_so_in_one_line(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from peer_econ.cli import app

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    monkeypatch.setenv("PEER_ECON_CHROMIUM", str(tmp_path / "no-such-browser"))
    result = CliRunner().invoke(app, ["report", str(copy), "--pdf"])
    assert result.exit_code == 0
    assert [line for line in result.output.splitlines() if line.startswith("no PDF:")] == [
        "no PDF: no Chromium found (install it, e.g. 'apt-get install -y chromium', or set "
        "PEER_ECON_CHROMIUM to its path); report.html is complete without it"
    ]
    assert not (copy / "report.pdf").exists()


@pytest.mark.slow
def test_pdf_is_a4_and_nothing_is_cut_off(folder: Path, tmp_path: Path) -> None:
    from peer_econ.outputs.report.pdf import find_chromium, layout_problems, print_pdf

    if find_chromium() is None:
        pytest.skip("no Chromium on this machine")
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    pdf = print_pdf(copy / "report.html")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.0) < 1.5 and abs(float(h) - 842.0) < 1.5
                         for w, h in boxes)  # fmt: skip
    assert layout_problems(copy / "report.html") == []
    assert layout_problems(write_report(copy, "da")) == []


def test_context_reads_labels_in_the_language(folder: Path) -> None:
    tables = read_run_folder(folder)
    assert Context(tables, Language("da")).parameter("decay_months").startswith("Hvor længe")
    assert Context(tables, Language("en")).comparator == "service as usual"


@pytest.fixture(scope="module")
def small_run():  # type: ignore[no-untyped-def]
    return run(INPUTS, n_samples=50, seed=9)


def test_manifest_wall_time_covers_the_writers(small_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """wall_time_s counts the writers too (it once held only the 0.03 s of sampling)."""
    import time

    def write_slow_for_run(result, folder):  # type: ignore[no-untyped-def]
        time.sleep(0.3)

    folder = write_run(small_run, tmp_path / "r", writers=(write_slow_for_run,))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["wall_time_s"] >= small_run.wall_time_s + 0.3
    assert manifest["timings_s"]["slow"] >= 0.3  # the writer is a timed stage
    stages = {"model_tables", "slow", "figures", "report"}
    assert set(manifest["peak_memory_mib_after"]) == stages
    started = time.perf_counter() - 5.0  # a command that started 5 s ago
    folder = write_run(small_run, tmp_path / "s", writers=(write_slow_for_run,), started=started)
    assert json.loads((folder / "manifest.json").read_text())["wall_time_s"] >= 5.3


def test_a_negative_icer_is_never_printed(tmp_path: Path) -> None:
    """0.6 fewer bed days x 6,000 DKK saves more than PEER costs: PEER is dominant. The
    headline ICER is NaN in the table and 'dominant' in the report, never a negative ratio."""
    from peer_econ.inputs.load import load_inputs

    inputs = load_inputs(INPUTS).with_settings(downstream_resource_use=True)
    result = run(inputs, n_samples=50, seed=9, overrides={"delta_bed_days": -0.6})
    head = result.summary().set_index("strategy")
    volunteer = head.loc["peer_volunteer"]
    assert number(volunteer["inc_cost"]) < 0 < number(volunteer["inc_qaly"])
    assert math.isnan(number(volunteer["icer"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunWarning)
        folder = write_run(result, tmp_path / "r")
    text = re.sub(r"<[^>]+>", " ", (folder / "report.html").read_text()).replace("\u00a0", " ")
    assert "dominant" in text
    assert not re.search(r"[-\u2212]\s?\d[\d,.]*\s?DKK per QALY", text)
    headline = pd.read_csv(folder / "headline.csv")
    assert not (headline["icer"].dropna() < 0).any()


def test_cost_per_participant_concepts(small_run) -> None:  # type: ignore[no-untyped-def]
    """Each figure is defined once: expected = the headline cost; per course + fixed =
    expected; at the means = the deterministic cost; per attender = expected / share."""
    import numpy as np

    per = small_run.cost_per_participant().set_index("strategy")
    head = small_run.summary().set_index("strategy")
    for name in ("peer_volunteer", "peer_paid"):
        assert per.loc[name, "expected"] == pytest.approx(head.loc[name, "cost"], rel=1e-12)
        assert per.loc[name, "at_parameter_means"] == head.loc[name, "det_cost"]
        assert per.loc[name, "per_course"] + per.loc[name, "fixed_programme"] == pytest.approx(
            per.loc[name, "expected"], rel=1e-12
        )
        assert per.loc[name, "fixed_programme"] > 0
        share = np.mean(small_run.draws["delivered_attendance_prop"])
        assert per.loc[name, "per_attending"] == pytest.approx(
            per.loc[name, "expected"] / share, rel=1e-12
        )
    assert per.loc["sau", "expected"] == 0.0
