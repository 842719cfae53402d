"""Style rules and facts learned from reviews: each rule names the suggestions that taught it."""

from __future__ import annotations

from agent_core.collab import CollabDocument
from agent_core.collab.learning import derive_facts, derive_style_rules, word_swaps


def reviewed() -> CollabDocument:
    text = (
        "We utilize the tool. We utilize the data. Hey guys, it's gonna work. Long sentence kept as is. Go."
    )
    doc = CollabDocument(text)

    def suggest(original: str, replacement: str) -> str:
        start = text.index(original)
        return doc.agent_suggest("bot", start, start + len(original), replacement, expected=original)

    accepted = [
        suggest("We utilize the tool.", "We use the tool."),
        suggest("We utilize the data.", "We use the data."),
        suggest("Hey guys, it's gonna work.", "Hello everyone, it is going to work."),
    ]
    rejected = [suggest("Long sentence kept as is.", "Long."), suggest("Go.", "Go now, everyone, please.")]
    clash = doc.agent_suggest("bot", 0, 2, "They")  # conflicted by the first accept, then rejected
    for sid in accepted:
        doc.accept(sid)
    for sid in [*rejected, clash]:
        doc.reject(sid)
    return doc


def test_rules_cite_the_suggestions_that_taught_them() -> None:
    doc = reviewed()
    rules = {rule.text: rule for rule in derive_style_rules(doc.suggestions(), min_evidence=1)}
    assert rules["Write 'use', not 'utilize'."].taught_by == ("s1", "s2")
    assert rules["Prefer a formal tone."].taught_by == ("s3",)
    assert rules["Keep the author's length; do not shorten it."].taught_by == ("s4",)
    assert rules["Keep it concise; do not pad it."].taught_by == ("s5",)
    assert not any("s6" in rule.taught_by for rule in rules.values())  # a conflict teaches nothing
    strong = derive_style_rules(doc.suggestions())
    assert [rule.text for rule in strong] == ["Write 'use', not 'utilize'."]


def test_opposite_verdicts_keep_the_better_supported_one() -> None:
    doc = CollabDocument("aaaa bbbb cccc dddd")
    ids = [doc.agent_suggest("bot", i * 5, i * 5 + 4, "x") for i in range(4)]
    for sid in ids[:3]:
        doc.accept(sid)
    doc.reject(ids[3])
    texts = [rule.text for rule in derive_style_rules(doc.suggestions(), min_evidence=1)]
    assert "Prefer shorter, tighter text." in texts
    assert "Keep the author's length; do not shorten it." not in texts


def test_word_swaps_and_facts() -> None:
    assert word_swaps("We utilize the big tool", "We use the large tool") == [
        ("utilize", "use"),
        ("big", "large"),
    ]
    text = "Ada Lovelace wrote it. Then Ada Lovelace met Babbage. The notes of Ada Lovelace survive. The end."
    facts = derive_facts(text)
    assert [(f.term, f.count) for f in facts] == [("Ada Lovelace", 3)]
    assert facts[0].text == "The user often writes about Ada Lovelace."
    assert derive_facts(["Berlin is big.", "In Berlin now.", "Berlin!"], min_count=3)[0].term == "Berlin"


def test_a_quick_action_teaches_about_that_action() -> None:
    """A summary that also drops slang teaches "shorter", not "formal"; rewrites and continuations
    teach their own rule; a suggestion that changes nothing teaches nothing."""
    text = "Hey guys, it's basically done. It works. One. Two. Three. Four."
    doc = CollabDocument(text)
    summaries = [
        doc.agent_suggest("bot", 0, 30, "It is done.", note="summarise"),
        doc.agent_suggest("bot", 31, 40, "Works.", note="summarise"),
    ]
    continues = [doc.agent_suggest("bot", n, n, " More.", "insert", note="continue") for n in (45, 50)]
    rewrites = [doc.agent_suggest("bot", n, n + 4, "Uno.", note="rewrite") for n in (41, 46)]
    same = doc.agent_suggest("bot", 51, 57, "Three.", note="rewrite")
    for sid in summaries:
        doc.accept(sid)
    for sid in [*continues, *rewrites, same]:
        doc.reject(sid)
    rules = {rule.text: rule.taught_by for rule in derive_style_rules(doc.suggestions())}
    assert rules["Prefer shorter, tighter text."] == tuple(summaries)
    assert rules["Do not add text the author did not write."] == tuple(continues)
    assert rules["Keep the author's wording; change only what is asked."] == tuple(rewrites)
    assert "Prefer a formal tone." not in rules and not any(same in ids for ids in rules.values())
