"""/healthz, JSON errors under /api/, the schema and its offline docs."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "channel_layer": "ok",
        "cache": "ok",
    }


def test_healthz_503_when_channel_layer_is_unreachable(client):
    from channels.layers import channel_layers

    broken = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # nothing listens on port 1
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    with override_settings(CHANNEL_LAYERS=broken):
        channel_layers.backends.clear()
        try:
            response = client.get("/healthz")
        finally:
            channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["channel_layer"] == "error"
    assert body["database"] == "ok"


def test_healthz_503_when_database_is_unreachable(client, settings):
    from django.db import connection

    real_name = connection.settings_dict["NAME"]
    vendor = connection.vendor
    connection.close()
    if vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/dir/db.sqlite3"
    else:
        connection.settings_dict["PORT"], real_port = "1", connection.settings_dict["PORT"]
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = real_name
        if vendor != "sqlite":
            connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_wrong_method_is_json_405(api):
    response = api.get("/api/v1/auth/token/")
    assert response.status_code == 405
    assert "detail" in response.json()


def test_schema_and_offline_docs(client, org):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/members/", "/api/v1/me/points/"):
        assert path in paths
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "https://" not in html
    # the init script is served as a file, not inline (the CSP forbids inline scripts)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "javascript" in script["Content-Type"]


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    # --fail-on-warn turns every drf-spectacular warning (an untyped field, an
    # unresolvable serializer) into an error; --validate checks it against OpenAPI 3.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
