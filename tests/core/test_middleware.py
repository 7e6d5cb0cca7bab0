from core.models import ActivityLog


def test_nul_in_a_query_value_is_a_clear_400(client, db):
    response = client.get("/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_in_a_posted_value_is_refused_before_any_view_runs(client, db):
    before = ActivityLog.objects.count()
    response = client.post("/accounts/login/", {"username": "x\x00", "password": "y"})
    assert response.status_code == 400
    assert ActivityLog.objects.count() == before


def test_ordinary_requests_pass(client, db):
    assert client.get("/", {"q": "长宁"}).status_code == 200
