"""The Excel workbook: numeric cells with number formats, text escaped, reproducible bytes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from peer_econ.errors import InputError
from peer_econ.outputs.workbook import Sheet, needs_quote_prefix, write_workbook


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "strategy": ['=HYPERLINK("x")', "+SUM(A1)", "plain", "@cmd"],
            "cost": [2622.123456789, 5561.0, 0.0, 1e6],
            "prob": [0.391, 0.2, np.nan, 1.0],
            "count": [np.int64(3), np.int64(4), np.int64(5), np.int64(6)],
            "flag": [True, False, True, False],
        }
    )


def test_numbers_stay_numbers_and_text_stays_text(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "w.xlsx",
        [Sheet("Summary", _frame(), {"cost": "dkk", "prob": "probability", "count": "count"},
               headers={"cost": "Cost (DKK)"}, notes=("DKK 2024 prices",))],
    )  # fmt: skip
    ws = openpyxl.load_workbook(path)["Summary"]
    assert ws["A1"].value == "Summary"
    assert ws["A2"].value == "DKK 2024 prices"
    header_row = 4
    assert [c.value for c in ws[header_row]] == ["strategy", "Cost (DKK)", "prob", "count", "flag"]
    first = ws[header_row + 1]
    assert first[0].value == '=HYPERLINK("x")'
    assert first[0].data_type == "s"
    assert first[0].quotePrefix
    assert first[1].data_type == "n"
    assert first[1].value == pytest.approx(2622.123456789)
    assert first[1].number_format == "#,##0"
    assert first[2].number_format == "0.0%"
    assert first[3].value == 3
    assert ws.cell(header_row + 3, 3).value is None  # NaN -> empty cell
    assert ws.cell(header_row + 3, 1).value == "plain"
    assert not ws.cell(header_row + 3, 1).quotePrefix
    # pandas reads the same totals back
    back = pd.read_excel(path, sheet_name="Summary", header=header_row - 1)
    assert back["Cost (DKK)"].sum() == pytest.approx(_frame()["cost"].sum())


def test_same_content_same_bytes(tmp_path: Path) -> None:
    sheets = [Sheet("A", _frame(), {"cost": "dkk"}), Sheet("B", _frame().head(1))]
    one = write_workbook(tmp_path / "1.xlsx", sheets).read_bytes()
    two = write_workbook(tmp_path / "2.xlsx", sheets).read_bytes()
    assert one == two


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_formula_starts(text: str) -> None:
    assert needs_quote_prefix(text)


def test_bad_sheets(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="31"):
        Sheet("x" * 32, _frame())
    with pytest.raises(InputError, match="number formats"):
        Sheet("A", _frame(), {"cost": "euros"})
    with pytest.raises(InputError, match="unique"):
        write_workbook(tmp_path / "w.xlsx", [Sheet("A", _frame()), Sheet("A", _frame())])
