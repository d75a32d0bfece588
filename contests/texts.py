"""
What people read of the contest core's refusals: the one table from an ``error``
frame's code to its text in the translation catalogue.

The engines (``engine``, ``stage``) are pure and send codes only:
``{"type": "error", "code": "phase", "reason": "started"}`` — ``code`` is what a
program tells apart (and stays stable), ``reason`` (optional) says which rule
refused, for a more precise text. The edge (the runtime's dispatch, the consumer)
calls ``localise`` on every frame it sends, which fills ``message`` in the active
language; the ``error`` schema in ``protocol`` requires it.

Keys are ``code`` or ``code.reason``; ``localise`` looks for ``code.reason``, then
``code``, then falls back to a generic text. A text may use the frame's other
fields as ``%(name)s`` placeholders.
"""

from __future__ import annotations

import contextlib

from django.utils.translation import gettext_lazy

GENERIC = gettext_lazy("This cannot be done right now.")

TEXTS = {
    # the engines (contests/engine.py, contests/stage.py)
    "unsupported": gettext_lazy("This contest does not support this action."),
    "kicked": gettext_lazy("The host has removed you from this contest."),
    "kicked.captain": gettext_lazy("This player has been removed from the contest."),
    "locked": gettext_lazy("The contest has started and the room is locked."),
    "locked.lobby": gettext_lazy("The host has locked the room; no one else can join now."),
    "finished": gettext_lazy("The contest is over."),
    "join": gettext_lazy("Join the contest first."),
    "empty": gettext_lazy("There are no questions."),
    "phase": gettext_lazy("This cannot be done at this point of the contest."),
    "phase.started": gettext_lazy("The contest has already started."),
    "phase.no_question": gettext_lazy("No question is open."),
    "phase.question_open": gettext_lazy("Close this question first."),
    "phase.not_answering": gettext_lazy("Pausing is possible only while a question is open."),
    "phase.not_paused": gettext_lazy("The contest is not paused."),
    "phase.no_timer": gettext_lazy("No countdown is running that could be ended now."),
    "phase.not_reading": gettext_lazy("The buzzer cannot be opened now."),
    "phase.nobody_answering": gettext_lazy("No team is answering now."),
    "phase.finished": gettext_lazy("The contest is over."),
    "phase.tiebreak_started": gettext_lazy("The tie-break has already started."),
    "phase.rounds_not_over": gettext_lazy("The tie-break can start only after the last round."),
    "unknown_player": gettext_lazy("There is no such player."),
    "seq": gettext_lazy("Only a question already asked can be changed."),
    "seq.void": gettext_lazy("Only a question already asked can be voided."),
    "seq.rescore": gettext_lazy("Only a question already asked can be corrected."),
    "voided": gettext_lazy("This question has already been voided."),
    "result": gettext_lazy("A verdict is right, wrong or partly right."),
    "entry": gettext_lazy("There is no such entry."),
    "entry.not_answer": gettext_lazy("Only the verdict on an answer can be corrected."),
    "unchanged": gettext_lazy("The verdict is unchanged."),
    "reserve": gettext_lazy("There are no reserve questions; the tie-break cannot be held."),
    "reserve.used_up": gettext_lazy("The reserve questions are used up; end the contest."),
    "tie": gettext_lazy("First place is tied: start the tie-break, or end the contest."),
    "no_tie": gettext_lazy("First place is not tied; no tie-break is needed."),
    "team": gettext_lazy("There is no such team."),
    "captain": gettext_lazy("This player belongs to another team."),
    # the edge (contests/consumers.py, contests/runtime.py)
    "not_found": gettext_lazy("There is no such contest; check the PIN."),
    "forbidden": gettext_lazy("You may not enter this contest in this role."),
    "forbidden.action": gettext_lazy("Your role may not do this."),
    "inactive": gettext_lazy("This account has been deactivated."),
    "too_large": gettext_lazy("The message is too large."),
    "rate_limited": gettext_lazy("Too many actions; please wait a moment."),
    "invalid": gettext_lazy("The message is not well formed."),
    "nickname": gettext_lazy("Choose another nickname (not empty, not taken by someone else)."),
    "password_change_required": gettext_lazy("Change your password before you join."),
    "reconnecting": gettext_lazy("Reconnecting…"),
    "unavailable": gettext_lazy("The contest is unavailable right now; please try again shortly."),
}


def text_for(code: str, reason: str | None = None, params: dict | None = None) -> str:
    """The text for ``code`` (and ``reason``) in the active language; ``params``
    fill its placeholders."""
    text = TEXTS.get(f"{code}.{reason}") if reason else None
    if text is None:
        text = TEXTS.get(code, GENERIC)
    text = str(text)
    if params and "%(" in text:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            text = text % params
    return text


def localise(message: dict) -> dict:
    """``message`` as people read it: an ``error`` frame gets its ``message`` (the
    text in the active language; a copy, the argument is not changed); other
    frames are returned as they are. Call it at the edge, once per frame sent (and
    per language, for a frame sent to many)."""
    if message.get("type") != "error":
        return message
    params = {k: v for k, v in message.items() if k not in ("type", "code", "reason", "message")}
    return {**message, "message": text_for(message["code"], message.get("reason"), params)}
