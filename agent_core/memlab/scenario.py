"""Seeded synthetic conversations that probe exactly the memory behaviours we care about.

Public benchmarks are big and rarely contain fact flips or questions asked a second after a fact
was stated. The generator fills that gap: users state facts with the phrasings a pattern-based
extractor knows ("My name is", "I live in", "I moved to", "I work as", "I prefer", "remember that"),
chat about nothing in between, later contradict themselves, and are then asked questions whose
evidence ids point at the exact turns. Same size and seed, same dataset, byte for byte.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from agent_core.memlab.dataset import Conversation, Dataset, Question, Session, Turn

SIZES: dict[str, tuple[int, int]] = {"tiny": (2, 3), "small": (6, 6), "medium": (15, 10), "large": (50, 20)}
"""Size name → (conversations, sessions per conversation)."""

DEFAULT_SESSIONS = 6
"""Sessions per conversation when the size is given as a number of conversations."""

CATEGORIES = ("extraction", "multi_session", "temporal", "knowledge_update", "abstention", "recent")
ABSTAIN_ANSWER = "not mentioned"
GENERATOR_VERSION = "1"

_NAMES = [
    "Alice Moreau",
    "Ben Okafor",
    "Clara Svensson",
    "David Kim",
    "Elena Rossi",
    "Farid Haddad",
    "Grace Liu",
    "Hugo Martin",
    "Ines Duarte",
    "Jonas Weber",
    "Kira Novak",
    "Liam Walsh",
]
_ZH_NAMES = ["Wang Fang", "Li Wei", "Zhang Min", "Chen Jing"]
_CITIES = ["Lisbon", "Berlin", "Toronto", "Osaka", "Nairobi", "Melbourne", "Lyon", "Oslo", "Austin", "Porto"]
_ZH_CITIES = ["上海", "北京", "杭州", "成都", "深圳", "广州"]
_JOBS = [
    "teacher",
    "nurse",
    "software engineer",
    "architect",
    "chef",
    "pharmacist",
    "journalist",
    "electrician",
    "accountant",
    "veterinarian",
]
_PREFERENCES = [
    ("tea", "coffee", "morning drinks"),
    ("mountains", "beaches", "holidays"),
    ("jazz", "techno", "music"),
    ("paper books", "e-books", "reading"),
    ("spicy food", "sweet food", "dinner"),
    ("trains", "planes", "travel"),
]
_PETS = [("cat", "Miso"), ("dog", "Biscuit"), ("parrot", "Kiwi"), ("rabbit", "Clover"), ("dog", "Juno")]
_PARTNERS = ["Sam", "Noor", "Mateo", "Priya", "Tomasz", "Yuki", "Ada", "Rafael"]
_HOBBIES = ["climbing", "pottery", "sailing", "chess", "birdwatching", "salsa dancing", "woodworking"]
_ABSENT = [
    "What car do I drive?",
    "What is my sister's name?",
    "Which football team do I support?",
    "What is my blood type?",
    "Which university did I attend?",
]
_RECENT = [
    ("locker code", "What is my locker code?"),
    ("gate number", "What is my gate number?"),
    ("table number", "What is my table number?"),
]
_USER_CHAT = [
    "The weather was strange today, sunny and then hail.",
    "Any tips for a rainy Sunday?",
    "I watched a documentary about octopuses last night.",
    "Traffic was awful this morning.",
    "Can you suggest a quick pasta recipe?",
    "I think I need a new pair of running shoes.",
    "What's a good podcast for a long drive?",
    "My phone battery dies so fast lately.",
    "今天天气不错。",
    "I spent the evening cleaning out the garage.",
]
_ZH_CHAT = ["今天天气不错。", "周末我想去爬山。", "最近工作有点忙。"]
_ASSISTANT_CHAT = [
    "That sounds like quite a day!",
    "Here is an idea: try something cosy and slow.",
    "Good question, let me think about that for a second.",
    "Happy to help with that.",
    "Interesting, tell me more whenever you like.",
    "That happens to a lot of people.",
]
_ACKS = ["Got it, thanks for telling me.", "Noted!", "Thanks, I'll keep that in mind.", "Good to know."]


def generate_scenario(size: str | int = "tiny", seed: int = 0) -> Dataset:
    """Build a dataset of user↔assistant conversations with facts, updates and probing questions.

    `size` is a name from `SIZES` or a number of conversations (of `DEFAULT_SESSIONS` sessions).
    Each conversation draws from its own seeded generator, so conversation *i* is identical
    whatever the size.
    """
    if isinstance(size, bool) or not isinstance(size, str | int):
        raise TypeError(f"size must be a size name or an int, not {type(size).__name__}")
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}; use one of {', '.join(SIZES)} or an int")
        n_conversations, n_sessions = SIZES[size]
    else:
        if size < 1:
            raise ValueError("size must be at least one conversation")
        n_conversations, n_sessions = size, DEFAULT_SESSIONS
    conversations = [
        _Builder(random.Random(f"memlab-{seed}-{i}"), f"scn-{i:03d}", chinese=i % 4 == 1).build(n_sessions)
        for i in range(n_conversations)
    ]
    source = f"memlab-scenario v{GENERATOR_VERSION} size={size} seed={seed}".encode()
    return Dataset(
        name=f"scenario-{size}-seed{seed}",
        conversations=conversations,
        source_hash=hashlib.sha256(source).hexdigest(),
    )


class _Builder:
    """Writes one conversation turn by turn while remembering where each fact was said."""

    def __init__(self, rng: random.Random, conversation_id: str, *, chinese: bool) -> None:
        self.rng = rng
        self.chinese = chinese
        self.conversation = Conversation(id=conversation_id, speakers=["user", "assistant"])
        self.clock = datetime(2024, 1, 8, 9, 0) + timedelta(days=rng.randint(0, 60))
        self.session: Session | None = None

    # -- writing ---------------------------------------------------------------------------------

    def open_session(self) -> None:
        self.clock = (self.clock + timedelta(days=self.rng.randint(1, 10))).replace(
            hour=self.rng.randint(8, 21), minute=self.rng.randrange(0, 60, 5), second=0
        )
        sid = f"{self.conversation.id}-s{len(self.conversation.sessions):02d}"
        self.session = Session(id=sid, timestamp=self.clock)
        self.conversation.sessions.append(self.session)

    def say(self, role: str, text: str) -> Turn:
        assert self.session is not None
        self.clock += timedelta(seconds=self.rng.randint(20, 120))
        turn = Turn(
            id=f"{self.session.id}:{len(self.session.turns)}",
            session_id=self.session.id,
            speaker=role,
            role="user" if role == "user" else "assistant",
            text=text,
            timestamp=self.clock,
        )
        self.session.turns.append(turn)
        return turn

    def state(self, text: str) -> Turn:
        """A user fact, acknowledged by the assistant; returns the evidence turn."""
        turn = self.say("user", text)
        self.say("assistant", self.rng.choice(_ACKS))
        return turn

    def chit_chat(self, low: int = 0, high: int = 2) -> None:
        for _ in range(self.rng.randint(low, high)):
            self.say("user", self.rng.choice(_USER_CHAT + _ZH_CHAT if self.chinese else _USER_CHAT))
            self.say("assistant", self.rng.choice(_ASSISTANT_CHAT))

    def ask(
        self,
        category: str,
        text: str,
        answer: str,
        evidence: list[Turn],
        *,
        abstention: bool = False,
        asked_at: datetime | None = None,
    ) -> None:
        questions = self.conversation.questions
        questions.append(
            Question(
                id=f"{self.conversation.id}-q{len(questions):02d}-{category}",
                question=text,
                answer=answer,
                evidence=[t.id for t in evidence],
                evidence_sessions=list(dict.fromkeys(t.session_id for t in evidence)),
                category=category,
                abstention=abstention,
                asked_at=asked_at,
            )
        )

    # -- the story -------------------------------------------------------------------------------

    def build(self, n_sessions: int) -> Conversation:
        rng = self.rng
        n_sessions = max(3, n_sessions)
        name = rng.choice(_ZH_NAMES if self.chinese else _NAMES)
        city_old, city_new = rng.sample(_ZH_CITIES if self.chinese else _CITIES, 2)
        job_old, job_new = rng.sample(_JOBS, 2)
        liked, other, topic = rng.choice(_PREFERENCES)
        pet_kind, pet_name = rng.choice(_PETS)
        partner, hobby = rng.choice(_PARTNERS), rng.choice(_HOBBIES)
        move_at, job_change_at = n_sessions - 2, n_sessions - 1

        # Session 0: who the user is.
        self.open_session()
        self.say("user", rng.choice(["Hi there!", "Hello again.", "Hey, got a minute?"]))
        self.say("assistant", "Hi! How can I help today?")
        said = {"name": self.state(f"My name is {name}.")}
        self.chit_chat()
        said["city_old"] = self.state(
            f"我住在{city_old}。"
            if self.chinese
            else rng.choice([f"I live in {city_old}.", f"I live in {city_old}, near the old harbour."])
        )
        said["job_old"] = self.state(
            rng.choice([f"I work as a {job_old}.", f"I work as a {job_old}, mostly day shifts."])
        )
        said["partner"] = self.state(f"Remember that my partner's name is {partner}.")

        # Middle sessions: the remaining facts, spread out, then the move.
        spread = {
            "preference": f"I prefer {liked} over {other} when it comes to {topic}.",
            "pet": f"Remember that I have a {pet_kind} called {pet_name}.",
            "hobby": f"Remember that my new hobby is {hobby}.",
        }
        slots = {key: 1 + (i * move_at) // len(spread) for i, key in enumerate(spread)}
        for index in range(1, n_sessions):
            self.open_session()
            self.chit_chat(1, 2)
            for key, text in spread.items():
                if slots[key] == index:
                    said[key] = self.state(text)
                    self.chit_chat()
            if index == move_at:
                said["city_new"] = self.state(
                    f"我搬到了{city_new}。" if self.chinese else f"I moved to {city_new} last month."
                )
            if index == job_change_at:
                said["job_new"] = self.state(
                    f"I changed jobs, I'm a {job_new} now. I work as a {job_new} at a new place."
                )
                self.chit_chat(1, 2)
        label, question = rng.choice(_RECENT)
        code = str(rng.randint(100, 9999))
        recent = self.say("user", f"Remember that my {label} is {code}.")

        asked_later = recent.timestamp + timedelta(hours=1) if recent.timestamp else None
        self.ask("extraction", "What is my name?", name, [said["name"]], asked_at=asked_later)
        self.ask(
            "extraction",
            f"What do I prefer when it comes to {topic}?",
            liked,
            [said["preference"]],
            asked_at=asked_later,
        )
        self.ask(
            "extraction", f"What is my {pet_kind}'s name?", pet_name, [said["pet"]], asked_at=asked_later
        )
        self.ask("extraction", "What is my partner's name?", partner, [said["partner"]], asked_at=asked_later)
        self.ask("extraction", "What is my new hobby?", hobby, [said["hobby"]], asked_at=asked_later)
        self.ask(
            "multi_session",
            "What is my partner's name, and what is my new hobby?",
            f"{partner}, {hobby}",
            [said["partner"], said["hobby"]],
            asked_at=asked_later,
        )
        self.ask(
            "temporal",
            f"Where did I live before moving to {city_new}?",
            city_old,
            [said["city_old"], said["city_new"]],
            asked_at=asked_later,
        )
        self.ask(
            "temporal",
            f"What did I work as before becoming a {job_new}?",
            job_old,
            [said["job_old"], said["job_new"]],
            asked_at=asked_later,
        )
        self.ask(
            "knowledge_update", "Where do I live now?", city_new, [said["city_new"]], asked_at=asked_later
        )
        self.ask(
            "knowledge_update", "What do I work as now?", job_new, [said["job_new"]], asked_at=asked_later
        )
        self.ask("abstention", rng.choice(_ABSENT), ABSTAIN_ANSWER, [], abstention=True, asked_at=asked_later)
        asked_now = recent.timestamp + timedelta(seconds=2) if recent.timestamp else None
        self.ask("recent", question, code, [recent], asked_at=asked_now)
        return self.conversation
