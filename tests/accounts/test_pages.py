"""The sign-in, password and member pages as a phone sees them."""

import re
from pathlib import Path

import pytest

from backend.points.selectors import points_total
from backend.points.services import points_award

from ..factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "机关大讲堂" in html


def test_login_then_home_and_daily_points(org, client):
    response = client.post(
        "/accounts/login/", {"username": "member_a1", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    html = response.content.decode()
    assert org.member_a1.display_name in html
    assert "机关第一党支部" in html
    # the first sign-in of the day earns the sign-in point, once
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "member_a1", "password": PASSWORD})
    assert points_total(member=org.member_a1) == 1


def test_wrong_password_shows_message(org, client):
    response = client.post("/accounts/login/", {"username": "member_a1", "password": "bad"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_lockout_message_on_the_page(org, client, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "member_a1", "password": "bad"})
    response = client.post("/accounts/login/", {"username": "member_a1", "password": PASSWORD})
    html = response.content.decode()
    assert "锁定" in html and "15" in html
    assert "_auth_user_id" not in client.session


def test_pages_need_login(client, db):
    for path in ("/", "/me/", "/me/points/", "/accounts/password/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_imported_account_must_change_password_first(client, db):
    user = make_user(must_change_password=True)
    client.force_login(user)
    assert client.get("/")["Location"] == "/accounts/password/"
    assert client.get("/api/v1/me/").json()["must_change_password"] is True
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-Strong-77",
            "new_password2": "Another-Strong-77",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Another-Strong-77")
    assert client.get("/").status_code == 200  # still signed in


def test_password_change_refuses_weak_password(client, db):
    user = make_user()
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_points_page_and_htmx_fragment(org, client):
    for day in range(25):
        points_award(member=org.member_a1, kind="daily_login", source_key=f"login:d{day}")
    client.force_login(org.member_a1)
    page = client.get("/me/points/").content.decode()
    assert page.count('class="ledger__row"') == 20 and "hx-get" in page
    fragment = client.get("/me/points/?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and fragment.count('class="ledger__row"') == 5


def test_english_is_available(org, client):
    client.force_login(org.member_a1)
    client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    html = client.get("/me/").content.decode()
    assert '<html lang="en">' in html and "Sign out" in html


def test_browser_language_does_not_switch_to_english(org, client):
    client.force_login(org.member_a1)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html


@pytest.mark.parametrize("path", ["/", "/me/", "/me/points/", "/accounts/password/"])
def test_pages_have_no_inline_scripts_and_a_strict_csp(org, client, path):
    client.force_login(org.member_a1)
    response = client.get(path)
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the page loads htmx"
    for attributes, body in scripts:
        assert "src=" in attributes and body.strip() == ""
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp


def test_login_page_is_light(client, db):
    from django.contrib.staticfiles import finders

    html = client.get("/accounts/login/").content
    css = Path(finders.find("jiangtang/app.css")).read_bytes()
    htmx = Path(finders.find("django_htmx/htmx-2.min.js")).read_bytes()
    assert len(html) + len(css) + len(htmx) < 100_000


def test_error_pages_are_chinese(org, client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    client.force_login(org.member_a1)
    response = client.get("/admin/")
    assert response.status_code == 403 and "管理后台" in response.content.decode()


def test_admin_password_reset_makes_the_owner_choose_a_new_one(org, client):
    client.force_login(org.unit_admin)
    response = client.post(
        f"/admin/accounts/user/{org.member_a1.pk}/password/",
        {"password1": "Reset-By-Admin-9", "password2": "Reset-By-Admin-9"},
    )
    assert response.status_code == 302
    org.member_a1.refresh_from_db()
    assert org.member_a1.must_change_password
    assert org.member_a1.check_password("Reset-By-Admin-9")
