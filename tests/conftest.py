import inspect
import os
from importlib import import_module
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.cache import cache
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.points.rule_migrations import create_rules

from .factories import make_branch, make_unit, make_user

# The browser tests drive Playwright's sync API, which runs an event loop in the
# test thread; Django's ORM calls around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    _a_redis_database_per_worker()


def _a_redis_database_per_worker() -> None:
    """
    ``make test`` runs the suite on a pytest-xdist worker per core. Each worker has a
    test database of its own (pytest-django adds ``_gw<N>`` to its name); Redis is
    split the same way: worker N uses database (REDIS_URL's + N). The suite clears
    the cache (FLUSHDB) around every test and the channel layer's groups live there
    too, so two workers on one Redis database would wipe each other's. The browser
    tests' servers inherit it through the environment.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not django_settings.REDIS_URL:
        return
    parts = urlsplit(django_settings.REDIS_URL)
    database = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    if database > 15:
        raise pytest.UsageError(f"worker {worker} would need Redis database {database} (> 15)")
    url = urlunsplit(parts._replace(path=f"/{database}"))
    os.environ["REDIS_URL"] = django_settings.REDIS_URL = url
    django_settings.CACHES["default"]["LOCATION"] = url
    for host in django_settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]:
        host["address"] = url


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(request, settings):
    # A fast hasher, except where a separate server process checks the password.
    if request.node.get_closest_marker("browser") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throw-away folder, which tests can inspect."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _rows_from_data_migrations(request):
    """
    Transactional tests flush the database, rows written by data migrations
    included; put those back so every test starts from what `migrate` gives.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        for migration in (
            "backend.points.migrations.0002_default_rules",
            "courses.migrations.0002_point_rules",
            "quizzes.migrations.0002_point_rules",
            "contests.migrations.0002_point_rules",
            "orglife.migrations.0002_defaults",
        ):
            module = import_module(migration)
            create_rules(django_apps, module.RULES)
            if hasattr(module, "compliance_forward"):
                module.compliance_forward(django_apps, None)


@pytest.fixture
def org(db):
    """Two units; the first has two branches, the second one; people in each role."""

    class Org:
        pass

    o = Org()
    o.unit_a = make_unit("市委组织部")
    o.unit_b = make_unit("市财政局")
    o.branch_a1 = make_branch(o.unit_a, "机关第一党支部")
    o.branch_a2 = make_branch(o.unit_a, "机关第二党支部")
    o.branch_b1 = make_branch(o.unit_b, "机关第一党支部")
    o.city_admin = make_user(Role.CITY_ADMIN, username="cityadmin")
    o.unit_admin = make_user(Role.UNIT_ADMIN, unit=o.unit_a, username="unitadmin")
    o.secretary = make_user(Role.SECRETARY, branch=o.branch_a1, username="secretary")
    o.secretary_b = make_user(Role.SECRETARY, branch=o.branch_b1, username="secretary2")
    o.member_a1 = make_user(branch=o.branch_a1, username="member_a1")
    o.member_a2 = make_user(branch=o.branch_a2, username="member_a2")
    o.member_b1 = make_user(branch=o.branch_b1, username="member_b1")
    return o


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _close_the_async_tests_connection(request):
    """An async test's database calls (``database_sync_to_async``, outside any
    ``async_to_sync``) run in asgiref's one thread for thread-sensitive code, whose
    connection would outlive the test and keep PostgreSQL from dropping the test
    database at the end. Close it after each async test."""
    yield
    if inspect.iscoroutinefunction(request.function):
        from asgiref.sync import SyncToAsync
        from django.db import connections

        SyncToAsync.single_thread_executor.submit(connections.close_all).result()
