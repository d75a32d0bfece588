"""
The WebSocket message catalogue: a JSON Schema for every message a client may
send and every message the server sends (PROTOCOL.md, extended). ``docs/protocol.md``
is written from this module's descriptions and a test validates every message the
engine emits against these schemas, so the documentation cannot drift.
"""

INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
MS = {"type": "integer", "description": "server epoch milliseconds"}
NULLABLE_MS = {"type": ["integer", "null"], "description": "server epoch milliseconds"}
OPTION = {
    "type": "object",
    "properties": {"key": STR, "text": STR},
    "required": ["key", "text"],
    "additionalProperties": False,
}
RESPONSE_FIELDS = {
    "choices": {"type": "array", "items": STR, "maxItems": 10},
    "text": {"type": "string", "maxLength": 200},
    "blanks": {"type": "array", "items": {"type": "string", "maxLength": 200}, "maxItems": 10},
}
QUESTION = {
    "type": "object",
    "properties": {
        "type": {"const": "question"},
        "seq": INT,
        "total": INT,
        "kind": {"enum": ["single", "multiple", "truefalse", "fill"]},
        "text": STR,
        "options": {"type": "array", "items": OPTION},
        "blanks": INT,
        "points": INT,
        "ends_at": MS,
        "duration_ms": INT,
        "server_now": MS,
    },
    "required": ["type", "seq", "total", "kind", "text", "options", "ends_at", "duration_ms", "server_now"],
    "additionalProperties": False,
}  # fmt: skip
RANKED = {
    "type": "object",
    "properties": {
        "rank": INT,
        "name": STR,
        "branch": {"type": ["string", "null"]},
        "score": INT,
        "accuracy": {"type": "number"},
    },
    "required": ["rank", "name", "score"],
    "additionalProperties": False,
}
TEAM = {
    "type": "object",
    "properties": {"rank": INT, "name": STR, "score": INT, "members": INT},
    "required": ["rank", "name", "score"],
    "additionalProperties": False,
}
SCOREBOARD = {
    "type": "object",
    "properties": {
        "type": {"const": "scoreboard"},
        "seq": INT,
        "top": {"type": "array", "items": RANKED, "maxItems": 10},
        "teams": {"type": "array", "items": TEAM},
    },
    "required": ["type", "top"],
    "additionalProperties": False,
}
YOU = {
    "type": "object",
    "properties": {
        "name": STR,
        "score": INT,
        "rank": INT,
        "accuracy": {"type": "number"},
        "answered": BOOL,
    },
    "required": ["name", "score", "rank", "answered"],
    "additionalProperties": False,
}

#: type → (who sends it, when, schema)
SERVER_MESSAGES = {
    "state": (
        "Full snapshot: sent on every (re)connect, in answer to `join`, and on pause. "
        "`question`/`ends_at` while a question is open; `scoreboard` after a reveal; "
        "`you` for a joined player; `answered` (a count) for the host.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "state"},
                "server_now": MS,
                "phase": {"enum": ["lobby", "question", "paused", "reveal", "finished"]},
                "seq": INT,
                "total": INT,
                "format": {"enum": ["classic", "team"]},
                "locked": BOOL,
                "players": INT,
                "question": QUESTION,
                "ends_at": NULLABLE_MS,
                "scoreboard": SCOREBOARD,
                "answered": INT,
                "you": YOU,
            },
            "required": ["type", "server_now", "phase", "seq", "players"],
            "additionalProperties": False,
        },
    ),
    "lobby": (
        "Who is in: a count and the latest names.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "lobby"},
                "players": INT,
                "recent": {"type": "array", "items": STR},
            },
            "required": ["type", "players", "recent"],
            "additionalProperties": False,
        },
    ),
    "question": (
        "A question opens (or resumes after a pause). Never carries the answer.",
        QUESTION,
    ),
    "answer_ack": (
        "To the answering player only: accepted, or refused with a reason "
        "(`late`, `duplicate`, `closed`, `invalid`).",
        {
            "type": "object",
            "properties": {
                "type": {"const": "answer_ack"},
                "seq": INT,
                "accepted": BOOL,
                "reason": {"enum": ["late", "duplicate", "closed", "invalid"]},
            },
            "required": ["type", "seq", "accepted"],
            "additionalProperties": False,
        },
    ),
    "progress": (
        "To the host, at most 4 times a second while a question is open: how many have answered.",
        {
            "type": "object",
            "properties": {"type": {"const": "progress"}, "seq": INT, "answered": INT, "players": INT},
            "required": ["type", "seq", "answered", "players"],
            "additionalProperties": False,
        },
    ),
    "reveal": (
        "The question closes: the correct answer, the distribution, how many answered; "
        "to a player also `you`. A `scoreboard` follows every reveal.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "reveal"},
                "seq": INT,
                "correct": {"type": "array", "items": STR},
                "distribution": {"type": "object", "additionalProperties": INT},
                "answered": INT,
                "voided": BOOL,
                "you": {
                    "type": "object",
                    "properties": {
                        "correct": BOOL,
                        "answered": BOOL,
                        "points": INT,
                        "score": INT,
                        "rank": INT,
                    },
                    "required": ["correct", "points", "score", "rank"],
                    "additionalProperties": False,
                },
            },
            "required": ["type", "seq", "correct", "distribution"],
            "additionalProperties": False,
        },
    ),
    "scoreboard": ("Top 10 (and teams in the team format), after each reveal or correction.", SCOREBOARD),
    "finished": (
        "The game is over: the podium (ties share a rank) and, for teams, the final order.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "finished"},
                "podium": {"type": "array", "items": RANKED},
                "teams": {"type": "array", "items": TEAM},
            },
            "required": ["type", "podium"],
            "additionalProperties": False,
        },
    ),
    "error": (
        "A refusal: `code` for programs, `message` for people (Chinese).",
        {
            "type": "object",
            "properties": {"type": {"const": "error"}, "code": STR, "message": STR},
            "required": ["type", "code", "message"],
            "additionalProperties": False,
        },
    ),
}  # fmt: skip


def _client(description, properties=None, required=()):
    schema = {
        "type": "object",
        "properties": {"type": STR, **(properties or {})},
        "required": ["type", *required],
        "additionalProperties": False,
    }
    return description, schema


CLIENT_MESSAGES = {
    "join": _client("player: join (guests send a `nickname`)", {"nickname": {"type": "string", "maxLength": 20}}),
    "answer": _client("player: answer the open question `seq`", {"seq": INT, **RESPONSE_FIELDS}, ["seq"]),
    "start": _client("host: leave the lobby, open the first question"),
    "next": _client("host: open the next question (after the last: finish)"),
    "close": _client("host: close answering now"),
    "pause": _client("host: freeze the question's clock"),
    "resume": _client("host: continue with the time that was left"),
    "end": _client("host: finish the game now"),
    "kick": _client("host: remove a player (who cannot come back)", {"player": STR}, ["player"]),
    "lock": _client("host: lock or unlock the room for late joiners", {"locked": BOOL}, ["locked"]),
    "void": _client("host: void a question (all standings recomputed)", {"seq": INT}, ["seq"]),
    "rescore": _client("host: correct a question's key (all standings recomputed)", {"seq": INT, "correct": {"type": "array", "items": STR}}, ["seq", "correct"]),
}  # fmt: skip


def server_schema(message_type: str) -> dict:
    return SERVER_MESSAGES[message_type][1]


def client_schema(message_type: str) -> dict:
    return CLIENT_MESSAGES[message_type][1]


def render_markdown() -> str:
    """docs/protocol.md, from this catalogue (``python -m contests.protocol``)."""
    import json

    lines = [
        "# The live-contest WebSocket protocol",
        "",
        "Generated from `contests/protocol.py` by `python -m contests.protocol > docs/protocol.md`;",
        "a test checks that this page is current and that every message the engine sends",
        "matches its schema. The public contract is `../shared/PROTOCOL.md`; this page is its",
        "complete, current form.",
        "",
        "Connect to `/ws/contests/{pin}/?role=player|host|screen` with the session cookie or",
        "`Authorization: Token <key>` and an `Origin` of an allowed host. Every message is a",
        "JSON object with a `type`; times are server epoch milliseconds. The correct answer is",
        "sent only in `reveal`.",
        "",
        "## Client → server",
        "",
        "| type | what |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {text} |" for name, (text, _schema) in CLIENT_MESSAGES.items()]
    lines += ["", "## Server → client", "", "| type | what |", "|---|---|"]
    lines += [f"| `{name}` | {text} |" for name, (text, _schema) in SERVER_MESSAGES.items()]
    lines += ["", "## Schemas", ""]
    for title, catalogue in (("Client", CLIENT_MESSAGES), ("Server", SERVER_MESSAGES)):
        for name, (_text, schema) in catalogue.items():
            lines += [f"### {title}: `{name}`", "", "```json"]
            lines += [json.dumps(schema, ensure_ascii=False, indent=2), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")
