"""Branch bookkeeping over `Conversations`: pair messages into turns and switch between versions.

The core stores versions as siblings (`branch_of` = the first version) with an `active` flag; it has
no notion of "the messages that followed version k". Here a version's span is everything created
after it and before the next sibling, which holds for the linear way people edit and regenerate.
Qt-free, so it is tested without a widget.
"""

from __future__ import annotations

from agent_core.chat.conversations import Conversations, Message


def root(m: Message) -> str:
    return m.branch_of or m.id


def pair_turns(messages: list[Message]) -> list[tuple[Message, Message | None]]:
    """(user, reply) pairs in order; a user message whose reply is missing gets None."""
    turns: list[tuple[Message, Message | None]] = []
    for m in messages:
        if m.role == "user":
            turns.append((m, None))
        elif turns and turns[-1][1] is None:
            turns[-1] = (turns[-1][0], m)
    return turns


def _latest_chain(msgs: list[Message]) -> list[Message]:
    """Within a span, the messages to show: for each version group only its newest version's line."""
    out: list[Message] = []
    i = 0
    while i < len(msgs):
        m = msgs[i]
        group = [x for x in msgs if root(x) == root(m)]
        if m is not group[-1]:
            i = msgs.index(group[-1])
            continue
        out.append(m)
        i += 1
    return out


def switch_version(convs: Conversations, target_id: str) -> None:
    """Make `target_id` the active version and show the conversation that followed it."""
    target = convs.get_message(target_id)
    if target is None:
        raise KeyError(f"no message {target_id}")
    versions = convs.versions(target_id)
    ids = [v.id for v in versions]
    everything = convs.messages(target.conversation_id, include_inactive=True)
    first = next(i for i, m in enumerate(everything) if m.id == ids[0])
    tail = everything[first:]
    k = ids.index(target_id)
    end = versions[k + 1].created_at if k + 1 < len(versions) else None
    span = [
        m
        for m in tail
        if m.created_at > target.created_at and (end is None or m.created_at < end) and m.id not in ids
    ]
    show = {target.id, *(m.id for m in _latest_chain(span))}
    for m in tail:
        if m.active != (m.id in show):
            m.active = m.id in show
            convs.save(m)


def mark_regeneration(convs: Conversations, new_reply_id: str, old_reply_id: str) -> None:
    """The core saves a regenerated reply as a plain message; link it as a version of the old one."""
    old, new = convs.get_message(old_reply_id), convs.get_message(new_reply_id)
    if old is not None and new is not None and new.id != old.id:
        new.branch_of = root(old)
        convs.save(new)


def hide_message(convs: Conversations, message_id: str) -> None:
    """Retire a failed reply before a retry, so the transcript shows one answer per turn."""
    m = convs.get_message(message_id)
    if m is not None and m.active:
        m.active = False
        convs.save(m)
