"""The page's sections: the decision first, then curves, budget and business case, export.

Tables are shown with the page language's number formats (:class:`Language`); figures are the
library's (:mod:`peer_econ.outputs.plots`) with titles and axis words from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from peer_econ.analysis.cea import PSA
from peer_econ.app.compute import View, figure_png
from peer_econ.app.config import AppConfig
from peer_econ.app.controls import md
from peer_econ.app.export import workbook_bytes, write_app_run, zip_folder
from peer_econ.app.text import change_words, parameter_label, status_words, strategy_labels
from peer_econ.outputs import plots
from peer_econ.outputs.language import Language
from peer_econ.runs.budget import WORKBOOK_NAME

#: Figure texts of :mod:`peer_econ.outputs.plots` and their catalogue keys (legend entries and
#: notes start with these words; the rest of an entry is kept).
FIGURE_WORDS: Mapping[str, str] = {
    "CEAF (highest expected NMB)": "app.fig.ceaf",
    "parameter at low value": "app.fig.low",
    "parameter at high value": "app.fig.high",
    "base case": "app.fig.base",
    "net total, 95% interval": "app.fig.net_total",
    " (in kind)": "app.fig.in_kind",
    "pays back in year ": "app.fig.pays_back",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _words(lang: Language, text: str) -> str:
    """A figure text of the library in the page's language (unknown texts unchanged)."""
    for english, key in FIGURE_WORDS.items():
        if text == english or (english.endswith(" ") and text.startswith(english)):
            return lang.t(key) + text[len(english) :]
        if english.startswith(" ") and text.endswith(english):
            return text[: -len(english)] + lang.t(key)
    return text


def _translate(ax: Any, lang: Language, *, title: str, x: str, y: str, legend: str) -> Any:
    """Set the figure's title and axis words; translate its legend and notes."""
    ax.set_title(title)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    for note in ax.texts:
        note.set_text(_words(lang, note.get_text()))
    handles, names = ax.get_legend_handles_labels()
    if handles:
        # a fixed place: "best" searches every point of the plane and is slow
        ax.legend(handles, [_words(lang, n) for n in names], loc=legend, fontsize="small",
                  frameon=False)  # fmt: skip
    return ax


def _table(frame: pd.DataFrame) -> None:
    st.dataframe(frame, hide_index=True, width="stretch")


def _small_table(frame: pd.DataFrame) -> None:
    """A few rows with long words: a static table that wraps its text.

    ``st.table`` reads its cells as Markdown, and labels come from the user's inputs: every
    text cell is escaped (:func:`md`), so a label shows as written and never as a link,
    an image or markup.
    """
    st.table(frame.map(lambda cell: md(cell) if isinstance(cell, str) else cell), hide_index=True)


def _tabs(key: str, names: list[str]) -> Any:
    """Tabs whose hidden content is not computed (Streamlit reruns when one is opened)."""
    return st.tabs(names, key=key, on_change="rerun")


def _is_open(tab: Any) -> bool:
    """Whether a tab's content is shown (always, where tabs track no state)."""
    return tab.open is None or bool(tab.open)


# --- the decision --------------------------------------------------------------------------


def _evidence_note(view: View, lang: Language) -> None:
    outside = [c for c in view.changes if c.outside_evidence]
    if outside:
        lines = "\n".join(f"- {md(change_words(lang, c))}" for c in outside)
        st.warning(lang.t("app.evidence.warning") + "\n\n" + lines)


def _interval(lang: Language, row: Mapping[Any, Any]) -> str:
    """The 95 % interval of the net benefit (a dash for the comparator, which has none)."""
    if pd.isna(row["inc_nmb_lower"]):
        return lang.number(row["inc_nmb_lower"])
    low, high = lang.number(row["inc_nmb_lower"]), lang.number(row["inc_nmb_upper"])
    return lang.t("app.range", low=low, high=high)


def show_decision(view: View, lang: Language) -> None:
    """Recommendation, status in words, chances, net benefit and the ICER table."""
    decision = view.decision
    labels = strategy_labels(view.result.inputs)
    options = decision.options.set_index("strategy", drop=False)
    st.header(lang.t("app.decision.title"))
    best = options.loc[decision.recommended]
    wtp = lang.dkk(decision.wtp)
    if decision.recommended == view.result.comparator:
        st.warning(md(lang.t("app.decision.none", wtp=wtp, option=best["label"])))
    else:
        st.success(
            md(lang.t("app.decision.recommend", wtp=wtp, option=best["label"],
                      inc_nmb=lang.dkk(best["inc_nmb"]), chance=lang.percent(best["prob_best"])))
        )  # fmt: skip
    rows = decision.options.to_dict("records")
    _small_table(
        pd.DataFrame(
            {
                lang.t("app.col.option"): [r["label"] for r in rows],
                lang.t("app.col.status"): [status_words(lang, r, labels) for r in rows],
                lang.t("app.col.prob_best"): [lang.percent(r["prob_best"]) for r in rows],
                lang.t("app.col.prob_ce"): [lang.percent(r["prob_cost_effective"]) for r in rows],
                lang.t("app.col.inc_nmb"): [lang.dkk(r["inc_nmb"]) for r in rows],
                lang.t("app.col.inc_nmb_interval"): [_interval(lang, r) for r in rows],
                lang.t("app.col.icer"): [lang.number(r["icer"]) for r in rows],
            }
        )
    )
    st.caption(lang.t("app.decision.note", wtp=wtp))
    st.subheader(lang.t("app.icer.title"))
    icers = decision.icers.to_dict("records")
    by_name = options.to_dict("index")
    _small_table(
        pd.DataFrame(
            {
                lang.t("app.col.option"): [labels[r["strategy"]] for r in icers],
                lang.t("app.col.cost"): [lang.number(r["cost"]) for r in icers],
                lang.t("app.col.qaly"): [lang.qaly(r["effect"]) for r in icers],
                lang.t("app.col.inc_cost"): [lang.number(r["inc_cost"]) for r in icers],
                lang.t("app.col.inc_qaly"): [lang.qaly(r["inc_effect"]) for r in icers],
                lang.t("app.col.icer"): [lang.number(r["icer"]) for r in icers],
                lang.t("app.col.status"): [
                    status_words(lang, by_name[r["strategy"]], labels) for r in icers
                ],
            }
        )
    )
    st.caption(lang.t("app.icer.note"))


# --- curves --------------------------------------------------------------------------------


def show_curves(view: View, lang: Language) -> None:
    """CEAC with the frontier, CE plane, tornado and scale curve, in tabs."""
    st.header(lang.t("app.curves.title"))
    names = view.result.psa.strategies
    labels = strategy_labels(view.result.inputs)
    shown = tuple(labels[n] for n in names)
    wtp = view.decision.wtp
    strategy = view.scenario.strategy
    key = (*view.run_key, lang.code)
    ceac, plane, tornado, scale = _tabs(
        "curves_tab", [lang.t(f"app.curves.{k}") for k in ("ceac", "plane", "tornado", "scale")]
    )

    def draw_ceac() -> Any:
        ax = plots.plot_ceac(replace(view.curves, strategies=shown), lang=lang)
        ax.axvline(wtp, color="#555555", linestyle="--", linewidth=1)
        return _translate(ax, lang, title=lang.t("app.fig.ceac_title"),
                          x=lang.t("app.fig.wtp_axis"), y=lang.t("app.fig.ceac_y"),
                          legend="center right")  # fmt: skip

    def draw_plane() -> Any:
        psa = PSA(view.result.psa.cost, view.result.psa.qaly, shown)
        ax = plots.plot_ce_plane(psa, wtp=wtp, lang=lang)
        ax.get_lines()[-1].set_label(lang.t("app.fig.wtp_line", wtp=lang.number(wtp)))
        return _translate(ax, lang, title=lang.t("app.fig.plane_title"),
                          x=lang.t("app.fig.qaly_axis"), y=lang.t("app.fig.cost_axis"),
                          legend="upper left")  # fmt: skip

    def draw_tornado() -> Any:
        one_way = view.tornado()
        table = one_way.assign(parameter=[parameter_label(lang, p) for p in one_way["parameter"]])
        ax = plots.plot_tornado(table, max_bars=12, lang=lang)
        return _translate(ax, lang, title=lang.t("app.fig.tornado_title"),
                          x=lang.t("app.fig.inmb_axis"), y="", legend="lower right")  # fmt: skip

    if _is_open(ceac):
        ceac.image(figure_png(("ceac", *key, wtp), draw_ceac))
        ceac.caption(lang.t("app.curves.ceac_note"))
    if _is_open(plane):
        plane.image(figure_png(("plane", *key, wtp), draw_plane))
    if _is_open(tornado):
        tornado.image(figure_png(("tornado", *key, strategy, wtp), draw_tornado))
        tornado.caption(
            md(lang.t("app.curves.tornado_note", option=labels[strategy], wtp=lang.dkk(wtp)))
        )
    if _is_open(scale):
        with scale:
            _scale_curve(view, lang, labels[strategy])


def _scale_curve(view: View, lang: Language, option: str) -> None:
    curve = view.scale_curve()
    x = lang.t("app.fig.courses_axis")
    cost = lang.t("app.fig.cost_per_participant")
    icer = lang.t("app.col.icer")
    frame = pd.DataFrame(
        {x: curve["courses_per_year"], cost: curve["cost_per_participant"], icer: curve["icer"]}
    )
    left, right = st.columns(2)
    left.line_chart(frame, x=x, y=cost, x_label=x, y_label=cost)
    right.line_chart(frame, x=x, y=icer, x_label=x, y_label=icer)
    st.caption(md(lang.t("app.curves.scale_note", option=option)))


# --- budget and business case ---------------------------------------------------------------


def show_budget(view: View, lang: Language) -> None:
    """Budget by year and payer, business case by authority, capacity, funding comparison."""
    budget = view.budget
    option = strategy_labels(view.result.inputs)[budget.strategy]
    st.header(md(lang.t("app.budget.title", option=option)))
    st.caption(lang.t("budget.note"))
    key = (*view.run_key, *view.scenario.scale_key, budget.strategy, lang.code)
    years, business, capacity, comparison = _tabs(
        "budget_tab",
        [lang.t("budget.title"), lang.t("business.title"), lang.t("capacity.title"),
         lang.t("comparison.title")],
    )  # fmt: skip
    if _is_open(years):
        with years:
            _budget_years(view, lang, key, option)
    if _is_open(business):
        with business:
            _business_case(view, lang, key)
    if _is_open(capacity):
        with capacity:
            _capacity(view, lang)
    if _is_open(comparison):
        with comparison:
            _comparison(view, lang)


def _budget_years(view: View, lang: Language, key: tuple[object, ...], option: str) -> None:
    by_payer = view.budget.by_payer
    payers = {p: lang.t(f"payer.{p}") for p in dict.fromkeys(by_payer["payer"])}
    rows = by_payer.to_dict("records")
    _table(
        pd.DataFrame(
            {
                lang.t("budget.year"): [
                    lang.t("budget.all_years") if r["year"] == "all" else r["year"] for r in rows
                ],
                lang.t("budget.payer"): [payers[r["payer"]] for r in rows],
                **{
                    lang.t(f"budget.{c}"): [lang.number(r[k]) for r in rows]
                    for c, k in (
                        ("cash", "cash"),
                        ("in_kind", "in_kind"),
                        ("total", "total"),
                        ("lower", "total_lower"),
                        ("upper", "total_upper"),
                    )
                },  # fmt: skip
            }
        )
    )

    def draw_years() -> Any:
        ax = plots.plot_budget_years(by_payer, labels=payers, lang=lang)
        return _translate(ax, lang, title=lang.t("app.fig.budget_title", option=option),
                          x=lang.t("budget.year"), y=lang.t("app.fig.budget_axis"),
                          legend="upper right")  # fmt: skip

    st.image(figure_png(("budget", *key), draw_years))


def _business_case(view: View, lang: Language, key: tuple[object, ...]) -> None:
    budget = view.budget
    st.caption(lang.t("business.note"))
    # authorities that neither invest nor save have nothing to pay back
    business = budget.business
    active = business[(business["investment"] != 0) | (business["savings"] != 0)]
    authority = {a: lang.t(f"authority.{a}") for a in dict.fromkeys(active["authority"])}
    years = int(view.prepared.scale.years)
    for name, year in budget.payback.items():
        if name not in authority:
            continue
        text = (
            lang.t("business.no_payback", authority=authority[name], years=years)
            if year is None
            else lang.t("business.payback", authority=authority[name], year=year)
        )
        st.markdown(f"- {md(text)}")
    if not (business["savings"] != 0).any():
        st.caption(lang.t("business.no_savings"))
    case = active.assign(authority=[authority[a] for a in active["authority"]])
    payback = {authority[a]: y for a, y in budget.payback.items() if a in authority}

    def draw_net() -> Any:
        ax = plots.plot_cumulative_net(case, payback, lang=lang)
        return _translate(ax, lang, title=lang.t("app.fig.net_title"), x=lang.t("budget.year"),
                          y=lang.t("app.fig.net_axis"), legend="lower left")  # fmt: skip

    st.image(figure_png(("net", *key), draw_net))
    rows = case.to_dict("records")
    money = ("investment", "savings", "net", "cumulative_net")
    _table(
        pd.DataFrame(
            {
                lang.t("business.authority"): [r["authority"] for r in rows],
                lang.t("budget.year"): [r["year"] for r in rows],
                **{
                    lang.t(f"business.{'cumulative' if c == 'cumulative_net' else c}"): [
                        lang.number(r[c]) for r in rows
                    ]
                    for c in money
                },
                lang.t("business.prob_paid_back"): [
                    lang.percent(r["prob_paid_back"]) for r in rows
                ],
            }
        )
    )


def _capacity(view: View, lang: Language) -> None:
    table = view.budget.capacity
    decimals = {"FTE": 2}  # hours are shown whole; counts are rounded up by the library
    cells = [
        lang.number(r["rounded_up"])
        if pd.notna(r["rounded_up"])
        else lang.number(r["mean"], decimals.get(str(r["unit"]), 0))
        for r in table.to_dict("records")
    ]
    wide = (
        table.assign(
            cell=cells,
            quantity=[lang.t(f"capacity_quantity.{q}") for q in table["quantity"]],
        )
        .pivot(index="quantity", columns="year", values="cell")
        .reindex([lang.t(f"capacity_quantity.{q}") for q in dict.fromkeys(table["quantity"])])
    )
    wide.columns = [f"{lang.t('capacity.year')} {y}" for y in wide.columns]
    wide.index.name = lang.t("app.capacity.what")
    st.dataframe(wide, width="stretch")
    st.caption(lang.t("app.capacity.note"))


def _comparison(view: View, lang: Language) -> None:
    rows = view.decision.comparison.to_dict("records")
    chances = [c for c in view.decision.comparison.columns if c.startswith("prob_ce_")]
    _table(
        pd.DataFrame(
            {
                lang.t("comparison.strategy"): [r["label"] for r in rows],
                lang.t("comparison.cost_per_participant"): [
                    lang.number(r["cost_per_participant"]) for r in rows
                ],
                lang.t("app.col.budget_year1"): [lang.number(r["budget_year1"]) for r in rows],
                lang.t("app.col.budget_steady"): [
                    lang.number(r["budget_steady_year"]) for r in rows
                ],
                lang.t("comparison.volunteers"): [
                    lang.number(r["volunteers_trained_year1"]) for r in rows
                ],
                lang.t("comparison.coordinator_fte"): [
                    lang.number(r["coordinator_fte"], 2) for r in rows
                ],
                lang.t("comparison.paid_peer_fte"): [
                    lang.number(r["paid_peer_fte"], 2) for r in rows
                ],
                **{
                    lang.t("comparison.prob_ce", wtp=lang.number(float(c[len("prob_ce_") :]))): [
                        lang.percent(r[c]) for r in rows
                    ]
                    for c in chances
                },
                lang.t("comparison.rests_on"): [parameter_label(lang, r["rests_on"]) for r in rows],
            }
        )
    )


# --- export --------------------------------------------------------------------------------


def show_export(view: View, lang: Language, config: AppConfig) -> None:
    """What I changed; the workbook and the run folder of the current scenario."""
    st.header(lang.t("app.export.title"))
    st.subheader(lang.t("app.export.what_if_title"))
    if view.changes:
        st.markdown("\n".join(f"- {md(change_words(lang, c))}" for c in view.changes))
    else:
        st.markdown(md(lang.t("app.export.none")))
    key = (*view.run_key, *view.scenario.scale_key, view.decision.wtp, lang.code)
    scale = view.prepared.scale
    left, right = st.columns(2)
    if left.button(lang.t("app.export.workbook_prepare"), key="prepare_workbook"):
        with st.spinner(lang.t("app.export.working")):
            data = workbook_bytes(view.result, scale, view.decision.wtp, view.changes, lang)
        st.session_state["workbook"] = (key, data)
    stored = st.session_state.get("workbook")
    if stored is not None and stored[0] == key:
        left.download_button(
            lang.t("app.export.workbook_download"), stored[1], file_name=WORKBOOK_NAME,
            mime=XLSX, key="download_workbook",
        )  # fmt: skip
    if right.button(lang.t("app.export.run_prepare"), key="write_run"):
        with st.spinner(lang.t("app.export.working")):
            folder = write_app_run(view.result, scale, view.decision.wtp, view.changes, config.out)
        st.session_state["run_folder"] = (key, str(folder), zip_folder(folder))
    written = st.session_state.get("run_folder")
    if written is not None and written[0] == key:
        right.success(md(lang.t("app.export.written", path=written[1])))
        right.download_button(lang.t("app.export.run_download"), written[2],
                              file_name=f"{written[1].rsplit('/', 1)[-1]}.zip",
                              mime="application/zip", key="download_run")  # fmt: skip


def show_all(view: View, lang: Language, config: AppConfig) -> None:
    """Every section, the decision first."""
    _evidence_note(view, lang)
    show_decision(view, lang)
    show_curves(view, lang)
    show_budget(view, lang)
    show_export(view, lang, config)
