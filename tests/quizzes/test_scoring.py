"""Grading is pure: exact for choices, per blank for fill-ins, normalised text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.scoring import blank_count, grade, normalise_stem, normalise_text


@pytest.mark.parametrize(
    ("kind", "key", "response", "correct", "fraction"),
    [
        ("single", ["B"], {"choices": ["B"]}, True, 1.0),
        ("single", ["B"], {"choices": ["A"]}, False, 0.0),
        ("single", ["B"], {}, False, 0.0),
        ("multiple", ["A", "C"], {"choices": ["C", "A"]}, True, 1.0),
        ("multiple", ["A", "C"], {"choices": ["A"]}, False, 0.0),
        ("multiple", ["A", "C"], {"choices": ["A", "C", "D"]}, False, 0.0),
        ("multiple", ["A", "C"], {"choices": ["A", "A", "C"]}, False, 0.0),
        ("truefalse", [True], {"choices": ["true"]}, True, 1.0),
        ("truefalse", [False], {"choices": ["true"]}, False, 0.0),
        ("fill", [["十八", "18"]], {"blanks": ["１８"]}, True, 1.0),
        ("fill", [["民主集中制"]], {"blanks": [" 民主 集中制。"]}, True, 1.0),
        ("fill", [["A"], ["B"]], {"blanks": ["a", "x"]}, False, 0.5),
        ("fill", [["A"], ["B"]], {"blanks": ["a"]}, False, 0.5),
    ],
)
def test_grade(kind, key, response, correct, fraction):
    result = grade(kind, key, response)
    assert (result.correct, result.fraction) == (correct, fraction)


def test_normalisation():
    assert normalise_text("  ＡＢＣ　１２ ") == "abc12"
    assert normalise_stem("党的最高领导机关是（　）。") == normalise_stem("党的最高领导机关是(  )")
    assert blank_count("年满（　）岁，预备期（ ）年，____") == 3


responses = st.dictionaries(
    st.sampled_from(["choices", "blanks", "text", "other"]),
    st.one_of(st.lists(st.text(max_size=5), max_size=4), st.text(max_size=5), st.none()),
)


@given(st.sampled_from(["single", "multiple", "truefalse", "fill"]), responses)
def test_grading_any_response_never_fails(kind, response):
    key = {"single": ["A"], "multiple": ["A", "B"], "truefalse": [True], "fill": [["x"]]}[kind]
    try:
        result = grade(kind, key, response)
    except TypeError:
        # responses reach grading only after response_from_client checked their shape
        return
    assert 0.0 <= result.fraction <= 1.0


@given(st.text())
def test_normalise_text_is_idempotent(value):
    assert normalise_text(normalise_text(value)) == normalise_text(value)
