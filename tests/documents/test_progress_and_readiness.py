"""Generation never blocks a page: eager renderings run detached, batches count their progress, and a
kind whose data is not ready is disabled with its reason and refused with the same words."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from core import background
from documents import generation, services
from documents.kinds import not_ready
from documents.models import Document, DocumentStatus
from documents.views import document_status_data

from .factories import make_winners

pytestmark = pytest.mark.django_db


def _label(cycle) -> str:
    return f"{cycle.programme.name}（{cycle.name}）"


def test_the_panel_shows_a_kind_that_is_not_ready_disabled_with_its_reason(client, cn_staff, seeds):
    cycle = seeds["changning-quality-2023"]
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:awards", args=[cycle.code])).content.decode()
    reason = f"“{_label(cycle)}”尚未记录批准表彰，不能生成该文书。"
    assert (f'<button type="button" class="btn btn-sm btn-outline-secondary" disabled aria-describedby="not-ready-award_decision" '
            f'data-kind="award_decision">生成表彰决定</button>') in page
    assert f'<span class="small text-body-secondary" id="not-ready-award_decision" data-role="not-ready">{reason}</span>' in page
    assert 'value="award_decision"' not in page  # no form to post


def test_the_request_is_refused_with_the_panels_reason(client, cn_staff, seeds):
    cycle = seeds["changning-quality-2023"]
    client.force_login(cn_staff)
    response = client.post(reverse("documents:request"), {"kind": "certificate_batch", "cycle": [cycle.code]},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": f"“{_label(cycle)}”尚未记录批准表彰，不能生成该文书。"}
    assert not Document.objects.exists()


def test_readiness_follows_the_data(seeds):
    from documents.kinds import Subject

    cycle = seeds["changning-quality-2023"]
    subject = Subject(organiser=cycle.programme.organiser, cycles=[cycle])
    assert not_ready("publicity_notice", subject) == f"“{_label(cycle)}”尚未发布公示。"
    assert not_ready("work_plan", subject) is None
    make_winners(cycle, per_category=1)
    assert not_ready("award_decision", subject) is None and not_ready("certificate_batch", subject) is None


def test_a_certificate_batch_records_its_progress(seeds, cn_staff, django_capture_on_commit_callbacks):
    cycle = seeds["changning-quality-2023"]
    make_winners(cycle, per_category=1)
    seen = []
    original = generation._progress_recorder

    def spying(document_id):
        record = original(document_id)

        def both(done, total):
            record(done, total)
            row = Document.objects.get(pk=document_id)
            seen.append((row.status, row.progress_done, row.progress_total))

        return both

    generation._progress_recorder = spying
    try:
        with django_capture_on_commit_callbacks(execute=True):
            document = services.request_document(kind="certificate_batch", requested_by=cn_staff, cycles=[cycle])
    finally:
        generation._progress_recorder = original
    assert seen == [("running", 1, 4), ("running", 2, 4), ("running", 3, 4), ("running", 4, 4)]
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE and document.pages == 4
    data = document_status_data(document)
    assert data["progress"] == {"done": 4, "total": 4}


def test_status_shows_the_progress_of_a_running_batch(seeds, cn_staff, client):
    cycle = seeds["changning-quality-2023"]
    document = Document.objects.create(kind="certificate_batch", organiser=cycle.programme.organiser, cycle=cycle,
                                       subject_key=f"cycles:{cycle.pk}", params={"cycles": [cycle.pk]}, title="荣誉证书",
                                       status=DocumentStatus.RUNNING, progress_done=40, progress_total=100)
    client.force_login(cn_staff)
    data = client.get(reverse("documents:status", args=[document.public_id])).json()
    assert (data["status"], data["status_label"], data["progress"]) == ("running", "生成中", {"done": 40, "total": 100})


def test_a_detached_job_runs_in_its_own_thread_inside_a_committed_request(transactional_db):
    ran = []
    background._request_started()
    try:
        thread = background.run_detached(lambda: ran.append(threading.current_thread().name))
    finally:
        background._request_finished()
    assert thread is not None
    thread.join(10)
    assert ran == ["detached-job"]


def test_a_detached_job_runs_at_once_outside_a_request_or_inside_a_transaction(db):
    ran = []
    assert background.run_detached(lambda: ran.append("command")) is None  # no request: a command, a worker
    background._request_started()
    try:
        assert background.run_detached(lambda: ran.append("test transaction")) is None  # nothing committed to see
    finally:
        background._request_finished()
    assert ran == ["command", "test transaction"]
