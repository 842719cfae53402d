"""The collaborative document pattern: the user and a writing agent edit one Markdown text at once."""
