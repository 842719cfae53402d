"""A tool step's row shows the arguments the model sent, however the run recorded them."""

from __future__ import annotations

import json
from types import SimpleNamespace

from ui_patterns.chat.turn import arguments_line


def step(value: object) -> SimpleNamespace:
    return SimpleNamespace(input_json=json.dumps(value))


def test_streamed_json_text_is_decoded() -> None:  # AG-UI and OpenAI stream the arguments as text
    assert arguments_line(step({"arguments": '{"guests": 2, "day": "Friday"}'})) == (
        'arguments: {"guests": 2, "day": "Friday"}'
    )


def test_parsed_arguments_and_chinese_read_as_sent() -> None:
    assert arguments_line(step({"arguments": {"city": "上海"}})) == 'arguments: {"city": "上海"}'


def test_text_that_is_not_json_is_kept() -> None:
    assert arguments_line(step({"arguments": "{half"})) == "arguments: {half"
    assert arguments_line(SimpleNamespace(input_json="not json")) == "arguments: not json"
