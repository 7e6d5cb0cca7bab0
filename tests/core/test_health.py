import pytest
from django.test import override_settings

from tests.conftest import require_service


def test_health_in_the_embedded_default(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["checks"]["broker"]["detail"].startswith("eager")


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_health_reports_an_unreachable_broker_as_503(client, db):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.integration
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/14")
def test_health_without_a_worker_is_503(client, db):
    require_service("Redis", "127.0.0.1", 6379)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["workers"] == {"ok": False, "detail": "no worker answered"}


def test_the_favicon_is_served_from_the_static_files(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".svg")
    assert 'rel="icon"' in client.get("/").content.decode()
