"""The quizzes admin shows a unit admin only the own unit's banks, in the lists and
in their filters (issue 10: the 题库 filter listed other units' bank names)."""

import pytest

from ..factories import make_bank, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def banks(org):
    own = make_bank("组织部自有题库", unit=org.unit_a)
    own_too = make_bank("组织部党史题库", unit=org.unit_a)
    other = make_bank("财政局内部题库", unit=org.unit_b)
    city = make_bank("全市共享题库")
    for bank in (own, own_too, other, city):
        make_question(bank)
    return own, other, city


def test_unit_admin_bank_filter_lists_no_other_units_bank(org, client, banks):
    client.force_login(org.unit_admin)
    page = client.get("/admin/quizzes/question/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "组织部自有题库" in html
    assert "财政局内部题库" not in html and "全市共享题库" not in html
    bank_filter = next(
        spec for spec in page.context["cl"].filter_specs if spec.field_path == "bank"
    )
    assert [name for _pk, name in bank_filter.lookup_choices] == [
        "组织部党史题库",
        "组织部自有题库",
    ]


def test_city_admin_bank_filter_lists_every_bank(org, client, banks):
    client.force_login(org.city_admin)
    page = client.get("/admin/quizzes/question/")
    bank_filter = next(
        spec for spec in page.context["cl"].filter_specs if spec.field_path == "bank"
    )
    assert {name for _pk, name in bank_filter.lookup_choices} == {
        "组织部自有题库",
        "组织部党史题库",
        "财政局内部题库",
        "全市共享题库",
    }


def test_unit_admin_flags_an_exam_for_contests_in_the_admin(org, client):
    from quizzes.models import Quiz

    client.force_login(org.unit_admin)
    page = client.get("/admin/quizzes/quiz/add/").content.decode()
    assert 'name="purpose"' in page and 'name="contest_while_open"' in page
    assert Quiz._meta.get_field("purpose").default == "exam"  # unmarked: guarded
