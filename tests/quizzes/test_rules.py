"""Drawing rules as pure functions: parsing with per-field messages, the max-flow
allocation of overlapping rules, and the seeded draw that rests on it."""

import random

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.rules import (
    Candidate,
    Rule,
    RuleErrors,
    allocate,
    classify,
    draw,
    parse_each,
    parse_rules,
    shortage,
    sizes,
)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def questions(kind="single", category="党章党规", n=1, *, start=1, difficulty=2, tags=()):
    return [Candidate(start + i, kind, category, difficulty, tags) for i in range(n)]


# --- parsing ---


def test_a_rule_parses_with_defaults_and_round_trips():
    [rule] = parse_rules([{"kind": "single", "count": "10"}])
    assert rule == Rule(kind="single", count=10)
    assert rule.to_json() == {"kind": "single", "count": 10, "points": 1}
    full = {
        "kind": "fill",
        "count": 3,
        "points": 2,
        "category": " 党史 ",
        "min_difficulty": 2,
        "max_difficulty": 4,
        "tag": "二十大",
    }
    [rule] = parse_rules([full])
    assert rule.category == "党史"
    assert parse_rules([rule.to_json()]) == [rule]
    [any_category] = parse_rules([{"kind": "single", "count": 1, "category": ""}])
    assert any_category.category is None


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ({"kind": "essay", "count": 1}, "kind", "题型"),
        ({"count": 1}, "kind", "题型"),
        ({"kind": "single", "count": 0}, "count", "1 到 200"),
        ({"kind": "single", "count": 201}, "count", "1 到 200"),
        ({"kind": "single", "count": True}, "count", "1 到 200"),
        ({"kind": "single", "count": 2.5}, "count", "1 到 200"),
        ({"kind": "single"}, "count", "1 到 200"),
        ({"kind": "single", "count": 1, "points": 0}, "points", "1 到 100"),
        ({"kind": "single", "count": 1, "points": 101}, "points", "1 到 100"),
        ({"kind": "single", "count": 1, "max_difficulty": 6}, "max_difficulty", "1 到 5"),
        ({"kind": "single", "count": 1, "min_difficulty": 0}, "min_difficulty", "1 到 5"),
        (
            {"kind": "single", "count": 1, "min_difficulty": 4, "max_difficulty": 2},
            "max_difficulty",
            "最高难度低于最低难度",
        ),
        ({"kind": "single", "count": 1, "category": 3}, "category", "分类"),
        ({"kind": "single", "count": 1, "category": "长" * 51}, "category", "分类"),
        ({"kind": "single", "count": 1, "tag": ["a"]}, "tag", "标签"),
        ({"kind": "single", "count": 1, "catagory": "党史"}, "catagory", "未知"),
    ],
)
def test_each_field_is_checked_with_a_chinese_message(rule, field, message):
    with pytest.raises(RuleErrors) as refused:
        parse_rules([{"kind": "single", "count": 1}, rule])
    assert refused.value.errors[0] == {}
    assert message in refused.value.errors[1][field]
    assert "第2条规则" in str(refused.value)


def test_the_list_itself_is_checked():
    for data, message in (({"kind": "single"}, "列表"), ([{}] * 51, "50")):
        with pytest.raises(RuleErrors) as refused:
            parse_rules(data)
        assert message in refused.value.general
    rules, errors, general = parse_each([{"kind": "single", "count": 2}, "单选"])
    assert rules[0] == Rule("single", 2) and rules[1] is None
    assert "rule" in errors[1] and not general


# --- allocation ---


def test_overlapping_rules_are_allocated_where_a_greedy_draw_fails():
    # given: rule 0 "any single ×3", rule 1 "党章 single ×2"; 2 党章 + 1 other single
    rules = [Rule("single", 3), Rule("single", 2, category="党章党规")]
    pool = questions(category="党章党规", n=2) + questions(category="党史", start=10)
    classes = classify(rules, pool)
    assert sizes(classes) == {frozenset({0, 1}): 2, frozenset({0}): 1}
    # when: 5 needed from 3 questions — infeasible
    assert allocate([3, 2], sizes(classes)) is None
    # then: with 3 more 党史 singles a greedy "rule 0 first" could take both 党章 ones,
    # but the allocation leaves them to rule 1
    pool += questions(category="党史", n=3, start=20)
    classes = sizes(classify(rules, pool))
    allocation = allocate([3, 2], classes)
    assert allocation == {0: {frozenset({0}): 3}, 1: {frozenset({0, 1}): 2}}


def test_shortage_names_the_rules_that_compete():
    classes = {frozenset({0, 1}): 4, frozenset({2}): 10}
    short = shortage([3, 2, 5], classes)
    assert short is not None
    assert (short.rules, short.needed, short.available) == ((0, 1), 5, 4)
    assert shortage([2, 2, 5], classes) is None


def test_counts_of_zero_take_nothing():
    assert allocate([0, 0], {frozenset({0}): 1}) == {}
    assert allocate([], {}) == {}


signatures = st.frozensets(st.integers(min_value=0, max_value=4), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=5),
    classes=st.dictionaries(signatures, st.integers(min_value=0, max_value=8), max_size=8),
)
def test_any_allocation_respects_capacities_and_counts(counts, classes):
    classes = {sig: size for sig, size in classes.items() if max(sig) < len(counts)}
    allocation = allocate(counts, classes)
    short = shortage(counts, classes)
    if allocation is None:
        # then Hall's condition fails for the rules the shortage names
        assert short is not None and short.needed > short.available
        return
    assert short is None
    for i, count in enumerate(counts):
        taken = allocation.get(i, {})
        assert sum(taken.values()) == count
        assert all(i in sig for sig in taken)
    for sig, size in classes.items():
        assert sum(allocation.get(i, {}).get(sig, 0) for i in range(len(counts))) <= size


# --- the draw ---


def bank_of_sorts():
    return (
        questions("single", "党章党规", 6, start=1, difficulty=1)
        + questions("single", "党史", 6, start=20, difficulty=4)
        + questions("truefalse", "党史", 5, start=40, tags=("二十大",))
        + questions("fill", "党章党规", 3, start=60)
    )


RULES = [
    Rule("single", 8, points=2),
    Rule("single", 4, category="党章党规", max_difficulty=2),
    Rule("truefalse", 2, tag="二十大"),
    Rule("fill", 3),
]


def test_the_same_seed_gives_the_same_paper():
    first = draw(RULES, bank_of_sorts(), random.Random(7))
    again = draw(RULES, bank_of_sorts(), random.Random(7))
    assert first == again
    assert [len(ids) for ids in first] == [8, 4, 2, 3]
    assert set(first[1]) <= set(range(1, 7))
    flat = [pk for ids in first for pk in ids]
    assert len(flat) == len(set(flat))
    others = {tuple(map(tuple, draw(RULES, bank_of_sorts(), random.Random(s)))) for s in range(20)}
    assert len(others) > 1


def test_the_draw_refuses_rules_that_cannot_be_filled():
    assert draw([Rule("single", 13)], bank_of_sorts(), random.Random(1)) is None
    assert draw([*RULES, Rule("single", 1)], bank_of_sorts(), random.Random(1)) is None


candidate_lists = st.lists(
    st.builds(
        lambda kind, category, difficulty: (kind, category, difficulty),
        st.sampled_from(["single", "truefalse"]),
        st.sampled_from(["甲", "乙"]),
        st.integers(min_value=1, max_value=5),
    ),
    max_size=30,
)
rule_lists = st.lists(
    st.builds(
        Rule,
        kind=st.sampled_from(["single", "truefalse"]),
        count=st.integers(min_value=1, max_value=6),
        category=st.sampled_from([None, "甲", "乙"]),
        max_difficulty=st.integers(min_value=1, max_value=5),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(rows=candidate_lists, rules=rule_lists, seed=st.integers(min_value=0, max_value=2**32))
def test_the_draw_never_fails_when_the_allocation_says_feasible(rows, rules, seed):
    pool = [Candidate(i + 1, *row) for i, row in enumerate(rows)]
    feasible = allocate([r.count for r in rules], sizes(classify(rules, pool))) is not None
    paper = draw(rules, pool, random.Random(seed))
    assert (paper is not None) == feasible
    if paper is None:
        return
    by_id = {c.id: c for c in pool}
    flat = [pk for ids in paper for pk in ids]
    assert len(flat) == len(set(flat))
    for rule, ids in zip(rules, paper, strict=True):
        assert len(ids) == rule.count
        assert all(rule.matches(by_id[pk]) for pk in ids)
