"""Generative UI: predefined components rendered from agent tool calls, and a sandboxed free-form variant.

Modules: `schemas` (Qt-free registry, tool definitions, validation), `partial_json` (streamed args),
`components` (`create_component`), `host` (`ComponentHost`), `freeform` (sanitizer, `FreeformView`,
`SideBySide`), `gallery` (screenshots). Import the module you need; this package imports no Qt.
"""
