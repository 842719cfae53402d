"""Spec files and model outputs: each bad input is refused with a message naming the bad part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_core.sheet import CellOutputError, SheetSpecError, load_spec, parse_output, parse_spec

INPUTS = ("Company", "Persona")


def test_valid_spec_loads_with_type_aliases(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    spec = [
        {
            "name": "Industry",
            "prompt": "Industry of {Company}",
            "type": "category",
            "options": ["Software", "Other"],
        },
        {"name": "Pitch", "prompt": "Pitch for {Company} aimed at {Persona} in {Industry}", "type": "text"},
        {"name": "B2B", "prompt": "Is {Company} B2B?", "type": "yes_no"},
    ]
    path.write_text(json.dumps(spec), encoding="utf-8")
    columns = load_spec(path, input_columns=INPUTS)
    assert [(c.name, c.output_type) for c in columns] == [
        ("Industry", "category"),
        ("Pitch", "text"),
        ("B2B", "yes/no"),
    ]
    assert columns[0].options == ("Software", "Other")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x"}, "spec must be a JSON list of columns, got dict"),
        (["Industry"], r"column #0: expected an object, got str"),
        ([{"name": "A", "type": "text"}], r"column #0: missing field 'prompt'"),
        (
            [{"name": "A", "prompt": "{Company}", "type": "date"}],
            r"column #0 \('A'\): field 'type' is 'date'",
        ),
        (
            [{"name": "A", "prompt": "{Company}", "type": "category"}],
            r"column #0 \('A'\): type 'category' needs",
        ),
        (
            [
                {"name": "A", "prompt": "{Company}", "type": "text"},
                {"name": "a", "prompt": "{A}", "type": "text"},
            ],
            r"column #1 \('a'\): duplicate name, already used by column #0",
        ),
        (
            [{"name": "Company", "prompt": "x", "type": "text"}],
            r"duplicate name, already used by input column",
        ),
        (
            [{"name": "A", "prompt": "{Website}", "type": "text"}],
            r"column 'A' references unknown column \{Website\}",
        ),
        (
            [{"name": "A", "prompt": "{B}", "type": "text"}, {"name": "B", "prompt": "{A}", "type": "text"}],
            "cycle between columns: A → B → A",
        ),
    ],
)
def test_bad_specs_name_the_bad_part(data: object, message: str) -> None:
    with pytest.raises(SheetSpecError, match=message):
        parse_spec(data, input_columns=INPUTS)


def test_invalid_json_file_reports_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"name": "A",\n  "prompt": }]', encoding="utf-8")
    with pytest.raises(SheetSpecError, match=r"not valid JSON \(line 2, column 13\)"):
        load_spec(path)


@pytest.mark.parametrize(
    ("raw", "output_type", "expected"),
    [
        ("  Acme makes rockets. \n", "text", "Acme makes rockets."),
        ("1,200", "number", 1200),
        ("$3.5k", "number", 3500),
        ("-2.25", "number", -2.25),
        ("42.", "number", 42),
        ("Yes, it is reachable.", "yes/no", "yes"),
        ("FALSE", "yes/no", "no"),
        ("software", "category", "Software"),
        ('"Food & Beverage".', "category", "Food & Beverage"),
        ('```json\n{"a": [1, "二"]}\n```', "json", {"a": [1, "二"]}),
    ],
)
def test_parse_output_normalises(raw: str, output_type: str, expected: object) -> None:
    options = ["Software", "Food & Beverage", "Other"]
    value = parse_output(raw, output_type, options)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("raw", "output_type", "message"),
    [
        ("Unknown", "number", "expected a number, got 'Unknown'"),
        ("1,5", "number", "expected a number"),
        ("maybe", "yes/no", "expected yes or no, got 'maybe'"),
        ("Aerospace", "category", "'Aerospace' is not one of the options: Software, Other"),
        ("{'a': 1}", "json", "invalid JSON at line 1, column 2"),
        ("   ", "text", "the answer was empty"),
    ],
)
def test_parse_output_refuses_with_clear_message(raw: str, output_type: str, message: str) -> None:
    with pytest.raises(CellOutputError, match=message):
        parse_output(raw, output_type, ["Software", "Other"])
