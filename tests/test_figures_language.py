"""Figures in the output language: texts from the catalogue, Danish number marks on the axes,
figures of a run folder drawn from its files (also again in another language for the report),
and the default language from settings.toml."""

from __future__ import annotations

import base64
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text
from typer.testing import CliRunner

from peer_econ.analysis.cea import PSA, cea_curves
from peer_econ.cli import app
from peer_econ.errors import InputError
from peer_econ.inputs.output_settings import (
    OUTPUT_LANGUAGES,
    default_language,
    output_problems,
    read_output_language,
)
from peer_econ.outputs import plots
from peer_econ.outputs.language import LANGUAGES, Language
from peer_econ.outputs.report import build_report, read_run_folder, write_run
from peer_econ.outputs.report.figures import draw_figures
from peer_econ.outputs.run_files import FIGURES, figure_stems
from peer_econ.outputs.run_folder import RunWarning
from peer_econ.runs.full import RUN_WRITERS
from peer_econ.runs.pipeline import run

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
EN, DA = Language("en"), Language("da")


def english_only_texts() -> set[str]:
    """Catalogue figure texts whose Danish differs, with their {fields} cut out: fixed parts
    that must not appear in a Danish figure."""
    parts: set[str] = set()
    for key in EN.keys():
        if not key.startswith(("figure.", "payer.", "authority.")):
            continue
        if EN.t(key) == DA.t(key):
            continue
        parts.update(p.strip() for p in re.split(r"\{[a-z_]+\}", EN.t(key)) if len(p.strip()) > 3)
    return parts


def texts(fig: Figure | SubFigure | None) -> list[str]:
    """Every text a figure draws: titles, axis labels, tick labels, legend texts, offsets."""
    assert fig is not None
    fig.canvas.draw()  # tick labels are set at draw time
    found = [t.get_text() for t in fig.findobj(Text) if t.get_text()]
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            found.extend(t.get_text() for t in axis.get_ticklabels() if t.get_text())
    return found


def english_in(fig: Figure | SubFigure | None) -> list[str]:
    english = english_only_texts()
    return sorted({t for t in texts(fig) for e in english if e in t})


@pytest.fixture(scope="module")
def psa() -> PSA:
    rng = np.random.default_rng(3)
    cost = np.column_stack([rng.normal(0, 10, 400), rng.normal(3_750, 500, 400)])
    qaly = np.column_stack([rng.normal(1.85, 0.05, 400), rng.normal(1.87, 0.05, 400)])
    return PSA(cost, qaly, ("Vanlig indsats", "PEER"))


def test_figure_catalogue_has_the_same_keys_in_both_languages() -> None:
    english = {k for k in EN.keys() if k.startswith(("figure.", "cli."))}
    danish = {k for k in DA.keys() if k.startswith(("figure.", "cli."))}
    assert english == danish
    assert len(english) > 80


def test_plots_in_danish_carry_no_english_catalogue_text(psa: PSA) -> None:
    curves = cea_curves(psa.cost, psa.effect, psa.strategies, wtp=np.linspace(0, 500_000, 51))
    axes = [
        plots.plot_ce_plane(psa, wtp=200_000, lang=DA),
        plots.plot_ceac(curves, reference_band=(180_000, 270_000), lang=DA),
        plots.plot_evpi(curves, population_factor=30_000, lang=DA),
        plots.plot_expected_loss(curves, lang=DA),
        plots.plot_enbs([25, 50, 100], [-1e6, 2e5, 1.5e6], n_optimal=100, lang=DA),
    ]
    for ax in axes:
        assert english_in(ax.get_figure()) == []
    # the same figures in English do carry those texts (the check can fail)
    assert english_in(plots.plot_ceac(curves, lang=EN).get_figure()) != []


def test_danish_axes_use_danish_number_marks(psa: PSA) -> None:
    curves = cea_curves(psa.cost, psa.effect, psa.strategies, wtp=np.linspace(0, 500_000, 51))
    ax = plots.plot_ceac(curves, lang=DA)
    found = texts(ax.get_figure())
    assert "200.000" in found and "0,2" in found  # WTP grouped with ".", probability with ","
    assert not any(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in found)
    english = texts(plots.plot_ceac(curves, lang=EN).get_figure())
    assert "200,000" in english and "0.2" in english


def test_english_tick_marks_are_matplotlibs_own() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0.0, 0.5], [-0.02, 0.03])
    ax.yaxis.set_major_formatter(plots.language_ticks(EN))
    ax.xaxis.set_major_formatter(plots.language_ticks(DA))
    fig.canvas.draw()
    y = [t.get_text() for t in ax.yaxis.get_ticklabels()]
    x = [t.get_text() for t in ax.xaxis.get_ticklabels()]
    assert "\N{MINUS SIGN}0.02" in y and "0.02" in y
    assert "0,1" in x and "0.1" not in x


def test_budget_figure_in_danish_names_payers_in_danish() -> None:
    table = pd.DataFrame(
        {
            "year": [1, 1, 1],
            "payer": ["municipality", "ngo_grant", "total"],
            "cash": [0.0, 700_000.0, 700_000.0],
            "in_kind": [60_000.0, 0.0, 60_000.0],
            "total": [60_000.0, 700_000.0, 760_000.0],
            "total_lower": [30_000.0, 500_000.0, 540_000.0],
            "total_upper": [100_000.0, 990_000.0, 1_090_000.0],
        }
    )
    payers = {p: DA.t(f"payer.{p}") for p in ("municipality", "ngo_grant")}
    ax = plots.plot_budget_years(table, labels=payers, lang=DA)
    found = texts(ax.get_figure())
    assert english_in(ax.get_figure()) == []
    assert DA.t("figure.budget.in_kind", payer=DA.t("payer.municipality")) in found
    assert "800.000" in found


# --- a run folder ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full English run (every writer, enough samples for value of information)."""
    target = tmp_path_factory.mktemp("figures") / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunWarning)
        write_run(run(INPUTS, n_samples=250, seed=5), target, writers=RUN_WRITERS)
    return target


def test_run_draws_every_report_figure_from_its_files(folder: Path) -> None:
    # the tornado is named after the headline strategy it shows (one name per table)
    stems = sorted(
        figure_stems(str(read_run_folder(folder).info.fact("sensitivity", "strategy"))).values()
    )
    assert "tornado_peer_volunteer" in stems and len(stems) == len(FIGURES)
    assert sorted(p.stem for p in folder.glob("*.png")) == stems
    assert sorted(p.stem for p in folder.glob("*.svg")) == stems
    again = draw_figures(read_run_folder(folder), EN)
    assert plots.png_bytes(again["frontier"]) == (folder / "frontier.png").read_bytes()
    svg = (folder / "ceac.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg  # no timestamp: same figure, same bytes


def test_every_run_figure_in_danish(folder: Path) -> None:
    drawn = draw_figures(read_run_folder(folder), DA)
    assert sorted(drawn) == sorted(FIGURES)
    for stem, fig in drawn.items():
        assert english_in(fig) == [], stem
    plane = texts(drawn["ce_plane_incremental"])
    assert any(DA.t("figure.ce_plane.title_incremental") == t for t in plane)
    assert any("vanlig indsats" in t for t in plane)  # the comparator's Danish label
    tornado = " ".join(texts(drawn["tornado"]))
    assert "Effekt på livskvalitet" in tornado  # parameter labels in Danish (labels.csv)


def test_danish_report_of_an_english_run_embeds_danish_figures(folder: Path) -> None:
    own = read_run_folder(folder).figures
    page = build_report(folder, "da")
    assert own["frontier"] in build_report(folder, "en")
    assert own["frontier"] not in page
    danish = draw_figures(read_run_folder(folder), DA)["frontier"]
    assert base64.b64encode(plots.png_bytes(danish)).decode("ascii") in page
    assert (folder / "frontier.png").read_bytes() == base64.b64decode(own["frontier"])


# --- default language from settings.toml ----------------------------------------------------


def copy_inputs(tmp_path: Path, language: str | None) -> Path:
    target = tmp_path / "inputs"
    shutil.copytree(INPUTS, target)
    settings = target / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^language = "en"$', f'language = "{language}"' if language else "", text)
    settings.write_text(text, encoding="utf-8")
    return target


def test_settings_set_the_output_language(tmp_path: Path) -> None:
    assert OUTPUT_LANGUAGES == LANGUAGES
    assert read_output_language(INPUTS / "settings.toml") == "en"
    assert default_language(copy_inputs(tmp_path / "a", "da")) == "da"
    assert default_language(copy_inputs(tmp_path / "b", None)) == "en"
    assert default_language(tmp_path / "no-such-folder") == "en"


def test_unknown_language_in_settings_names_file_key_and_choices(tmp_path: Path) -> None:
    folder = copy_inputs(tmp_path, "fr")
    problems = output_problems(folder / "settings.toml")
    assert problems == [
        f"{folder / 'settings.toml'} [output]: language = 'fr'; allowed: ['en', 'da']"
    ]
    with pytest.raises(InputError, match=r"\[output\]: language = 'fr'"):
        read_output_language(folder / "settings.toml")
    result = CliRunner().invoke(app, ["validate-inputs", "--inputs", str(folder)])
    assert result.exit_code == 2
    assert "[output]: language = 'fr'; allowed: ['en', 'da']" in result.output


def test_cli_framing_follows_settings_and_lang(tmp_path: Path) -> None:
    danish = copy_inputs(tmp_path, "da")
    ok = CliRunner().invoke(app, ["validate-inputs", "--inputs", str(danish)])
    assert ok.exit_code == 0 and "parametre" in ok.output
    missing = tmp_path / "missing-run"
    for args, prefix in (([], "error: "), (["--lang", "da"], "fejl: ")):
        result = CliRunner().invoke(app, ["report", str(missing), *args])
        assert result.exit_code == 2
        assert result.output.startswith(prefix), result.output
    english = CliRunner().invoke(app, ["validate-inputs", "--inputs", str(INPUTS)])
    assert "87 parameters" in english.output or " parameters, " in english.output
