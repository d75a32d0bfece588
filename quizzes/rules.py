"""
A drawn paper's rules (``Quiz.rules``), as pure functions: no ORM, no clock.

Format (version 1), a JSON list with one object per rule::

    [{"kind": "single", "count": 10, "points": 2, "category": "党章党规",
      "min_difficulty": 1, "max_difficulty": 3, "tag": "二十大"}, …]

``kind`` and ``count`` are required; ``points`` defaults to 1, ``category`` and
``tag`` to "any" (absent, null or ""), the difficulties to 1 and 5.

Rules may overlap ("单选 ×10" and "单选 党章党规 ×5" both want 党章 singles) and a
question is drawn at most once, so whether a paper can be filled is not a per-rule
question, and drawing rule after rule can fail where a paper exists. The questions
are grouped by *signature*, the set of rules each one matches; the paper can be
filled iff the max flow source → rule (capacity: its count) → signature class (when
the rule is in the signature) → sink (capacity: the class's size) saturates every
count. ``allocate`` solves it; the check (``quizzes.papers``) and the draw
(``draw``, used by ``quizzes.services.draw_questions``) both rest on it, so a paper
the check accepts is always drawn.
"""

import random
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .scoring import FILL, MULTIPLE, SINGLE, TRUEFALSE

KINDS = (SINGLE, MULTIPLE, TRUEFALSE, FILL)
KIND_LABELS = {
    SINGLE: gettext_lazy("Single choice"),
    MULTIPLE: gettext_lazy("Multiple choice"),
    TRUEFALSE: gettext_lazy("True or false"),
    FILL: gettext_lazy("Fill in the blank"),
}
MAX_RULES = 50
MAX_COUNT = 200
MAX_POINTS = 100
MAX_TEXT = 50
FIELDS = ("kind", "count", "points", "category", "min_difficulty", "max_difficulty", "tag")

#: The set of rules (their indexes) a question matches.
Signature = frozenset[int]


class Candidate(NamedTuple):
    """A question as the rules see it (one row of the banks' active questions)."""

    id: int
    kind: str
    category: str
    difficulty: int
    tags: Sequence[str] = ()


@dataclass(frozen=True)
class Rule:
    kind: str
    count: int
    points: int = 1
    category: str | None = None
    min_difficulty: int = 1
    max_difficulty: int = 5
    tag: str | None = None

    def matches(self, question: Candidate) -> bool:
        return (
            question.kind == self.kind
            and (self.category is None or question.category == self.category)
            and self.min_difficulty <= question.difficulty <= self.max_difficulty
            and (self.tag is None or self.tag in (question.tags or ()))
        )

    def to_json(self) -> dict[str, Any]:
        """The stored form (version 1), defaults left out."""
        data: dict[str, Any] = {"kind": self.kind, "count": self.count, "points": self.points}
        if self.category is not None:
            data["category"] = self.category
        if self.min_difficulty != 1:
            data["min_difficulty"] = self.min_difficulty
        if self.max_difficulty != 5:
            data["max_difficulty"] = self.max_difficulty
        if self.tag is not None:
            data["tag"] = self.tag
        return data


def rule_label(index: int) -> str:
    """“第3条规则” for the rule at ``index`` (from 0)."""
    return _("Rule %(n)d") % {"n": index + 1}


class RuleErrors(ValueError):
    """Rules that do not parse. ``errors`` has one dict per rule given (empty when
    that rule is fine): field → message; ``general`` is about the list itself."""

    def __init__(self, errors: list[dict[str, str]], general: str = ""):
        self.errors = errors
        self.general = general
        parts = [general] if general else []
        for index, fields in enumerate(errors):
            if fields:
                parts.append(
                    _("%(rule)s: %(problem)s")
                    % {"rule": rule_label(index), "problem": "；".join(fields.values())}
                )
        super().__init__("；".join(parts))


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> tuple[str | None, bool]:
    """(the text or None for "any", ok)."""
    if value is None:
        return None, True
    if not isinstance(value, str) or len(value.strip()) > MAX_TEXT:
        return None, False
    return value.strip() or None, True


def parse_rule(data: Any) -> tuple[Rule | None, dict[str, str]]:
    """One rule from its JSON, or None and the message of each field in error."""
    if not isinstance(data, dict):
        return None, {"rule": _("A rule is an object with a kind and a count.")}
    errors: dict[str, str] = {}
    for field in data:
        if field not in FIELDS:
            errors[str(field)] = _("Unknown field.")
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = _("Choose the kind: single, multiple, truefalse or fill.")
    count = _whole(data.get("count"))
    if count is None or not 1 <= count <= MAX_COUNT:
        errors["count"] = _("The count is a whole number from 1 to %(max)d.") % {"max": MAX_COUNT}
    points = _whole(data.get("points", 1))
    if points is None or not 1 <= points <= MAX_POINTS:
        errors["points"] = _("The points are a whole number from 1 to %(max)d.") % {
            "max": MAX_POINTS
        }
    category, ok = _text(data.get("category"))
    if not ok:
        errors["category"] = _("The category is a text of at most %(max)d characters.") % {
            "max": MAX_TEXT
        }
    tag, ok = _text(data.get("tag"))
    if not ok:
        errors["tag"] = _("The tag is a text of at most %(max)d characters.") % {"max": MAX_TEXT}
    difficulty = {}
    for field, default in (("min_difficulty", 1), ("max_difficulty", 5)):
        raw = data.get(field)
        value = default if raw in (None, "") else _whole(raw)
        if value is None or not 1 <= value <= 5:
            errors[field] = _("The difficulty is a whole number from 1 to 5.")
        difficulty[field] = value
    if (
        "min_difficulty" not in errors
        and "max_difficulty" not in errors
        and difficulty["min_difficulty"] > difficulty["max_difficulty"]
    ):
        errors["max_difficulty"] = _("The highest difficulty is below the lowest.")
    if errors:
        return None, errors
    return Rule(
        kind=kind,
        count=count,
        points=points,
        category=category,
        min_difficulty=difficulty["min_difficulty"],
        max_difficulty=difficulty["max_difficulty"],
        tag=tag,
    ), {}


def parse_each(data: Any) -> tuple[list[Rule | None], list[dict[str, str]], str]:
    """Every rule parsed on its own (for an editor showing each rule's errors):
    (rules, None where in error; errors per rule; a problem with the list)."""
    if not isinstance(data, list):
        return [], [], _("The rules are a list of rules.")
    if len(data) > MAX_RULES:
        return [], [], _("A paper has at most %(max)d rules.") % {"max": MAX_RULES}
    parsed = [parse_rule(item) for item in data]
    return [rule for rule, _e in parsed], [errors for _r, errors in parsed], ""


def parse_rules(data: Any) -> list[Rule]:
    """The rules of ``data`` (version 1); raises RuleErrors with every message."""
    rules, errors, general = parse_each(data)
    if general or any(errors):
        raise RuleErrors(errors, general)
    return rules  # type: ignore[return-value]


# --- feasibility ---


def classify(rules: Sequence[Rule], candidates: Sequence[Candidate]) -> dict[Signature, list[int]]:
    """The candidates' ids by signature (questions no rule wants are left out), in
    the candidates' order."""
    classes: dict[Signature, list[int]] = {}
    for question in candidates:
        signature = frozenset(i for i, rule in enumerate(rules) if rule.matches(question))
        if signature:
            classes.setdefault(signature, []).append(question.id)
    return classes


@dataclass(frozen=True)
class Shortage:
    """Rules that together need more questions than they can share (a Hall
    violation): ``rules`` (indexes) need ``needed``, their questions number ``available``."""

    rules: tuple[int, ...]
    needed: int
    available: int


def _max_flow(counts: Sequence[int], classes: Mapping[Signature, int]):
    """Edmonds–Karp on source → rules → classes → sink. Returns (flow, residual
    capacities, nodes reachable from the source at the end). Deterministic: the
    classes are visited in a fixed order."""
    source, sink = ("s",), ("t",)
    infinite = sum(counts) + 1
    residual: dict[tuple, dict[tuple, int]] = defaultdict(dict)

    def edge(u, v, capacity):
        residual[u][v] = residual[u].get(v, 0) + capacity
        residual[v].setdefault(u, 0)

    for i, count in enumerate(counts):
        edge(source, ("r", i), count)
    for signature in sorted(classes, key=sorted):
        node = ("c", signature)
        for i in sorted(signature):
            if i < len(counts):
                edge(("r", i), node, infinite)
        edge(node, sink, classes[signature])
    flow = 0
    while True:
        parent: dict[tuple, tuple | None] = {source: None}
        queue = deque([source])
        while queue and sink not in parent:
            u = queue.popleft()
            for v, capacity in residual[u].items():
                if capacity > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            return flow, residual, set(parent)
        path = []
        v = sink
        while parent[v] is not None:
            path.append((parent[v], v))
            v = parent[v]
        bottleneck = min(residual[u][v] for u, v in path)
        for u, v in path:
            residual[u][v] -= bottleneck
            residual[v][u] += bottleneck
        flow += bottleneck


def allocate(
    counts: Sequence[int], classes: Mapping[Signature, int]
) -> dict[int, dict[Signature, int]] | None:
    """
    How many questions each rule takes from each signature class so that every
    rule gets ``counts[i]`` and no class gives more than its size; None when no
    such allocation exists. ``classes``: signature → size. Rules with a count of
    0 take nothing (the draw passes 0 for the rules already drawn).
    """
    flow, residual, _reached = _max_flow(counts, classes)
    if flow < sum(counts):
        return None
    allocation: dict[int, dict[Signature, int]] = {}
    for signature in classes:
        for i in signature:
            taken = residual.get(("c", signature), {}).get(("r", i), 0)
            if taken:
                allocation.setdefault(i, {})[signature] = taken
    return allocation


def shortage(counts: Sequence[int], classes: Mapping[Signature, int]) -> Shortage | None:
    """The rules that cannot all be filled together (the source side of a minimum
    cut), or None when the rules can be filled."""
    flow, _residual, reached = _max_flow(counts, classes)
    if flow >= sum(counts):
        return None
    rules = tuple(sorted(node[1] for node in reached if node[0] == "r"))
    available = sum(size for sig, size in classes.items() if ("c", sig) in reached)
    return Shortage(rules, sum(counts[i] for i in rules), available)


def sizes(classes: Mapping[Signature, Sequence[int]]) -> dict[Signature, int]:
    return {signature: len(ids) for signature, ids in classes.items()}


# --- the draw ---

#: Tries of a plain random sample for one rule before taking the flow's allocation.
SAMPLE_TRIES = 5


def draw(
    rules: Sequence[Rule], candidates: Sequence[Candidate], rng: random.Random
) -> list[list[int]] | None:
    """
    The question ids of each rule for one paper, or None when the candidates
    cannot fill the rules. Rule by rule, a plain random sample of the questions it
    matches (so a question is as likely as any other) is kept when the remaining
    rules can still be filled (``allocate``); after a few refused samples the rule
    takes what a feasible allocation gives it, sampled within each class. The same
    ``rng`` state and candidates give the same paper.
    """
    classes = classify(rules, candidates)
    counts = [rule.count for rule in rules]
    if allocate(counts, sizes(classes)) is None:
        return None
    signature_of = {qid: signature for signature, ids in classes.items() for qid in ids}
    remaining = {signature: list(ids) for signature, ids in classes.items()}
    papers: list[list[int]] = []
    for i, rule in enumerate(rules):
        later = [0] * (i + 1) + counts[i + 1 :]
        pool = sorted(qid for signature, ids in remaining.items() if i in signature for qid in ids)
        picked: list[int] | None = None
        for _try in range(SAMPLE_TRIES):
            sample = rng.sample(pool, rule.count)
            left = sizes(remaining)
            for qid in sample:
                left[signature_of[qid]] -= 1
            if allocate(later, left) is not None:
                picked = sample
                break
        if picked is None:
            allocation = allocate([0] * i + counts[i:], sizes(remaining)) or {}
            picked = []
            for signature, n in sorted(allocation.get(i, {}).items(), key=lambda x: sorted(x[0])):
                picked += rng.sample(remaining[signature], n)
            rng.shuffle(picked)
        chosen = set(picked)
        for signature in {signature_of[qid] for qid in picked}:
            remaining[signature] = [qid for qid in remaining[signature] if qid not in chosen]
        papers.append(picked)
    return papers
