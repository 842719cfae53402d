"""CSV round trips keep every character, and export never clobbers the input or leaves half a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.sheet import CellState, Column, Sheet, SheetSpecError, export_csv, import_csv

TRICKY = [
    {"Company": 'Acme "Rockets", Inc.', "Notes": "line one\nline two\r\nline three"},
    {"Company": "北京数据科技有限公司", "Notes": "emoji 🚀🧠 and accents éà, tab\there"},
    {"Company": "", "Notes": "  leading and trailing spaces  "},
]


def test_round_trip_keeps_quotes_newlines_unicode(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    export_csv(Sheet([Column("Company"), Column("Notes")], TRICKY), source)
    sheet = import_csv(source)
    assert [c.name for c in sheet.columns] == ["Company", "Notes"]
    assert [sheet.row_values(row) for row in range(len(sheet))] == TRICKY
    assert sheet.cell(2, "Company").state == CellState.EMPTY
    sheet.add_column(Column("Summary", "agent", "Summary of {Company}"))
    sheet.update_cell(0, "Summary", value={"pitch": "多语言 ✓"}, state=CellState.DONE)
    out = export_csv(sheet, tmp_path / "out.csv")
    again = import_csv(out)
    assert again.row_values(0)["Summary"] == '{"pitch": "多语言 ✓"}'
    assert again.row_values(1)["Company"] == "北京数据科技有限公司"


def test_import_reads_excel_bom_and_shipped_demo(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffCompany,Plan\r\nAcme,Team\r\n\r\n".encode())
    sheet = import_csv(path)
    assert [c.name for c in sheet.columns] == ["Company", "Plan"] and len(sheet) == 1
    demo = import_csv(Path(__file__).resolve().parents[2] / "assets" / "sheet" / "customers.csv")
    assert [c.name for c in demo.columns] == ["Company", "Contact", "Persona", "Website", "Plan"]
    assert len(demo) == 12 and any(demo.row_values(r)["Contact"] == "王芳" for r in range(len(demo)))


def test_import_refuses_bad_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SheetSpecError, match="empty.csv: the file is empty"):
        import_csv(empty)
    wide = tmp_path / "wide.csv"
    wide.write_text("A,B\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SheetSpecError, match="record 2 has 3 fields, header has 2"):
        import_csv(wide)


def test_export_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("Company\nAcme\n", encoding="utf-8")
    sheet = import_csv(source)
    with pytest.raises(SheetSpecError, match="refusing to overwrite the input file customers.csv"):
        export_csv(sheet, tmp_path / "." / "customers.csv")
    assert source.read_text(encoding="utf-8") == "Company\nAcme\n"


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("cannot format")


def test_failed_export_leaves_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous,complete\n", encoding="utf-8")
    sheet = Sheet([Column("Company"), Column("Value", "agent", "v of {Company}")], [{"Company": "Acme"}] * 3)
    sheet.update_cell(2, "Value", value=_Unprintable(), state=CellState.DONE)
    with pytest.raises(RuntimeError, match="cannot format"):
        export_csv(sheet, target)
    assert target.read_text(encoding="utf-8") == "previous,complete\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
