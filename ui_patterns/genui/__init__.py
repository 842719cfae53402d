"""Generative UI: predefined components rendered from agent tool calls, a sandboxed free-form variant,
and A2UI v0.9 surfaces drawn natively.

Modules: `schemas` (Qt-free registry, tool definitions, validation), `partial_json` (streamed args),
`components` (`create_component`), `host` (`ComponentHost`), `freeform` (sanitizer, `FreeformView`,
`SideBySide`), `bubble` (Markdown text bubbles), `a2ui` (Qt-free A2UI surfaces, data model, bindings),
`a2ui_catalog` (the host's catalog and `render_a2ui` tool), `a2ui_view` / `a2ui_host` (the renderer),
`gallery` and `demo` (screenshots). Import the module you need; this package imports no Qt.
"""
