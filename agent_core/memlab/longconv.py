"""Long two-person conversations in the LoCoMo layout, with the hard parts of real ones.

The public LoCoMo file is the yardstick, but it is one file: tuning retrieval to it alone overfits.
This generator writes files in the same layout (so they go through the same importer) with what
makes real long conversations hard for memory: 20-35 sessions over months between two named
speakers, questions worded differently from their evidence, facts that change (a move, a new job),
multi-hop questions whose evidence sits in two or three sessions, "when did …?" questions answered
from the session date, other-speaker distractors that share the question's words, and
wrong-speaker adversarial questions (category 5). Same seed, same file, byte for byte.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

GENERATOR_VERSION = "1"
MULTI_HOP, TEMPORAL, OPEN_DOMAIN, SINGLE_HOP, ADVERSARIAL = 1, 2, 3, 4, 5

_NAMES = [
    "Maya", "Tom", "Priya", "Jonas", "Aisha", "Diego", "Hannah", "Kenji", "Lucia", "Omar",
    "Sofia", "Felix", "Nadia", "Ravi", "Elena", "Marcus", "Ines", "Theo", "Yara", "Caleb",
]  # fmt: skip
_SMALL_TALK = [
    "How has your week been?",
    "It's been a busy week, honestly.",
    "The weather has been so strange lately.",
    "I've been trying to get more sleep, with mixed results.",
    "Work has been a bit much, but I'm managing.",
    "I made a big pot of soup yesterday, it lasted three days.",
    "Did you watch anything good recently?",
    "Not really, I keep falling asleep halfway through films.",
    "I'm glad we keep doing these catch-ups.",
    "Same here, it's nice to have someone to talk to about everything.",
    "Traffic this morning was unbelievable.",
    "I finally cleaned out the garage, it took all weekend.",
    "My phone died twice today, I need a new battery.",
    "I've been drinking way too much coffee.",
]  # fmt: skip
_REACTIONS = [
    "That's amazing, {other}!",
    "Wow, I'm really happy for you.",
    "That sounds like a lot, how are you feeling about it?",
    "No way! Tell me more.",
    "Good for you, that takes courage.",
    "That's so lovely to hear.",
    "Oh nice, I didn't know that about you.",
]  # fmt: skip
_GREETINGS = [
    "Hey {other}! Long time no talk.",
    "Hi {other}, how are you?",
    "Hey {other}, good to hear from you!",
]
_BYES = ["Talk soon, take care!", "I have to run, but let's catch up again soon.", "Bye for now!"]


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of life event one speaker tells the other, with its wordings.

    `say` is the evidence ({v} the value, {when} a relative time); `ask` paraphrases it ({name});
    `follow` are the listener's replies, which share the event's words but carry another value
    ({alt}): the distractors a real conversation is full of. `when` asks for the date.
    """

    key: str
    pool: tuple[str, ...]
    say: tuple[str, ...]
    ask: tuple[str, ...]
    answer: str = "{v}"
    category: int = SINGLE_HOP
    follow: tuple[str, ...] = ()
    when: str = ""


KINDS: tuple[Kind, ...] = (
    Kind(
        "instrument",
        ("cello", "violin", "ukulele", "saxophone", "piano", "drums", "trumpet"),
        (
            "I've started taking {v} lessons, my teacher says I'm a natural.",
            "I finally bought a {v} and I practise every evening now.",
        ),
        ("What instrument is {name} learning to play?", "Which instrument does {name} practise?"),
        follow=(
            "My cousin plays the {alt}, maybe you two could jam.",
            "I tried {alt} lessons once and gave up.",
        ),
    ),
    Kind(
        "race",
        ("5K", "half marathon", "10K", "charity triathlon"),
        ("I ran a {v} for the children's hospital {when}, my legs are still sore!",),
        ("What did {name} do to raise money for the hospital?",),
        answer="ran a {v}",
        follow=("I did a {alt} years ago, never again.", "Did you raise a lot of money for the hospital?"),
        when="When did {name} run the {v}?",
    ),
    Kind(
        "trip",
        ("Kyoto", "Lisbon", "Reykjavik", "Marrakesh", "Vancouver", "Edinburgh", "Istanbul"),
        ("We got back from a week in {v} {when}, it was unforgettable.",),
        ("Which city did {name} spend a week in?", "Where did {name} go on holiday?"),
        follow=("I spent a week in {alt} once, the food was incredible.", "Did you take lots of photos?"),
        when="When did {name} visit {v}?",
    ),
    Kind(
        "book",
        ("The Overstory", "Piranesi", "Circe", "The Remains of the Day", "Educated", "Station Eleven"),
        ("I just finished reading {v}, I couldn't put it down.", "{v} kept me up until 2am, what a story."),
        ("What novel did {name} recently finish?", "Which book kept {name} up at night?"),
        follow=("I'm halfway through {alt}, it's slow going.", "I haven't read anything in ages."),
    ),
    Kind(
        "sport",
        ("bouldering", "rowing", "fencing", "ultimate frisbee", "kickboxing", "water polo"),
        ("I joined a {v} club {when}, it's the best workout I've found.",),
        ("What sport did {name} take up?", "Which club did {name} join to stay fit?"),
        follow=("My gym has a {alt} group, I keep meaning to try it.", "Is the club far from your place?"),
        when="When did {name} join the {v} club?",
    ),
    Kind(
        "injury",
        ("sprained my ankle", "broke my wrist", "pulled a muscle in my back", "twisted my knee"),
        ("Ugh, I {v} {when} and I'm stuck on the sofa.",),
        ("What injury did {name} suffer?", "How did {name} get hurt?"),
        follow=("Oh no! I {alt} last year, it took ages to heal.", "Take it easy and rest."),
        when="When did {name} get injured?",
    ),
    Kind(
        "cooking",
        ("lasagna", "a Thai green curry", "paella", "ramen from scratch", "a lemon tart", "dumplings"),
        ("I cooked {v} for my parents {when} and they asked for seconds.",),
        ("What dish did {name} make for their parents?",),
        follow=("I tried making {alt} for my family and burnt it.", "You're such a good cook."),
    ),
    Kind(
        "concert",
        ("a jazz quartet", "an orchestra playing Vivaldi", "a punk band", "a folk singer"),
        ("I saw {v} live {when}, I still have goosebumps.",),
        ("What kind of live music did {name} go to see?", "Which performance gave {name} goosebumps?"),
        follow=("I went to see {alt} last spring, the crowd was wild.", "Were the tickets expensive?"),
        when="When did {name} see {v} live?",
    ),
    Kind(
        "volunteer",
        ("the food bank", "an animal shelter", "a literacy programme", "a community garden"),
        ("I've started volunteering at {v} on Saturdays, it gives me so much energy.",),
        ("Where does {name} volunteer at weekends?", "What charity work does {name} do?"),
        follow=("My sister helps out at {alt}, she loves it.", "That's such a kind thing to do."),
    ),
    Kind(
        "outdoors",
        ("outdoors",),
        (
            "Nothing beats sleeping under the stars, I'd live in a tent if I could.",
            "I spend every free weekend hiking in the hills, I feel most at home out there.",
        ),
        ("Would {name} enjoy a week-long camping trip?", "Would {name} prefer a national park to a mall?"),
        answer="Likely yes; they love being outdoors",
        category=OPEN_DOMAIN,
        follow=("I'm more of an indoor person myself, give me a sofa.",),
    ),
    Kind(
        "quiet",
        ("introvert",),
        ("Big parties drain me, I'd rather have one friend over for tea.",),
        ("Would {name} enjoy a loud nightclub opening?",),
        answer="Likely no; they prefer quiet evenings with a friend",
        category=OPEN_DOMAIN,
        follow=("I get that, parties can be exhausting.",),
    ),
)


def _values(rng: random.Random, kind: Kind) -> tuple[str, str]:
    """The owner's value and the distractor's (different when the pool allows)."""
    v = rng.choice(kind.pool)
    rest = [x for x in kind.pool if x != v]
    return v, rng.choice(rest) if rest else v


_PETS = [("beagle", "Pepper"), ("tabby cat", "Miso"), ("border collie", "Juno"), ("rabbit", "Clover")]
_CITIES = ["Denver", "Portland", "Austin", "Toronto", "Melbourne", "Dublin", "Seattle", "Leeds"]
_JOBS = [
    ("nurse at the city hospital", "nursing instructor at the community college"),
    ("barista", "manager of the coffee shop"),
    ("junior architect", "partner at a small design studio"),
    ("teaching assistant", "full-time primary school teacher"),
    ("sous chef", "head chef at a new bistro"),
]
_HOBBIES = [
    ("a pottery class", "pottery"),
    ("watercolour painting", "painting"),
    ("knitting", "knitting"),
    ("a choir", "singing"),
    ("woodworking", "woodworking"),
]


@dataclass(slots=True)
class _Said:
    dia_id: str
    date: datetime
    when: str = ""


_WHEN = {
    "yesterday": lambda d: f"{d - timedelta(days=1):%-d %B %Y}",
    "last weekend": lambda d: f"the weekend before {d:%-d %B %Y}",
    "two weeks ago": lambda d: f"two weeks before {d:%-d %B %Y}",
    "on Friday": lambda d: f"the Friday before {d:%-d %B %Y}",
}


class _Writer:
    """Writes one sample session by session, remembering where each piece of evidence was said.

    Each speaker's story is a plan {session: [step]}; a step writes its turns when its session
    comes and files the questions it makes possible.
    """

    def __init__(self, rng: random.Random, index: int, n_sessions: int) -> None:
        self.rng = rng
        self.index = index
        self.n = n_sessions
        self.names = rng.sample(_NAMES, 2)
        self.conversation: dict[str, Any] = {"speaker_a": self.names[0], "speaker_b": self.names[1]}
        self.qa: list[dict[str, Any]] = []
        self.session = 0
        self.turns: list[dict[str, Any]] = []
        self.chat: list[str] = []
        self.date = datetime(2023, 1, 9, 10, 0) + timedelta(days=rng.randint(0, 200))

    # -- writing ---------------------------------------------------------------------------------
    def open(self) -> None:
        self.session += 1
        self.date += timedelta(days=self.rng.randint(3, 12), hours=self.rng.randint(-3, 3))
        self.date = self.date.replace(minute=self.rng.randrange(0, 60))
        self.turns = []
        self.chat = self.rng.sample(_SMALL_TALK, len(_SMALL_TALK))  # no line twice in a sitting
        key = f"session_{self.session}"
        self.conversation[key] = self.turns
        d, hour = self.date, self.date.hour % 12 or 12  # LoCoMo's form: "1:56 pm on 8 May, 2023"
        self.conversation[f"{key}_date_time"] = (
            f"{hour}:{d:%M} {'am' if d.hour < 12 else 'pm'} on {d:%-d %B, %Y}"
        )

    def say(self, who: int, text: str) -> _Said:
        dia_id = f"D{self.session}:{len(self.turns) + 1}"
        self.turns.append({"speaker": self.names[who], "dia_id": dia_id, "text": text})
        return _Said(dia_id, self.date)

    def state(self, who: int, text: str, follow: str = "") -> _Said:
        """The owner says something; the listener reacts, maybe with a distractor of their own."""
        said = self.say(who, text)
        self.say(1 - who, self.rng.choice(_REACTIONS).format(other=self.names[who]))
        if follow:
            self.say(
                who, self.rng.choice(["Yeah, it was a lot.", "Honestly, I'm still processing it.", "Thanks!"])
            )
            self.say(1 - who, follow)
        return said

    def small_talk(self, n: int) -> None:
        for _ in range(n):
            if self.chat:
                self.say(self.rng.randrange(2), self.chat.pop())

    def ask(
        self, category: int, question: str, answer: str | None, evidence: list[_Said], **extra: Any
    ) -> None:
        entry: dict[str, Any] = {
            "question": question,
            "evidence": [e.dia_id for e in evidence],
            "category": category,
        }
        if answer is not None:
            entry["answer"] = answer
        self.qa.append(entry | extra)

    # -- the story -------------------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        rng = self.rng
        kinds = rng.sample(KINDS, k=len(KINDS))
        half = len(kinds) // 2  # each speaker tells their own kinds: a wrong-speaker question has no answer
        stories = [self._story(0, kinds[:half], kinds[half:]), self._story(1, kinds[half:], kinds[:half])]
        for index in range(1, self.n + 1):
            self.open()
            first = rng.randrange(2)
            self.say(first, rng.choice(_GREETINGS).format(other=self.names[1 - first]))
            self.say(1 - first, rng.choice(["Hey! I'm good, busy as always.", "Hi! Doing well, thanks."]))
            self.small_talk(rng.randint(2, 4))
            for who in rng.sample((0, 1), 2):
                for step in stories[who].get(index, []):
                    step()
                    self.small_talk(rng.randint(1, 3))
            self.small_talk(rng.randint(1, 3))
            self.say(rng.randrange(2), rng.choice(_BYES))
        return {"sample_id": f"synth-{self.index}", "conversation": self.conversation, "qa": self.qa}

    def _story(self, who: int, mine: list[Kind], theirs: list[Kind]) -> dict[int, list[Any]]:
        """This speaker's events: {session: [step()]}, every session number in 1..n."""
        rng, name, other, n = self.rng, self.names[who], self.names[1 - who], self.n
        plan: dict[int, list[Any]] = {}

        def at(session: int, step: Any) -> None:
            plan.setdefault(max(1, min(n, session)), []).append(step)

        for kind in mine:

            def event(kind: Kind = kind) -> None:
                v, alt = _values(rng, kind)
                when = rng.choice(list(_WHEN))
                text = rng.choice(kind.say).format(v=v, when=when)
                follow = rng.choice(kind.follow).format(alt=alt) if kind.follow and rng.random() < 0.7 else ""
                said = self.state(who, text, follow)
                said.when = when
                question = rng.choice(kind.ask).format(name=name)
                answer = kind.answer.format(v=v).replace("my ", "their ")
                self.ask(kind.category, question, answer, [said])
                if rng.random() < 0.5:  # the same question of the speaker who never said it
                    self.ask(
                        ADVERSARIAL, question.replace(name, other), None, [said], adversarial_answer=answer
                    )
                if kind.when and "{when}" in " ".join(kind.say):
                    self.ask(TEMPORAL, kind.when.format(name=name, v=v), _WHEN[when](said.date), [said])

            at(rng.randint(1, n), event)
        del theirs

        # A fact that changes: where they live, then a move months later.
        old_city, new_city = rng.sample(_CITIES, 2)
        home: dict[str, _Said] = {}

        def settle() -> None:
            home["old"] = self.state(
                who, f"I love my little flat here in {old_city}, the neighbourhood is so friendly."
            )

        def relocate() -> None:
            ago = rng.choice(["last month", "two weeks ago"])
            home["new"] = self.state(
                who, f"Big news: we packed everything and relocated to {new_city} {ago}."
            )
            self.ask(SINGLE_HOP, f"Which city does {name} live in now?", new_city, [home["new"]])
            self.ask(
                MULTI_HOP, f"Where did {name} live before the move?", old_city, [home["old"], home["new"]]
            )

        at(rng.randint(1, n // 3), settle)
        at(rng.randint(2 * n // 3, n), relocate)

        # A job that changes.
        old_job, new_job = rng.choice(_JOBS)
        work: dict[str, _Said] = {}

        def shift() -> None:
            work["old"] = self.state(
                who, f"My shift as a {old_job} ran late again, but I really like my colleagues."
            )

        def promote() -> None:
            work["new"] = self.state(who, f"I handed in my notice! From Monday I'm the new {new_job}.")
            self.ask(SINGLE_HOP, f"What is {name}'s current job?", new_job, [work["new"]])
            self.ask(
                MULTI_HOP,
                f"What did {name} do for a living before their current role?",
                old_job,
                [work["old"], work["new"]],
            )

        at(rng.randint(1, n // 2), shift)
        at(rng.randint(n // 2 + 2, n), promote)

        # A pet adopted in one session and only named in a later one (multi-hop).
        breed, pet = rng.choice(_PETS)
        adopted: list[_Said] = []
        s_adopt = rng.randint(2, n // 2)

        def adopt() -> None:
            adopted.append(
                self.state(who, f"We adopted a {breed} from the rescue centre, the kids are over the moon.")
            )

        def name_pet() -> None:
            said = self.state(who, f"{pet} chewed through my favourite shoes again, I can't even be angry.")
            self.ask(
                MULTI_HOP,
                f"What is the name of the animal {name} adopted from the rescue?",
                pet,
                [*adopted, said],
            )

        at(s_adopt, adopt)
        at(rng.randint(s_adopt + 3, n), name_pet)

        # Creative hobbies picked up in three different stretches of the conversation (a list question).
        hobbies = rng.sample(_HOBBIES, 3)
        started: list[_Said] = []
        for i, (activity, _noun) in enumerate(hobbies):
            text = f"I signed up for {activity}, it's my new way to unwind after work."
            at(
                1 + (i * n) // 3 + rng.randint(0, n // 3 - 2),
                lambda text=text: started.append(self.state(who, text)),
            )

        def list_hobbies() -> None:
            answer = ", ".join(noun for _activity, noun in hobbies)
            self.ask(MULTI_HOP, f"What creative activities has {name} picked up to relax?", answer, started)

        at(n, list_hobbies)
        return plan


def generate_longconv(conversations: int = 10, seed: int = 0) -> list[dict[str, Any]]:
    """`conversations` samples in the LoCoMo layout (a JSON-ready list)."""
    if conversations < 1:
        raise ValueError("generate at least one conversation")
    return [
        _Writer(rng, i, n_sessions=rng.randint(20, 35)).build()
        for i in range(conversations)
        for rng in [random.Random(f"longconv-v{GENERATOR_VERSION}-{seed}-{i}")]
    ]


def write_longconv(path: str | Path, conversations: int = 10, seed: int = 0) -> Path:
    """Write a generated file (UTF-8 JSON, like the public one)."""
    path = Path(path)
    text = json.dumps(generate_longconv(conversations, seed), indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
