"""Sections and the simulator's quick actions: deterministic, plausible, and scoped to one section."""

from __future__ import annotations

import pytest

from agent_core.collab import CollabDocument, Insert
from agent_core.collab.actions import (
    ACTIONS,
    Action,
    plan_action,
    section_at,
    simulate_action,
    split_sections,
)

DOC = (
    "Preface line.\n\n"
    "# Intro\nHey guys, this is gonna be awesome!! We really use the big Falcon rocket. It's fast.\n\n"
    "## Plan\nWe start with Berlin. Then Paris. Then we try Rome.\n"
)


def test_split_by_heading_and_paragraph() -> None:
    sections = split_sections(DOC)
    assert [(s.heading, s.level) for s in sections] == [("", 0), ("Intro", 1), ("Plan", 2)]
    assert sections[1].text(DOC).startswith("Hey guys") and sections[1].text(DOC).endswith("fast.")
    paragraphs = split_sections(DOC, by="paragraph")
    assert [p.text(DOC) for p in paragraphs][0] == "Preface line."
    assert len(paragraphs) == 3
    assert section_at(DOC, DOC.index("Berlin")) == sections[2]
    assert split_sections("") == []


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_are_deterministic_and_change_the_text(action: Action) -> None:
    body = split_sections(DOC)[1].text(DOC)
    first = simulate_action(action, body, seed=3)
    assert first == simulate_action(action, body, seed=3)
    assert first and first != body


def test_action_specifics() -> None:
    body = split_sections(DOC)[1].text(DOC)
    toned = simulate_action("fix_tone", body)
    assert "gonna" not in toned and "going to" in toned and "Hello everyone" in toned and "!" not in toned
    assert len(simulate_action("summarise", body)) < len(body)
    assert "Falcon" in simulate_action("continue", body)
    with pytest.raises(ValueError):
        simulate_action("translate", body)  # type: ignore[arg-type]


def test_quick_action_changes_only_its_section_while_user_types_elsewhere() -> None:
    doc = CollabDocument(DOC)
    plan_section = split_sections(DOC)[2]
    plan = plan_action(DOC, plan_section, "continue", seed=1)
    assert plan.kind == "insert" and plan.start == plan.end == plan_section.end
    sid = doc.agent_suggest("bot", plan.start, plan.end, plan.replacement, plan.kind)
    doc.user_edit(Insert(0, "Draft. "))  # typing in another section
    doc.accept(sid)
    assert doc.text.startswith("Draft. Preface line.") and doc.text.rstrip().endswith(
        plan.replacement.strip()
    )
    intro = split_sections(doc.text)[1]
    rewrite = plan_action(doc.text, intro, "fix_tone")
    assert rewrite.kind == "rewrite" and (rewrite.start, rewrite.end) == (intro.start, intro.end)


def test_section_at_between_bodies_and_at_the_end() -> None:
    sections = split_sections(DOC)
    assert section_at(DOC, len(DOC)) == sections[2]  # the cursor after the last newline
    assert section_at(DOC, DOC.index("## Plan") + 3) == sections[2]  # on a heading line
    assert section_at(DOC, DOC.index("# Intro")) == sections[1]
    assert section_at(DOC, DOC.index("fast.") + len("fast.\n")) == sections[1]  # the blank line after
    assert section_at("\n\nText.", 0) == split_sections("\n\nText.")[0]
    assert section_at("", 0) is None


def test_fix_tone_changes_plain_wording_deterministically() -> None:
    plain = "We want a big app. Nobody thinks it's fixed. Reconciliation at start-up fixes it!"
    toned = simulate_action("fix_tone", plain)
    assert toned == simulate_action("fix_tone", plain, seed=9)
    assert toned == (
        "We would like a large application. No one assumes it is resolved. "
        "Reconciliation at start-up resolves it."
    )
    neutral = "The documentation is complete."
    assert simulate_action("fix_tone", neutral) == neutral  # nothing to fix: the page says so
    assert simulate_action("rewrite", "Hey guys, it's ok.") != "Hey guys, it's ok."
