"""Procedural memory: an agent's instructions as versioned rows, improved from feedback.

Nothing is overwritten: a new version (or a rollback) is a new row, the previous one inactive.
"""

from __future__ import annotations

import difflib

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from memory.models import Instruction
from memory.prompts import Completer, optimize_messages

DEFAULT_INSTRUCTIONS = (
    "You are a helpful assistant with long-term memory.\n"
    "Use what you remember about the user when it helps, and say so.\n"
    "If you do not know something about the user, say you don't know instead of guessing."
)


class ProceduralMemory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def current(self, namespace: str, agent: str, default: str = DEFAULT_INSTRUCTIONS) -> Instruction:
        with Session(self.engine, expire_on_commit=False) as s:
            row = s.exec(
                select(Instruction).where(
                    Instruction.namespace == namespace,
                    Instruction.agent == agent,
                    col(Instruction.active).is_(True),
                )
            ).first()
            if row is None:
                row = Instruction(namespace=namespace, agent=agent, version=1, text=default, reason="initial")
                s.add(row)
                s.commit()
            return row

    def versions(self, namespace: str, agent: str) -> list[Instruction]:
        with Session(self.engine, expire_on_commit=False) as s:
            return list(
                s.exec(
                    select(Instruction)
                    .where(Instruction.namespace == namespace, Instruction.agent == agent)
                    .order_by(col(Instruction.version))
                )
            )

    def commit(
        self,
        namespace: str,
        agent: str,
        text: str,
        *,
        reason: str,
        author: str = "user",
        activate: bool = True,
    ) -> Instruction:
        """Store `text` as the next version and make it the active one (`activate=False`: a
        proposal the user accepts later by activating it, e.g. instructions from an imported file)."""
        self.current(namespace, agent)
        with Session(self.engine, expire_on_commit=False) as s:
            rows = list(
                s.exec(
                    select(Instruction).where(Instruction.namespace == namespace, Instruction.agent == agent)
                )
            )
            for r in rows if activate else []:
                r.active = False
                s.add(r)
            new = Instruction(
                namespace=namespace,
                agent=agent,
                version=max(r.version for r in rows) + 1,
                text=text,
                reason=reason,
                author=author,
                active=activate,
            )
            s.add(new)
            s.commit()
            return new

    def rollback(self, namespace: str, agent: str, version: int) -> Instruction:
        old = next((v for v in self.versions(namespace, agent) if v.version == version), None)
        if old is None:
            raise KeyError(f"{agent} has no instructions version {version}")
        return self.commit(namespace, agent, old.text, reason=f"rollback to v{version}")

    def propose(self, namespace: str, agent: str, feedback: list[dict], completer: Completer) -> str:
        """Ask the optimizer (an LLM call; the simulator applies rules) for improved instructions."""
        current = self.current(namespace, agent).text
        call = completer(optimize_messages(current, feedback), purpose="memory.optimize_instructions")
        text = call.text.strip()
        return text or current


def diff(old: str, new: str, old_label: str = "before", new_label: str = "after") -> list[str]:
    return list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_label, new_label, lineterm=""))
