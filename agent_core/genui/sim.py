"""Simulator rules for generative UI: chat requests answered with component tool calls, plausibly.

Importing this module registers them. Each rule fires only when the request offers its tool, so the plain
chat (which offers none) is unaffected. Data is deterministic: seeded by the request's own words.
The ``genui`` task (``[[task:genui]]`` in the system prompt) adds what ``@tool_rule`` cannot: a short
reply *after* the tools ran ("Here's the weather in Lisbon …") instead of generic small talk.
"""

from __future__ import annotations

import json
import random
import re

from agent_core.simulator.brain import Reply, chat, task, tool_names, tool_rule

GENUI_MARKER = "[[task:genui]]"
A2UI_TOOL = "render_a2ui"
A2UI_CATALOG_ID = "https://agent-ux-lab.invalid/a2ui/v0_9/catalog.json"  # .invalid: a name no one owns
GENUI_INSTRUCTIONS = (
    "When a visual component fits the request (weather, a place, a comparison, a chart, a form to fill "
    "in, a confirmation before a destructive action), call its tool instead of describing it in text. "
    "Interactive components pause the run; the user's answer arrives as a JSON message. "
    f"For a UI of your own design, call {A2UI_TOOL} with A2UI v0.9 JSONL messages over catalog "
    f"{A2UI_CATALOG_ID}; its button actions arrive as [a2ui action] messages. " + GENUI_MARKER
)
ANSWER_PREFIX = "[{tool} answer] "
A2UI_ACTION_PREFIX = "[a2ui action] "
_ANSWER = re.compile(r"^\[(ask_form|confirm_action) answer\]\s*(\{.*\})\s*$", re.DOTALL)
_A2UI_ACTION = re.compile(r"^\[a2ui action\]\s*(\{.*\})\s*$", re.DOTALL)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CONDITIONS = ("Sunny", "Partly cloudy", "Cloudy", "Light rain", "Showers", "Windy", "Clear")
VENUES = ("Taberna do Largo", "La Bodega de Lola", "Casa Pimentón", "El Rincón de Tapas")


def answer_message(tool: str, response: dict) -> str:
    """The follow-up user message carrying an interactive component's answer back to the agent."""
    return ANSWER_PREFIX.format(tool=tool) + json.dumps(response, ensure_ascii=False, sort_keys=True)


def a2ui_action_message(message: dict) -> str:
    """The follow-up user message carrying an A2UI `action` (client-to-server message) to the agent."""
    return A2UI_ACTION_PREFIX + json.dumps(message, ensure_ascii=False, sort_keys=True)


def _seeded(*parts: str) -> random.Random:
    return random.Random(":".join(p.lower() for p in parts))


def _call(name: str, args: dict) -> dict:
    return {"name": name, "arguments": args}


def _offers(req: dict, *names: str) -> bool:
    return set(names) <= tool_names(req)


@tool_rule
def answer_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    match = _ANSWER.match(user.strip())
    if not match:
        return None
    try:
        response = json.loads(match.group(2))
    except json.JSONDecodeError:
        return Reply(content="I could not read that answer; please try again.")
    return Reply(content=acknowledge(match.group(1), response, _history_text(req)))


@tool_rule
def a2ui_action_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    """An A2UI button was pressed: answer in words and update (or remove) the surface it came from."""
    match = _A2UI_ACTION.match(user.strip())
    if not match:
        return None
    try:
        action = json.loads(match.group(1))["action"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return Reply(content="I could not read that action; please try again.")
    surface, context = str(action.get("surfaceId", "")), action.get("context") or {}
    if action.get("name") == "cancel_booking":
        return Reply(
            content="Okay, nothing booked.",
            tool_calls=[_call(A2UI_TOOL, {"jsonl": a2ui_jsonl([{"deleteSurface": {"surfaceId": surface}}])})],
        )
    if action.get("name") != "book_table" or not _offers(req, A2UI_TOOL):
        return Reply(content=f"Noted: {action.get('name', 'that action')}.")
    time = context.get("time")
    time = time[0] if isinstance(time, list) and time else time or "?"
    venue = context.get("venue") or "the restaurant"
    text = (
        f"Booked a table for **{context.get('guests', '?')}** at **{venue}** "
        f"on {context.get('day', '?')} at {time}, under the name *{context.get('name', '?')}*."
    )
    return Reply(
        content=text, tool_calls=[_call(A2UI_TOOL, {"jsonl": a2ui_jsonl(a2ui_booked(surface, context))})]
    )


def weather_args(location: str) -> dict:
    rng = _seeded("weather", location)
    high = rng.randint(14, 31)
    low = high - rng.randint(5, 10)
    start = rng.randrange(7)
    return {
        "location": location,
        "temperature_c": round(rng.uniform(low, high), 1),
        "condition": rng.choice(_CONDITIONS),
        "high_c": high,
        "low_c": low,
        "forecast": [
            {
                "day": _DAYS[(start + i) % 7],
                "condition": rng.choice(_CONDITIONS),
                "high_c": (h := high + rng.randint(-4, 4)),
                "low_c": h - rng.randint(5, 9),
            }
            for i in range(1, 4)
        ],
    }


@tool_rule
def weather_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    if not _offers(req, "show_weather") or not re.search(r"(?i)\b(weather|forecast|temperature)\b", user):
        return None
    match = re.search(r"\b(?:in|for|at)\s+([A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*)*)", user)
    location = match.group(1) if match else "your area"
    return Reply(
        content=f"Here is the weather in {location}.",
        tool_calls=[_call("show_weather", weather_args(location))],
    )


@tool_rule
def broken_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    """A deliberately malformed component, so the error card can be seen without chaos settings."""
    if not _offers(req, "show_weather") or not re.search(r"(?i)\bbroken\b", user):
        return None
    args = {"location": "Nowhere", "temperature_c": "warm", "condition": "Unclear", "high_c": 10, "low_c": 20}
    return Reply(content="This card is broken on purpose.", tool_calls=[_call("show_weather", args)])


def _product_row(name: str) -> list[object]:
    rng = _seeded("product", name)
    return [
        name,
        rng.randrange(499, 1299, 50),
        rng.randint(18, 31),
        rng.choice([12, 48, 50, 64]),
        rng.randint(160, 230),
    ]


@tool_rule
def comparison_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    match = re.search(
        r"(?i)\bcompare\s+(?:the\s+)?(.+?)\s+(?:and|with|vs\.?|versus|to)\s+(?:the\s+)?(.+?)[\s?.!]*$", user
    )
    if not _offers(req, "show_comparison") or not match:
        return None
    names = [match.group(1).strip(), match.group(2).strip()]
    args = {
        "title": f"{names[0]} vs {names[1]}",
        "columns": ["Model", "Price (€)", "Battery (h)", "Camera (MP)", "Weight (g)"],
        "rows": [_product_row(name) for name in names],
    }
    return Reply(
        content=f"Here is {names[0]} next to {names[1]}.", tool_calls=[_call("show_comparison", args)]
    )


def place_args(kind: str) -> dict:
    rng = _seeded("place", kind)
    name = rng.choice(VENUES)
    return {
        "name": name,
        "address": f"Rua {rng.choice(['das Flores', 'Augusta', 'do Norte', 'da Prata'])} {rng.randint(3, 120)}, Lisbon",
        "rating": round(rng.uniform(3.9, 4.8), 1),
        "price_level": rng.randint(1, 3),
        "tags": [kind, rng.choice(["terrace", "late kitchen", "vegetarian options"]), "walk-ins welcome"],
        "opening_hours": ["Tue–Sun 12:00–15:00", "Tue–Sun 19:00–23:30"],
    }


def booking_form(guests: str) -> dict:
    return {
        "title": "Book a table",
        "fields": [
            {
                "name": "name",
                "label": "Name",
                "type": "text",
                "required": True,
                "placeholder": "Ada Lovelace",
            },
            {"name": "guests", "label": "Guests", "type": "number", "required": True, "default": int(guests)},
            {
                "name": "time",
                "label": "Time",
                "type": "choice",
                "options": ["19:00", "19:30", "20:00", "20:30", "21:00"],
                "default": "20:00",
            },
            {"name": "day", "label": "Day", "type": "date"},
        ],
        "submit_label": "Book",
    }


def a2ui_jsonl(messages: list[dict]) -> str:
    """A2UI messages as JSONL, each with its protocol version."""
    return "".join(json.dumps({"version": "v0.9", **m}, ensure_ascii=False) + "\n" for m in messages)


def _text_c(cid: str, text: object, variant: str = "body") -> dict:
    return {"id": cid, "component": "Text", "text": text, "variant": variant}


def a2ui_booking(surface: str, guests: int, venue: dict) -> list[dict]:
    """A booking surface in the order an agent would stream it: shell first, then data, form, list, buttons."""
    seats = _seeded("slots", venue["name"])
    slots = [
        {"time": t, "seats": seats.randint(2, 8), "area": seats.choice(["inside", "terrace", "bar"])}
        for t in ("19:00", "19:30", "20:00", "20:30", "21:00")
    ]
    p = {"path": "/booking/name"}
    return [
        {"createSurface": {"surfaceId": surface, "catalogId": A2UI_CATALOG_ID}},
        {"updateComponents": {"surfaceId": surface, "components": [
            {"id": "root", "component": "Column", "children": ["title", "venue", "form", "slots_title", "slots", "actions"]},
            _text_c("title", "Book a table", "h3"),
        ]}},
        {"updateDataModel": {"surfaceId": surface, "path": "/venue", "value": venue}},
        {"updateComponents": {"surfaceId": surface, "components": [
            {"id": "venue", "component": "Place", **{k: {"path": f"/venue/{k}"} for k in ("name", "address", "rating", "tags")}},
        ]}},
        {"updateDataModel": {"surfaceId": surface, "path": "/booking", "value": {"guests": guests, "time": ["20:00"]}}},
        {"updateComponents": {"surfaceId": surface, "components": [
            {"id": "form", "component": "Card", "child": "fields"},
            {"id": "fields", "component": "Column", "children": ["name", "guests", "time", "day", "summary"]},
            {"id": "name", "component": "TextField", "label": "Name", "value": p,
             "checks": [{"call": "required", "message": "Who is the table for?"}]},
            {"id": "guests", "component": "TextField", "label": "Guests", "variant": "number",
             "value": {"path": "/booking/guests"},
             "checks": [{"call": "numeric", "args": {"min": 1, "max": 12}, "message": "1 to 12 guests"}]},
            {"id": "time", "component": "ChoicePicker", "label": "Time", "variant": "mutuallyExclusive",
             "options": [{"label": s["time"], "value": s["time"]} for s in slots], "value": {"path": "/booking/time"}},
            {"id": "day", "component": "DateTimeInput", "label": "Day", "enableDate": True, "value": {"path": "/booking/day"}},
            _text_c("summary", {"call": "string_format", "args": {"value": "Table for **${/booking/guests}** · ${/booking/name}"}}, "caption"),
        ]}},
        {"updateDataModel": {"surfaceId": surface, "path": "/slots", "value": slots}},
        {"updateComponents": {"surfaceId": surface, "components": [
            _text_c("slots_title", "Free tables today", "h5"),
            {"id": "slots", "component": "List", "children": {"componentId": "slot", "path": "/slots"}},
            {"id": "slot", "component": "Row", "children": ["slot_time", "slot_info"]},
            _text_c("slot_time", {"path": "time"}),
            _text_c("slot_info", {"call": "string_format", "args": {"value": "${seats} seats · ${area}"}}, "caption"),
        ]}},
        {"updateComponents": {"surfaceId": surface, "components": [
            {"id": "actions", "component": "Row", "justify": "end", "children": ["cancel", "book"]},
            {"id": "cancel", "component": "Button", "child": "cancel_label", "action": {"name": "cancel_booking"}},
            _text_c("cancel_label", "Cancel"),
            {"id": "book", "component": "Button", "child": "book_label", "primary": True,
             "checks": [{"call": "required", "args": {"value": p}, "message": "Enter a name first"}],
             "action": {"name": "book_table", "context": {
                 "name": p, "guests": {"path": "/booking/guests"}, "time": {"path": "/booking/time"},
                 "day": {"path": "/booking/day"}, "venue": {"path": "/venue/name"}}}},
            _text_c("book_label", "Book"),
        ]}},
    ]  # fmt: skip


def a2ui_booked(surface: str, context: dict) -> list[dict]:
    """The booking surface once booked: the agent's own record of it, and no form any more."""
    summary = "**Booked** for ${/booking/guests} on ${/booking/day} at ${/booking/time/0}, under *${/booking/name}*."
    return [
        {"updateDataModel": {"surfaceId": surface, "path": "/booking", "value": context}},
        {"updateComponents": {"surfaceId": surface, "components": [
            {"id": "root", "component": "Column", "children": ["title", "venue", "done"]},
            _text_c("done", {"call": "string_format", "args": {"value": summary}}),
        ]}},
    ]  # fmt: skip


@tool_rule
def a2ui_booking_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    """'Book a table … with A2UI': the same booking as a declarative surface instead of ask_form."""
    if not _offers(req, A2UI_TOOL) or not re.search(r"(?i)\ba2ui\b", user) or _A2UI_ACTION.match(user):
        return None
    guests = re.search(r"\bfor\s+(\d+)", user)
    venue = place_args("tapas")
    surface = f"booking-{len(req.get('messages', []))}"  # unique within the conversation
    messages = a2ui_booking(surface, int(guests.group(1)) if guests else 2, venue)
    content = f"{venue['name']} has tables free. Here is a booking card."
    return Reply(content=content, tool_calls=[_call(A2UI_TOOL, {"jsonl": a2ui_jsonl(messages)})])


@tool_rule
def booking_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    if not _offers(req, "show_place", "ask_form") or not re.search(
        r"(?i)\b(book|reserve)\b.*\btable\b", user
    ):
        return None
    guests = re.search(r"\bfor\s+(\d+)", user)
    kind = re.search(r"(?i)\bat\s+an?\s+([\w\s-]+?)(?:\s+(?:bar|restaurant|place))?[\s?.!]*$", user)
    venue = place_args(kind.group(1).strip().lower() if kind else "restaurant")
    count = guests.group(1) if guests else "2"
    content = f"{venue['name']} has room. Fill in the booking and I will reserve the table."
    return Reply(
        content=content, tool_calls=[_call("show_place", venue), _call("ask_form", booking_form(count))]
    )


@tool_rule
def place_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    match = re.search(r"(?i)\b(?:find|recommend|where)\b.*?\b(tapas|restaurant|caf[eé]|bar|bakery)\b", user)
    if not _offers(req, "show_place") or not match:
        return None
    venue = place_args(match.group(1).lower())
    return Reply(content=f"How about {venue['name']}?", tool_calls=[_call("show_place", venue)])


@tool_rule
def chart_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    if not _offers(req, "show_chart") or not re.search(r"(?i)\b(plot|chart|graph)\b", user):
        return None
    metric = "steps" if re.search(r"(?i)\bsteps?\b", user) else "activity"
    seeded = _seeded("chart", metric)
    values = [seeded.randrange(3000, 13000, 10) for _ in _DAYS]
    args = {
        "kind": "bar",
        "title": f"Your {metric} this week",
        "labels": list(_DAYS),
        "series": [{"name": metric, "values": values}, {"name": "goal", "values": [8000] * 7}],
    }
    return Reply(content=f"Here are your {metric} for the week.", tool_calls=[_call("show_chart", args)])


@tool_rule
def confirm_rule(req: dict, user: str, rng: random.Random) -> Reply | None:
    match = re.search(r"(?i)\b(delete|remove|erase|close)\s+(?:my\s+|the\s+)?([\w\s]+?)[\s?.!]*$", user)
    if not _offers(req, "confirm_action") or not match or _ANSWER.match(user):
        return None
    what = match.group(2).strip() or "it"
    args = {
        "title": f"{match.group(1).capitalize()} your {what}?",
        "message": f"This will permanently {match.group(1).lower()} your {what}. It cannot be undone.",
        "confirm_label": match.group(1).capitalize(),
        "cancel_label": "Keep it",
        "danger": True,
    }
    return Reply(content="Please confirm first.", tool_calls=[_call("confirm_action", args)])


def _history_text(req: dict) -> str:
    return "\n".join(str(m.get("content") or "") for m in req.get("messages", []))


def acknowledge(tool: str, response: dict, history: str) -> str:
    """What the agent says once the user answered an interactive component."""
    if tool == "confirm_action":
        if not response.get("confirmed"):
            skipped = response.get("status") == "skipped"
            return f"{'Skipped' if skipped else 'Cancelled'} — nothing was changed."
        subject = re.findall(r"(?i)\b(?:delete|remove|erase|close)\s+(?:my\s+|the\s+)?([\w ]+)", history)
        return f"Done — your {subject[-1].strip() if subject else 'request'} is scheduled for deletion."
    values = response.get("values") or {}
    if response.get("status") == "skipped":
        return "Skipped — I have not booked anything. Ask again whenever you like."
    if response.get("status") != "submitted":
        return "Okay, I have not booked anything."
    venue = next((v for v in reversed(VENUES) if v in history), "the restaurant")
    parts = [f"Booked a table for **{values.get('guests', '?')}** at **{venue}**"]
    if values.get("day"):
        parts.append(f"on {values['day']}")
    if values.get("time"):
        parts.append(f"at {values['time']}")
    if values.get("name"):
        parts.append(f"under the name *{values['name']}*")
    return " ".join(parts) + ".\n\n- You can cancel up to 2 hours before.\n- Ask me to *move* it any time."


def _after_tools(messages: list[dict]) -> str:
    """One sentence per component just shown, read from the calls' arguments."""
    calls = next((m.get("tool_calls") or [] for m in reversed(messages) if m.get("role") == "assistant"), [])
    lines: list[str] = []
    for call in calls:
        function = call.get("function", {})
        try:
            args = json.loads(function.get("arguments") or "{}")
        except json.JSONDecodeError:
            args = {}
        name = function.get("name", "")
        if name == "show_weather" and isinstance(args.get("temperature_c"), int | float):
            lines.append(
                f"It is {args['temperature_c']} °C and {str(args.get('condition', '')).lower()} in {args.get('location')}."
            )
        elif name == "show_chart":
            lines.append(
                "The goal line marks 8,000 steps a day." if "steps" in str(args) else "That is the chart."
            )
        elif name == "show_comparison":
            lines.append("The table lists price, battery, camera and weight side by side.")
        elif name in ("ask_form", "confirm_action"):
            lines.append("Waiting for your answer in the card above.")
        elif name == "show_place":
            lines.append(f"{args.get('name', 'The place')} is rated {args.get('rating', '?')}.")
        elif name == A2UI_TOOL:
            created = "createSurface" in str(args.get("jsonl", ""))
            lines.append("Fill it in and press **Book**." if created else "The card above is up to date.")
        else:
            lines.append("The component could not be shown as asked.")
    return " ".join(dict.fromkeys(lines)) or "Done."


@task("genui")
def genui_chat(req: dict, rng: random.Random) -> Reply:
    messages = req.get("messages", [])
    if messages and messages[-1].get("role") == "tool":
        return Reply(content=_after_tools(messages))
    return chat(req, rng)
