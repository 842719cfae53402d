"""The settings dialog: edits apply live through the context; invalid edits never reach the Lab."""

from __future__ import annotations

import json

import pytest

from desktop.settings_dialog import SettingsDialog

SECRET = "sk-test-Dialog0123456789"


@pytest.fixture
def dialog(qtbot, ctx) -> SettingsDialog:  # noqa: ANN001
    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_dialog_shows_current_settings(dialog: SettingsDialog, lab) -> None:  # noqa: ANN001
    assert dialog.kind.currentData() == "sim"
    assert dialog.memory_mode.currentText() == lab.settings.memory_mode
    assert dialog.embedder.currentText() == "hash-256"
    assert dialog.data_dir.isReadOnly() and dialog.data_dir.text() == str(lab.data_dir)


def test_edit_and_apply_changes_lab_settings(qtbot, dialog: SettingsDialog, lab, ctx) -> None:  # noqa: ANN001
    dialog.memory_mode.setCurrentText("hot_path")
    dialog.recall_k.setValue(7)
    dialog.weights["w_recency"].setValue(0.5)
    dialog.chaos["error_rate"].setValue(0.2)
    dialog.tps.setValue(120)
    with qtbot.waitSignal(ctx.settings_changed):
        assert dialog.apply()
    s = lab.settings
    assert (s.memory_mode, s.recall_k, s.w_recency) == ("hot_path", 7, 0.5)
    assert (s.sim.error_rate, s.sim.tokens_per_s) == (0.2, 120)
    assert lab.store.weights.recency == 0.5


def test_invalid_base_url_shows_error_and_does_not_apply(dialog: SettingsDialog, lab) -> None:  # noqa: ANN001
    dialog.kind.setCurrentIndex(dialog.kind.findData("openai"))
    dialog.base_url.setText("ftp://example.org")
    assert not dialog.apply()
    assert dialog.errors.isVisible() and "base_url" in dialog.errors.text()
    assert dialog.base_url.property("invalid") is True
    assert lab.settings.provider.kind == "sim"
    dialog.base_url.setText("http://localhost:9/v1")
    assert dialog.errors.isHidden() and dialog.validate() == []


def test_entered_api_key_is_never_saved(dialog: SettingsDialog, lab) -> None:  # noqa: ANN001
    dialog.api_key.setText(SECRET)
    assert dialog.apply()
    assert lab.settings.provider.api_key == SECRET
    on_disk = (lab.data_dir / "settings.json").read_text()
    assert SECRET not in on_disk and 'api_key"' not in json.dumps(json.loads(on_disk)["provider"])


def test_an_agui_agent_is_a_chat_source_with_a_checked_url(qtbot, dialog: SettingsDialog, lab, ctx) -> None:  # noqa: ANN001
    assert dialog.source.currentData() == "lab" and not dialog.agui_url.isEnabled()
    dialog.source.setCurrentIndex(dialog.source.findData("agui"))
    assert dialog.agui_url.isEnabled()
    assert not dialog.apply()  # no URL yet
    assert "agui_url" in dialog.errors.text() and dialog.agui_url.property("invalid") is True
    dialog.agui_url.setText("http://127.0.0.1:8766/")
    with qtbot.waitSignal(ctx.settings_changed):
        assert dialog.apply()
    assert (lab.settings.agent_source, lab.settings.agui_url) == ("agui", "http://127.0.0.1:8766/")
    on_disk = json.loads((lab.data_dir / "settings.json").read_text())
    assert (on_disk["agent_source"], on_disk["agui_url"]) == ("agui", "http://127.0.0.1:8766/")
