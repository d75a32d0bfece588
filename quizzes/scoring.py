"""
Grading, as pure functions: no ORM, no clock. Formats (version 1):

- an answer key (``Question.answer``): single/multiple ``["A", "C"]`` (original
  option keys); truefalse ``[true]`` or ``[false]``; fill ``[["民主集中制"], ["十八", "18"]]``
  (one list of accepted variants per blank, in order);
- a response (``Answer.response``): ``{"choices": ["B"]}`` (original keys) for
  single/multiple, ``{"choices": ["true"]}`` or ``["false"]`` for truefalse,
  ``{"blanks": ["…", "…"]}`` for fill.

Single, multiple and truefalse are all or nothing; fill earns points per
correct blank.
"""

import re
import unicodedata
from dataclasses import dataclass

SINGLE, MULTIPLE, TRUEFALSE, FILL = "single", "multiple", "truefalse", "fill"
BLANK = "（　）"
BLANK_PATTERN = re.compile(r"（\s*）|\(\s*\)|_{2,}")
_SPACES = re.compile(r"\s+")
_PUNCTUATION_AT_ENDS = "。．.，,；;：:！!？?、"


def normalise_text(value: str) -> str:
    """Full-width → half-width (NFKC), no whitespace, case-folded, end punctuation dropped."""
    value = unicodedata.normalize("NFKC", value or "")
    value = _SPACES.sub("", value).casefold().strip(_PUNCTUATION_AT_ENDS)
    # casefolding and dropping spaces can leave a decomposed sequence behind
    return unicodedata.normalize("NFKC", value)


def normalise_stem(stem: str) -> str:
    """The duplicate-detection form of a stem: blanks, spaces and punctuation removed."""
    value = BLANK_PATTERN.sub("", unicodedata.normalize("NFKC", stem or ""))
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def blank_count(stem: str) -> int:
    return len(BLANK_PATTERN.findall(stem or ""))


@dataclass(frozen=True)
class Grade:
    correct: bool
    fraction: float  # 0..1 of the question's points


def grade(kind: str, key: list, response: dict | None) -> Grade:
    response = response or {}
    if kind in (SINGLE, MULTIPLE):
        chosen = response.get("choices") or []
        right = sorted(set(chosen)) == sorted(set(key)) and len(chosen) == len(set(chosen))
        return Grade(right, 1.0 if right else 0.0)
    if kind == TRUEFALSE:
        chosen = response.get("choices") or []
        right = len(chosen) == 1 and chosen[0] == ("true" if key[0] else "false")
        return Grade(right, 1.0 if right else 0.0)
    if kind == FILL:
        given = response.get("blanks") or []
        hits = sum(
            1
            for index, variants in enumerate(key)
            if index < len(given)
            and normalise_text(given[index]) in {normalise_text(v) for v in variants}
        )
        fraction = hits / len(key) if key else 0.0
        return Grade(hits == len(key), fraction)
    raise ValueError(f"unknown question kind {kind!r}")


def points_for(grade_: Grade, points: int) -> float:
    return round(points * grade_.fraction, 2)
