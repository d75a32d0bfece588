"""
The periods points are totalled by, and their keys.

A key names one period of one kind: ``2026-12`` (month), ``2026-Q4`` (quarter),
``2026`` (year), ``2026-W49`` (ISO week, Monday to Sunday) and ``all``. An event
counts in the periods of its ``day`` (the local date it was written), so a
correction made in December counts in December even when it corrects a
November entry.
"""

from datetime import date, timedelta

#: The kinds a leaderboard can be asked for, in the order pages show them.
RANKED_KINDS = ("month", "quarter", "year", "all")
#: Every kind an aggregate is kept for (the week serves "change since last week").
KINDS = (*RANKED_KINDS, "week")


def period_key(kind: str, day: date) -> str:
    """The key of the ``kind`` period that contains ``day``."""
    if kind == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if kind == "year":
        return f"{day.year:04d}"
    if kind == "week":
        iso = day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    if kind == "all":
        return "all"
    raise ValueError(f"unknown period kind: {kind!r}")


def period_keys(day: date) -> tuple[str, ...]:
    """The keys of every kept period that contains ``day`` (one per kind)."""
    return tuple(period_key(kind, day) for kind in KINDS)


def period_start(kind: str, day: date) -> date | None:
    """The first day of the ``kind`` period containing ``day`` (None for ``all``)."""
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if kind == "year":
        return date(day.year, 1, 1)
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "all":
        return None
    raise ValueError(f"unknown period kind: {kind!r}")
