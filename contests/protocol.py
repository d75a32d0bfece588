"""
The WebSocket message catalogue: a JSON Schema for every message a client may
send and every message the server sends (PROTOCOL.md, extended). ``docs/protocol.md``
is written from this module's descriptions and a test validates every message the
engine emits against these schemas, so the documentation cannot drift.
"""

#: WebSocket close codes the server uses (4000–4999: the application's own).
#: A refusal: an ``error`` message says why; the client must not reconnect.
CLOSE_REFUSED = 4403
#: The connection fell too far behind (its send queue was full): its queued frames
#: were dropped. Not a refusal: reconnect, and the ``state`` sent on connect has
#: everything that was missed.
CLOSE_TOO_SLOW = 4008

INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
MS = {"type": "integer", "description": "server epoch milliseconds"}
NULLABLE_MS = {"type": ["integer", "null"], "description": "server epoch milliseconds"}
GUEST = {"const": True, "description": "the name is a guest's nickname (absent for members)"}
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
        "guest": GUEST,
        "previous": {
            "type": ["integer", "null"],
            "description": "in a `scoreboard`: the rank at the previous scoreboard of this game "
            '(after a correction: at the last one sent); null when it had none (show "new")',
        },
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
        "answered": {
            "type": "boolean",
            "description": "answered the open (or just revealed) question",
        },
        "streak": {
            "type": "integer",
            "description": "right answers in a row up to the last reveal (0 after a wrong or missed one; corrections applied)",
        },
    },
    "required": ["name", "score", "rank", "answered", "streak"],
    "additionalProperties": False,
}
FINAL_YOU = {
    "type": "object",
    "description": "a player's own copy only: where they finished",
    "properties": {
        "name": STR,
        "score": INT,
        "rank": INT,
        "streak": {"type": "integer", "description": "right answers in a row at the end"},
        "correct": {"type": "integer", "description": "right answers"},
        "answered": {"type": "integer", "description": "questions answered"},
        "asked": {"type": "integer", "description": "questions asked (voided ones not counted)"},
    },
    "required": ["name", "score", "rank", "streak", "correct", "answered", "asked"],
    "additionalProperties": False,
}
ROSTER = {
    "type": "array",
    "description": "HOST ONLY: who is in, newest first, at most the newest 500 (`players` is the "
    "whole count); a kicked player is gone from it. `player` is the id `kick` takes.",
    "maxItems": 500,
    "items": {
        "type": "object",
        "properties": {
            "player": STR,
            "name": STR,
            "branch": {
                "type": ["string", "null"],
                "description": "a member's branch (null for a guest)",
            },
            "guest": BOOL,
        },
        "required": ["player", "name", "branch", "guest"],
        "additionalProperties": False,
    },
}

NAME = {"type": "string", "description": "a team's name"}
NAMES = {"type": "array", "items": STR}
NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
ROUND_FORMAT = {"enum": ["bida", "qiangda", "risk", "tiebreak"]}
STEP = {"enum": ["lobby", "staking", "reading", "buzzing", "answering", "reveal", "finished"]}
JUDGE_RESULT = {"enum": ["right", "wrong", "partial"]}
KEY_FOR_JUDGE = {
    "type": "array",
    "items": STR,
    "description": "HOST ONLY, for the judge: the correct answer before the reveal",
}
SCORES = {"type": "array", "items": TEAM, "description": "every team, best first; ties share a rank"}  # fmt: skip
STAGE_QUESTION = {
    "type": "object",
    "properties": {
        "seq": INT,
        "round": INT,
        "number": INT,
        "of": INT,
        "kind": {"enum": ["single", "multiple", "truefalse", "fill"]},
        "text": STR,
        "options": {"type": "array", "items": OPTION},
        "blanks": INT,
        "points": NULLABLE_INT,
        "correct": {"type": "array", "items": STR, "description": "only once the question is revealed"},
    },
    "required": ["seq", "round", "number", "of", "kind", "text", "options", "blanks", "points"],
    "additionalProperties": False,
}  # fmt: skip
ENTRY = {
    "type": "object",
    "properties": {
        "id": INT,
        "at": MS,
        "round": INT,
        "seq": INT,
        "team": NULLABLE_STR,
        "kind": {"enum": ["answer", "early_buzz", "timeout", "void", "correction"]},
        "result": {"enum": ["right", "wrong", "partial", "timeout", "early", "void"]},
        "delta": {"type": "integer", "description": "what the decision is worth (a correction: what the corrected entry is now worth)"},
        "by": {"enum": ["judge", "auto", "system"]},
        "corrects": INT,
        "response": {"type": "object", "properties": RESPONSE_FIELDS, "additionalProperties": False},
        "effective": {"type": "integer", "description": "what the entry counts now (0 once voided or corrected away)"},
    },
    "required": ["id", "at", "round", "seq", "team", "kind", "result", "delta", "by", "effective"],
    "additionalProperties": False,
}  # fmt: skip
STAKE = {
    "type": "object",
    "properties": {"seq": INT, "team": NAME, "points": INT},
    "required": ["seq", "team", "points"],
    "additionalProperties": False,
}
STAGE_TEAM = {
    "type": "object",
    "properties": {
        "name": NAME,
        "mode": {"enum": ["captain", "members"]},
        "captain": NULLABLE_STR,
        "captain_guest": {"const": True, "description": "the captain is a guest"},
        "score": INT,
        "rank": INT,
        "members": INT,
        "captain_id": NULLABLE_STR,
        "players": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": STR, "name": STR, "guest": GUEST},
                "required": ["id", "name"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["name", "mode", "captain", "score", "rank", "members"],
    "additionalProperties": False,
}
STAGE = {
    "type": "object",
    "description": "on-stage rounds: what this viewer may see (stakes of other teams only once revealed)",
    "properties": {
        "round": INT,
        "rounds": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"title": STR, "format": ROUND_FORMAT},
                "required": ["title", "format"],
                "additionalProperties": False,
            },
        },
        "format": {"enum": ["bida", "qiangda", "risk", "tiebreak", None]},
        "title": {"type": ["string", "null"], "description": "the round's title; empty for the tie-break (name it by `format`)"},
        "step": STEP,
        "team": NULLABLE_STR,
        "order": NAMES,
        "eligible": NAMES,
        "teams": {"type": "array", "items": STAGE_TEAM},
        "ends_at": NULLABLE_MS,
        "tie": {"type": "boolean", "description": "the last round ended with a tie for first place: the host may start the tie-break"},
        "stakes": {"type": "array", "items": STAKE},
        "allowed_stakes": {"type": "array", "items": INT},
        "question": STAGE_QUESTION,
        "buzzer": {
            "type": "object",
            "properties": {
                "state": {"enum": ["closed", "open", "won"]},
                "ends_at": NULLABLE_MS,
                "eligible": NAMES,
                "team": NULLABLE_STR,
                "margin_ms": NULLABLE_INT,
            },
            "required": ["state"],
            "additionalProperties": False,
        },
        "judge_key": KEY_FOR_JUDGE,
        "audit": {"type": "array", "items": ENTRY, "description": "host only"},
        "you": {
            "type": "object",
            "properties": {
                "name": STR,
                "team": NULLABLE_STR,
                "captain": BOOL,
                "spectator": BOOL,
                "can_act": {"type": "boolean", "description": "may buzz, stake or answer right now"},
            },
            "required": ["name", "team", "captain", "spectator", "can_act"],
            "additionalProperties": False,
        },
    },
    "required": ["round", "rounds", "format", "title", "step", "team", "order", "eligible", "teams", "ends_at", "tie", "stakes"],
    "additionalProperties": False,
}  # fmt: skip

#: type → (who sends it, when, schema)
SERVER_MESSAGES = {
    "state": (
        "Full snapshot: sent on every (re)connect, in answer to `join`, and on pause. "
        "`question`/`ends_at` while a question is open; `scoreboard` after a reveal; "
        "`you` for a joined player (with `streak`); `answered` (this question's count) and "
        "`roster` for the host. On-stage contests "
        "(`format: stage`) carry their state in `stage` instead of `question`/`scoreboard`/`you`.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "state"},
                "server_now": MS,
                "phase": {"enum": ["lobby", "question", "paused", "reveal", "finished"]},
                "seq": INT,
                "total": INT,
                "format": {"enum": ["classic", "team", "stage"]},
                "locked": BOOL,
                "players": INT,
                "question": QUESTION,
                "ends_at": NULLABLE_MS,
                "scoreboard": SCOREBOARD,
                "answered": {"type": "integer", "description": "host only: how many answered the current question (0 when it opens)"},
                "roster": ROSTER,
                "you": YOU,
                "stage": STAGE,
            },
            "required": ["type", "server_now", "phase", "seq", "players"],
            "additionalProperties": False,
        },
    ),
    "lobby": (
        "Who is in: a count and the latest names; `recent_guests` says, name by name, "
        "which of them are guests. The host's copy alone carries the `roster`.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "lobby"},
                "players": INT,
                "recent": {"type": "array", "items": STR},
                "recent_guests": {"type": "array", "items": BOOL, "description": "parallel to `recent`: true for a guest"},
                "roster": ROSTER,
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
        "(`late`, `duplicate`, `closed`, `invalid`, `kicked`: the host removed the player; "
        "`unavailable`: not stored, the server is recovering from a fault — send it again; "
        "on stage also `locked`: not this device's turn). `accepted: true` is a promise: "
        "the answer is stored in the database before it is acknowledged.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "answer_ack"},
                "seq": INT,
                "accepted": BOOL,
                "reason": {"enum": ["late", "duplicate", "closed", "invalid", "kicked", "unavailable", "locked"]},
            },
            "required": ["type", "seq", "accepted"],
            "additionalProperties": False,
        },
    ),
    "connection": (
        "The server's own link to the room: `reconnecting` while its channel layer or store "
        "is away (the socket stays open; show \"重新连接中\"), `ok` when it is back — a fresh "
        "`state` follows at once.",
        {
            "type": "object",
            "properties": {"type": {"const": "connection"}, "status": {"enum": ["reconnecting", "ok"]}},
            "required": ["type", "status"],
            "additionalProperties": False,
        },
    ),
    "progress": (
        "To the host, at most 4 times a second while a question is open: how many have answered "
        "question `seq` (a new question starts at 0: reset the count on `question`).",
        {
            "type": "object",
            "properties": {"type": {"const": "progress"}, "seq": INT, "answered": INT, "players": INT},
            "required": ["type", "seq", "answered", "players"],
            "additionalProperties": False,
        },
    ),
    "reveal": (
        "The question closes: the correct answer, the distribution, how many answered and "
        "how many right; "
        "to a player also `you`. A `scoreboard` follows every reveal (on stage: no "
        "distribution, no scoreboard — the standings come in `verdict`).",
        {
            "type": "object",
            "properties": {
                "type": {"const": "reveal"},
                "seq": INT,
                "correct": {"type": "array", "items": STR},
                "distribution": {"type": "object", "additionalProperties": INT},
                "answered": INT,
                "right": {
                    "type": "integer",
                    "description": "how many answered it right (all of a 多选's keys, every blank)",
                },
                "voided": BOOL,
                "you": {
                    "type": "object",
                    "properties": {
                        "correct": BOOL,
                        "answered": BOOL,
                        "points": INT,
                        "score": INT,
                        "rank": INT,
                        "streak": {"type": "integer", "description": "right answers in a row, this one included (0 after a wrong or missed one)"},
                    },
                    "required": ["correct", "points", "score", "rank", "streak"],
                    "additionalProperties": False,
                },
            },
            "required": ["type", "seq", "correct", "distribution"],
            "additionalProperties": False,
        },
    ),
    "scoreboard": (
        "Top 10 (and teams in the team format), after each reveal or correction; each entry's "
        "`previous` rank shows the movement since the last scoreboard (▲2 / ▼1 / new). After a "
        "correction (void, rescore) at a reveal, a player's own copy also carries `you`: the "
        "own score, rank and streak recounted.",
        {
            **SCOREBOARD,
            "properties": {**SCOREBOARD["properties"], "you": YOU},
        },
    ),
    "finished": (
        "The game is over: the podium (ties share a rank) and, for teams, the final order; "
        "a player's own copy also `you` (final rank, score, streak, right answers of asked).",
        {
            "type": "object",
            "properties": {
                "type": {"const": "finished"},
                "podium": {"type": "array", "items": RANKED},
                "teams": {"type": "array", "items": TEAM},
                "you": FINAL_YOU,
            },
            "required": ["type", "podium"],
            "additionalProperties": False,
        },
    ),
    "turn": (
        "On stage, to everyone: a question's turn begins (必答: whose turn, answering at once; "
        "抢答/加赛: `reading`, the buzzer still closed; 风险题: `staking`, the question hidden, "
        "then `answering` once staked). The round's `order`, who is `eligible`, `ends_at` of "
        "the step. The host's copy alone carries `judge_key`.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "turn"},
                "seq": INT,
                "round": INT,
                "format": ROUND_FORMAT,
                "title": {"type": "string", "description": "empty for the tie-break: name it by `format`"},
                "number": INT,
                "of": INT,
                "step": {"enum": ["staking", "reading", "answering"]},
                "team": NULLABLE_STR,
                "order": NAMES,
                "eligible": NAMES,
                "ends_at": NULLABLE_MS,
                "server_now": MS,
                "question": STAGE_QUESTION,
                "stakes": {"type": "array", "items": INT, "description": "风险题: the allowed stakes"},
                "judge_key": KEY_FOR_JUDGE,
            },
            "required": ["type", "seq", "round", "format", "title", "number", "of", "step", "team", "order", "eligible", "ends_at", "server_now"],
            "additionalProperties": False,
        },
    ),
    "buzzer": (
        "On stage, to everyone: the buzzer `open` (until `ends_at`, for the `eligible` teams), "
        "`won` by `team` (`margin_ms` ahead of the second buzz, or null; `ends_at` of the answer), "
        "`early` (a buzz before the signal by `team`: `delta`, and `voided` if it voids the "
        "question) or `closed` (nobody buzzed).",
        {
            "type": "object",
            "properties": {
                "type": {"const": "buzzer"},
                "seq": INT,
                "state": {"enum": ["open", "won", "early", "closed"]},
                "ends_at": MS,
                "eligible": NAMES,
                "team": NAME,
                "margin_ms": NULLABLE_INT,
                "delta": INT,
                "voided": BOOL,
                "server_now": MS,
            },
            "required": ["type", "seq", "state", "server_now"],
            "additionalProperties": False,
        },
    ),
    "buzz_result": (
        "On stage: an accepted buzz (`at`, server receipt time) to the team's members; a refused "
        "one to the buzzing player (`early`, `closed`, `duplicate`, `answered`, `not_eligible`, "
        "`not_captain`, `spectator`). The floor is announced by `buzzer`.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "buzz_result"},
                "seq": INT,
                "team": NULLABLE_STR,
                "accepted": BOOL,
                "at": MS,
                "reason": {"enum": ["early", "closed", "duplicate", "answered", "not_eligible", "not_captain", "spectator"]},
            },
            "required": ["type", "seq", "team", "accepted", "at"],
            "additionalProperties": False,
        },
    ),
    "stake_ack": (
        "风险题: a stake taken (`auto` when the time ran out: the smallest) to the team's members "
        "and the host only — others learn it at the reveal; a refusal to the player (`closed`, "
        "`late`, `invalid`, `not_your_turn`, `not_captain`, `spectator`).",
        {
            "type": "object",
            "properties": {
                "type": {"const": "stake_ack"},
                "seq": INT,
                "accepted": BOOL,
                "team": NAME,
                "points": INT,
                "auto": BOOL,
                "reason": {"enum": ["closed", "late", "invalid", "not_your_turn", "not_captain", "spectator"]},
            },
            "required": ["type", "seq", "accepted"],
            "additionalProperties": False,
        },
    ),
    "verdict": (
        "On stage, to everyone: a decision entered the audit log (an answer judged or graded "
        "`auto`, an early buzz, a time-out, a void, a correction): `delta` of `team`'s score, "
        "every team's score change in `changes`, the new standings in `scores`; the stake once "
        "the question is revealed.",
        {
            "type": "object",
            "properties": {
                "type": {"const": "verdict"},
                "seq": INT,
                "round": INT,
                "entry": INT,
                "kind": ENTRY["properties"]["kind"],
                "team": NULLABLE_STR,
                "result": ENTRY["properties"]["result"],
                "delta": INT,
                "by": ENTRY["properties"]["by"],
                "corrects": INT,
                "stake": INT,
                "changes": {"type": "object", "additionalProperties": INT},
                "scores": SCORES,
            },
            "required": ["type", "seq", "round", "entry", "kind", "team", "result", "delta", "by", "changes", "scores"],
            "additionalProperties": False,
        },
    ),
    "audit": (
        "On stage, to the host only: the audit entries added or changed (a corrected entry's "
        "`effective` points); replace entries by `id`.",
        {
            "type": "object",
            "properties": {"type": {"const": "audit"}, "entries": {"type": "array", "items": ENTRY}},
            "required": ["type", "entries"],
            "additionalProperties": False,
        },
    ),
    "error": (
        "A refusal: `code` for programs (stable), `reason` (optional) which rule refused, "
        "`message` for people, in the user's language (from the translation catalogue). "
        "A `join` refused keeps the socket open: `locked` (the room is locked; `reason: lobby` "
        "when locked before the start; no `state` with `you` follows — show the refusal), "
        "`finished`, `kicked`, `nickname`.",
        {
            "type": "object",
            "properties": {"type": {"const": "error"}, "code": STR, "reason": STR, "message": STR},
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
    "join": _client("player: join (guests send a `nickname`; on stage, a player whose branch fields no team may ask for an ad-hoc `team`)", {"nickname": {"type": "string", "maxLength": 20}, "team": {"type": "string", "maxLength": 100}}),
    "answer": _client("player: answer the open question `seq`", {"seq": INT, **RESPONSE_FIELDS}, ["seq"]),
    "start": _client("host: leave the lobby, open the first question"),
    "next": _client("host: open the next question (after the last: finish; on stage with a tie for first place: refused with `tie`, start the `tiebreak` or `end`)"),
    "close": _client("host: close answering now (on stage: the open window — the buzzer decides or closes, the answer times out, the smallest stake is taken)"),
    "pause": _client("host: freeze the question's clock"),
    "resume": _client("host: continue with the time that was left"),
    "end": _client("host: finish the game now"),
    "kick": _client("host: remove a player (who cannot come back)", {"player": STR}, ["player"]),
    "lock": _client("host: lock or unlock the room for late joiners", {"locked": BOOL}, ["locked"]),
    "void": _client("host: void a question (all standings recomputed; on stage an open question ends)", {"seq": INT}, ["seq"]),
    "rescore": _client("host: correct a question's key (all standings recomputed)", {"seq": INT, "correct": {"type": "array", "items": STR}}, ["seq", "correct"]),
    "buzz": _client("team captain (抢答/加赛): buzz on the question `seq`", {"seq": INT}, ["seq"]),
    "stake": _client("team captain (风险题): stake `points` on the question `seq` before it shows", {"seq": INT, "points": INT}, ["seq", "points"]),
    "open_buzzer": _client("host (抢答/加赛): \"请抢答\", the buzzer opens"),
    "judge": _client("host as judge: the verdict on the spoken answer of the team holding the floor", {"result": JUDGE_RESULT}, ["result"]),
    "correct": _client("host as judge: change an earlier verdict (audit entry id; all standings recomputed)", {"entry": INT, "result": JUDGE_RESULT}, ["entry", "result"]),
    "tiebreak": _client("host: start the tie-break after a last round that ended with a tie for first place"),
    "captain": _client("host: make `player` the captain of `team`", {"team": STR, "player": STR}, ["team", "player"]),
}  # fmt: skip

#: server messages the runtime sends, not the engines: the host's answered count, and
#: the server's own link to the room after a fault
RUNTIME_ONLY = frozenset({"progress", "connection"})

#: server messages only on-stage contests send (besides `state`, `lobby`, `answer_ack`,
#: `reveal`, `finished` and `error`, which both kinds send)
STAGE_ONLY = frozenset({"turn", "buzzer", "buzz_result", "stake_ack", "verdict", "audit"})


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
        "a test checks that this page is current and that every message the engines send",
        "matches its schema. The public contract is `../shared/PROTOCOL.md`; this page is its",
        "complete, current form.",
        "",
        "Connect to `/ws/contests/{pin}/?role=player|host|screen` with the session cookie or",
        "`Authorization: Token <key>` and an `Origin` of an allowed host. Every message is a",
        "JSON object with a `type`; times are server epoch milliseconds. The correct answer is",
        "sent only in `reveal` — and, in on-stage contests, to the host alone as `judge_key`",
        "(the host is the judge). A risk stake goes to its team and the host until the reveal.",
        "",
        "On-stage contests (`format: stage`: 必答 `bida`, 抢答 `qiangda`, 风险题 `risk`, 加赛",
        "`tiebreak`) are played by a few teams whose captains buzz and stake; the host reads,",
        "opens the buzzer and judges, and every decision is in an audit log.",
        "",
        "## Close codes",
        "",
        "| code | why | the client |",
        "|---|---|---|",
        f"| `{CLOSE_REFUSED}` | refused (an `error` message came first: `forbidden`, `not_found`, `inactive`, …) | does not reconnect |",
        f"| `{CLOSE_TOO_SLOW}` | too slow: the connection's send queue on the server was full (a phone that stopped reading), its queued messages were dropped | reconnects; the `state` on connect carries everything missed |",
        "| other | the server went away, the network dropped | reconnects with backoff |",
        "",
        "A phone that stopped reading may see only the connection drop, not the code.",
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
