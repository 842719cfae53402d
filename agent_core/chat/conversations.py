"""Conversations and messages, with branches: an edit or a regeneration adds a sibling version."""

from __future__ import annotations

import builtins
import uuid
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from memory.clock import utcnow
from memory.secrets import scrub, scrub_opt


class Conversation(SQLModel, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    profile: str = Field(default="default", index=True)
    title: str = "New conversation"
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    conversation_id: str = Field(index=True)
    role: str  # user, assistant
    content: str = ""
    status: str = "complete"  # complete, streaming, stopped, error
    error: str | None = None
    run_id: str | None = None
    branch_of: str | None = None  # the message this one is an alternative version of
    active: bool = True
    feedback: int = 0
    feedback_comment: str | None = None
    latency_ms: float = 0.0
    memory_latency_ms: float = 0.0
    ttft_ms: float | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Conversations:
    """Conversations and their messages in one database. Its `list` method shadows the builtin
    in this class body, so annotations here spell it `builtins.list`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _s(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def create(self, profile: str, title: str = "New conversation") -> Conversation:
        c = Conversation(profile=profile, title=title)
        with self._s() as s:
            s.add(c)
            s.commit()
        return c

    def list(self, profile: str) -> builtins.list[Conversation]:
        with self._s() as s:
            q = select(Conversation).where(Conversation.profile == profile)
            return list(s.exec(q.order_by(col(Conversation.updated_at).desc())))

    def get(self, conversation_id: str) -> Conversation | None:
        with self._s() as s:
            return s.get(Conversation, conversation_id)

    def rename(self, conversation_id: str, title: str) -> None:
        with self._s() as s:
            c = s.get(Conversation, conversation_id)
            if c:
                c.title = title[:200]
                s.add(c)
                s.commit()

    def delete(self, conversation_id: str) -> None:
        with self._s() as s:
            for m in s.exec(select(Message).where(Message.conversation_id == conversation_id)):
                s.delete(m)
            c = s.get(Conversation, conversation_id)
            if c:
                s.delete(c)
            s.commit()

    def messages(self, conversation_id: str, *, include_inactive: bool = False) -> builtins.list[Message]:
        with self._s() as s:
            q = select(Message).where(Message.conversation_id == conversation_id)
            if not include_inactive:
                q = q.where(col(Message.active).is_(True))
            return list(s.exec(q.order_by(col(Message.created_at), col(Message.id))))

    def add(self, message: Message) -> Message:
        _scrub(message)
        with self._s() as s:
            s.add(message)
            conv = s.get(Conversation, message.conversation_id)
            if conv:
                conv.updated_at = utcnow()
                if message.role == "user" and conv.title == "New conversation":
                    conv.title = (
                        message.content.strip().splitlines()[0][:60]
                        if message.content.strip()
                        else conv.title
                    )
                s.add(conv)
            s.commit()
        return message

    def save(self, message: Message) -> Message:
        _scrub(message)
        with self._s() as s:
            s.add(message)
            s.commit()
        return message

    def get_message(self, message_id: str) -> Message | None:
        with self._s() as s:
            return s.get(Message, message_id)

    def deactivate_from(self, message_id: str) -> Message:
        """Hide a message and everything after it in its branch (an edit or a regenerate follows)."""
        with self._s() as s:
            msg = s.get(Message, message_id)
            if msg is None:
                raise KeyError(f"no message {message_id}")
            later = s.exec(
                select(Message).where(
                    Message.conversation_id == msg.conversation_id,
                    col(Message.active).is_(True),
                    Message.created_at >= msg.created_at,
                )
            )
            for m in later:
                m.active = False
                s.add(m)
            s.commit()
            return msg

    def versions(self, message_id: str) -> builtins.list[Message]:
        """All versions of a message (the original and its branches), oldest first."""
        with self._s() as s:
            msg = s.get(Message, message_id)
            if msg is None:
                return []
            root = msg.branch_of or msg.id
            q = select(Message).where((Message.id == root) | (Message.branch_of == root))
            return list(s.exec(q.order_by(col(Message.created_at))))


def _scrub(message: Message) -> None:
    """Keys never reach the database (a server's 403 may echo the key in its error body)."""
    message.content = scrub(message.content)
    message.error = scrub_opt(message.error)
